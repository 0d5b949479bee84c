import path from "node:path";
import { describe, expect, it } from "vitest";
import type { MaintenanceWindowDoc } from "../../src/model/desired.js";
import { evaluateSpecPolicies, hasDenials } from "../../src/policy/index.js";
import { baseline, builtInPolicies, evaluate, GOOD, ids, stateOf, windowDoc } from "./fixtures.js";

/** Every built-in spec policy is exercised below with a passing and a failing example. */
const COVERED = [
  "production-approval-delay",
  "stage-staggering",
  "rejected-not-approved",
  "install-concurrency",
  "production-install-concurrency",
  "install-output-logged",
  "window-cutoff",
  "window-timezone",
  "patch-groups-registered",
  // plan.test.ts
  "destructive-production",
  "max-deletions",
  "overlapping-schedules",
];

describe("built-in policies", () => {
  it("are all covered by a passing and a failing example, and each justifies itself", async () => {
    const policies = await builtInPolicies();
    expect(policies.map((p) => p.id).sort()).toEqual([...COVERED].sort());
    for (const p of policies) {
      expect(p.origin).toBe("built-in");
      expect(p.description.length, p.id).toBeGreaterThan(120);
      expect(p.message.length, p.id).toBeGreaterThan(20);
    }
  });

  it("a compliant desired state passes every one", async () => {
    const r = await evaluate(GOOD);
    expect(r).toEqual({ findings: [], exemptions: [], errors: [] });
  });
});

describe("production-approval-delay", () => {
  it("passes at 7 days, fails below, with file:line and the offending value", async () => {
    expect(ids(await evaluate({ ...GOOD, "b.yaml": baseline("prod", { env: "Production", days: 7, groups: ["prod-group"] }) }))).toEqual([]);
    const r = await evaluate({ ...GOOD, "b.yaml": baseline("prod", { env: "Production", days: 3, groups: ["prod-group"] }) });
    expect(ids(r)).toEqual(["deny:production-approval-delay"]);
    expect(r.findings[0]).toMatchObject({
      resource: "PatchBaseline/prod",
      field: "spec.approvalRules.patchRules[0].approveAfterDays",
      line: 11,
      column: 27,
    });
    expect(path.basename(r.findings[0]!.file)).toBe("b.yaml");
    expect(r.findings[0]!.message).toMatch(/\(approvalRules\.patchRules\[0\]\.approveAfterDays is 3: must be >= 7\)$/);
    expect(hasDenials(r)).toBe(true);
  });
  it("does not apply to baselines not tagged Environment=Production", async () => {
    expect(ids(await evaluate({ ...GOOD, "d.yaml": baseline("dev", { env: "Development", days: 0 }), "x.yaml": baseline("untagged", { days: 0 }) }))).toEqual([]);
  });
});

describe("stage-staggering", () => {
  it("passes when each stage waits at least as long as the one before", async () => {
    const r = await evaluate({ ...GOOD, "d.yaml": baseline("dev", { env: "Development", days: 0 }), "s.yaml": baseline("staging", { env: "Staging", days: 7 }) });
    expect(ids(r)).toEqual([]);
  });
  it("fails when a later stage approves sooner, naming both baselines", async () => {
    const r = await evaluate({ ...GOOD, "d.yaml": baseline("dev", { env: "Development", days: 10 }), "s.yaml": baseline("staging", { env: "Staging", days: 8 }) });
    // staging (8) is sooner than dev (10); prod (7) is sooner than dev (10), reported against the longest earlier stage.
    expect(r.findings.map((f) => `${f.policyId}:${f.resource}`).sort()).toEqual(["stage-staggering:PatchBaseline/prod", "stage-staggering:PatchBaseline/staging"]);
    const staging = r.findings.find((f) => f.resource === "PatchBaseline/staging")!;
    expect(staging.message).toMatch(/Staging approves WINDOWS patches after 8 day\(s\), sooner than Development PatchBaseline\/dev after 10 day\(s\)/);
    expect(staging.field).toBe("spec.approvalRules.patchRules[0].approveAfterDays");
  });
  it("compares per operating system", async () => {
    const r = await evaluate({ ...GOOD, "d.yaml": baseline("dev-linux", { env: "Development", days: 10, os: "AMAZON_LINUX_2" }) });
    expect(ids(r)).toEqual([]);
  });
  it("compares across deployments, naming the deployment", async () => {
    const config = `apiVersion: patchctl/v1
kind: Config
owner: staged
deployments:
  - {name: dev, regions: [eu-west-1], values: {days: 10, environment: Development}}
  - {name: prod, regions: [eu-west-1], values: {days: 8, environment: Production}}
`;
    const staged = `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: staged
  tags: {Environment: "\${values.environment}"}
spec:
  approvalRules:
    patchRules:
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [SecurityUpdates]}]}
        approveAfterDays: \${values.days}
`;
    const bad = await evaluate({ "b.yaml": staged }, config);
    expect(ids(bad)).toEqual(["deny:stage-staggering"]);
    expect(bad.findings[0]!.message).toMatch(/Production approves WINDOWS patches after 8 day\(s\), sooner than Development PatchBaseline\/staged in deployment dev after 10 day\(s\)\) \(deployment prod\)$/);
    const good = await evaluate({ "b.yaml": staged }, config.replace("days: 8", "days: 14"));
    expect(ids(good)).toEqual([]);
  });
});

describe("rejected-not-approved", () => {
  it("passes with disjoint lists and fails on a patch in both", async () => {
    expect(ids(await evaluate({ ...GOOD, "b.yaml": baseline("prod", { env: "Production", groups: ["prod-group"], approved: ["KB1"], rejected: ["KB2"] }) }))).toEqual([]);
    const r = await evaluate({ ...GOOD, "b.yaml": baseline("prod", { env: "Production", groups: ["prod-group"], approved: ["KB1", "KB2"], rejected: ["KB3", "kb2"] }) });
    expect(ids(r)).toEqual(["deny:rejected-not-approved"]);
    expect(r.findings[0]).toMatchObject({ field: "spec.rejectedPatches[1]" });
    expect(r.findings[0]!.message).toMatch(/'kb2' is in both approvedPatches and rejectedPatches/);
  });
});

describe("install-concurrency", () => {
  it("passes at 50% or with a count", async () => {
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ concurrency: "50%" }) }))).toEqual([]);
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ concurrency: "2" }) }))).toEqual([]);
  });
  it("fails above 50%, showing the value at its line", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ concurrency: "75%" }) });
    expect(ids(r)).toEqual(["deny:install-concurrency"]);
    expect(r.findings[0]).toMatchObject({ resource: "WindowTask/win/install", field: "spec.tasks[0].maxConcurrency", line: 18 });
    expect(r.findings[0]!.message).toMatch(/\(maxConcurrency is "75%"\)$/);
  });
  it("fails without an error threshold (validation already requires maxErrors on targeted tasks) or with 100%", async () => {
    const { state } = await stateOf(GOOD);
    const window = state.resources.find((r) => r.key === "MaintenanceWindow/win")!.doc as MaintenanceWindowDoc;
    delete window.spec.tasks![0]!.maxErrors;
    const r = evaluateSpecPolicies(state, await builtInPolicies());
    expect(ids(r)).toEqual(["deny:install-concurrency"]);
    expect(r.findings[0]).toMatchObject({ field: "spec.tasks[0].maxErrors", line: 14 });
    expect(r.findings[0]!.message).toMatch(/\(maxErrors is not set\)$/);
    const all = await evaluate({ ...GOOD, "w.yaml": windowDoc({ maxErrors: "100%" }) });
    expect(ids(all)).toEqual(["deny:install-concurrency"]);
    expect(all.findings[0]!.message).toMatch(/\(maxErrors is "100%"\)$/);
  });
  it("recognises legacy taskParameters install tasks, and leaves scan tasks alone", async () => {
    const legacy = (op: string, concurrency: string) => `      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [servers]}]
      maxConcurrency: "${concurrency}"
      maxErrors: "1"
      taskParameters: {Operation: {values: [${op}]}}
      loggingInfo: {s3BucketName: patch-logs, s3Region: us-east-1}
`;
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ task: legacy("Install", "60%") }) }))).toEqual(["deny:install-concurrency"]);
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ task: legacy("Scan", "100%") }) }))).toEqual([]);
  });
});

describe("production-install-concurrency (warn)", () => {
  it("warns above 25% in a window tagged Environment=Production, and never denies", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ env: "Production", concurrency: "40%" }) });
    expect(ids(r)).toEqual(["warn:production-install-concurrency"]);
    expect(hasDenials(r)).toBe(false);
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ env: "Production", concurrency: "25%" }) }))).toEqual([]);
  });
  it("also warns when the task's targets select instances tagged Environment=Production", async () => {
    const files = { "b.yaml": baseline("prod", { env: "Production" }) };
    const r = await evaluate({ ...files, "w.yaml": windowDoc({ targetKey: "tag:Environment", targetValues: ["Production"], concurrency: "40%" }) });
    expect(ids(r)).toEqual(["warn:production-install-concurrency"]);
    expect(ids(await evaluate({ ...files, "w.yaml": windowDoc({ targetKey: "tag:Environment", targetValues: ["Staging"], concurrency: "40%" }) }))).toEqual([]);
  });
});

describe("install-output-logged", () => {
  it("passes with S3, CloudWatch or legacy loggingInfo", async () => {
    expect(ids(await evaluate(GOOD))).toEqual([]);
    const cw = "        cloudWatchOutputConfig: {cloudWatchOutputEnabled: true}\n";
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ output: cw }) }))).toEqual([]);
  });
  it("fails without an output location (or with CloudWatch output disabled)", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ output: "" }) });
    expect(ids(r)).toEqual(["deny:install-output-logged"]);
    expect(r.findings[0]).toMatchObject({ resource: "WindowTask/win/install", field: "spec.tasks[0]", line: 14 });
    const off = "        cloudWatchOutputConfig: {cloudWatchOutputEnabled: false}\n";
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ output: off }) }))).toEqual(["deny:install-output-logged"]);
  });
});

describe("window-cutoff", () => {
  it("passes a 1-hour window with cutoff 0 and a 3-hour window with cutoff 1", async () => {
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 1, cutoff: 0 }) }))).toEqual([]);
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 1 }) }))).toEqual([]);
  });
  it("fails a 2-hour window with cutoff 0", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 2, cutoff: 0 }) });
    expect(ids(r)).toEqual(["deny:window-cutoff"]);
    expect(r.findings[0]).toMatchObject({ resource: "MaintenanceWindow/win", field: "spec.cutoff", line: 9 });
    expect(r.findings[0]!.message).toMatch(/\(cutoff is 0: must be >= 1\)$/);
  });
});

describe("window-timezone (warn)", () => {
  it("warns on a cron window without scheduleTimezone", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ timezone: false }) });
    expect(ids(r)).toEqual(["warn:window-timezone"]);
    expect(r.findings[0]).toMatchObject({ field: "spec.scheduleTimezone", line: 5 });
    expect(hasDenials(r)).toBe(false);
  });
  it("passes with a timezone, and for rate() windows", async () => {
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ timezone: "Europe/Berlin" }) }))).toEqual([]);
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ timezone: false, schedule: "rate(7 days)" }) }))).toEqual([]);
  });
});

describe("patch-groups-registered", () => {
  it("passes when the targeted patch group is registered", async () => {
    expect(ids(await evaluate(GOOD))).toEqual([]);
  });
  it("fails for a patch group no baseline registers, through either tag key", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ targetValues: ["prod-group", "nobody-registers-me"] }) });
    expect(ids(r)).toEqual(["deny:patch-groups-registered"]);
    expect(r.findings[0]).toMatchObject({ resource: "WindowTarget/win/servers", field: "spec.targets[0].targets[0].values[1]", line: 12 });
    expect(r.findings[0]!.message).toMatch(/patch group 'nobody-registers-me' is registered to no baseline/);
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ targetKey: "tag:PatchGroup", targetValues: ["orphans"] }) }))).toEqual(["deny:patch-groups-registered"]);
  });
  it("ignores targets that do not select by patch group", async () => {
    expect(ids(await evaluate({ ...GOOD, "w.yaml": windowDoc({ targetKey: "tag:Role", targetValues: ["web"] }) }))).toEqual([]);
  });
});

/** Issue 20: the install policies and patch-groups-registered cover PatchAssociations as they cover window tasks. */
describe("built-in policies on PatchAssociations", () => {
  function association(o: { operation?: "Install" | "Scan"; concurrency?: string | false; maxErrors?: string | false; output?: boolean; group?: string; env?: string; targetEnv?: string } = {}): string {
    const targets = [`{key: "tag:Patch Group", values: [${o.group ?? "prod-group"}]}`, ...(o.targetEnv ? [`{key: "tag:Environment", values: [${o.targetEnv}]}`] : [])];
    return `apiVersion: patchctl/v1
kind: PatchAssociation
metadata:
  name: assoc
${o.env ? `  tags: {Environment: ${o.env}}\n` : ""}spec:
  documentName: AWS-RunPatchBaseline
  parameters: {Operation: [${o.operation ?? "Install"}]}
  targets: [${targets.join(", ")}]
  scheduleExpression: cron(0 3 ? * SUN *)
${o.concurrency === false ? "" : `  maxConcurrency: "${o.concurrency ?? "10%"}"\n`}${o.maxErrors === false ? "" : `  maxErrors: "${o.maxErrors ?? "1"}"\n`}${o.output === false ? "" : "  outputLocation: {s3Location: {outputS3BucketName: patch-logs}}\n"}`;
  }

  it("a well-set install association passes every one", async () => {
    expect(ids(await evaluate({ ...GOOD, "a.yaml": association() }))).toEqual([]);
  });

  it("install-concurrency: State Manager's defaults (100% at once, 100% errors) and more than 50% are denied; a scan association is not judged", async () => {
    // One finding per missing field.
    const defaults = await evaluate({ ...GOOD, "a.yaml": association({ concurrency: false, maxErrors: false }) });
    expect(ids(defaults)).toEqual(["deny:install-concurrency", "deny:install-concurrency"]);
    expect(defaults.findings.every((f) => f.resource === "PatchAssociation/assoc")).toBe(true);
    const r = await evaluate({ ...GOOD, "a.yaml": association({ concurrency: "75%" }) });
    expect(ids(r)).toEqual(["deny:install-concurrency"]);
    expect(r.findings[0]).toMatchObject({ resource: "PatchAssociation/assoc" });
    expect(ids(await evaluate({ ...GOOD, "a.yaml": association({ operation: "Scan", concurrency: false, maxErrors: false, output: false }) }))).toEqual([]);
  });

  it("production-install-concurrency: above 25% warns when the association or the instances it targets are Production", async () => {
    expect(ids(await evaluate({ ...GOOD, "a.yaml": association({ concurrency: "40%", env: "Production" }) }))).toEqual(["warn:production-install-concurrency"]);
    expect(ids(await evaluate({ ...GOOD, "a.yaml": association({ concurrency: "40%", targetEnv: "Production" }) }))).toEqual(["warn:production-install-concurrency"]);
    expect(ids(await evaluate({ ...GOOD, "a.yaml": association({ concurrency: "40%" }) }))).toEqual([]);
  });

  it("install-output-logged: an install association without an S3 output location is denied", async () => {
    const r = await evaluate({ ...GOOD, "a.yaml": association({ output: false }) });
    expect(ids(r)).toEqual(["deny:install-output-logged"]);
    expect(r.findings[0]).toMatchObject({ resource: "PatchAssociation/assoc" });
  });

  it("patch-groups-registered: an association targeting a patch group no baseline registers is denied", async () => {
    const r = await evaluate({ ...GOOD, "a.yaml": association({ group: "nobody-group" }) });
    expect(ids(r)).toEqual(["deny:patch-groups-registered"]);
    expect(r.findings[0]).toMatchObject({ resource: "PatchAssociation/assoc" });
  });
});
