import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalPolicy } from "../../src/resources/policy-document.js";
import { awsCli } from "../helpers/aws-cli.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";
import { writeTree } from "../helpers/tmpdir.js";

/**
 * What other tools send and the service reads back must adopt with nothing but the ownership tags
 * (issue 19, gaps 4 and 6): resources made with Debian's AWS CLI the way Terraform's provider makes
 * them, then a desired state written the way a user writes it.
 */
let h: LocalHarness;
const cli = (...args: string[]) => awsCli({ url: h.url, accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey, region: REGION }, "ssm", ...args);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** The adopt plan's changes other than "noop", as key → changed field paths. */
async function adoptPlan(dir: string): Promise<Record<string, string[]>> {
  const r = await h.cli(["reconcile", dir, "--plan", "--adopt", "--output", "json"]);
  expect(r.code, r.out + r.err).toBe(2);
  const plan = JSON.parse(r.out) as { changes: { key: string; action: string; fields: { path: string }[] }[] };
  // The ownership tags (a "tags" field, or its members when the resource has tags of its own) are what adoption adds.
  return Object.fromEntries(plan.changes.filter((c) => c.action !== "noop").map((c) => [c.key, c.fields.map((f) => f.path).filter((p) => p !== "tags" && !p.startsWith("tags.")).sort()]));
}

describe("adopting what other tools made", () => {
  it("an Ubuntu baseline whose rule has ApproveAfterDays 0 (Terraform's default) against a desired rule without a delay", async () => {
    await cli("create-patch-baseline", "--name", "ubuntu-security", "--operating-system", "UBUNTU",
      "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=PRIORITY,Values=[Required,Important]}]},ApproveAfterDays=0}]");
    const dir = writeTree({
      "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: tf\n",
      "b.yaml": `apiVersion: patchctl/v1
kind: PatchBaseline
metadata: {name: ubuntu-security}
spec:
  operatingSystem: UBUNTU
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters: [{key: PRIORITY, values: [Required, Important]}]
`,
    });
    expect(await adoptPlan(dir)).toEqual({ "PatchBaseline/ubuntu-security": [] });
    expect((await h.cli(["reconcile", dir, "--adopt", "--auto-approve"])).code).toBe(0);
    const after = await h.cli(["reconcile", dir, "--plan"]);
    expect(after.code, after.out).toBe(0);
  });

  it("a task registered without a priority against a desired task without one", async () => {
    const wid = String((await cli("create-maintenance-window", "--name", "tf-window", "--schedule", "cron(0 2 ? * SUN *)", "--duration", "3", "--cutoff", "1", "--no-allow-unassociated-targets")).WindowId);
    const tid = String((await cli("register-target-with-maintenance-window", "--window-id", wid, "--name", "fleet", "--resource-type", "INSTANCE", "--targets", "Key=tag:Patch Group,Values=tf")).WindowTargetId);
    await cli("register-task-with-maintenance-window", "--window-id", wid, "--name", "scan", "--task-type", "RUN_COMMAND", "--task-arn", "AWS-RunPatchBaseline",
      "--targets", `Key=WindowTargetIds,Values=${tid}`, "--max-concurrency", "10%", "--max-errors", "1", "--task-invocation-parameters", "RunCommand={Parameters={Operation=Scan}}");
    const dir = writeTree({
      "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: tf2\n",
      "w.yaml": `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: tf-window}
spec:
  schedule: cron(0 2 ? * SUN *)
  scheduleTimezone: UTC
  duration: 3
  cutoff: 1
  targets:
    - name: fleet
      resourceType: INSTANCE
      targets: [{key: "tag:Patch Group", values: [tf]}]
  tasks:
    - name: scan
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [fleet]}]
      maxConcurrency: 10%
      maxErrors: "1"
      runCommand:
        parameters: {Operation: [Scan]}
`,
    });
    const changes = await adoptPlan(dir);
    expect(Object.keys(changes)).toEqual(["MaintenanceWindow/tf-window"]);
    expect(changes["MaintenanceWindow/tf-window"]).toEqual(["scheduleTimezone"]);
    // A priority that is written is compared.
    const withPriority = writeTree({ "patchctl.yaml": "apiVersion: patchctl/v1\nkind: Config\nowner: tf2\n", "w.yaml": readFileSync(`${dir}/w.yaml`, "utf8").replace("      maxErrors: \"1\"\n", "      maxErrors: \"1\"\n      priority: 5\n") });
    expect((await adoptPlan(withPriority))["WindowTask/tf-window/scan"]).toEqual(["priority"]);
  });

  it("a task's CloudWatch output without a log group name against the /aws/ssm/<document> group the service makes", async () => {
    const wid = String((await cli("create-maintenance-window", "--name", "cw-window", "--schedule", "cron(0 3 ? * SUN *)", "--schedule-timezone", "UTC", "--duration", "3", "--cutoff", "1", "--no-allow-unassociated-targets")).WindowId);
    const tid = String((await cli("register-target-with-maintenance-window", "--window-id", wid, "--name", "fleet", "--resource-type", "INSTANCE", "--targets", "Key=tag:Patch Group,Values=cw")).WindowTargetId);
    // What the API reference says the service does for a config without a group name: /aws/ssm/<document name>.
    await cli("register-task-with-maintenance-window", "--window-id", wid, "--name", "scan", "--task-type", "RUN_COMMAND", "--task-arn", "AWS-RunPatchBaseline", "--priority", "1",
      "--targets", `Key=WindowTargetIds,Values=${tid}`, "--max-concurrency", "10%", "--max-errors", "1",
      "--task-invocation-parameters", "RunCommand={Parameters={Operation=Scan},CloudWatchOutputConfig={CloudWatchOutputEnabled=true,CloudWatchLogGroupName=/aws/ssm/AWS-RunPatchBaseline}}");
    const yaml = (group: string) => `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: cw-window}
spec:
  schedule: cron(0 3 ? * SUN *)
  scheduleTimezone: UTC
  duration: 3
  cutoff: 1
  targets:
    - name: fleet
      resourceType: INSTANCE
      targets: [{key: "tag:Patch Group", values: [cw]}]
  tasks:
    - name: scan
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [fleet]}]
      maxConcurrency: 10%
      maxErrors: "1"
      runCommand:
        parameters: {Operation: [Scan]}
        cloudWatchOutputConfig: {cloudWatchOutputEnabled: true${group}}
`;
    const config = "apiVersion: patchctl/v1\nkind: Config\nowner: cw\n";
    // Only the ownership tags: the group name the service filled in is not a change.
    expect(await adoptPlan(writeTree({ "patchctl.yaml": config, "w.yaml": yaml("") }))).toEqual({ "MaintenanceWindow/cw-window": [] });
    // A group name that is written is compared.
    const named = await adoptPlan(writeTree({ "patchctl.yaml": config, "w.yaml": yaml(", cloudWatchLogGroupName: /patching") }));
    expect(named["WindowTask/cw-window/scan"]).toEqual(["runCommand.cloudWatchOutputConfig.cloudWatchLogGroupName"]);
  });

  it("an IAM trust policy naming an account by id equals the account's root ARN IAM reads back", () => {
    const written = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "123456789012", Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const readBack = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root", Service: ["ssm.amazonaws.com"] }, Action: ["sts:AssumeRole"] }] };
    expect(canonicalPolicy(written)).toEqual(canonicalPolicy(readBack));
    expect(canonicalPolicy({ ...written, Statement: [{ ...written.Statement[0]!, Principal: { AWS: ["111111111111", "arn:aws:iam::222222222222:root"] } }] })).toEqual(
      canonicalPolicy({ ...written, Statement: [{ ...written.Statement[0]!, Principal: { AWS: ["arn:aws:iam::111111111111:root", "222222222222"] } }] }),
    );
  });
});
