import {
  CreateMaintenanceWindowCommand, CreatePatchBaselineCommand, GetMaintenanceWindowCommand, GetMaintenanceWindowTaskCommand, GetPatchBaselineCommand, ListTagsForResourceCommand,
  RegisterPatchBaselineForPatchGroupCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, DescribeMaintenanceWindowTargetsCommand, DescribePatchGroupsCommand,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/**
 * Resources without patchctl's ownership tags, or owned by another owner, are never
 * updated or deleted, whatever the desired state says. 100 such resources of every kind,
 * some with the very names the desired state uses, and every command run against them.
 */
describe("resources patchctl does not own are never touched", () => {
  let h: LocalHarness;
  let snapshot: string;
  const read = async (): Promise<string> => {
    const { census } = await import("../helpers/account-census.js");
    const c = await census(h.sdk);
    const details: unknown[] = [];
    for (const b of c.baselines) details.push(await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: b.id })), await h.sdk.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: b.id })));
    for (const w of c.windows) {
      details.push(await h.sdk.send(new GetMaintenanceWindowCommand({ WindowId: w.id })), await h.sdk.send(new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: w.id })));
      details.push(await h.sdk.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: w.id })));
    }
    details.push(await h.sdk.send(new DescribePatchGroupsCommand({})));
    return JSON.stringify([c, details], (k, v: unknown) => (k === "$metadata" || k === "NextExecutionTime" ? undefined : v));
  };

  beforeAll(async () => {
    h = await startHarness();
    const rule = { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION" as const, Values: ["SecurityUpdates"] }] }, ApproveAfterDays: 3 }] };
    // 25 baselines (unowned or another owner's), 4 patch groups each = 100 registrations.
    for (let i = 0; i < 25; i++) {
      const tags = i % 2 ? [{ Key: "patchctl:owner", Value: "someone-else" }, { Key: "patchctl:name", Value: i === 1 ? "app-baseline" : `b${i}` }] : [];
      const { BaselineId } = await h.sdk.send(new CreatePatchBaselineCommand({ Name: i === 0 ? "app-baseline" : `foreign-baseline-${i}`, ApprovalRules: rule, Tags: tags }));
      for (let g = 0; g < 4; g++) await h.sdk.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: i === 0 && g === 0 ? "app-servers" : `foreign-group-${i}-${g}` }));
    }
    // 25 windows with 4 targets and 4 tasks each = 100 targets, 100 tasks.
    for (let i = 0; i < 25; i++) {
      const tags = i % 2 ? [{ Key: "patchctl:owner", Value: "someone-else" }, { Key: "patchctl:name", Value: i === 1 ? "app-window" : `w${i}` }] : [];
      const { WindowId } = await h.sdk.send(new CreateMaintenanceWindowCommand({ Name: i === 0 ? "app-window" : `foreign-window-${i}`, Schedule: "cron(0 3 ? * SUN *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Tags: tags }));
      for (let t = 0; t < 4; t++) {
        const { WindowTargetId } = await h.sdk.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Role", Values: [`r${t}`] }], Name: t === 0 ? "app" : `target-${t}` }));
        await h.sdk.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [WindowTargetId!] }], MaxConcurrency: "1", MaxErrors: "1", Name: t === 0 ? "patch" : `task-${t}` }));
      }
    }
    snapshot = await read();
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  it("validate, plan, dry-run, drift, apply, adopt-less reconcile and an empty desired state change none of them", async () => {
    const desired = writeTree({
      "patchctl.yaml": CONFIG,
      "b.yaml": "apiVersion: patchctl/v1\nkind: PatchBaseline\nmetadata: {name: app-baseline}\nspec:\n  approvalRules: {patchRules: [{patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [CriticalUpdates]}]}, approveAfterDays: 1}]}\n  patchGroups: [app-servers]\n",
      "w.yaml": "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: app-window}\nspec:\n  schedule: cron(0 4 ? * MON *)\n  duration: 2\n  cutoff: 1\n  targets: [{name: app, targets: [{key: tag:Role, values: [x]}]}]\n",
    });
    const empty = writeTree({ "patchctl.yaml": CONFIG });
    const plan = await h.cli(["reconcile", desired, "--plan", "--output", "json"]);
    expect(plan.code).toBe(1); // conflicts
    const report = JSON.parse(plan.out) as { conflicts: { key: string; adoptable: boolean }[]; unmanaged: unknown[]; changes: { action: string }[] };
    expect(report.conflicts.map((c) => c.key).sort()).toEqual(["MaintenanceWindow/app-window", "PatchBaseline/app-baseline"]);
    expect(report.unmanaged.length).toBeGreaterThanOrEqual(150);
    expect(report.changes.filter((c) => c.action === "delete" || c.action === "update")).toEqual([]);
    for (const args of [
      ["reconcile", desired, "--dry-run"],
      ["drift", desired],
      ["reconcile", desired],
      ["reconcile", empty, "--allow-mass-delete"],
      ["reconcile", desired, "--owner", "someone-else-not"],
      ["compliance", desired, "--instances"],
    ]) {
      await h.cli(args);
    }
    expect(h.server.stats().calls.DeletePatchBaseline ?? 0).toBe(0);
    expect(h.server.stats().calls.DeleteMaintenanceWindow ?? 0).toBe(0);
    expect(h.server.stats().calls.UpdatePatchBaseline ?? 0).toBe(0);
    expect(h.server.stats().calls.UpdateMaintenanceWindow ?? 0).toBe(0);
    expect(h.server.stats().calls.DeregisterTargetFromMaintenanceWindow ?? 0).toBe(0);
    expect(h.server.stats().calls.DeregisterTaskFromMaintenanceWindow ?? 0).toBe(0);
    expect(h.server.stats().calls.DeregisterPatchBaselineForPatchGroup ?? 0).toBe(0);
    expect(h.server.stats().calls.AddTagsToResource ?? 0).toBe(0);
    // The only writes allowed: the lease parameter, and new resources patchctl then owns — none here, because of the conflicts.
    expect(await read()).toBe(snapshot);
  }, 120_000);

  it("--adopt never takes a resource another patchctl owner holds", async () => {
    const desired = writeTree({
      "patchctl.yaml": CONFIG,
      "w.yaml": "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: foreign-window-1}\nspec: {schedule: cron(0 4 ? * MON *), duration: 2, cutoff: 1}\n",
    });
    const result = await h.cli(["reconcile", desired, "--adopt", "--output", "json"]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/owned by patchctl owner 'someone-else'; it is never modified/);
    expect(await read()).toBe(snapshot);
  });
});
