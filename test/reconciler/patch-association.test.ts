import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliJson } from "../helpers/aws-cli.js";
import { awsCli } from "../helpers/aws-cli.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";
import { writeTree } from "../helpers/tmpdir.js";

/**
 * PatchAssociation over HTTP against the local endpoint, with Debian's AWS CLI as the operator's
 * hand: examples/associations applies and its next plan is empty; an association changed with
 * `aws ssm update-association` is drift on the field that changed, and is reverted; one deleted
 * out of band is restored; one made with the CLI is imported and adopted with an empty plan;
 * Quick Setup's are reported as such and never touched.
 */
const EXAMPLE = "examples/associations";

type Json = Record<string, unknown>;

function cliFor(h: LocalHarness) {
  return (...args: string[]): Promise<CliJson> => awsCli({ url: h.url, accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey, region: REGION }, "ssm", ...args);
}

async function associationId(cli: ReturnType<typeof cliFor>, name: string): Promise<string> {
  const listed = (await cli("list-associations", "--association-filter-list", `key=AssociationName,value=${name}`)).Associations as { AssociationId: string }[];
  expect(listed, `associations named ${name}`).toHaveLength(1);
  return listed[0]!.AssociationId;
}

/** The JSON document of `drift --output json` (or a plan), and its association changes. */
function report(out: string): { changes: { key: string; action: string; reason?: string; fields: { path: string; before?: unknown; after?: unknown }[] }[]; unmanaged: Json[]; conflicts: Json[] } {
  const start = out.indexOf("{");
  return JSON.parse(out.slice(start, out.lastIndexOf("}") + 1)) as ReturnType<typeof report>;
}

describe("examples/associations against the local endpoint", () => {
  let h: LocalHarness;
  let cli: ReturnType<typeof cliFor>;
  beforeAll(async () => {
    h = await startHarness();
    cli = cliFor(h);
  });
  afterAll(async () => {
    await h.close();
  });

  async function expectEmptyPlan(dir = EXAMPLE): Promise<void> {
    const plan = await h.cli(["reconcile", dir, "--plan"]);
    expect(plan.code, plan.out + plan.err).toBe(0);
    expect(plan.out).toContain("No changes.");
  }

  it("applies (a scan association and an install window), and the next plan is empty", async () => {
    const plan = await h.cli(["reconcile", EXAMPLE, "--plan"]);
    expect(plan.code, plan.err).toBe(2);
    expect(plan.out).toContain("+ PatchAssociation/nightly-scan");
    // What a reviewer must see: the patching document's parameters are shown, not masked.
    expect(plan.out).toContain('parameters.Operation: ["Scan"]');
    expect(plan.out).toContain('parameters.RebootOption: ["NoReboot"]');
    const applied = await h.cli(["reconcile", EXAMPLE, "--auto-approve"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    await expectEmptyPlan();
    const d = (await cli("describe-association", "--association-id", await associationId(cli, "nightly-scan"))).AssociationDescription as Json;
    expect(d).toMatchObject({ Name: "AWS-RunPatchBaseline", ApplyOnlyAtCronInterval: true, MaxConcurrency: "25%", ComplianceSeverity: "HIGH", Parameters: { Operation: ["Scan"], RebootOption: ["NoReboot"] } });
    const tags = (await cli("list-tags-for-resource", "--resource-type", "Association", "--resource-id", String(d.AssociationId))).TagList as { Key: string; Value: string }[];
    expect(tags).toEqual(expect.arrayContaining([{ Key: "patchctl:owner", Value: "associations" }, { Key: "patchctl:name", Value: "nightly-scan" }, { Key: "Environment", Value: "Production" }]));
  });

  it("compliance shows the association's last executions and status", async () => {
    const id = await associationId(cli, "nightly-scan");
    // applyOnlyAtCronInterval: no run yet.
    const before = await h.cli(["compliance", EXAMPLE]);
    expect(before.code, before.err).toBe(0);
    expect(before.out).toContain(`Recent association executions\n  nightly-scan (${id}) Pending: never ran`);
    // A run (an update without applyOnlyAtCronInterval runs right away), as the operator's CLI would cause it.
    const d = (await cli("describe-association", "--association-id", id)).AssociationDescription as Json;
    await cli("update-association", "--association-id", id, "--association-name", "nightly-scan", "--parameters", "Operation=Scan,RebootOption=NoReboot", "--targets", "Key=tag:Patch Group,Values=Database Servers", "--schedule-expression", String(d.ScheduleExpression));
    const json = await h.cli(["compliance", EXAMPLE, "--output", "json"]);
    const report = JSON.parse(json.out) as { associations: { association: string; status: string; executions: { status: string; created: string }[] }[] };
    expect(report.associations).toMatchObject([{ association: "nightly-scan", status: "Success", executions: [{ status: "Success", created: expect.any(String) }] }]);
    expect((await h.cli(["reconcile", EXAMPLE, "--auto-approve"])).code).toBe(0);
    await expectEmptyPlan();
  });

  it("an association changed with `aws ssm update-association` is drift on that field, and is reverted as a new association version", async () => {
    const id = await associationId(cli, "nightly-scan");
    const version = Number(((await cli("describe-association", "--association-id", id)).AssociationDescription as Json).AssociationVersion);
    // As AWS asks: every setting passed again (UpdateAssociation resets what is left out), one changed.
    await cli(
      "update-association", "--association-id", id, "--name", "AWS-RunPatchBaseline", "--association-name", "nightly-scan",
      "--parameters", "Operation=Scan,RebootOption=NoReboot", "--targets", "Key=tag:Patch Group,Values=Database Servers",
      "--schedule-expression", "cron(0 1 * * ? *)", "--apply-only-at-cron-interval", "--max-concurrency", "50%", "--max-errors", "10%",
      "--compliance-severity", "HIGH", "--sync-compliance", "AUTO", "--output-location", "S3Location={OutputS3BucketName=patch-logs-123456789012,OutputS3KeyPrefix=scans}",
    );
    const drift = await h.cli(["drift", EXAMPLE, "--output", "json"]);
    expect(drift.code, drift.err).toBe(2);
    const changes = report(drift.out).changes;
    expect(changes.map((c) => [c.key, c.action])).toEqual([["PatchAssociation/nightly-scan", "update"]]);
    expect(changes[0]!.fields).toEqual([{ path: "maxConcurrency", before: "50%", after: "25%" }]);
    expect(changes[0]!.reason).toMatch(/new association version/);

    const text = await h.cli(["drift", EXAMPLE]);
    expect(text.out).toContain('maxConcurrency: "50%" (actual) ≠ "25%" (desired)');
    const reverted = await h.cli(["reconcile", EXAMPLE, "--auto-approve"]);
    expect(reverted.code, reverted.out + reverted.err).toBe(0);
    await expectEmptyPlan();
    const d = (await cli("describe-association", "--association-id", id)).AssociationDescription as Json;
    // The operator's update and patchctl's revert: two new versions.
    expect(d).toMatchObject({ MaxConcurrency: "25%", AssociationVersion: String(version + 2) });
  });

  it("a partial update-association (which resets what it leaves out) shows every field it reset, and is reverted", async () => {
    const id = await associationId(cli, "nightly-scan");
    await cli("update-association", "--association-id", id, "--association-name", "nightly-scan", "--parameters", "Operation=Install", "--schedule-expression", "cron(0 1 * * ? *)");
    const drift = await h.cli(["drift", EXAMPLE, "--output", "json"]);
    expect(drift.code).toBe(2);
    const fields = report(drift.out).changes[0]!.fields.map((f) => f.path).sort();
    expect(fields).toEqual(["applyOnlyAtCronInterval", "complianceSeverity", "maxConcurrency", "maxErrors", "outputLocation", "parameters.Operation", "parameters.RebootOption"]);
    const plan = await h.cli(["reconcile", EXAMPLE, "--plan"]);
    // Scan → Install is visible in review.
    expect(plan.out).toContain('parameters.Operation: ["Install"] → ["Scan"]');
    expect((await h.cli(["reconcile", EXAMPLE, "--auto-approve"])).code).toBe(0);
    await expectEmptyPlan();
  });

  it("an association deleted out of band is restored, and the next plan is empty", async () => {
    const before = await associationId(cli, "nightly-scan");
    await cli("delete-association", "--association-id", before);
    const plan = await h.cli(["reconcile", EXAMPLE, "--plan"]);
    expect(plan.out).toContain("+ PatchAssociation/nightly-scan");
    expect((await h.cli(["reconcile", EXAMPLE, "--auto-approve"])).code).toBe(0);
    await expectEmptyPlan();
    expect(await associationId(cli, "nightly-scan")).not.toBe(before);
  });

  it("a change the desired state makes is an update in place: same id, a new version, the plan says so", async () => {
    const dir = writeTree(Object.fromEntries(["patchctl.yaml", "baseline.yaml", "install-window.yaml", "scan-association.yaml"].map((f) => [f, readFileSync(path.join(EXAMPLE, f), "utf8")])));
    const file = path.join(dir, "scan-association.yaml");
    const yaml = readFileSync(file, "utf8");
    const changed = yaml.replace("scheduleExpression: cron(0 1 * * ? *)", "scheduleExpression: cron(30 0 * * ? *)");
    expect(changed).not.toBe(yaml);
    writeFileSync(file, changed);
    const id = await associationId(cli, "nightly-scan");
    const plan = await h.cli(["reconcile", dir, "--plan"]);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain("~ PatchAssociation/nightly-scan  (UpdateAssociation makes a new association version");
    expect(plan.out).toContain('scheduleExpression: "cron(0 1 * * ? *)" → "cron(30 0 * * ? *)"');
    const dry = await h.cli(["reconcile", dir, "--dry-run"]);
    expect(dry.out).toContain("UpdateAssociation");
    expect((await h.cli(["reconcile", dir, "--auto-approve"])).code).toBe(0);
    await expectEmptyPlan(dir);
    expect(await associationId(cli, "nightly-scan")).toBe(id);
    // Back to the example for the tests after this one.
    expect((await h.cli(["reconcile", EXAMPLE, "--auto-approve"])).code).toBe(0);
  });

  it("an association left out of the desired state is deleted (DeleteAssociation); another's with a desired name is a conflict until --adopt", async () => {
    const dir = writeTree(Object.fromEntries(["patchctl.yaml", "baseline.yaml", "install-window.yaml"].map((f) => [f, readFileSync(path.join(EXAMPLE, f), "utf8")])));
    const plan = await h.cli(["reconcile", dir, "--plan", "--output", "json"]);
    expect(report(plan.out).changes.map((c) => [c.key, c.action])).toEqual([["PatchAssociation/nightly-scan", "delete"]]);
    const dry = await h.cli(["reconcile", dir, "--dry-run"]);
    expect(dry.out).toContain("DeleteAssociation");
    expect((await h.cli(["reconcile", dir, "--auto-approve"])).code).toBe(0);
    expect(((await cli("list-associations", "--association-filter-list", "key=AssociationName,value=nightly-scan")).Associations as unknown[]).length).toBe(0);

    // Made by hand with the desired name: nothing is created over it.
    await cli("create-association", "--name", "AWS-RunPatchBaseline", "--association-name", "nightly-scan", "--targets", "Key=tag:Patch Group,Values=Database Servers", "--parameters", "Operation=Scan");
    const conflicted = await h.cli(["reconcile", EXAMPLE, "--plan", "--output", "json"]);
    expect(conflicted.code).toBe(1);
    expect(report(conflicted.out).conflicts).toMatchObject([{ key: "PatchAssociation/nightly-scan", adoptable: true, message: expect.stringContaining("rerun with --adopt") }]);
    // --adopt takes it over: the tags, then one UpdateAssociation to the desired settings.
    const adopted = await h.cli(["reconcile", EXAMPLE, "--adopt", "--auto-approve"]);
    expect(adopted.code, adopted.out + adopted.err).toBe(0);
    await expectEmptyPlan();
    expect(((await cli("list-associations", "--association-filter-list", "key=AssociationName,value=nightly-scan")).Associations as unknown[]).length).toBe(1);
  });

  it("Quick Setup's associations are listed as managed by Quick Setup and never taken over", async () => {
    const qs = (await cli(
      "create-association", "--name", "AWS-RunPatchBaselineAssociation", "--association-name", "AWS-QuickSetup-PatchPolicy-scan-abc12",
      "--targets", "Key=tag:Patch Group,Values=Database Servers", "--parameters", "Operation=Scan", "--schedule-expression", "cron(0 */30 * * * ? *)",
      "--tags", "Key=QuickSetupID,Value=abc12",
    )).AssociationDescription as Json;
    const drift = await h.cli(["drift", EXAMPLE, "--output", "json"]);
    expect(drift.code, drift.out + drift.err).toBe(0);
    expect(report(drift.out).unmanaged).toContainEqual({ type: "PatchAssociation", id: qs.AssociationId, name: "AWS-QuickSetup-PatchPolicy-scan-abc12", managedBy: "AWS Quick Setup" });
    const text = await h.cli(["drift", EXAMPLE]);
    expect(text.out).toContain("? PatchAssociation AWS-QuickSetup-PatchPolicy-scan-abc12");
    expect(text.out).toContain("managed by AWS Quick Setup");

    // A desired association with its name: a conflict that --adopt does not take over.
    const dir = writeTree({
      "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: associations\n",
      "qs.yaml": `apiVersion: patchctl/v1
kind: PatchAssociation
metadata:
  name: quick-setup-scan
spec:
  associationName: AWS-QuickSetup-PatchPolicy-scan-abc12
  documentName: AWS-RunPatchBaselineAssociation
  parameters: {Operation: [Scan]}
  targets: [{key: "tag:Patch Group", values: [Database Servers]}]
  scheduleExpression: cron(0 */30 * * * ? *)
`,
    });
    const adopt = await h.cli(["reconcile", dir, "--plan", "--adopt", "--output", "json"]);
    expect(adopt.out, adopt.err).toContain("{");
    const conflicts = report(adopt.out).conflicts;
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ key: "PatchAssociation/quick-setup-scan", adoptable: false, message: expect.stringContaining("managed by AWS Quick Setup") });
    const tags = (await cli("list-tags-for-resource", "--resource-type", "Association", "--resource-id", String(qs.AssociationId))).TagList as { Key: string }[];
    expect(tags.map((t) => t.Key)).toEqual(["QuickSetupID"]);
    // Applying does not touch it either: the same version, the same tags, still there.
    const applied = await h.cli(["reconcile", EXAMPLE, "--auto-approve"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    const after = (await cli("describe-association", "--association-id", String(qs.AssociationId))).AssociationDescription as Json;
    expect(after).toMatchObject({ AssociationVersion: qs.AssociationVersion, AssociationName: "AWS-QuickSetup-PatchPolicy-scan-abc12", ScheduleExpression: "cron(0 */30 * * * ? *)" });
    const tagsAfter = (await cli("list-tags-for-resource", "--resource-type", "Association", "--resource-id", String(qs.AssociationId))).TagList as { Key: string }[];
    expect(tagsAfter.map((t) => t.Key)).toEqual(["QuickSetupID"]);
    await cli("delete-association", "--association-id", String(qs.AssociationId));
  });

  it("a desired schedule on the instances another patching association runs on (Quick Setup's, another owner's) is an overlapping-schedules warning", async () => {
    const findings = async (): Promise<{ policyId: string; severity: string; resource: string; field?: string; file: string; line: number; message: string }[]> => {
      const plan = await h.cli(["reconcile", EXAMPLE, "--plan", "--output", "json"]);
      expect(plan.code, plan.out + plan.err).toBe(0);
      return (JSON.parse(plan.out.slice(plan.out.indexOf("{"))) as { policy: { warnings: { policyId: string; severity: string; resource: string; field?: string; file: string; line: number; message: string }[] } }).policy.warnings.filter((f) => f.policyId === "overlapping-schedules");
    };
    expect((await h.cli(["reconcile", EXAMPLE, "--auto-approve"])).code).toBe(0);
    expect(await findings()).toEqual([]);
    // Quick Setup scans the Database Servers, which the example scans nightly and installs on weekly.
    const qs = (await cli(
      "create-association", "--name", "AWS-RunPatchBaselineAssociation", "--association-name", "AWS-QuickSetup-PatchPolicy-scan-xyz98",
      "--targets", "Key=tag:Patch Group,Values=Database Servers", "--parameters", "Operation=Scan", "--tags", "Key=QuickSetupID,Value=xyz98",
    )).AssociationDescription as Json;
    // A hand-made one on other instances overlaps with nothing; another owner's agent update runs no patching.
    await cli("create-association", "--name", "AWS-RunPatchBaseline", "--association-name", "web-scan", "--targets", "Key=tag:Patch Group,Values=Web Servers", "--parameters", "Operation=Scan");
    const agent = (await cli("create-association", "--name", "AWS-UpdateSSMAgent", "--association-name", "agent", "--targets", "Key=tag:Patch Group,Values=Database Servers")).AssociationDescription as Json;
    const found = await findings();
    expect(found.map((f) => [f.resource, f.field, f.severity]).sort()).toEqual([
      ["PatchAssociation/nightly-scan", "spec.targets", "warn"],
      ["WindowTask/weekly-install/install", "spec.tasks[0].targets", "warn"],
    ]);
    const scan = found.find((f) => f.resource === "PatchAssociation/nightly-scan")!;
    expect(scan.file).toMatch(/scan-association\.yaml$/);
    expect(scan.message).toContain(`PatchAssociation/nightly-scan scans the instances tagged Patch Group=Database Servers, as association AWS-QuickSetup-PatchPolicy-scan-xyz98 (${String(qs.AssociationId)}, managed by AWS Quick Setup) does: each run overwrites the other's patch compliance data`);
    expect(found.find((f) => f.resource.startsWith("WindowTask"))!.message).toContain("installs on the instances tagged Patch Group=Database Servers");
    // Shown in the text plan and in drift, without changing what they exit with.
    const text = await h.cli(["reconcile", EXAMPLE, "--plan"]);
    expect(text.code).toBe(0);
    expect(text.out + text.err).toContain("overlapping-schedules");
    // patchctl.yaml switches it off like any built-in.
    const dir = writeTree(Object.fromEntries(["baseline.yaml", "install-window.yaml", "scan-association.yaml"].map((f) => [f, readFileSync(path.join(EXAMPLE, f), "utf8")])));
    writeFileSync(path.join(dir, "patchctl.yaml"), `${readFileSync(path.join(EXAMPLE, "patchctl.yaml"), "utf8").trimEnd()}\npolicies: {overlapping-schedules: "off"}\n`);
    const off = await h.cli(["reconcile", dir, "--plan", "--output", "json"]);
    expect(off.code, off.out + off.err).toBe(0);
    expect((JSON.parse(off.out.slice(off.out.indexOf("{"))) as { policy: { warnings: { policyId: string }[] } }).policy.warnings.map((f) => f.policyId)).not.toContain("overlapping-schedules");
    for (const name of ["AWS-QuickSetup-PatchPolicy-scan-xyz98", "web-scan", "agent"]) await cli("delete-association", "--association-id", await associationId(cli, name));
    expect(agent.AssociationId).toBeDefined();
  }, 180_000);
});

describe("import adopts an association made with the AWS CLI", () => {
  let h: LocalHarness;
  let cli: ReturnType<typeof cliFor>;
  beforeAll(async () => {
    h = await startHarness();
    cli = cliFor(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it("import writes it, --plan --adopt only adds the ownership tags, and after --adopt the plan is empty", async () => {
    await cli(
      "create-association", "--name", "AWS-RunPatchBaseline", "--association-name", "weekly-install", "--targets", "Key=tag:Patch Group,Values=Web Servers",
      "--parameters", "Operation=Install,RebootOption=RebootIfNeeded", "--schedule-expression", "cron(0 3 ? * SUN *)", "--schedule-offset", "1", "--apply-only-at-cron-interval",
      "--max-concurrency", "20%", "--max-errors", "1", "--output-location", "S3Location={OutputS3BucketName=patch-logs,OutputS3KeyPrefix=install}",
      "--tags", "Key=Team,Value=Web",
    );
    // Not patching: left out of the import (and of patchctl's view).
    await cli("create-association", "--name", "AWS-UpdateSSMAgent", "--association-name", "agent-update", "--targets", "Key=InstanceIds,Values=*", "--schedule-expression", "rate(7 days)");
    // Quick Setup's: left out, saying why (its patch policy manages it), and never touched by the adoption below.
    const qs = (await cli("create-association", "--name", "AWS-RunPatchBaselineAssociation", "--association-name", "AWS-QuickSetup-PatchPolicy-install-q1w2e", "--targets", "Key=tag:Patch Group,Values=Web Servers", "--parameters", "Operation=Install", "--tags", "Key=QuickSetupID,Value=q1w2e")).AssociationDescription as Json;
    const out = writeTree({});
    const imported = await h.cli(["import", "--out", out, "--owner", "web", "--force"]);
    expect(imported.code, imported.out + imported.err).toBe(0);
    expect(imported.out).toContain("and 1 patch association into");
    expect(imported.out + imported.err).toContain(`PatchAssociation 'AWS-QuickSetup-PatchPolicy-install-q1w2e' (${String(qs.AssociationId)}): managed by AWS Quick Setup`);
    expect(readdirSync(path.join(out, "associations"))).toEqual(["weekly-install.yaml"]);
    const yaml = readFileSync(path.join(out, "associations", "weekly-install.yaml"), "utf8");
    expect(yaml).toContain("kind: PatchAssociation");
    expect(yaml).toContain("scheduleOffset: 1");
    expect(yaml).not.toContain("agent-update");

    const plan = await h.cli(["reconcile", out, "--plan", "--adopt", "--output", "json"]);
    expect(plan.code, plan.out + plan.err).toBe(2);
    const changes = report(plan.out).changes;
    expect(changes.map((c) => c.key)).toEqual(["PatchAssociation/weekly-install"]);
    expect(changes[0]!.fields.map((f) => f.path).sort()).toEqual(["tags.patchctl:name", "tags.patchctl:owner"]);
    // Adoption only tags it: no new association version.
    expect(changes[0]!.reason).toBe("adopted: patchctl ownership tags added");
    const adopted = await h.cli(["reconcile", out, "--adopt", "--auto-approve"]);
    expect(adopted.code, adopted.out + adopted.err).toBe(0);
    const after = await h.cli(["reconcile", out, "--plan"]);
    expect(after.code, after.out + after.err).toBe(0);
    expect(after.out).toContain("No changes.");
    const d = (await cli("describe-association", "--association-id", await associationId(cli, "weekly-install"))).AssociationDescription as Json;
    expect(d.AssociationVersion).toBe("1");
    const untouched = (await cli("describe-association", "--association-id", String(qs.AssociationId))).AssociationDescription as Json;
    expect(untouched.AssociationVersion).toBe("1");
    expect(((await cli("list-tags-for-resource", "--resource-type", "Association", "--resource-id", String(qs.AssociationId))).TagList as { Key: string }[]).map((t) => t.Key)).toEqual(["QuickSetupID"]);
  });
});
