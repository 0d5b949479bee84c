import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";

/**
 * Issue 17 §6: every exit 1 ends with a line that says why. Conflicts (test/cli/first-contact.test.ts),
 * denials (test/controller/watch-refuses.test.ts) and freezes (test/freeze/freeze-apply.test.ts) are
 * tested where they arise; this is the third reason the issue names, changes that failed.
 */
let h: LocalHarness;

beforeAll(async () => {
  // The account refuses to create windows (AccessDeniedException), as an apply role lacking the permission would.
  h = await startHarness({ deniedOperations: ["CreateMaintenanceWindow"] });
});
afterAll(async () => {
  await h.close();
});

describe("an apply that exits 1 because changes failed", () => {
  it("ends with a line counting the failed and skipped changes, after applying what it could", async () => {
    const run = await h.cli(["reconcile", "examples/blog", "--auto-approve"]);
    expect(run.code, run.out + run.err).toBe(1);
    expect(run.out + run.err).toMatch(/AccessDenied/);
    const last = run.err.trim().split("\n").at(-1)!;
    // The window failed; its targets and tasks, which need its id, were skipped.
    expect(last).toMatch(/^error: \d+ change\(s\) failed or were skipped$/);
    expect(Number(/(\d+) change/.exec(last)![1])).toBeGreaterThanOrEqual(2);
    expect(last).not.toMatch(/nothing is applied/);
    // The baselines went in: the run applied what did not depend on the window.
    const plan = await h.cli(["reconcile", "examples/blog", "--plan", "--output", "json"]);
    const changes = (JSON.parse(plan.out.slice(plan.out.indexOf("{"))) as { changes: { key: string; action: string }[] }).changes;
    expect(changes.filter((c) => c.key.startsWith("PatchBaseline/")).every((c) => c.action === "noop")).toBe(true);
    expect(changes.find((c) => c.key.startsWith("MaintenanceWindow/"))?.action).toBe("create");
  });
});
