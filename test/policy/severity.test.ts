import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/output.js";
import { specPolicyResult } from "../../src/cli/validate-command.js";
import { loadDesiredState } from "../../src/desired/load.js";
import { evaluatePlanPolicies, evaluateSpecPolicies, hasDenials, mergeResults, policyResultToJson, renderPolicyMarkdown, renderPolicyText } from "../../src/policy/index.js";
import type { LocalHarness } from "../helpers/local.js";
import { REGION, startHarness } from "../helpers/local.js";
import { writeTree } from "../helpers/tmpdir.js";
import { baseline, builtInPolicies, change, GOOD, ids, planOf, resource, stateOf, windowDoc } from "./fixtures.js";

/** patchctl.yaml setting built-in policies' severity (issue 17 §2). */
const config = (policies: string) => `apiVersion: patchctl/v1\nkind: Config\nowner: test-owner\npolicies:\n${policies}`;

/** A 3-hour window with cutoff 0 (window-cutoff denies) and no timezone (window-timezone warns). */
const CUTOFF_0 = { ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, timezone: false }) };

describe("patchctl.yaml policies: severity of built-in policies", () => {
  it("warn turns a denial into a warning, and the override is listed with file:line", async () => {
    const before = evaluateSpecPolicies((await stateOf(CUTOFF_0)).state, await builtInPolicies());
    expect(ids(before)).toEqual(["deny:window-cutoff", "warn:window-timezone"]);
    expect(before.overrides).toBeUndefined();

    const { state, dir } = await stateOf(CUTOFF_0, config("  window-cutoff: warn\n"));
    const r = evaluateSpecPolicies(state, await builtInPolicies());
    expect(ids(r)).toEqual(["warn:window-cutoff", "warn:window-timezone"]);
    expect(hasDenials(r)).toBe(false);
    expect(r.overrides).toEqual([{ policyId: "window-cutoff", severity: "warn", was: "deny", file: path.join(dir, "patchctl.yaml"), line: 5 }]);
    const text = renderPolicyText(r);
    expect(text).toContain(`Severity set in patchctl.yaml (1):\n  ${path.join(dir, "patchctl.yaml")}:5: window-cutoff: warn (its own severity: deny)`);
    expect(text).toContain("1 severity override(s)");
    expect(renderPolicyMarkdown(r)).toContain("#### Severity set in patchctl.yaml");
    expect(policyResultToJson(r)).toMatchObject({ severityOverrides: [{ policyId: "window-cutoff", severity: "warn" }] });
  });

  it("off removes the policy (YAML's off needs no quotes); deny makes a warning deny", async () => {
    const { state } = await stateOf(CUTOFF_0, config("  window-cutoff: off\n  window-timezone: deny\n"));
    const r = evaluateSpecPolicies(state, await builtInPolicies());
    expect(ids(r)).toEqual(["deny:window-timezone"]);
    expect(r.overrides?.map((o) => `${o.policyId}:${o.was}->${o.severity}`)).toEqual(["window-cutoff:deny->off", "window-timezone:warn->deny"]);
    expect(renderPolicyText(r)).toContain("window-cutoff: off (not evaluated) (its own severity: deny)");
    // The caller's policies are left as they were.
    expect((await builtInPolicies()).find((p) => p.id === "window-cutoff")?.severity).toBe("deny");
  });

  it("an exemption from a policy switched off is not needed: a warning saying so", async () => {
    const files = { ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, annotations: '    patchctl/exempt: "window-cutoff: legacy"\n' }) };
    const { state } = await stateOf(files, config('  window-cutoff: "off"\n'));
    const r = evaluateSpecPolicies(state, await builtInPolicies());
    expect(r.findings).toEqual([]);
    expect(r.exemptions).toEqual([]);
    expect(r.errors.map((e) => [e.severity, e.message])).toEqual([["warning", `exemption from 'window-cutoff' is not needed: patchctl.yaml switches the policy off (policies: {window-cutoff: "off"}); remove the exemption`]]);
  });

  it("applies to the plan policies too", async () => {
    const w = resource("MaintenanceWindow", "MaintenanceWindow/prod-window", { name: "prod-window", tags: { Environment: "Production" } });
    const plan = planOf([change("delete", w)]);
    const denied = evaluatePlanPolicies(plan, (await stateOf(GOOD)).state, await builtInPolicies(), { allowDestructive: false });
    expect(ids(denied)).toEqual(["deny:destructive-production"]);
    const warned = evaluatePlanPolicies(plan, (await stateOf(GOOD, config("  destructive-production: warn\n"))).state, await builtInPolicies(), { allowDestructive: false });
    expect(ids(warned)).toEqual(["warn:destructive-production"]);
    expect(warned.overrides).toHaveLength(1);
    const off = (await stateOf(GOOD, config("  destructive-production: 'off'\n"))).state;
    const result = mergeResults(evaluateSpecPolicies(off, await builtInPolicies()), evaluatePlanPolicies(plan, off, await builtInPolicies(), { allowDestructive: false }));
    expect(result.findings).toEqual([]);
    expect(result.overrides).toEqual([expect.objectContaining({ policyId: "destructive-production", severity: "off" })]); // listed once
  });

  it("an unknown policy id or value is a desired-state error naming file:line:column and the field", async () => {
    const dir = writeTree({ "patchctl.yaml": config("  window-cutoff: warn\n  window-cutof: warn\n  window-timezone: warning\n"), "b.yaml": baseline("prod") });
    const loaded = await loadDesiredState(dir);
    expect(loaded.state).toBeUndefined();
    const file = path.join(dir, "patchctl.yaml");
    expect(loaded.diagnostics.filter((d) => d.severity === "error").map((d) => ({ file: d.file, line: d.line, column: d.column, field: d.field, message: d.message }))).toEqual([
      { file, line: 6, column: 3, field: "policies.window-cutof", message: expect.stringMatching(/^unknown policy 'window-cutof': policies sets the severity of built-in policies \(.*window-cutoff, window-timezone\)/) },
      { file, line: 7, column: 20, field: "policies.window-timezone", message: 'must be one of "deny", "warn", "off" (got "warning")' },
    ]);
    // A mapping is required.
    const list = await loadDesiredState(writeTree({ "patchctl.yaml": config("  - window-cutoff\n") }));
    expect(list.diagnostics.map((d) => `${d.line}:${d.field}: ${d.message}`)).toEqual(['5:policies: must be object (got ["window-cutoff"])']);
  });

  it("watch's commit check (specPolicyResult) applies them", async () => {
    const { state } = await stateOf(CUTOFF_0, config("  window-cutoff: warn\n"));
    expect(hasDenials(await specPolicyResult(state, undefined))).toBe(false);
    expect(hasDenials(await specPolicyResult((await stateOf(CUTOFF_0)).state, undefined))).toBe(true);
  });
});

describe("patchctl.yaml policies through the CLI, against the local endpoint", () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** patchctl with the built-in policies as shipped (the harness's own cli relaxes them). */
  async function patchctl(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
    const code = await runCli(args, io);
    return { code, out, err };
  }
  const remote = (): string[] => ["--endpoint-url", h.url, "--region", REGION];
  const plan = (dir: string) => patchctl(["reconcile", dir, "--plan", ...remote()]);

  it("validate, reconcile --plan and drift follow the severity patchctl.yaml sets", async () => {
    const denied = writeTree({ "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: test-owner\n", ...CUTOFF_0 });
    expect((await patchctl(["validate", denied])).code).toBe(1);
    const deniedPlan = await plan(denied);
    expect(deniedPlan.code).toBe(1);
    expect(deniedPlan.err).toContain("policy denied the change (window-cutoff)");

    const warned = writeTree({ "patchctl.yaml": config("  window-cutoff: warn\n"), ...CUTOFF_0 });
    const validated = await patchctl(["validate", warned]);
    expect(validated.code, validated.err).toBe(0);
    expect(validated.out).toMatch(/Policy warnings \(2\):\n(.*\n)*.*\[window-cutoff\]/);
    expect(validated.out).toContain("Policies: 0 denial(s), 2 warning(s), 0 exemption(s), 1 severity override(s).");
    const warnedPlan = await plan(warned);
    expect(warnedPlan.code, warnedPlan.err).toBe(2); // changes to apply, nothing denied
    expect(warnedPlan.out).toContain("[window-cutoff]");
    expect(warnedPlan.out).toContain("Severity set in patchctl.yaml (1):");
    const json = JSON.parse((await patchctl(["reconcile", warned, "--plan", "--output", "json", ...remote()])).out) as { policy: { warnings: { policyId: string }[]; severityOverrides: unknown[] } };
    expect(json.policy.warnings.map((w) => w.policyId).sort()).toEqual(["window-cutoff", "window-timezone"]);
    expect(json.policy.severityOverrides).toHaveLength(1);

    const off = writeTree({ "patchctl.yaml": config('  window-cutoff: "off"\n  window-timezone: "off"\n'), ...CUTOFF_0 });
    const offPlan = await plan(off);
    expect(offPlan.code, offPlan.err).toBe(2);
    expect(offPlan.out).not.toContain("[window-cutoff]");
    expect(offPlan.out).toContain("Policies: 0 denial(s), 0 warning(s), 0 exemption(s), 2 severity override(s).");
    expect((await patchctl(["reconcile", off, "--auto-approve", ...remote()])).code).toBe(0);
    const drift = await patchctl(["drift", off, ...remote()]);
    expect(drift.code, drift.out + drift.err).toBe(0);
    expect(drift.out).toContain("2 severity override(s)");

    const unknown = writeTree({ "patchctl.yaml": config("  window-cutof: warn\n"), ...CUTOFF_0 });
    const refused = await patchctl(["validate", unknown]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${path.join(unknown, "patchctl.yaml")}:5:3: error: Config policies.window-cutof: unknown policy 'window-cutof'`);
    expect((await plan(unknown)).code).toBe(1);
  });
});
