import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DescribeMaintenanceWindowTargetsCommand, DescribeMaintenanceWindowTasksCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importCommand } from "../../src/cli/import-command.js";
import { registerCommand } from "../../src/cli/main.js";
import { loadDesiredState } from "../../src/desired/load.js";
import { derivedTargetName, derivedTaskName, sanitizeName } from "../../src/import/names.js";
import { pruneDefaults } from "../../src/import/prune.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";
import { writeTree } from "../helpers/tmpdir.js";
import { awsCli as runAwsCli } from "../helpers/aws-cli.js";

/**
 * `patchctl import` against setups built the way the seed documents build them: Debian's
 * AWS CLI (/usr/bin/aws) calling the local endpoint, never patchctl. Then the imported
 * directory must validate, `reconcile --plan --adopt` must show only the ownership tags,
 * and after applying that the next plan is empty.
 */
const ROLE = "arn:aws:iam::123456789012:role/MW-Role"; // the walkthrough's role, with a 12-digit account
type Json = Record<string, unknown>;
type PlanChange = { key: string; type: string; action: string; fields: { path: string; after?: unknown }[] };

let h: LocalHarness;

async function aws(...args: string[]): Promise<Json> {
  return awsCli("ssm", ...args);
}

async function awsCli(service: "ssm" | "iam", ...args: string[]): Promise<Json> {
  return runAwsCli({ url: h.url, accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey, region: REGION }, service, ...args);
}

/** "Walkthrough: Patch a server environment (AWS CLI)", command for command: unnamed targets and tasks. */
async function walkthrough(): Promise<{ baselineId: string; tuesdays: string; saturdays: string }> {
  const [baseline, tue, sat] = await Promise.all([
    aws("create-patch-baseline", "--name", "Production-Baseline", "--operating-system", "WINDOWS", "--tags", "Key=Environment,Value=Production",
      "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=MSRC_SEVERITY,Values=[Critical,Important]},{Key=CLASSIFICATION,Values=[SecurityUpdates,Updates,ServicePacks,UpdateRollups,CriticalUpdates]}]},ApproveAfterDays=7}]",
      "--description", "Baseline containing all updates approved for production systems"),
    aws("create-maintenance-window", "--name", "Production-Tuesdays", "--tags", "Key=Environment,Value=Production", "--schedule", "cron(0 0 22 ? * TUE *)", "--duration", "1", "--cutoff", "0", "--no-allow-unassociated-targets"),
    aws("create-maintenance-window", "--name", "Production-Saturdays", "--tags", "Key=Environment,Value=Production", "--schedule", "cron(0 0 22 ? * SAT *)", "--duration", "2", "--cutoff", "0", "--no-allow-unassociated-targets"),
  ]);
  const baselineId = baseline.BaselineId as string;
  const tuesdays = tue.WindowId as string;
  const saturdays = sat.WindowId as string;
  const [, , dbTarget, feTarget] = await Promise.all([
    aws("register-patch-baseline-for-patch-group", "--baseline-id", baselineId, "--patch-group", "Database Servers"),
    aws("register-patch-baseline-for-patch-group", "--baseline-id", baselineId, "--patch-group", "Front-End Servers"),
    aws("register-target-with-maintenance-window", "--window-id", tuesdays, "--targets", "Key=tag:Patch Group,Values=Database Servers", "--owner-information", "Database Servers", "--resource-type", "INSTANCE"),
    aws("register-target-with-maintenance-window", "--window-id", saturdays, "--targets", "Key=tag:Patch Group,Values=Front-End Servers", "--owner-information", "Front-End Servers", "--resource-type", "INSTANCE"),
  ]);
  const task = (window: string, target: Json) =>
    aws("register-task-with-maintenance-window", "--window-id", window, "--targets", `Key=WindowTargetIds,Values=${String(target.WindowTargetId)}`, "--task-arn", "AWS-RunPatchBaseline",
      "--service-role-arn", ROLE, "--task-type", "RUN_COMMAND", "--max-concurrency", "2", "--max-errors", "1", "--priority", "1", "--task-invocation-parameters", "RunCommand={Parameters={Operation=Install}}");
  await Promise.all([task(tuesdays, dbTarget), task(saturdays, feTarget)]);
  return { baselineId, tuesdays, saturdays };
}

/** The "Automated Patching" recipe: an Amazon Linux 2 baseline made the OS default, a weekly window with named target and a task using legacy --task-parameters/--logging-info. */
async function recipe(): Promise<{ baselineId: string; windowId: string }> {
  const [baseline, window] = await Promise.all([
    aws("create-patch-baseline", "--name", "custom-baseline-abc123", "--description", "Custom patch baseline for production instances", "--operating-system", "AMAZON_LINUX_2",
      "--approval-rules", JSON.stringify({ PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["Security", "Bugfix"] }] }, ApproveAfterDays: 7, ComplianceLevel: "CRITICAL" }] }),
      "--approved-patches-compliance-level", "CRITICAL"),
    aws("create-maintenance-window", "--name", "patch-window-abc123", "--description", "Weekly patching maintenance window", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "4", "--cutoff", "1",
      "--schedule-timezone", "UTC", "--allow-unassociated-targets"),
  ]);
  const baselineId = baseline.BaselineId as string;
  const windowId = window.WindowId as string;
  const [, , target] = await Promise.all([
    aws("register-patch-baseline-for-patch-group", "--baseline-id", baselineId, "--patch-group", "Production"),
    aws("register-default-patch-baseline", "--baseline-id", baselineId),
    aws("register-target-with-maintenance-window", "--window-id", windowId, "--targets", "Key=tag:Environment,Values=Production", "--resource-type", "INSTANCE", "--name", "ProductionInstances"),
  ]);
  await aws("register-task-with-maintenance-window", "--window-id", windowId, "--targets", `Key=WindowTargetIds,Values=${String(target.WindowTargetId)}`, "--task-type", "RUN_COMMAND",
    "--task-arn", "AWS-RunPatchBaseline", "--service-role-arn", ROLE, "--name", "PatchingTask", "--description", "Install patches using custom baseline", "--max-concurrency", "50%", "--max-errors", "10%",
    "--priority", "1", "--task-parameters", JSON.stringify({ BaselineOverride: { Values: [baselineId] }, Operation: { Values: ["Install"] } }),
    "--logging-info", "S3BucketName=patch-reports-123456789012-abc123,S3KeyPrefix=patch-logs,S3Region=us-east-1");
  return { baselineId, windowId };
}

function outDir(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "patchctl-import-")), "imported");
}

function read(dir: string, rel: string): string {
  return readFileSync(path.join(dir, rel), "utf8");
}

/** The desired-state files below `dir` (hidden directories, such as the .schemas copy, left out). */
function filesUnder(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .filter((e) => !(e.isDirectory() && e.name.startsWith(".")))
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

async function expectValid(dir: string): Promise<void> {
  const loaded = await loadDesiredState(dir);
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(loaded.state).toBeDefined();
}

/** The adopt plan of an import: only the two ownership tags on each baseline and window, nothing else. */
async function expectOnlyOwnershipTags(dir: string, owner: string, expectedKeys: string[]): Promise<void> {
  const planned = await h.cli(["reconcile", dir, "--plan", "--adopt", "--output", "json"]);
  expect(planned.err).toBe("");
  expect(planned.code).toBe(2);
  const plan = JSON.parse(planned.out) as { changes: PlanChange[]; conflicts: unknown[] };
  expect(plan.conflicts).toEqual([]);
  expect(plan.changes.map((c) => c.key).sort()).toEqual([...expectedKeys].sort());
  for (const c of plan.changes) {
    expect(c.action, c.key).toBe("update");
    // Per tag, or the whole tags map when the resource had no tags before.
    const flat = c.fields.flatMap((f) => (f.path === "tags" && f.after && typeof f.after === "object" ? Object.entries(f.after).map(([k, v]) => [`tags.${k}`, v]) : [[f.path, f.after]]));
    expect(flat.sort(), c.key).toEqual([
      ["tags.patchctl:name", c.key.slice(c.key.indexOf("/") + 1)],
      ["tags.patchctl:owner", owner],
    ]);
  }
}

beforeEach(async () => {
  registerCommand("import", importCommand, "write the account's baselines and windows as desired-state YAML");
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

// Each test builds a setup with some 20 AWS CLI commands: 40-75 s on a loaded 2-core machine, over the default 60 s.
describe("patchctl import", { timeout: 240_000 }, () => {
  it("imports the walkthrough and recipe setups made with the AWS CLI; --adopt then adds only the ownership tags and the next plan is empty", async () => {
    const [wt, rc] = await Promise.all([walkthrough(), recipe()]);
    const dir = outDir();

    const imported = await h.cli(["import", "--out", dir, "--name-unnamed"]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toContain("imported 2 patch baselines and 3 maintenance windows");
    expect(imported.out).toContain("generated names for 2 targets and 2 tasks");
    expect(imported.err).toMatch(/named in SSM: window 'Production-Tuesdays' target .* → Database-Servers/);
    expect(filesUnder(dir)).toEqual([
      "baselines/Production-Baseline.yaml",
      "baselines/custom-baseline-abc123.yaml",
      "patchctl.yaml",
      "windows/Production-Saturdays.yaml",
      "windows/Production-Tuesdays.yaml",
      "windows/patch-window-abc123.yaml",
    ]);
    await expectValid(dir);

    // The YAML: modeline, owner, header notes, nested and resolved children, no read-back defaults.
    const config = read(dir, "patchctl.yaml");
    expect(config).toMatch(/^# yaml-language-server: \$schema=\S*schemas\/patchctl\.schema\.json\n/);
    expect(config).toContain("kind: Config\nowner: imported\nregion: us-east-1\n");
    const tuesdays = read(dir, "windows/Production-Tuesdays.yaml");
    expect(tuesdays).toMatch(/^# yaml-language-server: \$schema=\.\.\/\S*schemas\/patchctl\.schema\.json\n/);
    expect(tuesdays).toContain(`from maintenance window 'Production-Tuesdays' (${wt.tuesdays})`);
    expect(tuesdays).toMatch(/# Sensitive: .*targets\[Database-Servers\]\.ownerInformation/);
    expect(tuesdays).toMatch(/# Generated name: this target \(WindowTargetId [0-9a-f-]+\) has no Name in SSM\.\n\s+# `patchctl import --name-unnamed` wrote this name into SSM/);
    expect(tuesdays).toContain("metadata:\n  name: Production-Tuesdays\n  tags:\n    Environment: Production\n  annotations:\n");
    expect(tuesdays).toContain("    patchctl/exempt: \"install-output-logged: imported as found: install tasks must keep their output; set runCommand.outputS3BucketName,");
    expect(tuesdays).toContain("\nspec:\n  schedule: cron(0 0 22 ? * TUE *)\n  duration: 1\n  cutoff: 0\n  targets:\n");
    expect(tuesdays).toContain("    - name: Database-Servers\n      targets:\n        - key: tag:Patch Group\n          values: [Database Servers]\n      ownerInformation: Database Servers\n");
    expect(tuesdays).toContain("    - name: AWS-RunPatchBaseline-Install\n      taskType: RUN_COMMAND\n      taskArn: AWS-RunPatchBaseline\n      targets:\n        - key: WindowTargetIds\n          values: [Database-Servers]\n");
    expect(tuesdays).toContain('      maxConcurrency: "2"\n      maxErrors: "1"\n      runCommand:\n        parameters:\n          Operation: [Install]\n');
    for (const def of ["enabled:", "allowUnassociatedTargets:", "priority:", "resourceType:", "cutoffBehavior:", "patchctl:"]) expect(tuesdays).not.toContain(def);
    const production = read(dir, "baselines/Production-Baseline.yaml");
    expect(production).toContain("  operatingSystem: WINDOWS\n  description: Baseline containing all updates approved for production systems\n");
    expect(production).toContain("  patchGroups: [Database Servers, Front-End Servers]\n");
    for (const def of ["UNSPECIFIED", "ALLOW_AS_DEPENDENCY", "enableNonSecurity", "globalFilters", "approvedPatches:", "rejectedPatches:", "defaultForOperatingSystem", "Sensitive"]) expect(production).not.toContain(def);
    const linux = read(dir, "baselines/custom-baseline-abc123.yaml");
    expect(linux).toContain("  operatingSystem: AMAZON_LINUX_2\n");
    expect(linux).toContain("        complianceLevel: CRITICAL\n        approveAfterDays: 7\n");
    expect(linux).toContain("  approvedPatchesComplianceLevel: CRITICAL\n  patchGroups: [Production]\n  defaultForOperatingSystem: true\n");
    const weekly = read(dir, "windows/patch-window-abc123.yaml");
    expect(weekly).toContain("  description: Weekly patching maintenance window\n  schedule: cron(0 2 ? * SUN *)\n  scheduleTimezone: UTC\n  duration: 4\n  cutoff: 1\n  allowUnassociatedTargets: true\n");
    expect(weekly).toContain("    - name: PatchingTask\n"); // SSM names kept, no generated-name note
    expect(weekly).not.toContain("Generated name");
    // Legacy --task-parameters/--logging-info as their runCommand equivalents (what the engine compares).
    expect(weekly).toContain(`      runCommand:\n        parameters:\n          BaselineOverride: [${rc.baselineId}]\n          Operation: [Install]\n        outputS3BucketName: patch-reports-123456789012-abc123\n        outputS3KeyPrefix: patch-logs\n`);
    expect(weekly).toMatch(/# Sensitive: .*tasks\[PatchingTask\]\.description.*tasks\[PatchingTask\]\.runCommand\.parameters/);
    expect(statSync(path.join(dir, "windows/patch-window-abc123.yaml")).mode & 0o777).toBe(0o600);

    // --name-unnamed wrote the names (and only them) into SSM.
    const targets = await h.sdk.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: wt.tuesdays }));
    expect(targets.Targets).toEqual([expect.objectContaining({ Name: "Database-Servers", OwnerInformation: "Database Servers", Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }] })]);
    const tasks = await h.sdk.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: wt.saturdays }));
    expect(tasks.Tasks).toEqual([expect.objectContaining({ Name: "AWS-RunPatchBaseline-Install", MaxConcurrency: "2", ServiceRoleArn: ROLE })]);

    // Adoption: only the ownership tags; registrations, default, targets and tasks pair as they are.
    await expectOnlyOwnershipTags(dir, "imported", [
      "PatchBaseline/Production-Baseline",
      "PatchBaseline/custom-baseline-abc123",
      "MaintenanceWindow/Production-Tuesdays",
      "MaintenanceWindow/Production-Saturdays",
      "MaintenanceWindow/patch-window-abc123",
    ]);
    const applied = await h.cli(["reconcile", dir, "--adopt"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(applied.out).toContain("Apply complete: 5 applied, 0 failed");
    const tags = await h.sdk.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: rc.baselineId }));
    expect(tags.TagList).toEqual(expect.arrayContaining([{ Key: "patchctl:owner", Value: "imported" }, { Key: "patchctl:name", Value: "custom-baseline-abc123" }]));

    const again = await h.cli(["reconcile", dir, "--plan", "--output", "json"]);
    expect(again.code, again.out).toBe(0);
    expect(JSON.parse(again.out).summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, noop: 2 + 3 + 1 + 3 + 3 + 3 }) // baselines, registrations, default, windows, targets, tasks;
    expect((await h.cli(["drift", dir])).code).toBe(0);
  });

  it("without --name-unnamed changes nothing in SSM; adoption then names the unnamed targets and tasks in place (same ids), and --name-unnamed does it ahead", async () => {
    const wt = await walkthrough();
    const dir = outDir();
    const imported = await h.cli(["import", "--out", dir]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.err).toBe("");
    expect(imported.out).toContain("not written to SSM: `reconcile --adopt` names each one in place (the Name only; ids and histories stay)");
    await expectValid(dir);
    const tuesdays = read(dir, "windows/Production-Tuesdays.yaml");
    expect(tuesdays).toContain("Not in SSM yet: `reconcile --adopt` writes it as this target's Name in place");
    const targets = await h.sdk.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: wt.tuesdays }));
    expect(targets.Targets![0]!.Name).toBeUndefined(); // read only

    // What adoption does then: each unnamed target and task is paired with the imported entry that equals
    // it but for the name, and named in place; nothing is registered or deregistered.
    const planned = await h.cli(["reconcile", dir, "--plan", "--adopt"]);
    expect(planned.code, planned.out + planned.err).toBe(2);
    expect(planned.out).toContain("~ WindowTarget/Production-Tuesdays/Database-Servers");
    expect(planned.out).toContain("~ WindowTask/Production-Tuesdays/AWS-RunPatchBaseline-Install");
    expect(planned.out).not.toMatch(/^\s*[-+] /m);
    expect(planned.out).toContain("Plan: 0 to create, 7 to update, 0 to replace, 0 to delete");

    // Or ahead of adoption: import again with --name-unnamed; the same names, now in SSM; adoption is only the tags.
    const named = await h.cli(["import", "--out", dir, "--name-unnamed", "--force"]);
    expect(named.code, named.err).toBe(0);
    const renamed = read(dir, "windows/Production-Tuesdays.yaml");
    expect(renamed.replace(/\n\s+# Generated name:.*\n(\s+#.*\n)+/g, "\n")).toBe(tuesdays.replace(/\n\s+# Generated name:.*\n(\s+#.*\n)+/g, "\n"));
    await expectOnlyOwnershipTags(dir, "imported", ["PatchBaseline/Production-Baseline", "MaintenanceWindow/Production-Tuesdays", "MaintenanceWindow/Production-Saturdays"]);
    expect((await h.cli(["reconcile", dir, "--adopt"])).code).toBe(0);
    expect((await h.cli(["reconcile", dir, "--plan"])).code).toBe(0);

    // A later import finds the names in SSM: no generated names, stable files.
    const later = outDir();
    const third = await h.cli(["import", "--out", later, "--owner", "imported"]);
    expect(third.code).toBe(0);
    expect(third.out).not.toContain("generated names");
    expect(read(later, "windows/Production-Tuesdays.yaml")).not.toContain("Generated name");
  });

  it("--select imports only what it names (baseline by id, window by name); the rest stays unmanaged", async () => {
    const [wt] = await Promise.all([walkthrough(), recipe()]);
    const dir = outDir();
    const imported = await h.cli(["import", "--out", dir, "--owner", "platform", "--select", `PatchBaseline/${wt.baselineId}`, "--select", "MaintenanceWindow/patch-window-abc123"]);
    expect(imported.code, imported.err).toBe(0);
    expect(filesUnder(dir)).toEqual(["baselines/Production-Baseline.yaml", "patchctl.yaml", "windows/patch-window-abc123.yaml"]);
    expect(read(dir, "patchctl.yaml")).toContain("owner: platform\n");
    await expectValid(dir);

    await expectOnlyOwnershipTags(dir, "platform", ["PatchBaseline/Production-Baseline", "MaintenanceWindow/patch-window-abc123"]);
    const planned = JSON.parse((await h.cli(["reconcile", dir, "--plan", "--adopt", "--output", "json"])).out) as { unmanaged: { name: string }[] };
    expect(planned.unmanaged.map((u) => u.name)).toEqual(expect.arrayContaining(["Production-Tuesdays", "Production-Saturdays", "custom-baseline-abc123"]));
    expect((await h.cli(["reconcile", dir, "--adopt"])).code).toBe(0);
    expect((await h.cli(["reconcile", dir, "--plan"])).code).toBe(0);
    const untouched = await h.sdk.send(new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: wt.tuesdays }));
    expect(untouched.TagList).toEqual([{ Key: "Environment", Value: "Production" }]);

    // Selectors that match nothing, or are malformed, are errors, and nothing is written.
    for (const [sel, message] of [
      ["MaintenanceWindow/nope", "no maintenance window with that name or id"],
      ["PatchBaseline/AWS-DefaultPatchBaseline", "AWS-owned baseline"],
      ["Bucket/x", "expected PatchBaseline/<name or pb-id>, MaintenanceWindow/<name or mw-id>, ServiceRole/<role name> or PatchAssociation/<name or association id>"],
      ["ServiceRole/NoSuchRole", "no IAM role with that name"],
    ] as const) {
      const empty = outDir();
      const bad = await h.cli(["import", "--out", empty, "--select", sel]);
      expect(bad.code, sel).toBe(1);
      expect(bad.err).toContain(message);
    }
  });

  it("imports the IAM role the recipe's tasks run as, names it from the tasks, and adoption tags it and changes nothing else", async () => {
    // The recipe's step 2 with the AWS CLI: trust policy file, create-role, attach-role-policy (plus an inline policy).
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const created = await awsCli("iam", "create-role", "--role-name", "MaintenanceWindowRole-abc123", "--assume-role-policy-document", JSON.stringify(trust), "--tags", "Key=Team,Value=platform");
    const roleArn = (created.Role as Json).Arn as string;
    await awsCli("iam", "attach-role-policy", "--role-name", "MaintenanceWindowRole-abc123", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole");
    const publish = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sns:Publish"], Resource: "*" }] };
    await awsCli("iam", "put-role-policy", "--role-name", "MaintenanceWindowRole-abc123", "--policy-name", "notify", "--policy-document", JSON.stringify(publish));
    await awsCli("iam", "create-role", "--role-name", "Unrelated", "--assume-role-policy-document", JSON.stringify(trust));
    const window = await aws("create-maintenance-window", "--name", "patch-window-abc123", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "4", "--cutoff", "1", "--allow-unassociated-targets");
    const windowId = window.WindowId as string;
    const target = await aws("register-target-with-maintenance-window", "--window-id", windowId, "--targets", "Key=tag:Environment,Values=Production", "--resource-type", "INSTANCE", "--name", "ProductionInstances");
    const task = (name: string, arn: string, op: string) =>
      aws("register-task-with-maintenance-window", "--window-id", windowId, "--targets", `Key=WindowTargetIds,Values=${String(target.WindowTargetId)}`, "--task-type", "RUN_COMMAND",
        "--task-arn", "AWS-RunPatchBaseline", "--service-role-arn", arn, "--name", name, "--max-concurrency", "10%", "--max-errors", "1", "--task-invocation-parameters", `RunCommand={Parameters={Operation=${op}}}`);
    await task("PatchingTask", roleArn, "Install");
    await task("ScanningTask", ROLE, "Scan"); // a role of another account: stays an ARN

    const dir = outDir();
    const imported = await h.cli(["import", "--out", dir]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toContain("imported 0 patch baselines and 1 maintenance window, with 1 service role their tasks run as,");
    expect(filesUnder(dir)).toEqual(["patchctl.yaml", "roles/MaintenanceWindowRole-abc123.yaml", "windows/patch-window-abc123.yaml"]);
    await expectValid(dir);
    const roleYaml = read(dir, "roles/MaintenanceWindowRole-abc123.yaml");
    expect(roleYaml).toContain("kind: ServiceRole\nmetadata:\n  name: MaintenanceWindowRole-abc123\n  tags:\n    Team: platform\nspec:\n  roleName: MaintenanceWindowRole-abc123\n  assumeRolePolicyDocument:\n");
    expect(roleYaml).toContain("  managedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole]\n  inlinePolicies:\n    - policyName: notify\n");
    for (const def of ["path:", "maxSessionDuration:", "patchctl:"]) expect(roleYaml).not.toContain(def);
    const windowYaml = read(dir, "windows/patch-window-abc123.yaml");
    expect(windowYaml).toContain("      serviceRole: MaintenanceWindowRole-abc123\n");
    expect(windowYaml).toContain(`      serviceRoleArn: ${ROLE}\n`);
    expect(windowYaml).not.toContain(roleArn);

    await expectOnlyOwnershipTags(dir, "imported", ["ServiceRole/MaintenanceWindowRole-abc123", "MaintenanceWindow/patch-window-abc123"]);
    const applied = await h.cli(["reconcile", dir, "--adopt"]);
    expect(applied.code, applied.out + applied.err).toBe(0);
    const again = await h.cli(["reconcile", dir, "--plan", "--output", "json"]);
    expect(again.code, again.out).toBe(0);
    const plan = JSON.parse(again.out) as { unmanaged: { type: string; name: string }[] };
    expect(plan.unmanaged).toContainEqual(expect.objectContaining({ type: "ServiceRole", name: "Unrelated" }));
    const tags = (await awsCli("iam", "list-role-tags", "--role-name", "MaintenanceWindowRole-abc123")).Tags as Json[];
    expect(tags).toEqual(expect.arrayContaining([{ Key: "patchctl:owner", Value: "imported" }, { Key: "patchctl:name", Value: "MaintenanceWindowRole-abc123" }, { Key: "Team", Value: "platform" }]));
    expect((await awsCli("iam", "list-role-tags", "--role-name", "Unrelated")).Tags ?? []).toEqual([]);

    // --select ServiceRole/NAME imports just that role.
    const only = outDir();
    expect((await h.cli(["import", "--out", only, "--select", "ServiceRole/Unrelated"])).code).toBe(0);
    expect(filesUnder(only)).toEqual(["patchctl.yaml", "roles/Unrelated.yaml"]);
  });

  it("refuses a non-empty --out unless --force", async () => {
    const dir = writeTree({ "notes.txt": "keep me\n" });
    const refused = await h.cli(["import", "--out", dir]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("is not empty");
    expect(filesUnder(dir)).toEqual(["notes.txt"]);
    const forced = await h.cli(["import", "--out", dir, "--force"]);
    expect(forced.code, forced.err).toBe(0);
    expect(filesUnder(dir)).toEqual(["notes.txt", "patchctl.yaml"]);
    expect((await h.cli(["import"])).err).toContain("--out DIR is required");
  });

  it("keeps the logical names of what the owner already manages, and leaves out other owners' resources", async () => {
    const mine = writeTree({
      "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: imported\n",
      "w.yaml": `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: weekly
spec:
  name: Weekly-Patching
  schedule: rate(7 days)
  duration: 2
  cutoff: 1
  enabled: false
  targets:
    - name: all-web
      targets: [{key: "tag:Role", values: [web]}]
  tasks:
    - name: scan
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      priority: 3
      targets: [{key: WindowTargetIds, values: [all-web]}]
      maxConcurrency: 10%
      maxErrors: 0
      runCommand: {parameters: {Operation: [Scan]}, timeoutSeconds: 600}
`,
    });
    const theirs = writeTree({
      "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: other-team\n",
      "b.yaml": "apiVersion: patchctl/v1\nkind: PatchBaseline\nmetadata: {name: theirs}\nspec:\n  approvalRules: {patchRules: [{patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [SecurityUpdates]}]}, approveAfterDays: 3}]}\n",
    });
    expect((await h.cli(["reconcile", mine])).code).toBe(0);
    expect((await h.cli(["reconcile", theirs])).code).toBe(0);

    const dir = outDir();
    const imported = await h.cli(["import", "--out", dir]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.err).toMatch(/warning: left out PatchBaseline 'theirs' \(pb-[0-9a-f]+\): owned by patchctl owner 'other-team'/);
    expect(filesUnder(dir)).toEqual(["patchctl.yaml", "windows/weekly.yaml"]);
    const weekly = read(dir, "windows/weekly.yaml");
    expect(weekly).toContain("metadata:\n  name: weekly\nspec:\n  name: Weekly-Patching\n  schedule: rate(7 days)\n");
    expect(weekly).toContain("  enabled: false\n");
    expect(weekly).toContain("      priority: 3\n");
    expect(weekly).toContain("      maxErrors: \"0\"\n");
    // Already owned: no adoption needed, the plan is empty straight away.
    const plan = await h.cli(["reconcile", dir, "--plan"]);
    expect(plan.code, plan.out).toBe(0);
  });
});

describe("import naming and defaults", () => {
  it("derives valid, readable names", () => {
    expect(sanitizeName("Database Servers", "target")).toBe("Database-Servers");
    expect(sanitizeName("a", "window")).toBe("window-a");
    expect(sanitizeName("§§", "task")).toBe("task");
    expect(sanitizeName("x".repeat(200), "t")).toHaveLength(128);
    expect(derivedTargetName([{ Key: "tag:Patch Group", Values: ["Front-End Servers"] }])).toBe("Front-End-Servers");
    expect(derivedTargetName([{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }])).toBe("instances");
    expect(derivedTargetName([{ Key: "resource-groups:Name", Values: ["web"] }])).toBe("web");
    expect(derivedTargetName([{ Key: "tag:Env", Values: ["qa"] }])).toBe("target-qa");
    expect(derivedTaskName("AWS-RunPatchBaseline", "Scan")).toBe("AWS-RunPatchBaseline-Scan");
    expect(derivedTaskName("arn:aws:lambda:us-east-1:123456789012:function:drain-node:7", undefined)).toBe("drain-node");
    expect(derivedTaskName("arn:aws:states:us-east-1:123456789012:stateMachine:PatchFlow", undefined)).toBe("PatchFlow");
  });

  it("drops exactly the fields whose absence normalises the same", () => {
    const canonical = (s: Record<string, unknown>) => JSON.stringify({ enabled: s.enabled ?? true, items: ((s.items as { level?: string }[] | undefined) ?? []).map((i) => i.level ?? "LOW"), name: s.name });
    expect(pruneDefaults({ name: "n", enabled: true, items: [{ level: "LOW" }, { level: "HIGH" }] }, canonical)).toEqual({ name: "n", items: [{}, { level: "HIGH" }] });
    expect(pruneDefaults({ name: "n", enabled: false, items: [] }, canonical)).toEqual({ name: "n", enabled: false });
    expect(pruneDefaults({ name: "n", enabled: true }, canonical, new Set(["enabled"]))).toEqual({ name: "n", enabled: true });
  });
});
