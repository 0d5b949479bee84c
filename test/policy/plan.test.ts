import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluatePlanPolicies, hasDenials, loadPolicies, mergeResults, evaluateSpecPolicies } from "../../src/policy/index.js";
import { baseline, builtInPolicies, change, GOOD, planOf, policyDir, resource, stateOf, windowDoc } from "./fixtures.js";

const PROD = { Environment: "Production", "patchctl:owner": "test-owner" };
const DEV = { Environment: "Development", "patchctl:owner": "test-owner" };

describe("destructive-production (plan)", () => {
  it("denies deleting a production-tagged resource unless --allow-destructive, which is listed as a waiver", async () => {
    const { state, dir } = await stateOf(GOOD);
    const policies = await builtInPolicies();
    const plan = planOf([
      change("delete", resource("PatchBaseline", "PatchBaseline/old-prod", { name: "old-prod", tags: PROD }), { reason: "no longer in the desired state" }),
      change("delete", resource("PatchBaseline", "PatchBaseline/old-dev", { name: "old-dev", tags: DEV }), { reason: "no longer in the desired state" }),
      change("create", resource("PatchBaseline", "PatchBaseline/new-prod", { name: "new-prod", tags: PROD })),
    ]);
    const denied = evaluatePlanPolicies(plan, state, policies, { allowDestructive: false });
    expect(denied.findings).toEqual([
      {
        policyId: "destructive-production",
        severity: "deny",
        resource: "PatchBaseline/old-prod",
        // Gone from the desired state: reported at the Config document.
        file: path.join(dir, "patchctl.yaml"),
        line: 1,
        column: 1,
        message: "this change deletes or replaces production patching; rerun with --allow-destructive if that is intended (this plan deletes PatchBaseline/old-prod (no longer in the desired state))",
      },
    ]);
    expect(hasDenials(denied)).toBe(true);
    const allowed = evaluatePlanPolicies(plan, state, policies, { allowDestructive: true });
    expect(allowed.findings).toEqual([]);
    expect(allowed.exemptions).toEqual([expect.objectContaining({ policyId: "destructive-production", resource: "PatchBaseline/old-prod", reason: "allowed by --allow-destructive" })]);
    expect(hasDenials(allowed)).toBe(false);
  });

  it("judges a task by its window's tags, points at it in the desired state, and honours the window's exemption", async () => {
    const files = { ...GOOD, "w.yaml": windowDoc({ env: "Production" }) };
    const window = resource("MaintenanceWindow", "MaintenanceWindow/win", { name: "win", tags: PROD });
    const task = resource("WindowTask", "WindowTask/win/install", { name: "install", taskType: "RUN_COMMAND" }, "MaintenanceWindow/win");
    const plan = planOf([change("noop", window), change("createThenDelete", task, { reason: "taskType cannot be updated in place" })]);
    const { state } = await stateOf(files);
    const r = evaluatePlanPolicies(plan, state, await builtInPolicies(), { allowDestructive: false });
    expect(r.findings.map((f) => [f.policyId, f.resource, path.basename(f.file), f.line])).toEqual([["destructive-production", "WindowTask/win/install", "w.yaml", 15]]);
    expect(r.findings[0]!.message).toMatch(/this plan replaces WindowTask\/win\/install \(taskType cannot be updated in place\)/);

    const annotated = { ...files, "w.yaml": windowDoc({ env: "Production", annotations: '    patchctl/exempt: "destructive-production: the install task is rebuilt on purpose in CHG-1234"\n' }) };
    const exempted = evaluatePlanPolicies(plan, (await stateOf(annotated)).state, await builtInPolicies(), { allowDestructive: false });
    expect(exempted.findings).toEqual([]);
    expect(exempted.exemptions).toEqual([expect.objectContaining({ policyId: "destructive-production", resource: "MaintenanceWindow/win", reason: "the install task is rebuilt on purpose in CHG-1234" })]);
  });

  it("reports a deleted window once, not its targets and tasks deleted with it", async () => {
    const { state } = await stateOf(GOOD);
    const window = resource("MaintenanceWindow", "MaintenanceWindow/gone", { name: "gone", tags: PROD });
    const task = resource("WindowTask", "WindowTask/gone/install", { name: "install" }, "MaintenanceWindow/gone");
    const plan = planOf([change("forget", task, { reason: "deleted with its window" }), change("delete", window)]);
    const r = evaluatePlanPolicies(plan, state, await builtInPolicies(), { allowDestructive: false });
    expect(r.findings.map((f) => f.resource)).toEqual(["MaintenanceWindow/gone"]);
  });

  it("also covers a production baseline's patch-group registration", async () => {
    const { state } = await stateOf({ ...GOOD, "b.yaml": baseline("prod", { env: "Production", groups: ["prod-group"] }) });
    const reg = resource("PatchGroupRegistration", "PatchGroupRegistration/WINDOWS/old-group", { patchGroup: "old-group", operatingSystem: "WINDOWS", baseline: "prod" });
    const r = evaluatePlanPolicies(planOf([change("delete", reg)]), state, await builtInPolicies(), { allowDestructive: false });
    expect(r.findings.map((f) => [f.resource, path.basename(f.file), f.line])).toEqual([["PatchGroupRegistration/WINDOWS/old-group", "b.yaml", 12]]);
  });
});

describe("max-deletions (plan)", () => {
  it("denies more than 20 deletions in one plan, allows 20", async () => {
    const { state } = await stateOf(GOOD);
    const policies = await builtInPolicies();
    const deletes = (n: number) => Array.from({ length: n }, (_, i) => change("delete", resource("PatchBaseline", `PatchBaseline/b${i}`, { name: `b${i}`, tags: DEV })));
    expect(evaluatePlanPolicies(planOf(deletes(20)), state, policies, { allowDestructive: false }).findings).toEqual([]);
    const r = evaluatePlanPolicies(planOf(deletes(21)), state, policies, { allowDestructive: false });
    expect(r.findings.map((f) => `${f.policyId}:${f.resource}`)).toEqual(["max-deletions:Plan"]);
    expect(r.findings[0]!.message).toMatch(/\(this plan deletes 21, at most 20 allowed: PatchBaseline\/b0, PatchBaseline\/b1, PatchBaseline\/b2, PatchBaseline\/b3, PatchBaseline\/b4, \.\.\.\)$/);
  });

  it("takes its limit from a user override", async () => {
    const dir = policyDir({
      "limit.yaml": "apiVersion: patchctl/v1\nkind: Policy\nid: max-deletions\ndescription: small steps\nseverity: deny\nmatch: {kind: Any}\ncheck: max-deletions\nparameters: {max: 1}\nmessage: one deletion per change\n",
    });
    const { policies, errors } = await loadPolicies(dir);
    expect(errors).toEqual([]);
    const { state } = await stateOf(GOOD);
    const plan = planOf([change("delete", resource("PatchBaseline", "PatchBaseline/a", { tags: DEV })), change("delete", resource("PatchBaseline", "PatchBaseline/b", { tags: DEV }))]);
    expect(evaluatePlanPolicies(plan, state, policies, { allowDestructive: false }).findings.map((f) => f.policyId)).toEqual(["max-deletions"]);
  });
});

describe("spec and plan results together", () => {
  it("merge without repeating exemption errors both report", async () => {
    const files = { ...GOOD, "w.yaml": windowDoc({ env: "Production", annotations: '    patchctl/exempt: "window-cutoff"\n' }) };
    const { state } = await stateOf(files);
    const policies = await builtInPolicies();
    const task = resource("WindowTask", "WindowTask/win/install", { name: "install" }, "MaintenanceWindow/win");
    const plan = evaluatePlanPolicies(planOf([change("createThenDelete", task)]), state, policies, { allowDestructive: false });
    expect(plan.errors).toHaveLength(1);
    const merged = mergeResults(evaluateSpecPolicies(state, policies), plan);
    expect(merged.errors.filter((e) => e.severity === "error")).toHaveLength(1);
    expect(merged.findings.map((f) => f.policyId)).toEqual(["destructive-production"]);
    expect(hasDenials(merged)).toBe(true);
  });
});

describe("overlapping-schedules (plan)", () => {
  const task = resource("WindowTask", "WindowTask/win/install", { name: "install" }, "MaintenanceWindow/win");
  const quickSetup = { type: "PatchAssociation" as const, id: "8dfe3659-0000-4000-8000-000000000001", name: "AWS-QuickSetup-PatchPolicy-scan-abc12", managedBy: "AWS Quick Setup" };

  it("warns at the desired task's targets when an unmanaged patching association runs on the same tag value, and honours an exemption", async () => {
    const { state } = await stateOf(GOOD);
    const plan = { ...planOf([change("noop", task)]), unmanaged: [{ ...quickSetup, patchingTargets: [{ key: "tag:Patch Group", values: ["other", "prod-group"] }] }] };
    const r = evaluatePlanPolicies(plan, state, await builtInPolicies(), { allowDestructive: false });
    expect(r.findings.map((f) => [f.policyId, f.severity, f.resource, f.field, path.basename(f.file), f.line])).toEqual([["overlapping-schedules", "warn", "WindowTask/win/install", "spec.tasks[0].targets", "w.yaml", 17]]);
    expect(r.findings[0]!.message).toMatch(/^WindowTask\/win\/install installs on the instances tagged Patch Group=prod-group, as association AWS-QuickSetup-PatchPolicy-scan-abc12 \(8dfe3659-0000-4000-8000-000000000001, managed by AWS Quick Setup\) does: each run overwrites the other's patch compliance data/);
    expect(hasDenials(r)).toBe(false);

    const annotated = { ...GOOD, "w.yaml": windowDoc({ annotations: '    patchctl/exempt: "overlapping-schedules: Quick Setup scans daily until CHG-77 retires it"\n' }) };
    const exempted = evaluatePlanPolicies(plan, (await stateOf(annotated)).state, await builtInPolicies(), { allowDestructive: false });
    expect(exempted.findings).toEqual([]);
    expect(exempted.exemptions).toEqual([expect.objectContaining({ policyId: "overlapping-schedules", resource: "MaintenanceWindow/win" })]);
  });

  it("says nothing for other tag values, an unmanaged resource that runs no patching, or a task that is no patching document", async () => {
    const { state } = await stateOf(GOOD);
    const policies = await builtInPolicies();
    const elsewhere = { ...planOf([change("noop", task)]), unmanaged: [{ ...quickSetup, patchingTargets: [{ key: "tag:Patch Group", values: ["web"] }] }, { type: "PatchBaseline" as const, id: "pb-1", name: "hand-made" }] };
    expect(evaluatePlanPolicies(elsewhere, state, policies, { allowDestructive: false }).findings).toEqual([]);
    const notPatching = await stateOf({ ...GOOD, "w.yaml": windowDoc({ task: "      taskType: RUN_COMMAND\n      taskArn: AWS-RunShellScript\n      targets: [{key: WindowTargetIds, values: [servers]}]\n      maxConcurrency: \"1\"\n      maxErrors: \"1\"\n" }) });
    const same = { ...planOf([change("noop", task)]), unmanaged: [{ ...quickSetup, patchingTargets: [{ key: "tag:Patch Group", values: ["prod-group"] }] }] };
    expect(evaluatePlanPolicies(same, notPatching.state, policies, { allowDestructive: false }).findings).toEqual([]);
  });
});
