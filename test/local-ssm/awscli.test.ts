import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";

/**
 * Wire compatibility with a client no one here wrote: Debian's AWS CLI v2 at
 * /usr/bin/aws (apt-get install -y awscli; CI installs it). It validates requests
 * against its copy of the service model, signs them, and parses the responses
 * with the model: a wrong member type, timestamp or error shape shows up here.
 */
const ACCOUNT = "123456789012";
let server: LocalSsm;

type Json = Record<string, unknown>;

async function aws(...args: string[]): Promise<Json> {
  return awsCli({ url: server.url, accessKeyId: `AKIA${ACCOUNT}TEST`, secretAccessKey: "cli-secret", region: "eu-central-1" }, "ssm", ...args);
}

/** The CLI exits non-zero and names the error code: "An error occurred (Code) when calling ...". */
async function awsFails(code: string, ...args: string[]): Promise<string> {
  const err = await aws(...args).then(
    () => undefined,
    (e: { stderr?: string }) => e,
  );
  expect(err, `expected ${code} from ${args.join(" ")}`).toBeDefined();
  expect(String(err!.stderr)).toContain(`An error occurred (${code})`);
  return String(err!.stderr);
}

function recent(iso: unknown): void {
  expect(typeof iso).toBe("string");
  expect(Math.abs(Date.parse(iso as string) - Date.now())).toBeLessThan(5 * 60_000);
}

beforeAll(async () => {
  server = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
});
afterAll(async () => {
  await server.close();
});

describe("the local endpoint driven by Debian's AWS CLI v2 (/usr/bin/aws)", () => {
  it("every operation, outputs parsed and checked, errors by their real codes", async () => {
    // 1. Creates and reads that need nothing.
    const [baseline, window, put, def, groupState, instanceStates] = await Promise.all([
      aws("create-patch-baseline", "--name", "Production-Baseline", "--operating-system", "WINDOWS", "--tags", "Key=Environment,Value=Production",
        "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=MSRC_SEVERITY,Values=[Critical,Important]},{Key=CLASSIFICATION,Values=[SecurityUpdates,Updates,ServicePacks,UpdateRollups,CriticalUpdates]}]},ApproveAfterDays=7}]",
        "--description", "Baseline containing all updates approved for production systems", "--client-token", "cli-baseline-1"),
      aws("create-maintenance-window", "--name", "Production-Tuesdays", "--tags", "Key=Environment,Value=Production", "--schedule", "cron(0 0 22 ? * TUE *)", "--duration", "1", "--cutoff", "0", "--no-allow-unassociated-targets"),
      aws("put-parameter", "--name", "/patchctl/lease/cli", "--value", "holder-1", "--type", "String"),
      aws("get-default-patch-baseline", "--operating-system", "AMAZON_LINUX_2"),
      aws("describe-patch-group-state", "--patch-group", "Database Servers"),
      aws("describe-instance-patch-states-for-patch-group", "--patch-group", "Database Servers", "--filters", "Key=MissingCount,Values=0,Type=GreaterThan"),
    ]);
    const BaselineId = baseline.BaselineId as string;
    const WindowId = window.WindowId as string;
    expect(BaselineId).toMatch(/^pb-[0-9a-f]{17}$/);
    expect(WindowId).toMatch(/^mw-[0-9a-f]{17}$/);
    expect(put).toEqual({ Version: 1, Tier: "Standard" });
    expect(def).toEqual({ BaselineId: expect.stringMatching(/^arn:aws:ssm:eu-central-1:\d{12}:patchbaseline\/pb-[0-9a-f]{17}$/), OperatingSystem: "AMAZON_LINUX_2" });
    expect(groupState).toMatchObject({ Instances: 3, InstancesWithMissingPatches: 1, InstancesWithFailedPatches: 1 });
    const states = instanceStates.InstancePatchStates as Json[];
    expect(states.map((s) => s.InstanceId)).toEqual(["i-0a1b2c3d4e5f60002"]);
    expect(Date.parse(states[0]!.OperationEndTime as string)).toBe(Date.parse("2026-11-17T22:40:00Z"));

    // 2. Reads and changes of what was just created.
    const [got, updated, registered, winUpdated, target, param, executions, schedule, tagged] = await Promise.all([
      aws("get-patch-baseline", "--baseline-id", BaselineId),
      aws("update-patch-baseline", "--baseline-id", BaselineId, "--approved-patches", "KB123456", "--approved-patches-compliance-level", "HIGH"),
      aws("register-patch-baseline-for-patch-group", "--baseline-id", BaselineId, "--patch-group", "Database Servers"),
      aws("update-maintenance-window", "--window-id", WindowId, "--duration", "2", "--description", "Tuesday nights"),
      aws("register-target-with-maintenance-window", "--window-id", WindowId, "--targets", "Key=tag:Patch Group,Values=Database Servers", "--owner-information", "Database Servers", "--resource-type", "INSTANCE", "--name", "Database-Servers"),
      aws("get-parameter", "--name", "/patchctl/lease/cli"),
      aws("describe-maintenance-window-executions", "--window-id", WindowId),
      aws("describe-maintenance-window-schedule", "--window-id", WindowId, "--max-items", "3"),
      aws("add-tags-to-resource", "--resource-type", "PatchBaseline", "--resource-id", BaselineId, "--tags", "Key=Team,Value=Ops", "Key=Environment,Value=Prod"),
    ]);
    expect(got).toMatchObject({ BaselineId, Name: "Production-Baseline", OperatingSystem: "WINDOWS", RejectedPatchesAction: "ALLOW_AS_DEPENDENCY", GlobalFilters: { PatchFilters: [] } });
    expect((got.ApprovalRules as { PatchRules: Json[] }).PatchRules[0]).toMatchObject({ ApproveAfterDays: 7, ComplianceLevel: "UNSPECIFIED", EnableNonSecurity: false });
    recent(got.CreatedDate);
    expect(updated).toMatchObject({ BaselineId, ApprovedPatches: ["KB123456"], ApprovedPatchesComplianceLevel: "HIGH", Description: "Baseline containing all updates approved for production systems" });
    expect(registered).toEqual({ BaselineId, PatchGroup: "Database Servers" });
    expect(winUpdated).toMatchObject({ WindowId, Duration: 2, Description: "Tuesday nights", Enabled: true });
    const WindowTargetId = target.WindowTargetId as string;
    expect(WindowTargetId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(param.Parameter).toMatchObject({ Name: "/patchctl/lease/cli", Value: "holder-1", Version: 1, Type: "String", ARN: `arn:aws:ssm:eu-central-1:${ACCOUNT}:parameter/patchctl/lease/cli` });
    expect((executions.WindowExecutions as Json[]).map((e) => e.Status)).toEqual(["SUCCESS", "SUCCESS"]);
    expect((schedule.ScheduledWindowExecutions as Json[]).length).toBe(3);
    expect((schedule.ScheduledWindowExecutions as Json[])[0]).toMatchObject({ WindowId, Name: "Production-Tuesdays", ExecutionTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T22:00Z$/) });
    expect(tagged).toEqual({});

    // 3. Tasks (the seed's legacy flags too), target update, tag removal, listings through the CLI's paginator.
    const [win, task, legacyTask, targetUpdated, untagged, groups, forGroup, pagedBaselines, windows, deletedParam] = await Promise.all([
      aws("get-maintenance-window", "--window-id", WindowId),
      aws("register-task-with-maintenance-window", "--window-id", WindowId, "--targets", `Key=WindowTargetIds,Values=${WindowTargetId}`, "--task-arn", "AWS-RunPatchBaseline",
        "--service-role-arn", `arn:aws:iam::${ACCOUNT}:role/MW-Role`, "--task-type", "RUN_COMMAND", "--max-concurrency", "2", "--max-errors", "1", "--priority", "1", "--name", "Install-Patches",
        "--task-invocation-parameters", '{"RunCommand":{"Parameters":{"Operation":["Install"]},"OutputS3BucketName":"patch-logs","TimeoutSeconds":600}}'),
      aws("register-task-with-maintenance-window", "--window-id", WindowId, "--targets", `Key=WindowTargetIds,Values=${WindowTargetId}`, "--task-arn", "AWS-RunPatchBaseline",
        "--task-type", "RUN_COMMAND", "--max-concurrency", "1", "--max-errors", "1", "--priority", "2",
        "--task-parameters", '{"Operation":{"Values":["Scan"]}}', "--logging-info", "S3BucketName=patch-logs,S3Region=eu-central-1,S3KeyPrefix=legacy"),
      aws("update-maintenance-window-target", "--window-id", WindowId, "--window-target-id", WindowTargetId, "--name", "db-servers"),
      aws("remove-tags-from-resource", "--resource-type", "PatchBaseline", "--resource-id", BaselineId, "--tag-keys", "Environment"),
      aws("describe-patch-groups"),
      aws("get-patch-baseline-for-patch-group", "--patch-group", "Database Servers"),
      aws("describe-patch-baselines", "--page-size", "4"),
      aws("describe-maintenance-windows", "--filters", "Key=Name,Values=Production-Tuesdays"),
      aws("delete-parameter", "--name", "/patchctl/lease/cli"),
    ]);
    const WindowTaskId = task.WindowTaskId as string;
    expect(win).toMatchObject({ WindowId, Name: "Production-Tuesdays", Description: "Tuesday nights", Schedule: "cron(0 0 22 ? * TUE *)", Duration: 2, Cutoff: 0, AllowUnassociatedTargets: false, Enabled: true, NextExecutionTime: (schedule.ScheduledWindowExecutions as Json[])[0]!.ExecutionTime });
    recent(win.ModifiedDate);
    recent(win.CreatedDate);
    expect(targetUpdated).toMatchObject({ WindowId, WindowTargetId, Name: "db-servers", OwnerInformation: "Database Servers", Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }] });
    expect(untagged).toEqual({});
    expect(groups.Mappings).toEqual([{ PatchGroup: "Database Servers", BaselineIdentity: { BaselineId, BaselineName: "Production-Baseline", OperatingSystem: "WINDOWS", BaselineDescription: "Baseline containing all updates approved for production systems", DefaultBaseline: false } }]);
    expect(forGroup).toEqual({ BaselineId, PatchGroup: "Database Servers", OperatingSystem: "WINDOWS" });
    const identities = pagedBaselines.BaselineIdentities as Json[];
    expect(identities.length).toBeGreaterThanOrEqual(18);
    expect(new Set(identities.map((b) => b.BaselineId)).size).toBe(identities.length);
    expect(identities.filter((b) => b.BaselineId === BaselineId)).toHaveLength(1);
    expect((windows.WindowIdentities as Json[]).map((w) => w.WindowId)).toEqual([WindowId]);
    expect(deletedParam).toEqual({});

    // 4. Reads of tasks and targets, updates, and the errors.
    const [gotTask, taskUpdated, tasks, targets, tags, registeredDefault] = await Promise.all([
      aws("get-maintenance-window-task", "--window-id", WindowId, "--window-task-id", WindowTaskId),
      aws("update-maintenance-window-task", "--window-id", WindowId, "--window-task-id", WindowTaskId, "--priority", "3"),
      aws("describe-maintenance-window-tasks", "--window-id", WindowId),
      aws("describe-maintenance-window-targets", "--window-id", WindowId, "--filters", `Key=WindowTargetId,Values=${WindowTargetId}`),
      aws("list-tags-for-resource", "--resource-type", "PatchBaseline", "--resource-id", BaselineId),
      aws("register-default-patch-baseline", "--baseline-id", BaselineId),
      awsFails("TargetInUseException", "deregister-target-from-maintenance-window", "--window-id", WindowId, "--window-target-id", WindowTargetId, "--safe"),
      awsFails("AlreadyExistsException", "register-patch-baseline-for-patch-group", "--baseline-id", BaselineId, "--patch-group", "Database Servers"),
      awsFails("ParameterNotFound", "get-parameter", "--name", "/patchctl/lease/cli"),
      awsFails("ValidationException", "create-maintenance-window", "--name", "too-long", "--schedule", "rate(1 day)", "--duration", "25", "--cutoff", "1", "--allow-unassociated-targets"),
    ]);
    expect(gotTask).toMatchObject({ WindowId, WindowTaskId, TaskType: "RUN_COMMAND", TaskArn: "AWS-RunPatchBaseline", MaxConcurrency: "2", MaxErrors: "1", ServiceRoleArn: `arn:aws:iam::${ACCOUNT}:role/MW-Role`, Name: "Install-Patches" });
    // An unset Comment reads back as "" (the recorded get-maintenance-window-task example).
    expect(gotTask.TaskInvocationParameters).toEqual({ RunCommand: { Parameters: { Operation: ["Install"] }, OutputS3BucketName: "patch-logs", TimeoutSeconds: 600, Comment: "" } });
    const legacy = (tasks.Tasks as Json[]).find((t) => t.WindowTaskId === legacyTask.WindowTaskId);
    expect(legacy).toMatchObject({ TaskParameters: { Operation: { Values: ["Scan"] } }, LoggingInfo: { S3BucketName: "patch-logs", S3Region: "eu-central-1", S3KeyPrefix: "legacy" }, ServiceRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM` });
    expect(taskUpdated).toMatchObject({ WindowTaskId, Priority: 3, TaskInvocationParameters: gotTask.TaskInvocationParameters });
    const listed = tasks.Tasks as Json[];
    expect(listed.map((t) => [t.WindowTaskId, t.Type]).sort()).toEqual([[WindowTaskId, "RUN_COMMAND"], [legacyTask.WindowTaskId, "RUN_COMMAND"]].sort());
    expect(listed.find((t) => t.WindowTaskId === legacyTask.WindowTaskId)!.Priority).toBe(2);
    for (const t of listed) expect(t).not.toHaveProperty("TaskInvocationParameters");
    expect(targets.Targets).toEqual([{ WindowId, WindowTargetId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }], OwnerInformation: "Database Servers", Name: "db-servers" }]);
    expect(tags.TagList).toEqual([{ Key: "Team", Value: "Ops" }]);
    expect(registeredDefault).toEqual({ BaselineId });

    // 5. Tear down in the order a reconciler would, with the errors on the way.
    await awsFails("ResourceInUseException", "delete-patch-baseline", "--baseline-id", BaselineId);
    const [deregTask, deregGroup, awsOwned] = await Promise.all([
      aws("deregister-task-from-maintenance-window", "--window-id", WindowId, "--window-task-id", WindowTaskId),
      aws("deregister-patch-baseline-for-patch-group", "--baseline-id", BaselineId, "--patch-group", "Database Servers"),
      aws("describe-patch-baselines", "--filters", "Key=OWNER,Values=AWS", "Key=OPERATING_SYSTEM,Values=WINDOWS", "Key=NAME_PREFIX,Values=AWS-DefaultPatchBaseline"),
    ]);
    expect(deregTask).toEqual({ WindowId, WindowTaskId });
    expect(deregGroup).toEqual({ BaselineId, PatchGroup: "Database Servers" });
    const awsDefault = (awsOwned.BaselineIdentities as Json[])[0]!;
    expect(awsOwned.BaselineIdentities).toHaveLength(1);
    expect(awsDefault.DefaultBaseline).toBe(false);
    const [reverted, deregTarget] = await Promise.all([
      aws("register-default-patch-baseline", "--baseline-id", awsDefault.BaselineId as string),
      // Without --safe, a target still used by a task goes anyway.
      aws("deregister-target-from-maintenance-window", "--window-id", WindowId, "--window-target-id", WindowTargetId),
    ]);
    expect(reverted).toEqual({ BaselineId: awsDefault.BaselineId });
    expect(deregTarget).toEqual({ WindowId, WindowTargetId });
    const [deletedBaseline, deletedWindow] = await Promise.all([aws("delete-patch-baseline", "--baseline-id", BaselineId), aws("delete-maintenance-window", "--window-id", WindowId)]);
    expect(deletedBaseline).toEqual({ BaselineId });
    expect(deletedWindow).toEqual({ WindowId });
    await awsFails("DoesNotExistException", "get-maintenance-window", "--window-id", WindowId);
  }, 120_000);
});
