import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { operatorCli } from "./fixture.js";

/**
 * metadata.previousNames on a PatchAssociation over HTTP (issue 22: "and PatchAssociation once it
 * exists"): examples/associations' nightly-scan renamed is an update in place: the AssociationId
 * stays, the account lists the new AssociationName and patchctl:name tag, and the next plan is empty.
 */
let h: LocalHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe("rename a PatchAssociation without replacing", () => {
  it("keeps its AssociationId", async () => {
    const aws = operatorCli(h);
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-rename-assoc-")), "associations");
    cpSync("examples/associations", dir, { recursive: true });
    expect((await h.cli(["reconcile", dir, "--auto-approve"])).code).toBe(0);
    const named = async (name: string) => ((await aws("ssm", "list-associations", "--association-filter-list", `key=AssociationName,value=${name}`)).Associations as { AssociationId: string }[]).map((a) => a.AssociationId);
    const [id] = await named("nightly-scan");
    expect(id).toBeDefined();

    const file = path.join(dir, "scan-association.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("  name: nightly-scan\n", "  name: nightly-patch-scan\n  previousNames: [nightly-scan]\n"));
    const plan = await h.cli(["reconcile", dir, "--plan"]);
    expect(plan.code, plan.out + plan.err).toBe(2);
    expect(plan.out).toMatch(/~ PatchAssociation\/nightly-patch-scan\s+\(renamed from nightly-scan\)/);
    expect(plan.out).not.toMatch(/^\s*(-|\+|-\/\+|\+\/-) PatchAssociation/m);

    const applied = await h.cli(["reconcile", dir, "--auto-approve"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(await named("nightly-scan")).toEqual([]);
    expect(await named("nightly-patch-scan")).toEqual([id]);
    const tags = (await aws("ssm", "list-tags-for-resource", "--resource-type", "Association", "--resource-id", id!)).TagList as { Key: string; Value: string }[];
    expect(tags).toContainEqual({ Key: "patchctl:name", Value: "nightly-patch-scan" });
    const again = await h.cli(["reconcile", dir, "--plan"]);
    expect(again.code, again.out).toBe(0);
  }, 120_000);
});
