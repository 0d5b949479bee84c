import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";

const {
  SSMClient, CreatePatchBaselineCommand, GetPatchBaselineCommand, UpdatePatchBaselineCommand, DeletePatchBaselineCommand, DescribePatchBaselinesCommand,
  RegisterPatchBaselineForPatchGroupCommand, DeregisterPatchBaselineForPatchGroupCommand, DescribePatchGroupsCommand, GetPatchBaselineForPatchGroupCommand,
  RegisterDefaultPatchBaselineCommand, GetDefaultPatchBaselineCommand, CreateMaintenanceWindowCommand, UpdateMaintenanceWindowCommand, GetMaintenanceWindowCommand,
  DeleteMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand, RegisterTargetWithMaintenanceWindowCommand, UpdateMaintenanceWindowTargetCommand,
  DeregisterTargetFromMaintenanceWindowCommand, DescribeMaintenanceWindowTargetsCommand, RegisterTaskWithMaintenanceWindowCommand, UpdateMaintenanceWindowTaskCommand,
  GetMaintenanceWindowTaskCommand, DeregisterTaskFromMaintenanceWindowCommand, DescribeMaintenanceWindowTasksCommand, AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand, ListTagsForResourceCommand, DescribePatchGroupStateCommand, DescribeInstancePatchStatesForPatchGroupCommand,
  DescribeMaintenanceWindowExecutionsCommand, PutParameterCommand, GetParameterCommand, DeleteParameterCommand,
} = ssm;

let server: LocalSsm;
let client: ssm.SSMClient;
const creds = { accessKeyId: "AKIA111111111111TEST", secretAccessKey: "x" };

beforeAll(async () => {
  server = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
  client = new SSMClient({ region: "eu-west-1", endpoint: server.url, credentials: creds, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e as Error);
  expect(err, `expected ${name}`).toBeInstanceOf(Error);
  expect(err!.name).toBe(name);
  if (message) expect(err!.message).toMatch(message);
}

const rule = { PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION" as const, Values: ["SecurityUpdates"] }] }, ApproveAfterDays: 7 };

describe("local SSM through @aws-sdk/client-ssm over HTTP", () => {
  it("patch baselines: create, read-back defaults, update with and without Replace, describe, delete", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "sdk-base", ApprovalRules: { PatchRules: [rule] }, Description: "d", Tags: [{ Key: "a", Value: "1" }] }));
    expect(BaselineId).toMatch(/^pb-[0-9a-f]{17}$/);
    const got = await client.send(new GetPatchBaselineCommand({ BaselineId }));
    expect(got.OperatingSystem).toBe("WINDOWS");
    expect(got.GlobalFilters).toEqual({ PatchFilters: [] });
    expect(got.ApprovedPatches).toEqual([]);
    expect(got.ApprovedPatchesComplianceLevel).toBe("UNSPECIFIED");
    expect(got.RejectedPatchesAction).toBe("ALLOW_AS_DEPENDENCY");
    expect(got.ApprovalRules!.PatchRules![0]!.ComplianceLevel).toBe("UNSPECIFIED");
    expect(got.CreatedDate).toBeInstanceOf(Date);
    await client.send(new UpdatePatchBaselineCommand({ BaselineId, ApprovedPatches: ["KB1"] }));
    expect((await client.send(new GetPatchBaselineCommand({ BaselineId }))).Description).toBe("d");
    await client.send(new UpdatePatchBaselineCommand({ BaselineId, Name: "sdk-base", Replace: true }));
    const replaced = await client.send(new GetPatchBaselineCommand({ BaselineId }));
    expect(replaced.Description).toBeUndefined();
    expect(replaced.ApprovedPatches).toEqual([]);
    const listed = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["Self"] }, { Key: "NAME_PREFIX", Values: ["sdk-"] }] }));
    expect(listed.BaselineIdentities!.map((b) => b.BaselineId)).toEqual([BaselineId]);
    await client.send(new DeletePatchBaselineCommand({ BaselineId }));
    await rejects(client.send(new GetPatchBaselineCommand({ BaselineId })), "DoesNotExistException");
  });

  it("AWS-owned baselines: one per OS with ARN ids, each the initial default", async () => {
    const aws = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["AWS"] }], MaxResults: 100 }));
    expect(aws.BaselineIdentities!.length).toBeGreaterThanOrEqual(15);
    for (const b of aws.BaselineIdentities!) expect(b.BaselineId).toMatch(/^arn:aws:ssm:eu-west-1:\d{12}:patchbaseline\/pb-[0-9a-f]{17}$/);
    const def = await client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "AMAZON_LINUX_2" }));
    expect(aws.BaselineIdentities!.find((b) => b.BaselineId === def.BaselineId)!.DefaultBaseline).toBe(true);
  });

  it("patch groups and defaults: register, AlreadyExists, ResourceInUse, deregister, default moves", async () => {
    const a = (await client.send(new CreatePatchBaselineCommand({ Name: "grp-a", ApprovalRules: { PatchRules: [rule] } }))).BaselineId!;
    const b = (await client.send(new CreatePatchBaselineCommand({ Name: "grp-b", ApprovalRules: { PatchRules: [rule] } }))).BaselineId!;
    await client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "Web Servers" }));
    await rejects(client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: b, PatchGroup: "Web Servers" })), "AlreadyExistsException");
    expect((await client.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: "Web Servers" }))).BaselineId).toBe(a);
    const groups = await client.send(new DescribePatchGroupsCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["Web"] }] }));
    expect(groups.Mappings).toEqual([{ PatchGroup: "Web Servers", BaselineIdentity: expect.objectContaining({ BaselineId: a, BaselineName: "grp-a" }) }]);
    await rejects(client.send(new DeletePatchBaselineCommand({ BaselineId: a })), "ResourceInUseException");
    await client.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: b }));
    expect((await client.send(new GetDefaultPatchBaselineCommand({}))).BaselineId).toBe(b);
    await rejects(client.send(new DeletePatchBaselineCommand({ BaselineId: b })), "ResourceInUseException", /default/);
    await client.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "Web Servers" }));
    await rejects(client.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "Web Servers" })), "DoesNotExistException");
    await client.send(new DeletePatchBaselineCommand({ BaselineId: a }));
  });

  it("ClientToken idempotency and IdempotentParameterMismatch", async () => {
    const first = await client.send(new CreatePatchBaselineCommand({ Name: "idem", ClientToken: "tok-1", ApprovalRules: { PatchRules: [rule] } }));
    const again = await client.send(new CreatePatchBaselineCommand({ Name: "idem", ClientToken: "tok-1", ApprovalRules: { PatchRules: [rule] } }));
    expect(again.BaselineId).toBe(first.BaselineId);
    await rejects(client.send(new CreatePatchBaselineCommand({ Name: "idem-other", ClientToken: "tok-1" })), "IdempotentParameterMismatch");
    const all = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["idem"] }] }));
    expect(all.BaselineIdentities).toHaveLength(1);
  });

  it("ValidationException in AWS's words, for patterns, ranges and cross-field rules", async () => {
    await rejects(client.send(new CreatePatchBaselineCommand({ Name: "no spaces allowed" })), "ValidationException", /Value 'no spaces allowed' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await rejects(client.send(new CreateMaintenanceWindowCommand({ Name: "mw-bad", Schedule: "cron(0 2 ? * SUN *)", Duration: 25, Cutoff: 1, AllowUnassociatedTargets: false })), "ValidationException", /less than or equal to 24/);
    await rejects(client.send(new CreateMaintenanceWindowCommand({ Name: "mw-bad", Schedule: "cron(0 2 ? * SUN *)", Duration: 2, Cutoff: 2, AllowUnassociatedTargets: false })), "ValidationException", /cutoff must be less than the duration/);
    await rejects(client.send(new CreateMaintenanceWindowCommand({ Name: "mw-bad", Schedule: "cron(0 2 * * SUN)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false })), "ValidationException", /Invalid schedule/);
    await rejects(client.send(new DescribePatchBaselinesCommand({ MaxResults: 500 })), "ValidationException", /less than or equal to 100/);
    await rejects(client.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 5 })), "ValidationException", /greater than or equal to 10/);
  });

  it("windows, targets and tasks: defaults, Replace, Safe, cascading delete, NextExecutionTime", async () => {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "sdk-window", Schedule: "cron(0 22 ? * TUE *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Description: "x", Tags: [{ Key: "Environment", Value: "Production" }] }));
    expect(WindowId).toMatch(/^mw-[0-9a-f]{17}$/);
    const w = await client.send(new GetMaintenanceWindowCommand({ WindowId }));
    expect(w.Enabled).toBe(true);
    expect(w.NextExecutionTime).toMatch(/^\d{4}-\d{2}-\d{2}T22:00Z$/);
    await client.send(new UpdateMaintenanceWindowCommand({ WindowId, Name: "sdk-window", Schedule: "cron(0 22 ? * TUE *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Enabled: false, Replace: true }));
    const w2 = await client.send(new GetMaintenanceWindowCommand({ WindowId }));
    expect(w2.Description).toBeUndefined();
    expect(w2.Enabled).toBe(false);

    const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["Web"] }], Name: "web", OwnerInformation: "team" }));
    expect(WindowTargetId).toMatch(/^[0-9a-f-]{36}$/);
    await client.send(new UpdateMaintenanceWindowTargetCommand({ WindowId, WindowTargetId, Targets: [{ Key: "tag:Patch Group", Values: ["Web", "Api"] }], Name: "web", Replace: true }));
    const targets = await client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId, Filters: [{ Key: "WindowTargetId", Values: [WindowTargetId!] }] }));
    expect(targets.Targets![0]!.Targets![0]!.Values).toEqual(["Web", "Api"]);
    expect(targets.Targets![0]!.OwnerInformation).toBeUndefined();

    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [WindowTargetId!] }], MaxConcurrency: "10%", MaxErrors: "1",
      TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Install"] }, OutputS3BucketName: "logs" } }, Name: "install",
    }));
    const task = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
    expect(task.TaskType).toBe("RUN_COMMAND");
    expect(task.ServiceRoleArn).toMatch(/:role\/aws-service-role\/ssm\.amazonaws\.com\/AWSServiceRoleForAmazonSSM$/);
    expect(task.Priority).toBe(1);
    expect(task.TaskInvocationParameters!.RunCommand!.Parameters).toEqual({ Operation: ["Install"] });
    // Without Replace, TaskInvocationParameters is still replaced whole.
    await client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId, TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Scan"] } } } }));
    const updated = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
    expect(updated.TaskInvocationParameters!.RunCommand).toEqual({ Parameters: { Operation: ["Scan"] } });
    const described = await client.send(new DescribeMaintenanceWindowTasksCommand({ WindowId }));
    expect(described.Tasks![0]!.Type).toBe("RUN_COMMAND");
    expect(described.Tasks![0]).not.toHaveProperty("TaskInvocationParameters");

    await rejects(client.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId, WindowTargetId, Safe: true })), "TargetInUseException");
    const targetless = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RestartEC2Instance", TaskType: "AUTOMATION" }));
    const tl = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: targetless.WindowTaskId }));
    expect([tl.MaxConcurrency, tl.MaxErrors]).toEqual(["1", "1"]);
    await client.send(new DeregisterTaskFromMaintenanceWindowCommand({ WindowId, WindowTaskId: targetless.WindowTaskId }));

    await client.send(new DeleteMaintenanceWindowCommand({ WindowId }));
    await rejects(client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId })), "DoesNotExistException");
    await rejects(client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId })), "DoesNotExistException");
  });

  it("tags: add, overwrite, remove, list; unknown ids and too many tags", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "tagged", ApprovalRules: { PatchRules: [rule] } }));
    await client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
    await client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: [{ Key: "a", Value: "3" }] }));
    await client.send(new RemoveTagsFromResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, TagKeys: ["b"] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId }))).TagList).toEqual([{ Key: "a", Value: "3" }]);
    await rejects(client.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: "pb-00000000000000000" })), "InvalidResourceId");
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await rejects(client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: many })), "TooManyTagsError");
    await client.send(new DeletePatchBaselineCommand({ BaselineId }));
  });

  it("quotas: ResourceLimitExceededException past 50 windows and 20 tasks per window", async () => {
    const quota = new SSMClient({ region: "ap-south-1", endpoint: server.url, credentials: creds, maxAttempts: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await quota.send(new CreateMaintenanceWindowCommand({ Name: `q-${i}`, Schedule: "rate(7 days)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }))).WindowId!);
    await rejects(quota.send(new CreateMaintenanceWindowCommand({ Name: "q-51", Schedule: "rate(7 days)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true })), "ResourceLimitExceededException");
    for (let i = 0; i < 20; i++) await quota.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: ids[0], TaskArn: "AWS-Doc", TaskType: "AUTOMATION" }));
    await rejects(quota.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: ids[0], TaskArn: "AWS-Doc", TaskType: "AUTOMATION" })), "ResourceLimitExceededException");
    quota.destroy();
  });

  it("pagination honours MaxResults and NextToken", async () => {
    const pager = new SSMClient({ region: "sa-east-1", endpoint: server.url, credentials: creds, maxAttempts: 1 });
    for (let i = 0; i < 25; i++) await pager.send(new CreateMaintenanceWindowCommand({ Name: `p-${String(i).padStart(2, "0")}`, Schedule: "rate(1 day)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    const seen: string[] = [];
    for await (const page of ssm.paginateDescribeMaintenanceWindows({ client: pager, pageSize: 10 }, {})) {
      expect(page.WindowIdentities!.length).toBeLessThanOrEqual(10);
      seen.push(...page.WindowIdentities!.map((w) => w.Name!));
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    pager.destroy();
  });

  it("regions and accounts are isolated", async () => {
    const other = new SSMClient({ region: "eu-west-1", endpoint: server.url, credentials: { accessKeyId: "AKIA222222222222TEST", secretAccessKey: "x" }, maxAttempts: 1 });
    await client.send(new CreatePatchBaselineCommand({ Name: "only-in-111", ApprovalRules: { PatchRules: [rule] } }));
    const theirs = await other.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["only-in"] }] }));
    expect(theirs.BaselineIdentities).toEqual([]);
    other.destroy();
  });

  it("compliance reads from the simulated fleet, and window executions", async () => {
    const state = await client.send(new DescribePatchGroupStateCommand({ PatchGroup: "Database Servers" }));
    expect(state.Instances).toBe(3);
    expect(state.InstancesWithMissingPatches).toBe(1);
    expect(state.InstancesWithFailedPatches).toBe(1);
    const states = await client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers", Filters: [{ Key: "MissingCount", Values: ["0"], Type: "GreaterThan" }] }));
    expect(states.InstancePatchStates!.map((s) => s.InstanceId)).toEqual(["i-0a1b2c3d4e5f60002"]);
    expect(states.InstancePatchStates![0]!.OperationEndTime).toBeInstanceOf(Date);
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "Production-Tuesdays", Schedule: "cron(0 22 ? * TUE *)", Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
    const runs = await client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId }));
    expect(runs.WindowExecutions!.map((e) => e.Status)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("parameters: create-if-absent, overwrite, get, delete", async () => {
    await client.send(new PutParameterCommand({ Name: "/patchctl/lease/x", Value: "a", Type: "String" }));
    await rejects(client.send(new PutParameterCommand({ Name: "/patchctl/lease/x", Value: "b", Type: "String" })), "ParameterAlreadyExists");
    await client.send(new PutParameterCommand({ Name: "/patchctl/lease/x", Value: "c", Type: "String", Overwrite: true }));
    expect((await client.send(new GetParameterCommand({ Name: "/patchctl/lease/x" }))).Parameter!.Value).toBe("c");
    await client.send(new DeleteParameterCommand({ Name: "/patchctl/lease/x" }));
    await rejects(client.send(new GetParameterCommand({ Name: "/patchctl/lease/x" })), "ParameterNotFound");
  });

  it("unknown operations and malformed bodies get AWS-style 400 JSON errors", async () => {
    const post = (target: string, body: string) => fetch(server.url, { method: "POST", headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.1" }, body });
    const unknown = await post("AmazonSSM.LaunchRocket", "{}");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ __type: "UnknownOperationException", message: expect.any(String) });
    const bad = await post("AmazonSSM.GetPatchBaseline", "{not json");
    expect(bad.status).toBe(400);
    expect((await bad.json()).__type).toBe("SerializationException");
    const wrongType = await post("AmazonSSM.GetPatchBaseline", JSON.stringify({ BaselineId: 42 }));
    expect(wrongType.status).toBe(400);
    expect((await wrongType.json()).__type).toBe("SerializationException");
  });
});

describe("fault and load knobs", () => {
  it("--tps throttles with ThrottlingException and counts it; --fail-rate answers InternalServerError", async () => {
    const slow = await startLocalSsm({ port: 0, tps: 5 });
    const c = new SSMClient({ region: "us-east-1", endpoint: slow.url, credentials: creds, maxAttempts: 1 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.send(new DescribePatchBaselinesCommand({}))));
    const throttled = results.filter((r) => r.status === "rejected" && (r.reason as Error).name === "ThrottlingException");
    expect(throttled.length).toBeGreaterThan(0);
    expect(slow.stats().throttled).toBe(throttled.length);
    expect(slow.stats().calls.DescribePatchBaselines).toBe(20);
    c.destroy();
    await slow.close();

    const flaky = await startLocalSsm({ port: 0, failRate: 1 });
    const f = new SSMClient({ region: "us-east-1", endpoint: flaky.url, credentials: creds, maxAttempts: 1 });
    await rejects(f.send(new DescribePatchBaselinesCommand({})), "InternalServerError");
    f.destroy();
    await flaky.close();
  });

  it("the stats endpoint counts calls by operation and resets", async () => {
    const s = await startLocalSsm({ port: 0 });
    const c = new SSMClient({ region: "us-east-1", endpoint: s.url, credentials: creds });
    await c.send(new DescribePatchBaselinesCommand({}));
    const stats = (await (await fetch(`${s.url}/_local/stats`)).json()) as { calls: Record<string, number> };
    expect(stats.calls.DescribePatchBaselines).toBe(1);
    await fetch(`${s.url}/_local/stats/reset`, { method: "POST" });
    expect(s.stats().total).toBe(0);
    c.destroy();
    await s.close();
  });
});
