import { CreateMaintenanceWindowCommand, DeleteMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterEach, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { applyPlan } from "../../src/reconciler/apply.js";
import { planReconcile } from "../../src/reconciler/engine.js";
import { AwsGateway } from "../../src/aws/gateway.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";
import { census, duplicates } from "../helpers/account-census.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

// Two examples that share no patch group (the blog and the walkthrough both register "Front-End Servers").
const EXAMPLES = ["examples/walkthrough", "examples/recipe"];
let h: LocalHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("faults survived", () => {
  it("a throttling storm (30% of calls throttled): plan and apply complete and converge, no errors shown", async () => {
    h = await startHarness({ throttleRate: 0.3 });
    for (const dir of EXAMPLES) {
      const apply = await h.cli(["reconcile", dir]);
      expect(apply.err).toBe("");
      expect(apply.code, apply.out.slice(-1500)).toBe(0);
      const plan = await h.cli(["reconcile", dir, "--plan"]);
      expect(plan.code, plan.err + plan.out.slice(-1500)).toBe(0);
    }
    expect(h.server.stats().throttled).toBeGreaterThan(10);
  }, 120_000);

  it("a hard TPS cap far below the load: converges through client-side pacing and retries", async () => {
    h = await startHarness({ tps: 4 });
    const apply = await h.cli(["reconcile", "examples/recipe"]);
    expect(apply.err).toBe("");
    expect(apply.code).toBe(0);
    expect((await h.cli(["reconcile", "examples/recipe", "--plan"])).code).toBe(0);
  }, 120_000);

  it("10% InternalServerError: converges", async () => {
    h = await startHarness({ failRate: 0.1 });
    for (const dir of EXAMPLES) {
      const apply = await h.cli(["reconcile", dir]);
      expect(apply.code, apply.err + apply.out.slice(-1500)).toBe(0);
      const plan = await h.cli(["reconcile", dir, "--plan"]);
      expect(plan.code, plan.err + plan.out.slice(-1500)).toBe(0);
    }
    expect(h.server.stats().errors.InternalServerError ?? 0).toBeGreaterThan(0);
  }, 120_000);

  it("a change that keeps failing is reported, its dependants skipped, the rest applied, exit 1; the next run picks up", async () => {
    h = await startHarness();
    // Fill the window quota so exactly one of the example's two windows cannot be created.
    const filler: string[] = [];
    for (let i = 0; i < 49; i++) filler.push((await h.sdk.send(new CreateMaintenanceWindowCommand({ Name: `filler-${i}`, Schedule: "rate(7 days)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }))).WindowId!);
    const result = await h.cli(["reconcile", "examples/walkthrough", "--output", "json"]);
    expect(result.code).toBe(1);
    const apply = JSON.parse(result.out.slice(result.out.indexOf('{\n  "formatVersion": 2,\n  "kind": "apply"'))) as { outcomes: { key: string; status: string; error?: string }[] };
    const failed = apply.outcomes.filter((o) => o.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatch(/ResourceLimitExceededException/);
    const window = failed[0]!.key.split("/")[1];
    const skipped = apply.outcomes.filter((o) => o.status === "skipped").map((o) => o.key);
    expect(skipped.sort()).toEqual([`WindowTarget/${window}/${window === "Production-Tuesdays" ? "Database-Servers" : "Front-End-Servers"}`, `WindowTask/${window}/Install-Patches`].sort());
    expect(apply.outcomes.find((o) => o.key === "PatchBaseline/Production-Baseline")!.status).toBe("applied");
    // Free a slot: the next run creates only what is missing.
    await h.sdk.send(new DeleteMaintenanceWindowCommand({ WindowId: filler[0] }));
    const rerun = await h.cli(["reconcile", "examples/walkthrough", "--plan", "--output", "json"]);
    expect(JSON.parse(rerun.out).summary.create).toBe(3);
    expect((await h.cli(["reconcile", "examples/walkthrough"])).code).toBe(0);
    expect((await h.cli(["reconcile", "examples/walkthrough", "--plan"])).code).toBe(0);
  }, 60_000);

  it("two reconcile runs at once: one writes while the other waits for the lease; nothing is applied twice", async () => {
    h = await startHarness({ latencyMs: 5 });
    const [a, b] = await Promise.all([h.cli(["reconcile", "examples/walkthrough", "--lock-timeout", "60"]), h.cli(["reconcile", "examples/walkthrough", "--lock-timeout", "60"])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.err + b.err).toMatch(/waiting for the write lease held by/);
    const stats = h.server.stats().calls;
    expect(stats.CreatePatchBaseline).toBe(1);
    expect(stats.CreateMaintenanceWindow).toBe(2);
    expect(stats.RegisterTaskWithMaintenanceWindow).toBe(2);
    const c = await census(h.sdk);
    expect(duplicates(c.windows.map((w) => w.name))).toEqual([]);
  }, 60_000);

  it("a second reconcile stops with a clear message when it cannot get the lease in time", async () => {
    h = await startHarness();
    const { Lease } = await import("../../src/reconciler/lease.js");
    const gw = new AwsGateway({ region: REGION, endpointUrl: h.url, credentials: CREDENTIALS });
    const holder = new Lease(gw, "walkthrough", "other-host:1:abc");
    await holder.acquire();
    const blocked = await h.cli(["reconcile", "examples/walkthrough", "--lock-timeout", "0"]);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toMatch(/another patchctl \(other-host:1:abc\) holds the write lease/);
    expect(h.server.stats().calls.CreatePatchBaseline ?? 0).toBe(0);
    await holder.release();
    gw.destroy();
  });

  it("a resource that vanishes between read and write is reported as a failed change, not a crash; the rerun converges", async () => {
    h = await startHarness();
    const dir = writeTree({ "patchctl.yaml": CONFIG, "w.yaml": "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: vanishing}\nspec: {schedule: rate(7 days), duration: 3, cutoff: 1}\n" });
    expect((await h.cli(["reconcile", dir])).code).toBe(0);
    const edited = writeTree({ "patchctl.yaml": CONFIG, "w.yaml": "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: vanishing}\nspec: {schedule: rate(7 days), duration: 4, cutoff: 1}\n" });
    const state = (await loadDesiredState(edited)).state!;
    const gw = h.gateway();
    const { plan } = await planReconcile({ state, gateway: gw, region: REGION });
    expect(plan.summary.update).toBe(1);
    const ids = (await h.sdk.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities!;
    await h.sdk.send(new DeleteMaintenanceWindowCommand({ WindowId: ids[0]!.WindowId }));
    const result = await applyPlan(plan, gw, { owner: plan.owner, dryRun: false });
    expect(result.ok).toBe(false);
    expect(result.outcomes.find((o) => o.key === "MaintenanceWindow/vanishing")!.error).toMatch(/DoesNotExistException/);
    const drift = await h.cli(["drift", edited, "--output", "json"]);
    expect(JSON.parse(drift.out).changes.map((c: { action: string }) => c.action)).toEqual(["create"]);
    expect((await h.cli(["reconcile", edited])).code).toBe(0);
    expect((await h.cli(["reconcile", edited, "--plan"])).code).toBe(0);
  });
});
