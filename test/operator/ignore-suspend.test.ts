import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { operatorCli, windowsNamed, writeWalkthrough } from "./fixture.js";

/**
 * metadata.ignoreFields and patchctl/suspend over HTTP, with out-of-band changes made with Debian's
 * AWS CLI: an ignored field changed in the account is reported as ignored and left as it is (an
 * update for another reason does not revert it either); a suspended window deleted out of band
 * stays deleted, its drift still reported, until the annotation is removed.
 */
let h: LocalHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const withMetadata = (window: string, lines: string) =>
  writeWalkthrough((f) => {
    f["windows.yaml"] = f["windows.yaml"]!.replace(`  name: ${window}\n`, `  name: ${window}\n${lines}`);
  });

describe("operator controls over HTTP", () => {
  it("an ignored field changed out of band is reported as ignored and never reverted", async () => {
    const aws = operatorCli(h);
    const dir = withMetadata("Production-Tuesdays", "  ignoreFields: [enabled]\n");
    const created = await h.cli(["reconcile", dir, "--auto-approve"]);
    expect(created.code, created.out + created.err).toBe(0);
    const [w] = await windowsNamed(aws, "Production-Tuesdays");
    // Someone disables the window from the console during an incident, and changes its schedule.
    await aws("ssm", "update-maintenance-window", "--window-id", w!.id, "--no-enabled", "--schedule", "cron(0 0 23 ? * TUE *)");

    const drift = await h.cli(["drift", dir]);
    expect(drift.code, drift.out).toBe(2);
    expect(drift.out).toMatch(/Ignored \(metadata\.ignoreFields[^\n]*\n\s+= MaintenanceWindow\/Production-Tuesdays: enabled/);
    expect(drift.out).toContain("schedule:");
    expect(drift.out).not.toMatch(/^\s+enabled:/m);
    const json = JSON.parse((await h.cli(["drift", dir, "-o", "json"])).out) as { ignored: { key: string; fields: string[] }[]; changes: { key: string; fields: { path: string }[] }[] };
    expect(json.ignored).toEqual([{ key: "MaintenanceWindow/Production-Tuesdays", type: "MaintenanceWindow", fields: ["enabled"] }]);
    expect(json.changes.find((c) => c.key === "MaintenanceWindow/Production-Tuesdays")!.fields.map((f) => f.path)).toEqual(["schedule"]);

    // The update that restores the schedule sends the whole window: enabled goes as the account has it.
    const applied = await h.cli(["reconcile", dir, "--auto-approve"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    const [after] = await windowsNamed(aws, "Production-Tuesdays");
    expect(after).toMatchObject({ id: w!.id, enabled: false, schedule: "cron(0 0 22 ? * TUE *)" });
    const plan = await h.cli(["reconcile", dir, "--plan"]);
    expect(plan.code, plan.out).toBe(0);
    expect(plan.out).toContain("= MaintenanceWindow/Production-Tuesdays: enabled");
  }, 300_000);

  it("a suspended window is left alone: deleted out of band it stays deleted, and its drift is reported", async () => {
    const aws = operatorCli(h);
    const [w] = await windowsNamed(aws, "Production-Saturdays");
    expect(w).toBeDefined();
    // Beside the walkthrough's patchctl/exempt, in its annotations.
    const fixed = writeWalkthrough((f) => {
      const at = "  name: Production-Saturdays\n  tags:\n    Environment: Production\n  annotations:\n";
      expect(f["windows.yaml"]).toContain(at);
      f["windows.yaml"] = f["windows.yaml"]!.replace(at, `${at}    patchctl/suspend: "INC-4711: front-end fleet being rebuilt"\n`);
    });
    await aws("ssm", "delete-maintenance-window", "--window-id", w!.id);

    const drift = await h.cli(["drift", fixed]);
    expect(drift.out + drift.err).toMatch(/‖ MaintenanceWindow\/Production-Saturdays\s+\(suspended: INC-4711: front-end fleet being rebuilt; drift, would create\)/);
    expect(drift.code, drift.out + drift.err).toBe(2);
    const applied = await h.cli(["reconcile", fixed, "--auto-approve"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(applied.out).toContain("Suspended (patchctl/suspend");
    expect(await windowsNamed(aws, "Production-Saturdays")).toEqual([]);
    expect((await windowsNamed(aws, "Production-Tuesdays")).length).toBe(1);

    // Resumed: the next reconcile restores it.
    const resumed = await h.cli(["reconcile", writeWalkthrough(), "--auto-approve"]);
    expect(resumed.code, resumed.out + resumed.err).toBe(0);
    expect((await windowsNamed(aws, "Production-Saturdays")).length).toBe(1);
  }, 300_000);

  it("suspend: in patchctl.yaml plans and reports, applies nothing, and says why (exit 1)", async () => {
    const aws = operatorCli(h);
    const [w] = await windowsNamed(aws, "Production-Saturdays");
    await aws("ssm", "delete-maintenance-window", "--window-id", w!.id);
    const dir = writeWalkthrough((f) => (f["patchctl.yaml"] += 'suspend: "account migration until Friday"\n'));
    const plan = await h.cli(["reconcile", dir, "--plan"]);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain("+ MaintenanceWindow/Production-Saturdays");
    expect(plan.err).toContain('applying is suspended (patchctl.yaml suspend: "account migration until Friday")');
    const applied = await h.cli(["reconcile", dir, "--auto-approve"]);
    expect(applied.code).toBe(1);
    expect(applied.err).toContain('applying is suspended (patchctl.yaml suspend: "account migration until Friday")');
    expect(await windowsNamed(aws, "Production-Saturdays")).toEqual([]);
  }, 300_000);
});
