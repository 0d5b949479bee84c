import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { operatorCli, windowsNamed, writeWalkthrough } from "./fixture.js";

/**
 * reconcile --target over HTTP: of the walkthrough's two windows only the targeted one is applied,
 * with its target and task; the baseline and the other window are left, and a partial plan never
 * deletes what it was not asked about. A name that matches nothing is an error.
 */
let h: LocalHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe("reconcile --target KIND/NAME", () => {
  it("applies one window of two, with its target and task, and says the plan is partial", async () => {
    const aws = operatorCli(h);
    const dir = writeWalkthrough();
    const plan = await h.cli(["reconcile", dir, "--plan", "--target", "MaintenanceWindow/Production-Tuesdays"]);
    expect(plan.code, plan.out + plan.err).toBe(2);
    expect(plan.out).toContain("Partial plan (--target MaintenanceWindow/Production-Tuesdays)");
    expect(plan.out).toContain("Plan: 3 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged.");
    // The spec policies' exemptions still list every document; the changes are the target's only.
    expect(plan.out).not.toMatch(/^\s+\+ \S*(Production-Saturdays|PatchBaseline|PatchGroupRegistration)/m);
    expect(plan.out).toMatch(/^\s+\+ WindowTask\/Production-Tuesdays\/Install-Patches$/m);

    const applied = await h.cli(["reconcile", dir, "--auto-approve", "--target", "MaintenanceWindow/Production-Tuesdays"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    const [tuesdays] = await windowsNamed(aws, "Production-Tuesdays");
    expect(tuesdays!.targets.map((t) => t.name)).toEqual(["Database-Servers"]);
    expect(tuesdays!.tasks.map((t) => t.name)).toEqual(["Install-Patches"]);
    expect(await windowsNamed(aws, "Production-Saturdays")).toEqual([]);
    const baselines = (await aws("ssm", "describe-patch-baselines", "--filters", "Key=OWNER,Values=Self")).BaselineIdentities as unknown[];
    expect(baselines).toEqual([]);

    // A partial plan prunes nothing: with Tuesdays gone from the desired state, targeting Saturdays leaves it.
    const onlySaturdays = writeWalkthrough((f) => {
      f["windows.yaml"] = f["windows.yaml"]!.slice(f["windows.yaml"]!.indexOf("---\n") + 4);
    });
    const sat = await h.cli(["reconcile", onlySaturdays, "--auto-approve", "--target", "MaintenanceWindow/Production-Saturdays"]);
    expect(sat.code, sat.out + sat.err).toBe(0);
    expect(sat.out).not.toContain("Production-Tuesdays");
    expect((await windowsNamed(aws, "Production-Tuesdays")).map((w) => w.id)).toEqual([tuesdays!.id]);
    expect((await windowsNamed(aws, "Production-Saturdays")).length).toBe(1);

    const drift = await h.cli(["drift", dir, "--target", "PatchBaseline/Production-Baseline", "-o", "json"]);
    expect(drift.code).toBe(2);
    const report = JSON.parse(drift.out) as { partial: { targets: string[] }; changes: { key: string; action: string }[] };
    expect(report.partial).toEqual({ targets: ["PatchBaseline/Production-Baseline"] });
    expect(report.changes.map((c) => c.key).sort()).toEqual(["PatchBaseline/Production-Baseline", "PatchGroupRegistration/WINDOWS/Database Servers", "PatchGroupRegistration/WINDOWS/Front-End Servers"]);
  }, 300_000);

  it("takes the role a targeted window's task names, and nothing else (the recipe)", async () => {
    const plan = await h.cli(["reconcile", "examples/recipe", "--plan", "--target", "MaintenanceWindow/scan-window", "-o", "json"]);
    expect(plan.code, plan.err).toBe(2);
    const doc = JSON.parse(plan.out) as { partial: { targets: string[] }; changes: { key: string; action: string }[] };
    expect(doc.partial).toEqual({ targets: ["MaintenanceWindow/scan-window"] });
    expect(doc.changes.map((c) => [c.key, c.action]).sort()).toEqual([
      ["MaintenanceWindow/scan-window", "create"],
      ["ServiceRole/maintenance-window-role", "create"],
      ["WindowTarget/scan-window/ScanTargets", "create"],
      ["WindowTask/scan-window/ScanningTask", "create"],
    ]);
  });

  it("a name that matches nothing is an error, and nothing is applied", async () => {
    const r = await h.cli(["reconcile", writeWalkthrough(), "--auto-approve", "--target", "MaintenanceWindow/Production-Mondays"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("--target MaintenanceWindow/Production-Mondays: no such resource in the desired state or the account");
  }, 120_000);
});
