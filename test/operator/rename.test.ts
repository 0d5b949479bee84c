import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { noUserPolicies, operatorCli, windowsNamed, writeWalkthrough } from "./fixture.js";

/**
 * metadata.previousNames over HTTP: the walkthrough's Production-Tuesdays renamed (and its target
 * with it) is an update in place, not a delete and a create: the WindowId, the target's and the
 * task's ids stay, the destructive-production policy (which denies deleting a Production window) does
 * not fire, and the account reads the new names and patchctl:name tag with the AWS CLI.
 */
let h: LocalHarness;
let policies: string;

beforeAll(async () => {
  h = await startHarness();
  policies = noUserPolicies();
});
afterAll(async () => h?.close());

const renamed = (withPreviousNames: boolean) =>
  writeWalkthrough((f) => {
    let w = f["windows.yaml"]!;
    w = w.replace("  name: Production-Tuesdays\n", `  name: Production-Tuesdays-DB\n${withPreviousNames ? "  previousNames: [Production-Tuesdays]\n" : ""}`);
    w = w.replace("    - name: Database-Servers\n", `    - name: DB-Servers\n${withPreviousNames ? "      previousNames: [Database-Servers]\n" : ""}`);
    w = w.replace("values: [Database-Servers]", "values: [DB-Servers]");
    f["windows.yaml"] = w;
  });

describe("rename without replacing (metadata.previousNames)", () => {
  it("keeps the window's, target's and task's ids; the destructive policy does not fire", async () => {
    const aws = operatorCli(h);
    const created = await h.cli(["reconcile", writeWalkthrough(), "--auto-approve", "--policies", policies]);
    expect(created.code, created.out + created.err).toBe(0);
    const [before] = await windowsNamed(aws, "Production-Tuesdays");
    expect(before).toBeDefined();

    // Without previousNames the rename is a delete and a create, which the built-in policy denies for Production.
    const replacing = await h.cli(["reconcile", renamed(false), "--plan", "--policies", policies]);
    expect(replacing.code).toBe(1);
    expect(replacing.out).toMatch(/- MaintenanceWindow\/Production-Tuesdays/);
    expect(replacing.out + replacing.err).toContain("destructive-production");

    const dir = renamed(true);
    const plan = await h.cli(["reconcile", dir, "--plan", "--policies", policies]);
    expect(plan.code, plan.out + plan.err).toBe(2);
    expect(plan.out).toMatch(/~ MaintenanceWindow\/Production-Tuesdays-DB\s+\(renamed from Production-Tuesdays\)/);
    expect(plan.out).toMatch(/~ WindowTarget\/Production-Tuesdays-DB\/DB-Servers\s+\(renamed from Database-Servers\)/);
    expect(plan.out).not.toMatch(/^\s*(-|\+|-\/\+|\+\/-) /m);
    expect(plan.out + plan.err).not.toContain("destructive-production");

    const dry = await h.cli(["reconcile", dir, "--dry-run", "--policies", policies]);
    expect(dry.out).toMatch(/UpdateMaintenanceWindow \{[^\n]*"Name":"Production-Tuesdays-DB"/);
    expect(dry.out).toMatch(/AddTagsToResource \{[^\n]*"Key":"patchctl:name","Value":"Production-Tuesdays-DB"/);
    expect(dry.out).toMatch(/UpdateMaintenanceWindowTarget \{[^\n]*"Name":"DB-Servers"/);
    expect(dry.out).not.toMatch(/DeleteMaintenanceWindow|CreateMaintenanceWindow|Deregister|Register/);

    const applied = await h.cli(["reconcile", dir, "--auto-approve", "--policies", policies]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(await windowsNamed(aws, "Production-Tuesdays")).toEqual([]);
    const [after] = await windowsNamed(aws, "Production-Tuesdays-DB");
    expect(after!.id).toBe(before!.id);
    expect(after!.tags["patchctl:name"]).toBe("Production-Tuesdays-DB");
    expect(after!.targets).toEqual([{ id: before!.targets[0]!.id, name: "DB-Servers" }]);
    expect(after!.tasks).toEqual([{ id: before!.tasks[0]!.id, name: "Install-Patches", targetIds: [before!.targets[0]!.id] }]);

    const again = await h.cli(["reconcile", dir, "--plan", "--policies", policies]);
    expect(again.code, again.out).toBe(0);
  }, 300_000);
});
