import {
  CreateMaintenanceWindowCommand,
  CreatePatchBaselineCommand,
  DescribeMaintenanceWindowsCommand,
  DescribePatchBaselinesCommand,
  DescribePatchGroupsCommand,
  GetMaintenanceWindowCommand,
  GetPatchBaselineCommand,
  ListTagsForResourceCommand,
  UpdateMaintenanceWindowCommand,
  UpdatePatchBaselineCommand,
} from "@aws-sdk/client-ssm";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

const BASELINE = (extra = "", os = "WINDOWS", key = "CLASSIFICATION", value = "SecurityUpdates") => `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: app-baseline
  tags: {Environment: Production}
spec:
  operatingSystem: ${os}
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
            - key: ${key}
              values: [${value}]
        approveAfterDays: 7
  patchGroups: [app-servers]
${extra}`;

const WINDOW = (opts: { resourceType?: string; taskType?: string; duration?: number } = {}) => `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: app-window
spec:
  schedule: cron(0 22 ? * TUE *)
  duration: ${opts.duration ?? 3}
  cutoff: 1
  targets:
    - name: app
      resourceType: ${opts.resourceType ?? "INSTANCE"}
      targets:
        - key: ${opts.resourceType === "RESOURCE_GROUP" ? "resource-groups:Name" : "tag:Patch Group"}
          values: [app-servers]
  tasks:
${opts.taskType === "AUTOMATION"
    ? `    - name: patch
      taskType: AUTOMATION
      taskArn: AWS-PatchInstanceWithRollback
      targets:
        - key: WindowTargetIds
          values: [app]
      maxConcurrency: "1"
      maxErrors: "1"
`
    : `    - name: patch
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets:
        - key: WindowTargetIds
          values: [app]
      maxConcurrency: 10%
      maxErrors: "1"
      runCommand:
        parameters:
          Operation: [Install]
`}`;

async function windowId(h: LocalHarness, name: string): Promise<string> {
  const out = await h.sdk.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: [name] }] }));
  return out.WindowIdentities![0]!.WindowId!;
}
async function baselineIds(h: LocalHarness, name: string): Promise<string[]> {
  const out = await h.sdk.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: [name] }], MaxResults: 100 }));
  return (out.BaselineIdentities ?? []).filter((b) => b.BaselineName === name).map((b) => b.BaselineId!);
}

describe("reconcile safety and drift against the local endpoint", () => {
  let h: LocalHarness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("reports out-of-band edits as drift with actual and desired values, and apply reverts them", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE(), "w.yaml": WINDOW() });
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    const wid = await windowId(h, "app-window");
    await h.sdk.send(new UpdateMaintenanceWindowCommand({ WindowId: wid, Duration: 5 }));
    const [bid] = await baselineIds(h, "app-baseline");
    const base = await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: bid }));
    await h.sdk.send(new UpdatePatchBaselineCommand({ BaselineId: bid, ApprovalRules: { PatchRules: [{ ...base.ApprovalRules!.PatchRules![0]!, ApproveAfterDays: 1 }] } }));

    const drift = await h.cli(["drift", dir, "--output", "json"]);
    expect(drift.code).toBe(2);
    const report = JSON.parse(drift.out);
    expect(report.kind).toBe("drift");
    const byKey = Object.fromEntries(report.changes.map((c: { key: string }) => [c.key, c]));
    expect(byKey["MaintenanceWindow/app-window"].fields).toEqual([{ path: "duration", before: 5, after: 3 }]);
    expect(byKey["PatchBaseline/app-baseline"].fields).toEqual([{ path: "approvalRules.patchRules[0].approveAfterDays", before: 1, after: 7 }]);

    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    expect((await h.sdk.send(new GetMaintenanceWindowCommand({ WindowId: wid }))).Duration).toBe(3);
    expect((await h.cli(["drift", dir])).code).toBe(0);
  });

  it("lists unmanaged resources and never touches them, even with the same kind and no desired state", async () => {
    const foreign = await h.sdk.send(new CreatePatchBaselineCommand({ Name: "hand-made", OperatingSystem: "WINDOWS", Description: "not ours", ApprovedPatches: ["KB1"] }));
    const other = await h.sdk.send(new CreateMaintenanceWindowCommand({ Name: "other-team", Schedule: "rate(7 days)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false, Tags: [{ Key: "patchctl:owner", Value: "another-team" }, { Key: "patchctl:name", Value: "app-window" }] }));
    const dir = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE(), "w.yaml": WINDOW() });
    const drift = await h.cli(["drift", dir, "--output", "json"]);
    const report = JSON.parse(drift.out);
    const unmanaged = report.unmanaged.map((u: { id: string }) => u.id);
    expect(unmanaged).toContain(foreign.BaselineId);
    expect(unmanaged).toContain(other.WindowId);
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    // Remove everything from the desired state: only our own resources are deleted.
    const empty = writeTree({ "patchctl.yaml": CONFIG });
    expect((await h.cli(["reconcile", empty, "--allow-mass-delete"])).code).toBe(0);
    expect(await baselineIds(h, "hand-made")).toEqual([foreign.BaselineId]);
    expect(await windowId(h, "other-team")).toBe(other.WindowId);
    expect(await baselineIds(h, "app-baseline")).toEqual([]);
    const desc = await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: foreign.BaselineId }));
    expect(desc.Description).toBe("not ours");
  });

  it("refuses a mass delete unless --allow-mass-delete", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE(), "w.yaml": WINDOW() });
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    const empty = writeTree({ "patchctl.yaml": CONFIG });
    const refused = await h.cli(["reconcile", empty]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refusing to delete all \d+ resources owned by 'test-owner'/);
    expect(await baselineIds(h, "app-baseline")).toHaveLength(1);
    const partial = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE() });
    const tooMany = await h.cli(["reconcile", partial, "--max-delete-percent", "10"]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.err).toMatch(/--max-delete-percent 10/);
  });

  it("refuses a stale saved plan and applies a fresh one exactly", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE() });
    const planFile = path.join(tmpdir(), `plan-${process.pid}-${Date.now()}.json`);
    expect((await h.cli(["reconcile", dir, "--plan", "--out", planFile])).code).toBe(2);
    await h.sdk.send(new CreatePatchBaselineCommand({ Name: "sneaky", OperatingSystem: "WINDOWS", ApprovedPatches: ["KB1"] }));
    const stale = await h.cli(["apply", planFile]);
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/Saved plan is stale/);
    expect(await baselineIds(h, "app-baseline")).toEqual([]);

    expect((await h.cli(["reconcile", dir, "--plan", "--out", planFile])).code).toBe(2);
    const ok = await h.cli(["apply", planFile]);
    expect(ok.code).toBe(0);
    expect(await baselineIds(h, "app-baseline")).toHaveLength(1);
  });

  it("reports a same-named unowned resource as a conflict, and --adopt takes it over with only the ownership tags", async () => {
    const made = await h.sdk.send(new CreatePatchBaselineCommand({
      Name: "app-baseline",
      OperatingSystem: "WINDOWS",
      Tags: [{ Key: "Environment", Value: "Production" }],
      ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["SecurityUpdates"] }] }, ApproveAfterDays: 7 }] },
    }));
    const dir = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE().replace("  patchGroups: [app-servers]\n", "") });
    const conflict = await h.cli(["reconcile", dir, "--plan"]);
    expect(conflict.code).toBe(1);
    expect(conflict.out).toMatch(/rerun with --adopt/);
    const applyWithout = await h.cli(["reconcile", dir]);
    expect(applyWithout.code).toBe(1);
    expect(await baselineIds(h, "app-baseline")).toEqual([made.BaselineId]); // no duplicate

    const adopt = await h.cli(["reconcile", dir, "--plan", "--adopt", "--output", "json"]);
    const plan = JSON.parse(adopt.out);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0].fields.map((f: { path: string }) => f.path).sort()).toEqual(["tags.patchctl:name", "tags.patchctl:owner"]);
    expect((await h.cli(["reconcile", dir, "--adopt"])).code).toBe(0);
    const tags = await h.sdk.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: made.BaselineId }));
    expect(tags.TagList).toEqual(expect.arrayContaining([{ Key: "patchctl:owner", Value: "test-owner" }]));
    expect((await h.cli(["reconcile", dir, "--plan"])).code).toBe(0);
  });

  it("replaces what cannot be updated: baseline OS, task type, target resource type, a patch group's baseline", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE(), "w.yaml": WINDOW() });
    expect((await h.cli(["reconcile", dir])).code).toBe(0);

    const linux = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": BASELINE("", "AMAZON_LINUX_2", "CLASSIFICATION", "Security"), "w.yaml": WINDOW({ taskType: "AUTOMATION", resourceType: "RESOURCE_GROUP" }) });
    const plan = JSON.parse((await h.cli(["reconcile", linux, "--plan", "--output", "json"])).out);
    const action = (key: string) => plan.changes.find((c: { key: string }) => c.key === key)?.action;
    // The replace says its order: a new baseline before the old one goes (its groups never fall back to the default),
    // a task re-registered after the old one is gone, a target registered beside the old one while tasks move over.
    expect(action("PatchBaseline/app-baseline")).toBe("createThenDelete");
    expect(action("WindowTask/app-window/patch")).toBe("deleteThenCreate");
    expect(action("WindowTarget/app-window/app")).toBe("createThenDelete");
    expect(action("PatchGroupRegistration/WINDOWS/app-servers")).toBe("delete");
    expect(action("PatchGroupRegistration/AMAZON_LINUX_2/app-servers")).toBe("create");
    const applied = await h.cli(["reconcile", linux]);
    expect(applied.err).toBe("");
    expect(applied.code).toBe(0);
    expect((await h.cli(["reconcile", linux, "--plan"])).code).toBe(0);
    expect(await baselineIds(h, "app-baseline")).toHaveLength(1);

    // Move the group to another baseline of the same OS: deregister, then register.
    const moved = BASELINE("", "AMAZON_LINUX_2", "CLASSIFICATION", "Security").replace("  patchGroups: [app-servers]\n", "") +
      "---\n" + BASELINE("", "AMAZON_LINUX_2", "CLASSIFICATION", "Bugfix").replace("name: app-baseline", "name: other-baseline");
    const movedDir = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": moved, "w.yaml": WINDOW({ taskType: "AUTOMATION", resourceType: "RESOURCE_GROUP" }) });
    const movePlan = JSON.parse((await h.cli(["reconcile", movedDir, "--plan", "--output", "json"])).out);
    expect(movePlan.changes.find((c: { key: string }) => c.key === "PatchGroupRegistration/AMAZON_LINUX_2/app-servers").action).toBe("deleteThenCreate");
    expect((await h.cli(["reconcile", movedDir])).code).toBe(0);
    const groups = await h.sdk.send(new DescribePatchGroupsCommand({}));
    const mapping = groups.Mappings!.find((m) => m.PatchGroup === "app-servers")!;
    expect(mapping.BaselineIdentity!.BaselineName).toBe("other-baseline");
    expect((await h.cli(["reconcile", movedDir, "--plan"])).code).toBe(0);
  });

  it("exit code 1 and a file:line message for invalid desired state, with nothing sent to SSM", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "w.yaml": WINDOW({ duration: 30 }) });
    h.server.resetStats();
    const result = await h.cli(["reconcile", dir]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/w\.yaml:7:\d+: error: MaintenanceWindow\/app-window spec\.duration/);
    const stats = h.server.stats() as unknown as { calls?: Record<string, number> };
    expect(Object.values(stats.calls ?? {}).reduce((a, b) => a + b, 0)).toBe(0);
    writeFileSync(path.join(dir, "w.yaml"), WINDOW());
  });
});
