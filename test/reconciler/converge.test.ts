import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";

const EXAMPLES = ["examples/walkthrough", "examples/blog", "examples/recipe"];

describe("every example converges against the local endpoint over HTTP", () => {
  let h: LocalHarness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(EXAMPLES)("%s: plan shows changes, apply succeeds, the next plan is empty", async (dir) => {
    const first = await h.cli(["reconcile", dir, "--plan"]);
    expect(first.err).toBe("");
    expect(first.code).toBe(2);
    expect(first.out).toMatch(/Plan: \d+ to create, 0 to update, 0 to replace, 0 to delete/);

    const apply = await h.cli(["reconcile", dir]);
    expect(apply.err).toBe("");
    expect(apply.out).toMatch(/Apply complete/);
    expect(apply.code).toBe(0);

    const second = await h.cli(["reconcile", dir, "--plan"]);
    expect(second.out).toMatch(/No changes/);
    expect(second.code).toBe(0);

    const drift = await h.cli(["drift", dir]);
    expect(drift.code).toBe(0);
  });

  it("dry run prints the exact calls in order and changes nothing", async () => {
    const dry = await h.cli(["reconcile", "examples/walkthrough", "--dry-run"]);
    expect(dry.code).toBe(2);
    const ops = [...dry.out.matchAll(/^\s+\d+\. (\w+) /gm)].map((m) => m[1]);
    expect(ops[0]).toBe("CreatePatchBaseline");
    expect(ops.filter((o) => o === "RegisterPatchBaselineForPatchGroup")).toHaveLength(2);
    expect(ops.indexOf("RegisterTaskWithMaintenanceWindow")).toBeGreaterThan(ops.lastIndexOf("RegisterTargetWithMaintenanceWindow"));
    expect(dry.out).toContain("<new id of PatchBaseline/Production-Baseline>");
    const after = await h.cli(["reconcile", "examples/walkthrough", "--plan"]);
    expect(after.code).toBe(2); // still everything to create
  });
});
