import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { evaluatePlanPolicies, evaluateSpecPolicies, hasDenials, loadPolicies } from "../../src/policy/index.js";
import type { Plan } from "../../src/reconciler/model.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

const baseline = (name: string, env: string | undefined, days: number, extra = "") => `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: ${name}
${env ? `  tags: {Environment: ${env}}\n` : ""}${extra}spec:
  approvalRules:
    patchRules:
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [SecurityUpdates]}]}
        approveAfterDays: ${days}
  patchGroups: [${name}-group]
`;
const windowDoc = (opts: { duration?: number; cutoff?: number; tz?: boolean; concurrency?: string; output?: boolean; group?: string; env?: string; annotations?: string } = {}) => `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: win
${opts.env ? `  tags: {Environment: ${opts.env}}\n` : ""}${opts.annotations ?? ""}spec:
  schedule: cron(0 22 ? * TUE *)
${opts.tz === false ? "" : "  scheduleTimezone: UTC\n"}  duration: ${opts.duration ?? 3}
  cutoff: ${opts.cutoff ?? 1}
  targets: [{name: servers, targets: [{key: "tag:Patch Group", values: [${opts.group ?? "prod-group"}]}]}]
  tasks:
    - name: install
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [servers]}]
      maxConcurrency: "${opts.concurrency ?? "10%"}"
      maxErrors: "1"
      runCommand:
        parameters: {Operation: [Install]}
${opts.output === false ? "" : "        outputS3BucketName: patch-logs\n"}`;

async function findings(files: Record<string, string>, userDir?: string) {
  const loaded = await loadDesiredState(writeTree({ "patchctl.yaml": CONFIG, ...files }));
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const { policies, errors } = await loadPolicies(userDir);
  expect(errors).toEqual([]);
  return evaluateSpecPolicies(loaded.state!, policies);
}
const ids = (r: Awaited<ReturnType<typeof findings>>) => r.findings.map((f) => `${f.severity}:${f.policyId}`).sort();
const GOOD = { "b.yaml": baseline("prod", "Production", 7), "w.yaml": windowDoc() };

describe("built-in policies: one passing and one failing example each", () => {
  it("a compliant desired state passes every policy", async () => {
    expect(ids(await findings(GOOD))).toEqual([]);
  });
  it("production-approval-delay", async () => {
    const r = await findings({ ...GOOD, "b.yaml": baseline("prod", "Production", 3) });
    expect(ids(r)).toEqual(["deny:production-approval-delay"]);
    expect(r.findings[0]).toMatchObject({ line: 10, field: "spec.approvalRules.patchRules[0].approveAfterDays", resource: "PatchBaseline/prod" });
    expect(hasDenials(r)).toBe(true);
  });
  it("stage-staggering", async () => {
    const ok = await findings({ ...GOOD, "d.yaml": baseline("dev", "Development", 0), "s.yaml": baseline("staging", "Staging", 7) });
    expect(ids(ok)).toEqual([]);
    const bad = await findings({ ...GOOD, "d.yaml": baseline("dev", "Development", 10), "s.yaml": baseline("staging", "Staging", 7) });
    expect(ids(bad)).toEqual(["deny:stage-staggering", "deny:stage-staggering"]);
    expect(bad.findings[0]!.message).toMatch(/approves after 7 day\(s\), sooner than Development PatchBaseline\/dev \(10 day\(s\)\)/);
  });
  it("rejected-not-approved", async () => {
    const r = await findings({ ...GOOD, "b.yaml": baseline("prod", "Production", 7).replace("spec:\n", "spec:\n  approvedPatches: [KB1]\n  rejectedPatches: [KB1]\n") });
    expect(ids(r)).toEqual(["deny:rejected-not-approved"]);
  });
  it("install-concurrency", async () => {
    expect(ids(await findings({ ...GOOD, "w.yaml": windowDoc({ concurrency: "50%" }) }))).toEqual([]);
    expect(ids(await findings({ ...GOOD, "w.yaml": windowDoc({ concurrency: "75%" }) }))).toEqual(["deny:install-concurrency"]);
  });
  it("production-install-concurrency (warn)", async () => {
    const r = await findings({ ...GOOD, "w.yaml": windowDoc({ concurrency: "40%", env: "Production" }) });
    expect(ids(r)).toEqual(["warn:production-install-concurrency"]);
    expect(hasDenials(r)).toBe(false);
    expect(ids(await findings({ ...GOOD, "w.yaml": windowDoc({ concurrency: "20%", env: "Production" }) }))).toEqual([]);
  });
  it("install-output-logged", async () => {
    const r = await findings({ ...GOOD, "w.yaml": windowDoc({ output: false }) });
    expect(ids(r)).toEqual(["deny:install-output-logged"]);
    expect(r.findings[0]!.resource).toBe("WindowTask/win/install");
  });
  it("window-cutoff and window-timezone", async () => {
    expect(ids(await findings({ ...GOOD, "w.yaml": windowDoc({ duration: 1, cutoff: 0 }) }))).toEqual([]);
    expect(ids(await findings({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0 }) }))).toEqual(["deny:window-cutoff"]);
    expect(ids(await findings({ ...GOOD, "w.yaml": windowDoc({ tz: false }) }))).toEqual(["warn:window-timezone"]);
  });
  it("patch-groups-registered", async () => {
    const r = await findings({ ...GOOD, "w.yaml": windowDoc({ group: "nobody-registers-me" }) });
    expect(ids(r)).toEqual(["deny:patch-groups-registered"]);
    expect(r.findings[0]!.message).toMatch(/'nobody-registers-me' is registered to no baseline/);
  });
});

describe("exemptions, user policies, examples, plan-level policies", () => {
  it("an exemption with a reason silences a policy and is listed; one without a reason is an error", async () => {
    const exempt = "  annotations:\n    patchctl/exempt: \"window-cutoff: legacy window, removed in Q1\"\n";
    const r = await findings({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, annotations: exempt }) });
    expect(r.findings).toEqual([]);
    expect(r.exemptions).toEqual([expect.objectContaining({ policyId: "window-cutoff", reason: "legacy window, removed in Q1", resource: "MaintenanceWindow/win" })]);
    const bare = await findings({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, annotations: "  annotations:\n    patchctl/exempt: \"window-cutoff\"\n" }) });
    expect(bare.errors[0]!.message).toMatch(/needs a reason/);
    expect(hasDenials(bare)).toBe(true);
  });
  it("a user policy directory overrides a built-in by id and adds its own", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "patchctl-policies-"));
    writeFileSync(path.join(dir, "ours.yaml"), `apiVersion: patchctl/v1
kind: Policy
id: production-approval-delay
description: we wait 14 days
severity: deny
match: {kind: PatchBaseline, tags: {Environment: Production}}
rule: {properties: {approvalRules: {properties: {patchRules: {items: {properties: {approveAfterDays: {minimum: 14}}}}}}}}
message: production waits 14 days here
---
apiVersion: patchctl/v1
kind: Policy
id: windows-have-descriptions
description: every window says what it is for
severity: warn
match: {kind: MaintenanceWindow}
rule: {required: [description]}
message: describe the window
`);
    const r = await findings(GOOD, dir);
    expect(ids(r)).toEqual(["deny:production-approval-delay", "warn:windows-have-descriptions"]);
    expect(r.findings.find((f) => f.policyId === "production-approval-delay")!.message).toMatch(/14 days here/);
  });
  it("a malformed user policy is a clear error with file and line", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "patchctl-policies-"));
    writeFileSync(path.join(dir, "bad.yaml"), "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: maybe\nmatch: {kind: PatchBaseline}\nrule: {}\nmessage: m\n");
    const { errors } = await loadPolicies(dir);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ file: path.join(dir, "bad.yaml"), line: 5 });
    expect(errors[0]!.message).toMatch(/invalid policy/);
  });
  it.each(["examples/walkthrough", "examples/blog", "examples/recipe"])("%s passes (with justified exemptions)", async (dir) => {
    const loaded = await loadDesiredState(dir);
    const { policies } = await loadPolicies();
    const r = evaluateSpecPolicies(loaded.state!, policies);
    expect(hasDenials(r)).toBe(false);
    for (const e of r.exemptions) expect(e.reason.length).toBeGreaterThan(20);
  });
  it("deleting or replacing a production resource is denied unless allowed; too many deletions are denied", async () => {
    const loaded = await loadDesiredState("examples/walkthrough");
    const { policies } = await loadPolicies();
    const del = (key: string, tags: Record<string, string>) => ({ key, type: "PatchBaseline" as const, name: key.split("/")[1]!, action: "delete" as const, before: { type: "PatchBaseline" as const, key, name: key, spec: { tags } }, fields: [], dependsOn: [] });
    const plan = { changes: [del("PatchBaseline/old-prod", { Environment: "Production" }), del("PatchBaseline/old-dev", { Environment: "Development" })] } as unknown as Plan;
    const denied = evaluatePlanPolicies(plan, loaded.state!, policies, { allowDestructive: false });
    expect(denied.findings.map((f) => `${f.policyId}:${f.resource}`)).toEqual(["destructive-production:PatchBaseline/old-prod"]);
    expect(evaluatePlanPolicies(plan, loaded.state!, policies, { allowDestructive: true }).findings).toEqual([]);
    const many = { changes: Array.from({ length: 21 }, (_, i) => del(`PatchBaseline/b${i}`, {})) } as unknown as Plan;
    expect(evaluatePlanPolicies(many, loaded.state!, policies, { allowDestructive: false }).findings.map((f) => f.policyId)).toEqual(["max-deletions"]);
  });
});
