import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { noUserPolicies, operatorCli, writeWalkthrough } from "./fixture.js";

/**
 * A baseline renamed with previousNames: UpdatePatchBaseline sends the new Name and the patchctl:name
 * tag is re-written; its patch groups are never deregistered (they would fall back to the default
 * baseline in between) and stay registered to the same BaselineId.
 */
let h: LocalHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe("rename a baseline without replacing", () => {
  it("keeps its id and its patch-group registrations", async () => {
    const aws = operatorCli(h);
    const policies = noUserPolicies();
    const created = await h.cli(["reconcile", writeWalkthrough(), "--auto-approve", "--policies", policies]);
    expect(created.code, created.out + created.err).toBe(0);
    const groups = async () => ((await aws("ssm", "describe-patch-groups")).Mappings as { PatchGroup: string; BaselineIdentity: { BaselineId: string; BaselineName: string } }[]).map((m) => [m.PatchGroup, m.BaselineIdentity.BaselineId, m.BaselineIdentity.BaselineName]).sort();
    const before = await groups();
    expect(before.map((g) => g[2])).toEqual(["Production-Baseline", "Production-Baseline"]);

    const dir = writeWalkthrough((f) => {
      f["baseline.yaml"] = f["baseline.yaml"]!.replace("  name: Production-Baseline\n", "  name: Production-Windows-Baseline\n  previousNames: [Production-Baseline]\n");
    });
    const dry = await h.cli(["reconcile", dir, "--dry-run", "--policies", policies]);
    expect(dry.code, dry.out + dry.err).toBe(2);
    expect(dry.out).toMatch(/~ PatchBaseline\/Production-Windows-Baseline\s+\(renamed from Production-Baseline\)/);
    expect(dry.out).toMatch(/UpdatePatchBaseline \{[^\n]*"Name":"Production-Windows-Baseline"/);
    expect(dry.out).toMatch(/AddTagsToResource \{[^\n]*"Key":"patchctl:name","Value":"Production-Windows-Baseline"/);
    expect(dry.out).not.toMatch(/RegisterPatchBaselineForPatchGroup|DeregisterPatchBaselineForPatchGroup|CreatePatchBaseline|DeletePatchBaseline/);

    const applied = await h.cli(["reconcile", dir, "--auto-approve", "--policies", policies]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(await groups()).toEqual(before.map(([g, id]) => [g, id, "Production-Windows-Baseline"]));
    const again = await h.cli(["reconcile", dir, "--plan", "--policies", policies]);
    expect(again.code, again.out).toBe(0);
  }, 300_000);
});
