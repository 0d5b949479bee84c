import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { expectAwsError, rawCall, sdkClient } from "./helpers.js";

const {
  CreateMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, UpdateMaintenanceWindowTargetCommand, DeregisterTargetFromMaintenanceWindowCommand,
  DescribeMaintenanceWindowTargetsCommand, RegisterTaskWithMaintenanceWindowCommand, UpdateMaintenanceWindowTaskCommand, GetMaintenanceWindowTaskCommand,
  DeregisterTaskFromMaintenanceWindowCommand, DescribeMaintenanceWindowTasksCommand,
} = ssm;

const ACCOUNT = "333333333333";
const SERVICE_LINKED_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/MaintenanceWindowRole`;

let server: LocalSsm;
let client: ssm.SSMClient;
let WindowId: string;
let n = 0;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  client = sdkClient(server.url, "eu-central-1", ACCOUNT);
});
afterAll(async () => {
  client.destroy();
  await server.close();
});
beforeEach(async () => {
  WindowId = (await client.send(new CreateMaintenanceWindowCommand({ Name: `w-${n++}`, Schedule: "cron(0 22 ? * TUE *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false }))).WindowId!;
});

async function dbTarget(extra: Partial<ssm.RegisterTargetWithMaintenanceWindowRequest> = {}): Promise<string> {
  return (await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }], ...extra }))).WindowTargetId!;
}

async function describeTarget(id: string): Promise<ssm.MaintenanceWindowTarget> {
  const out = await client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId, Filters: [{ Key: "WindowTargetId", Values: [id] }] }));
  expect(out.Targets).toHaveLength(1);
  return out.Targets![0]!;
}

describe("window targets", () => {
  it("register (UUID ids), read with Describe and its filters", async () => {
    const id = await dbTarget({ OwnerInformation: "Database Servers", Name: "db-servers", Description: "All database servers" });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await describeTarget(id)).toEqual({ WindowId, WindowTargetId: id, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }], OwnerInformation: "Database Servers", Name: "db-servers", Description: "All database servers" });
    const rg = (await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "RESOURCE_GROUP", Targets: [{ Key: "resource-groups:Name", Values: ["web"] }, { Key: "resource-groups:ResourceTypeFilters", Values: ["AWS::EC2::Instance"] }] }))).WindowTargetId!;
    const ids = (await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0", "i-01234567"] }] }))).WindowTargetId!;
    const byType = await client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId, Filters: [{ Key: "Type", Values: ["RESOURCE_GROUP"] }] }));
    expect(byType.Targets!.map((t) => t.WindowTargetId)).toEqual([rg]);
    const byOwner = await client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId, Filters: [{ Key: "OwnerInformation", Values: ["Database Servers"] }] }));
    expect(byOwner.Targets!.map((t) => t.WindowTargetId)).toEqual([id]);
    expect((await client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId }))).Targets!.map((t) => t.WindowTargetId)).toEqual([id, rg, ids]);
    await expectAwsError(client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId, Filters: [{ Key: "Name", Values: ["x"] }] })), "ValidationException");
    await expectAwsError(client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId, MaxResults: 101 })), "ValidationException", { message: /at 'maxResults'/ });
  });

  it("what a target may select: keys by resource type, at least one target and one value, valid instance ids", async () => {
    const reg = (ResourceType: "INSTANCE" | "RESOURCE_GROUP", Targets: ssm.Target[]) => client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType, Targets }));
    await expectAwsError(reg("INSTANCE", []), "ValidationException", { message: /at least one target/ });
    await expectAwsError(reg("INSTANCE", [{ Key: "resource-groups:Name", Values: ["web"] }]), "ValidationException", { message: /not valid for resource type INSTANCE/ });
    await expectAwsError(reg("RESOURCE_GROUP", [{ Key: "tag:Role", Values: ["web"] }]), "ValidationException", { message: /not valid for resource type RESOURCE_GROUP/ });
    await expectAwsError(reg("INSTANCE", [{ Key: "tag:Role", Values: [] }]), "ValidationException", { message: /at least one value/ });
    await expectAwsError(reg("INSTANCE", [{ Key: "InstanceIds", Values: ["web-1"] }]), "ValidationException", { message: /instance id/ });
    const six = Array.from({ length: 6 }, (_, i) => ({ Key: `tag:k${i}`, Values: ["v"] }));
    await expectAwsError(reg("INSTANCE", six), "ValidationException", { message: /at 'targets' failed to satisfy constraint: Member must have length less than or equal to 5/ });
    await expectAwsError(client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: "mw-0123456789abcdef0", ResourceType: "INSTANCE", Targets: [{ Key: "tag:a", Values: ["b"] }] })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
  });

  it("update without Replace keeps the rest; with Replace, Targets is required and omitted fields go; ResourceType cannot be updated", async () => {
    const id = await dbTarget({ OwnerInformation: "owner", Name: "dbs", Description: "desc" });
    const out = await client.send(new UpdateMaintenanceWindowTargetCommand({ WindowId, WindowTargetId: id, Name: "db-renamed" }));
    expect(out).toMatchObject({ WindowId, WindowTargetId: id, Name: "db-renamed", OwnerInformation: "owner", Description: "desc", Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }] });
    expect(out).not.toHaveProperty("ResourceType");
    await expectAwsError(client.send(new UpdateMaintenanceWindowTargetCommand({ WindowId, WindowTargetId: id, Name: "x-y-z", Replace: true })), "ValidationException", { message: "1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null" });
    await client.send(new UpdateMaintenanceWindowTargetCommand({ WindowId, WindowTargetId: id, Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers", "Front-End Servers"] }], Replace: true }));
    const t = await describeTarget(id);
    expect(t.Targets![0]!.Values).toEqual(["Database Servers", "Front-End Servers"]);
    expect([t.Name, t.OwnerInformation, t.Description]).toEqual([undefined, undefined, undefined]);
    const raw = await rawCall(server.url, "AmazonSSM.UpdateMaintenanceWindowTarget", JSON.stringify({ WindowId, WindowTargetId: id, ResourceType: "RESOURCE_GROUP" }), { authorization: `AWS4-HMAC-SHA256 Credential=AKIA${ACCOUNT}TEST/20260101/eu-central-1/ssm/aws4_request, SignedHeaders=host, Signature=0` });
    expect([raw.status, raw.json.__type]).toEqual([400, "SerializationException"]);
    await expectAwsError(client.send(new UpdateMaintenanceWindowTargetCommand({ WindowId, WindowTargetId: "00000000-0000-4000-8000-000000000000", Name: "abc" })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
  });

  it("deregister: Safe=true refuses while a task uses the target (TargetInUseException); without Safe it goes", async () => {
    const id = await dbTarget();
    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [id] }], MaxConcurrency: "50%", MaxErrors: "1" }));
    await expectAwsError(client.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId, WindowTargetId: id, Safe: true })), "TargetInUseException", { cls: ssm.TargetInUseException, message: new RegExp(WindowTaskId!) });
    await client.send(new DeregisterTaskFromMaintenanceWindowCommand({ WindowId, WindowTaskId }));
    expect(await client.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId, WindowTargetId: id, Safe: true }))).toMatchObject({ WindowId, WindowTargetId: id });
    const other = await dbTarget();
    const user = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [other] }], MaxConcurrency: "1", MaxErrors: "1" }));
    await client.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId, WindowTargetId: other }));
    expect((await client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId }))).Targets).toEqual([]);
    // The task keeps its reference; an unrelated update of it still works.
    await client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: user.WindowTaskId, Priority: 4 }));
    expect((await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: user.WindowTaskId }))).Targets).toEqual([{ Key: "WindowTargetIds", Values: [other] }]);
    await expectAwsError(client.send(new DeregisterTargetFromMaintenanceWindowCommand({ WindowId, WindowTargetId: other })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
  });

  it("ClientToken idempotency and 100 targets per window", async () => {
    const req = { WindowId, ResourceType: "INSTANCE" as const, Targets: [{ Key: "tag:Role", Values: ["db"] }], ClientToken: "target-token" };
    const a = await client.send(new RegisterTargetWithMaintenanceWindowCommand(req));
    expect((await client.send(new RegisterTargetWithMaintenanceWindowCommand(req))).WindowTargetId).toBe(a.WindowTargetId);
    await expectAwsError(client.send(new RegisterTargetWithMaintenanceWindowCommand({ ...req, Targets: [{ Key: "tag:Role", Values: ["web"] }] })), "IdempotentParameterMismatch", { cls: ssm.IdempotentParameterMismatch });
    await Promise.all(Array.from({ length: 99 }, (_, i) => client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Role", Values: [`r${i}`] }] }))));
    await expectAwsError(client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Role", Values: ["one-more"] }] })), "ResourceLimitExceededException", { cls: ssm.ResourceLimitExceededException });
    const all: string[] = [];
    for await (const page of ssm.paginateDescribeMaintenanceWindowTargets({ client, pageSize: 30 }, { WindowId })) all.push(...page.Targets!.map((t) => t.WindowTargetId!));
    expect(new Set(all).size).toBe(100);
  });
});

describe("window tasks", () => {
  it("register and get: every field, TaskType, the service-linked role and the defaults read back", async () => {
    const target = await dbTarget();
    const input: ssm.RegisterTaskWithMaintenanceWindowRequest = {
      WindowId,
      TaskArn: "AWS-RunPatchBaseline",
      TaskType: "RUN_COMMAND",
      Targets: [{ Key: "WindowTargetIds", Values: [target] }],
      MaxConcurrency: "10%",
      MaxErrors: "1",
      Name: "Install-Patches",
      Description: "Installs approved patches",
      TaskInvocationParameters: {
        RunCommand: {
          Comment: "patch",
          Parameters: { Operation: ["Install"], RebootOption: ["RebootIfNeeded"] },
          OutputS3BucketName: "patch-logs",
          OutputS3KeyPrefix: "runs/",
          TimeoutSeconds: 600,
          DocumentVersion: "$DEFAULT",
          CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: "/patch" },
          NotificationConfig: { NotificationArn: "arn:aws:sns:eu-central-1:333333333333:patch", NotificationEvents: ["Failed", "TimedOut"], NotificationType: "Command" },
        },
      },
      AlarmConfiguration: { IgnorePollAlarmFailure: true, Alarms: [{ Name: "patching-alarm" }] },
      CutoffBehavior: "CANCEL_TASK",
    };
    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand(input));
    expect(WindowTaskId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const got = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
    const { TaskType, ...rest } = input;
    expect(got).toMatchObject({ ...rest, WindowTaskId, TaskType, ServiceRoleArn: SERVICE_LINKED_ROLE, Priority: 1 });
    const plain = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "1", MaxErrors: "0", ServiceRoleArn: ROLE, Priority: 0 }));
    const p = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: plain.WindowTaskId }));
    expect(p).toMatchObject({ ServiceRoleArn: ROLE, Priority: 0, TaskParameters: {} });
    expect(p.CutoffBehavior).toBeUndefined(); // omitted when never set (the recorded get-maintenance-window-task example)
    expect(p.TaskInvocationParameters).toBeUndefined();
  });

  it("targets and rate control: RUN_COMMAND needs targets; with targets MaxConcurrency/MaxErrors are required; targetless tasks read back \"1\"", async () => {
    const target = await dbTarget();
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND" })), "ValidationException", { message: /RUN_COMMAND/ });
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }] })), "ValidationException", { message: /MaxConcurrency and MaxErrors must be specified/ });
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RestartEC2Instance", TaskType: "AUTOMATION", MaxConcurrency: "1", MaxErrors: "1" })), "ValidationException", { message: /cannot be specified for a task without targets/ });
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "0", MaxErrors: "101%" })), "ValidationException", { message: /^2 validation errors detected: Value '0' at 'maxConcurrency'.*; Value '101%' at 'maxErrors'/ });
    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RestartEC2Instance", TaskType: "AUTOMATION", TaskInvocationParameters: { Automation: { DocumentVersion: "$LATEST", Parameters: { InstanceId: ["{{RESOURCE_ID}}"] } } } }));
    const t = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
    expect([t.MaxConcurrency, t.MaxErrors, t.Targets]).toEqual(["1", "1", []]);
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: ["00000000-0000-4000-8000-000000000000"] }], MaxConcurrency: "1", MaxErrors: "1" })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }], MaxConcurrency: "1", MaxErrors: "1" })), "ValidationException", { message: /unassociated targets/ });
    const open = (await client.send(new CreateMaintenanceWindowCommand({ Name: `open-${n++}`, Schedule: "rate(7 days)", Duration: 2, Cutoff: 0, AllowUnassociatedTargets: true }))).WindowId!;
    await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: open, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }], MaxConcurrency: "1", MaxErrors: "1" }));
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "tag:Role", Values: ["db"] }], MaxConcurrency: "1", MaxErrors: "1" })), "ValidationException", { message: /WindowTargetIds or InstanceIds/ });
  });

  it("task ARNs, roles and invocation blocks must fit the task type", async () => {
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "not a state machine", TaskType: "STEP_FUNCTIONS" })), "ValidationException", { message: /state machine ARN/ });
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "my-function", TaskType: "LAMBDA", ServiceRoleArn: "MaintenanceWindowRole" })), "ValidationException", { message: /IAM role ARN/ });
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "my-function", TaskType: "LAMBDA", TaskInvocationParameters: { RunCommand: { Comment: "x" } } })), "ValidationException", { message: /TaskInvocationParameters.RunCommand cannot be used with task type LAMBDA/ });
    const sfn = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: `arn:aws:states:eu-central-1:${ACCOUNT}:stateMachine:patch-flow`, TaskType: "STEP_FUNCTIONS", TaskInvocationParameters: { StepFunctions: { Input: "{\"a\":1}", Name: "run-1" } } }));
    expect((await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: sfn.WindowTaskId }))).TaskInvocationParameters).toEqual({ StepFunctions: { Input: "{\"a\":1}", Name: "run-1" } });
    const payload = new TextEncoder().encode(JSON.stringify({ hello: "world" }));
    const lambda = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "my-function", TaskType: "LAMBDA", TaskInvocationParameters: { Lambda: { Payload: payload, Qualifier: "$LATEST", ClientContext: "ctx" } } }));
    const l = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: lambda.WindowTaskId }));
    expect(new TextDecoder().decode(l.TaskInvocationParameters!.Lambda!.Payload)).toBe(JSON.stringify({ hello: "world" }));
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "my-function", TaskType: "LAMBDA", TaskInvocationParameters: { Lambda: { Payload: new Uint8Array(4097) } } })), "ValidationException", { message: "1 validation error detected: Value at 'taskInvocationParameters.lambda.payload' failed to satisfy constraint: Member must have length less than or equal to 4096" });
  });

  it("legacy TaskParameters and LoggingInfo are kept and read back as given", async () => {
    const target = await dbTarget();
    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "2", MaxErrors: "1",
      TaskParameters: { Operation: { Values: ["Install"] } }, LoggingInfo: { S3BucketName: "patch-logs", S3Region: "eu-central-1", S3KeyPrefix: "legacy" },
    }));
    const t = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
    expect(t.TaskParameters).toEqual({ Operation: { Values: ["Install"] } });
    expect(t.LoggingInfo).toEqual({ S3BucketName: "patch-logs", S3Region: "eu-central-1", S3KeyPrefix: "legacy" });
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "2", MaxErrors: "1", LoggingInfo: { S3BucketName: "patch-logs" } as ssm.LoggingInfo })), "ValidationException", { message: "1 validation error detected: Value null at 'loggingInfo.s3Region' failed to satisfy constraint: Member must not be null" });
  });

  it("update: without Replace TaskInvocationParameters is still replaced whole; with Replace omitted fields reset and TaskArn is required; TaskType cannot change", async () => {
    const target = await dbTarget();
    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "2", MaxErrors: "1",
      ServiceRoleArn: ROLE, Name: "install", Description: "d", Priority: 5, LoggingInfo: { S3BucketName: "logs", S3Region: "eu-central-1" },
      TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Install"] }, OutputS3BucketName: "patch-logs", TimeoutSeconds: 600 } },
    }));
    const out = await client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId, TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Scan"] } } } }));
    expect(out.TaskInvocationParameters).toEqual({ RunCommand: { Parameters: { Operation: ["Scan"] }, Comment: "" } }); // unset Comment: "" (recorded example)
    expect(out).toMatchObject({ Name: "install", Priority: 5, ServiceRoleArn: ROLE, MaxConcurrency: "2", MaxErrors: "1" });
    expect(out).not.toHaveProperty("TaskType");
    await client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId, Priority: 2, MaxConcurrency: "3" }));
    expect(await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }))).toMatchObject({ Priority: 2, MaxConcurrency: "3", MaxErrors: "1", Name: "install", TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Scan"] }, Comment: "" } } });
    await expectAwsError(client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId, Replace: true, Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "1", MaxErrors: "1" })), "ValidationException", { message: "1 validation error detected: Value null at 'taskArn' failed to satisfy constraint: Member must not be null" });
    await client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId, Replace: true, TaskArn: "AWS-RunPatchBaselineWithHooks", Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "1", MaxErrors: "1" }));
    const replaced = await client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId }));
    expect(replaced).toMatchObject({ TaskArn: "AWS-RunPatchBaselineWithHooks", TaskType: "RUN_COMMAND", ServiceRoleArn: SERVICE_LINKED_ROLE, Priority: 1 });
    expect(replaced.CutoffBehavior).toBeUndefined(); // Replace without it: unset again
    expect([replaced.Name, replaced.Description, replaced.LoggingInfo, replaced.TaskInvocationParameters]).toEqual([undefined, undefined, undefined, undefined]);
    const raw = await rawCall(server.url, "AmazonSSM.UpdateMaintenanceWindowTask", JSON.stringify({ WindowId, WindowTaskId, TaskType: "AUTOMATION" }));
    expect([raw.status, raw.json.__type]).toEqual([400, "SerializationException"]);
    await expectAwsError(client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId, Targets: [] })), "ValidationException", { message: /RUN_COMMAND/ });
    await expectAwsError(client.send(new UpdateMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: "00000000-0000-4000-8000-000000000000", Priority: 1 })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
  });

  it("describe: Type instead of TaskType, no TaskInvocationParameters, filters; deregister", async () => {
    const target = await dbTarget();
    const run = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }], MaxConcurrency: "1", MaxErrors: "1", Priority: 1, TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Install"] } } } }));
    const auto = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RestartEC2Instance", TaskType: "AUTOMATION", Priority: 2 }));
    const all = (await client.send(new DescribeMaintenanceWindowTasksCommand({ WindowId }))).Tasks!;
    expect(all.map((t) => t.Type)).toEqual(["RUN_COMMAND", "AUTOMATION"]);
    for (const t of all) {
      expect(t).not.toHaveProperty("TaskInvocationParameters");
      expect(t).not.toHaveProperty("TaskType");
    }
    expect(all[0]).toMatchObject({ WindowId, WindowTaskId: run.WindowTaskId, TaskArn: "AWS-RunPatchBaseline", Priority: 1, ServiceRoleArn: SERVICE_LINKED_ROLE, MaxConcurrency: "1", MaxErrors: "1", TaskParameters: {} });
    expect(all[0]!.CutoffBehavior).toBeUndefined();
    const ids = async (f: ssm.MaintenanceWindowFilter) => (await client.send(new DescribeMaintenanceWindowTasksCommand({ WindowId, Filters: [f] }))).Tasks!.map((t) => t.WindowTaskId);
    expect(await ids({ Key: "TaskType", Values: ["AUTOMATION"] })).toEqual([auto.WindowTaskId]);
    expect(await ids({ Key: "Priority", Values: ["1"] })).toEqual([run.WindowTaskId]);
    expect(await ids({ Key: "TaskArn", Values: ["AWS-RestartEC2Instance"] })).toEqual([auto.WindowTaskId]);
    expect(await ids({ Key: "WindowTaskId", Values: [run.WindowTaskId!] })).toEqual([run.WindowTaskId]);
    expect(await client.send(new DeregisterTaskFromMaintenanceWindowCommand({ WindowId, WindowTaskId: auto.WindowTaskId }))).toMatchObject({ WindowId, WindowTaskId: auto.WindowTaskId });
    await expectAwsError(client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: auto.WindowTaskId })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    await expectAwsError(client.send(new DeregisterTaskFromMaintenanceWindowCommand({ WindowId, WindowTaskId: auto.WindowTaskId })), "DoesNotExistException");
  });

  it("ClientToken idempotency; 20 tasks per window and 10 window targets per task", async () => {
    const req = { WindowId, TaskArn: "AWS-RestartEC2Instance", TaskType: "AUTOMATION" as const, ClientToken: "task-token" };
    const a = await client.send(new RegisterTaskWithMaintenanceWindowCommand(req));
    expect((await client.send(new RegisterTaskWithMaintenanceWindowCommand(req))).WindowTaskId).toBe(a.WindowTaskId);
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ ...req, Priority: 3 })), "IdempotentParameterMismatch", { cls: ssm.IdempotentParameterMismatch });
    const targets = await Promise.all(Array.from({ length: 11 }, () => dbTarget()));
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: targets }], MaxConcurrency: "1", MaxErrors: "1" })), "ResourceLimitExceededException", { cls: ssm.ResourceLimitExceededException });
    for (let i = 1; i < 20; i++) await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RestartEC2Instance", TaskType: "AUTOMATION" }));
    await expectAwsError(client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RestartEC2Instance", TaskType: "AUTOMATION" })), "ResourceLimitExceededException", { cls: ssm.ResourceLimitExceededException });
  });
});
