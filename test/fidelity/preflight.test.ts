import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/output.js";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/**
 * Issue 19, the online pre-flight: reconcile --plan and validate --online check every
 * baseline's filter values against DescribePatchProperties over HTTP (the account's answer
 * wins over the shipped catalog), one paginated call per OS and property for the run; a
 * denied DescribePatchProperties falls back to the catalog with a warning.
 */

/** A product the endpoint (standing for an account) lists but the shipped catalog does not. */
const NEW_PRODUCT = "WindowsServer2028";

function baseline(name: string, os: string, filters: Record<string, string[]>): string {
  const lines = Object.entries(filters).map(([key, values]) => `            - key: ${key}\n              values: [${values.map((v) => JSON.stringify(v)).join(", ")}]\n`);
  return `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: ${name}
spec:
  operatingSystem: ${os}
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
${lines.join("")}        approveAfterDays: 7
`;
}

/** The 1-based line of `text` holding `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

async function offline(args: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const io: Io = { out: () => {}, err: (t) => (err += `${t}\n`) };
  return { code: await runCli(args, io), err };
}

describe("online pre-flight (DescribePatchProperties)", () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await startHarness({ patchProperties: [{ operatingSystem: "WINDOWS", property: "PRODUCT", values: [NEW_PRODUCT] }] });
  });
  afterAll(async () => h.close());

  it("a typo'd CLASSIFICATION is a file:line error in validate --online and reconcile --plan, naming the valid values; nothing is planned", async () => {
    const text = baseline("typo", "WINDOWS", { PRODUCT: ["WindowsServer2019"], CLASSIFICATION: ["SecurityUpdate"] });
    const dir = writeTree({ "patchctl.yaml": CONFIG, "typo.yaml": text });
    const where = `${path.join(dir, "typo.yaml")}:${lineOf(text, "SecurityUpdate")}:`;

    const v = await h.cli(["validate", dir, "--online"]);
    expect(v.code).toBe(1);
    expect(v.err).toContain(where);
    expect(v.err).toContain("'SecurityUpdate' is not a valid CLASSIFICATION value for WINDOWS in this account (DescribePatchProperties)");
    expect(v.err).toContain("SecurityUpdates");

    h.server.resetStats();
    const p = await h.cli(["reconcile", dir, "--plan"]);
    expect(p.code).toBe(1);
    expect(p.err).toContain(where);
    expect(p.out).toBe("");
    expect(h.server.stats().calls.DescribePatchBaselines ?? 0).toBe(0); // stopped before reading the account
  });

  it("a long list names the nearest values", async () => {
    const text = baseline("al1", "AMAZON_LINUX", { PRODUCT: ["AmazonLinux2018.3"] });
    const dir = writeTree({ "patchctl.yaml": CONFIG, "al1.yaml": text });
    const v = await h.cli(["validate", dir, "--online"]);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/nearest valid values: AmazonLinux2018\.03, .* \(13 in all, or \*\)/);
  });

  it("a product the account lists but the shipped catalog lacks: refused offline, accepted online, planned and applied", async () => {
    const text = baseline("new-product", "WINDOWS", { PRODUCT: [NEW_PRODUCT], CLASSIFICATION: ["SecurityUpdates"] });
    // An owner of its own: the other tests' plans do not see (or delete) this baseline.
    const dir = writeTree({ "patchctl.yaml": CONFIG.replace("owner: test-owner", "owner: new-product-owner"), "b.yaml": text });

    const off = await offline(["validate", dir]);
    expect(off.code).toBe(1);
    expect(off.err).toContain(`'${NEW_PRODUCT}' is not a valid PRODUCT value for WINDOWS`);

    const v = await h.cli(["validate", dir, "--online"]);
    expect(v.err).toBe("");
    expect(v.code).toBe(0);

    const p = await h.cli(["reconcile", dir, "--plan"]);
    expect(p.code).toBe(2);
    expect(p.out).toContain("new-product");
    const a = await h.cli(["reconcile", dir, "--auto-approve"]);
    expect(a.code).toBe(0);
    const again = await h.cli(["reconcile", dir, "--plan"]);
    expect(again.code).toBe(0);
  });

  it("report runs the same pre-flight as drift: a product the account lists is reported on, a typo fails the card naming the file and line", async () => {
    const good = writeTree({ "patchctl.yaml": CONFIG.replace("owner: test-owner", "owner: report-owner"), "b.yaml": baseline("report-new", "WINDOWS", { PRODUCT: [NEW_PRODUCT], CLASSIFICATION: ["SecurityUpdates"] }) });
    const ok = await h.cli(["report", good, "--output", "json"]);
    expect(ok.code, ok.err).toBe(0);
    const page = JSON.parse(ok.out) as { regions: { state: string; reason?: string; changes: { key: string }[] }[] };
    expect(page.regions.map((r) => r.state)).toEqual(["drifted"]);
    expect(page.regions[0]!.changes.map((c) => c.key)).toEqual(["PatchBaseline/report-new"]);

    const text = baseline("report-typo", "WINDOWS", { PRODUCT: [NEW_PRODUCT], CLASSIFICATION: ["SecurityUpdate"] });
    const bad = writeTree({ "patchctl.yaml": CONFIG.replace("owner: test-owner", "owner: report-owner"), "typo.yaml": text });
    const refused = await h.cli(["report", bad, "--output", "json"]);
    expect(refused.code).toBe(1);
    const card = (JSON.parse(refused.out) as { regions: { state: string; reason?: string }[] }).regions[0]!;
    expect(card.state).toBe("failed");
    expect(card.reason).toContain(`typo.yaml:${lineOf(text, "SecurityUpdate")}:`);
    expect(card.reason).toContain("'SecurityUpdate' is not a valid CLASSIFICATION value for WINDOWS in this account (DescribePatchProperties)");
  });

  it("asks once per OS and property for the whole run, however many baselines use them", async () => {
    const files: Record<string, string> = { "patchctl.yaml": CONFIG };
    for (const n of [1, 2, 3]) files[`w${n}.yaml`] = baseline(`win-${n}`, "WINDOWS", { PRODUCT: ["WindowsServer2019", NEW_PRODUCT], CLASSIFICATION: ["SecurityUpdates"] });
    for (const n of [1, 2]) files[`l${n}.yaml`] = baseline(`linux-${n}`, "AMAZON_LINUX_2", { CLASSIFICATION: ["Security"], SEVERITY: ["Critical"] });
    const dir = writeTree(files);
    h.server.resetStats();
    const v = await h.cli(["validate", dir, "--online"]);
    expect(v.err).toBe("");
    expect(v.code).toBe(0);
    // WINDOWS PRODUCT, WINDOWS CLASSIFICATION, AMAZON_LINUX_2 CLASSIFICATION, AMAZON_LINUX_2 SEVERITY: each list fits one page.
    expect(h.server.stats().calls.DescribePatchProperties).toBe(4);
    h.server.resetStats();
    expect((await h.cli(["reconcile", dir, "--plan"])).code).toBe(2);
    expect(h.server.stats().calls.DescribePatchProperties).toBe(4);
  });
});

describe("online pre-flight when DescribePatchProperties is denied", () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await startHarness({ deniedOperations: ["DescribePatchProperties"] });
  });
  afterAll(async () => h.close());

  it("warns and checks against the shipped catalog: valid values pass, a typo is still a file:line error", async () => {
    const good = writeTree({ "patchctl.yaml": CONFIG, "b.yaml": baseline("good", "WINDOWS", { CLASSIFICATION: ["SecurityUpdates"] }) });
    const v = await h.cli(["validate", good, "--online"]);
    expect(v.code).toBe(0);
    expect(v.err).toContain("warning: DescribePatchProperties was denied (AccessDeniedException)");
    expect(v.err).not.toContain("arn:aws:iam::"); // the caller's identity is not printed
    const p = await h.cli(["reconcile", good, "--plan"]);
    expect(p.code).toBe(2);
    expect(p.err).toContain("warning: DescribePatchProperties was denied");

    const text = baseline("typo", "WINDOWS", { CLASSIFICATION: ["SecurityUpdate"] });
    const bad = writeTree({ "patchctl.yaml": CONFIG, "typo.yaml": text });
    const t = await h.cli(["validate", bad, "--online"]);
    expect(t.code).toBe(1);
    expect(t.err).toContain(`${path.join(bad, "typo.yaml")}:${lineOf(text, "SecurityUpdate")}:`);
    expect(t.err).toContain("(shipped catalog)");
    // Denied once: not asked again for every property.
    h.server.resetStats();
    await h.cli(["validate", good, "--online"]);
    expect(h.server.stats().calls.DescribePatchProperties).toBe(1);
  });
});
