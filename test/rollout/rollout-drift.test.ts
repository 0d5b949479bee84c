import { DescribePatchBaselinesCommand, GetPatchBaselineCommand, UpdatePatchBaselineCommand } from "@aws-sdk/client-ssm";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { at, writeTwoStageRollout } from "./fixtures.js";

/**
 * `drift` over HTTP on a Rollout's baselines: the cut-off the rollout is about to move (dev's daily
 * move) is a pending promotion patchctl plans, not a change made outside patchctl (and alone does not
 * make drift exit 2); a driven cut-off edited out of band (staging's, away from what the rollout's
 * state says patchctl wrote) still is drift.
 */
let h: LocalHarness;
let dir: string;
const OWNER = "rollout-drift";

async function baselineId(name: string): Promise<string> {
  const ids = (await h.sdk.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: [name] }] }))).BaselineIdentities ?? [];
  return ids.find((b) => b.BaselineName === name)!.BaselineId!;
}

interface DriftJson {
  summary: { update: number; pendingPromotions?: number };
  changes: { key: string; action: string; planned?: { reason: string; fields: string[]; only: boolean }; fields: { path: string; before?: string; after?: string; planned?: boolean }[] }[];
}

beforeAll(async () => {
  const work = mkdtempSync(path.join(tmpdir(), "patchctl-rollout-drift-"));
  dir = writeTwoStageRollout(work, OWNER);
  h = await startHarness();
  const day0 = await at("2026-12-01T06:00:00Z", () => h.cli(["reconcile", dir]));
  expect(day0.code, day0.err).toBe(0);
});
afterAll(async () => {
  await h?.close();
});

describe("drift on a Rollout's baselines", () => {
  it("reports the cut-off the rollout will move as a pending promotion, not as changed outside patchctl", async () => {
    const text = await at("2026-12-02T06:00:00Z", () => h.cli(["drift", dir]));
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain("~ PatchBaseline/dev-al2023  (pending promotion (Rollout monthly))");
    expect(text.out).toContain('approvalRules.patchRules[0].approveUntilDate: "2026-12-01" (actual) → "2026-12-02" (pending promotion)');
    expect(text.out).toContain("~ Rollout/monthly  (pending promotion (the state of Rollout monthly))");
    expect(text.out).not.toContain("changed outside patchctl)");
    expect(text.out).toMatch(/Drift: 0 changed outside patchctl, 0 missing, .* 2 pending promotion\(s\), planned by patchctl \(not drift\)\./);

    const json = await at("2026-12-02T06:00:00Z", () => h.cli(["drift", dir, "--output", "json"]));
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out) as DriftJson;
    expect(doc.summary.pendingPromotions).toBe(2);
    const dev = doc.changes.find((c) => c.key === "PatchBaseline/dev-al2023")!;
    expect(dev.planned).toEqual({ reason: "pending promotion (Rollout monthly)", fields: ["approvalRules.patchRules[0].approveUntilDate"], only: true });
    expect(dev.fields).toEqual([{ path: "approvalRules.patchRules[0].approveUntilDate", before: "2026-12-01", after: "2026-12-02", planned: true }]);

    const markdown = await at("2026-12-02T06:00:00Z", () => h.cli(["drift", dir, "--output", "markdown"]));
    expect(markdown.out).toMatch(/<b>PatchBaseline\/dev-al2023<\/b> — pending promotion \(Rollout monthly\)/);
  });

  it("still reports a driven cut-off edited out of band as changed outside patchctl", async () => {
    // Someone moves staging's cut-off by hand; the rollout's state says patchctl wrote 2026-11-01 there.
    const id = await baselineId("staging-al2023");
    const got = await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: id }));
    const rules = got.ApprovalRules!.PatchRules!.map((r) => ({ ...r, ApproveUntilDate: "2026-11-20" }));
    await h.sdk.send(new UpdatePatchBaselineCommand({ BaselineId: id, ApprovalRules: { PatchRules: rules } }));

    const text = await at("2026-12-02T06:00:00Z", () => h.cli(["drift", dir]));
    expect(text.code, text.out).toBe(2);
    expect(text.out).toContain("~ PatchBaseline/staging-al2023  (changed outside patchctl)");
    expect(text.out).toContain('approvalRules.patchRules[0].approveUntilDate: "2026-11-20" (actual) ≠ "2026-11-01" (desired)');
    // dev's planned move is still only pending.
    expect(text.out).toContain("~ PatchBaseline/dev-al2023  (pending promotion (Rollout monthly))");
    expect(text.out).toMatch(/Drift: 1 changed outside patchctl, .* 2 pending promotion\(s\)/);

    const doc = JSON.parse((await at("2026-12-02T06:00:00Z", () => h.cli(["drift", dir, "--output", "json"]))).out) as DriftJson;
    const staging = doc.changes.find((c) => c.key === "PatchBaseline/staging-al2023")!;
    expect(staging.planned).toBeUndefined();
    expect(staging.fields[0]).toEqual({ path: "approvalRules.patchRules[0].approveUntilDate", before: "2026-11-20", after: "2026-11-01" });

    // reconcile puts it back (the rollout's cut-off) and moves dev; then nothing is pending.
    expect((await at("2026-12-02T06:00:00Z", () => h.cli(["reconcile", dir]))).code).toBe(0);
    const after = await at("2026-12-02T06:00:00Z", () => h.cli(["drift", dir]));
    expect(after.code, after.out).toBe(0);
    expect(after.out).toContain("No drift.");
  });

  it("--target applies to promotions like to any change: a rollout with its baselines, or nothing of it", async () => {
    // The next day dev's cut-off would move; targeting another resource leaves it.
    const other = await at("2026-12-03T06:00:00Z", () => h.cli(["reconcile", dir, "--target", "PatchBaseline/staging-al2023", "--auto-approve"]));
    expect(other.code, other.err).toBe(0);
    expect(other.out).toContain("Partial plan (--target PatchBaseline/staging-al2023)");
    const id = await baselineId("dev-al2023");
    const dev = async () => (await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: id }))).ApprovalRules!.PatchRules!.map((r) => r.ApproveUntilDate);
    expect(await dev()).toEqual(["2026-12-02"]);
    // Targeting the rollout takes its baselines with it.
    const plan = await at("2026-12-03T06:00:00Z", () => h.cli(["reconcile", dir, "--target", "Rollout/monthly", "--plan"]));
    expect(plan.code).toBe(2);
    expect(plan.out).toMatch(/~ PatchBaseline\/dev-al2023/);
    expect(plan.out).toMatch(/~ Rollout\/monthly/);
    expect((await at("2026-12-03T06:00:00Z", () => h.cli(["reconcile", dir, "--target", "Rollout/monthly", "--auto-approve"]))).code).toBe(0);
    expect(await dev()).toEqual(["2026-12-03"]);
  });

  it("--target on a driven baseline with a pending promotion takes its rollout's state with it", async () => {
    const id = await baselineId("dev-al2023");
    const dev = async () => (await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: id }))).ApprovalRules!.PatchRules!.map((r) => r.ApproveUntilDate);
    // The next day dev's cut-off moves again; the baseline alone is named.
    const plan = await at("2026-12-04T06:00:00Z", () => h.cli(["reconcile", dir, "--target", "PatchBaseline/dev-al2023", "--plan"]));
    expect(plan.code, plan.err).toBe(2);
    expect(plan.out).toMatch(/~ PatchBaseline\/dev-al2023/);
    expect(plan.out).toMatch(/~ Rollout\/monthly/);
    const applied = await at("2026-12-04T06:00:00Z", () => h.cli(["reconcile", dir, "--target", "PatchBaseline/dev-al2023", "--auto-approve"]));
    expect(applied.code, applied.err).toBe(0);
    expect(await dev()).toEqual(["2026-12-04"]);
    // The state records what was written: nothing is left to plan, and nothing reads as drift.
    const after = await at("2026-12-04T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    expect(after.code, after.out).toBe(0);
    const drift = await at("2026-12-04T06:00:00Z", () => h.cli(["drift", dir]));
    expect(drift.code, drift.out).toBe(0);
  });
});
