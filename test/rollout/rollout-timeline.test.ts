import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { computeTimeline } from "../../src/timeline/index.js";

/**
 * `timeline` offline with a Rollout: its baselines' rules carry no date (the rollout writes them), so
 * each stage is approved at the earliest after the soaks of the stages before it, and the approval
 * rule names the rollout stage.
 */
describe("timeline with a Rollout", () => {
  it("approves dev at release, staging 3 days later, production 10 days later at the earliest", async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-rollout-tl-")), "d");
    cpSync("test/rollout/fixtures/timeline", dir, { recursive: true });
    const loaded = await loadDesiredState(dir);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const t = computeTimeline(loaded.state!, { released: new Date("2026-12-01T00:00:00Z"), now: new Date("2026-12-01T00:00:00Z"), classification: ["Security"] });
    const rows = Object.fromEntries(t.groups.map((g) => [g.group, g]));
    expect(rows.dev!.approval).toMatchObject({ status: "approved", at: "2026-12-01T00:00:00Z" });
    expect(rows.staging!.approval).toMatchObject({ status: "approved", at: "2026-12-04T00:00:00Z" });
    expect(rows.production!.approval).toMatchObject({
      status: "approved",
      at: "2026-12-11T00:00:00Z",
      reason: "10 days after release at the earliest, as each stage proves it (Rollout monthly: dev (at the next reconcile) → staging (95% compliant, no failed instance, soak 3d) → production (98% compliant, soak 7d))",
    });
    expect(rows.production!.rule?.rollout).toBe("monthly/production");
    expect(rows.production!.install?.at).toBe("2026-12-11T02:00:00Z");
  });
});
