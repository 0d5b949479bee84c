import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { OOB_FILES } from "../helpers/oob-fixture.js";
import { writeTree } from "../helpers/tmpdir.js";

/**
 * The closed action set of plan formatVersion 2: a replace says its order, a window's targets and
 * tasks deleted with it are `forget` (nothing of their own is applied), and a plan saved by an
 * earlier patchctl is refused with what to do.
 */
let h: LocalHarness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = writeTree(OOB_FILES);
  expect((await h.cli(["reconcile", dir, "--auto-approve"])).code).toBe(0);
});
afterAll(async () => {
  await h.close();
});

describe("plan actions", () => {
  it("a window left out of the desired state: the window is deleted, its target and task are forgotten with it", async () => {
    const { "window.yaml": _window, ...rest } = OOB_FILES;
    const without = writeTree(rest);
    const json = await h.cli(["reconcile", without, "--plan", "--output", "json", "--allow-mass-delete"]);
    expect(json.err).toBe("");
    const plan = JSON.parse(json.out) as { formatVersion: number; summary: { delete: number }; changes: { key: string; action: string; reason?: string }[] };
    expect(plan.formatVersion).toBe(2);
    const actions = Object.fromEntries(plan.changes.map((c) => [c.key, [c.action, c.reason]]));
    expect(actions["MaintenanceWindow/oob-window"]).toEqual(["delete", "no longer in the desired state"]);
    expect(actions["WindowTarget/oob-window/fleet"]).toEqual(["forget", "deleted with its window"]);
    expect(actions["WindowTask/oob-window/install"]).toEqual(["forget", "deleted with its window"]);
    // People read "delete": the summary and the text count and mark them as before.
    expect(plan.summary.delete).toBe(3);
    const text = await h.cli(["reconcile", without, "--plan", "--allow-mass-delete"]);
    expect(text.out).toContain("  - WindowTask/oob-window/install  (deleted with its window)");
    expect(text.out).toMatch(/Plan: 0 to create, 0 to update, 0 to replace, 3 to delete/);
    // Applying it makes one delete call for the window: the forgotten ones make none.
    const dry = await h.cli(["reconcile", without, "--dry-run", "--allow-mass-delete"]);
    expect(dry.out).toContain("DeleteMaintenanceWindow");
    expect(dry.out).not.toMatch(/Deregister(Task|Target)/);
  });

  it("a replace says its order: a role (name must be free) deleteThenCreate, a baseline createThenDelete", async () => {
    const moved = writeTree({ ...OOB_FILES, "role.yaml": OOB_FILES["role.yaml"]!.replace("  roleName: OobMaintenanceWindowRole\n", "  roleName: OobMaintenanceWindowRole\n  path: /patching/\n"), "baseline.yaml": OOB_FILES["baseline.yaml"]!.replace("AMAZON_LINUX_2", "AMAZON_LINUX_2023") });
    const plan = JSON.parse((await h.cli(["reconcile", moved, "--plan", "--output", "json"])).out) as { changes: { key: string; action: string }[] };
    const action = (key: string) => plan.changes.find((c) => c.key === key)?.action;
    expect(action("ServiceRole/mw-role")).toBe("deleteThenCreate");
    expect(action("PatchBaseline/oob-al2")).toBe("createThenDelete");
    const text = await h.cli(["reconcile", moved, "--plan"]);
    expect(text.out).toContain("-/+ ServiceRole/mw-role");
    expect(text.out).toContain("+/- PatchBaseline/oob-al2");
  });

  it("apply refuses a plan saved by an earlier patchctl (formatVersion 1), saying how to save it again", async () => {
    const edited = writeTree({ ...OOB_FILES, "window.yaml": OOB_FILES["window.yaml"]!.replace("duration: 3", "duration: 4") });
    const out = path.join(edited, "plan.json");
    expect((await h.cli(["reconcile", edited, "--plan", "--out", out])).code).toBe(2);
    const saved = JSON.parse(readFileSync(out, "utf8")) as { formatVersion: number };
    expect(saved.formatVersion).toBe(2);
    writeFileSync(out, JSON.stringify({ ...saved, formatVersion: 1 }));
    const applied = await h.cli(["apply", out, "--auto-approve"]);
    expect(applied.code).toBe(1);
    expect(applied.err).toMatch(/saved by an earlier patchctl \(plan formatVersion 1; this one reads 2\): nothing is applied\. Save the plan again with patchctl reconcile DIR --plan --out/);
    // The account was not changed: the plan is still the same.
    expect((await h.cli(["reconcile", edited, "--plan"])).code).toBe(2);
  });
});
