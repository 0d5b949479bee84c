import * as ssm from "@aws-sdk/client-ssm";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { expectAwsError, sdkClient, WINDOWS_RULE } from "./helpers.js";

const {
  DescribePatchGroupStateCommand, DescribeInstancePatchStatesForPatchGroupCommand, DescribeMaintenanceWindowExecutionsCommand, CreateMaintenanceWindowCommand,
  CreatePatchBaselineCommand, RegisterPatchBaselineForPatchGroupCommand, DescribePatchBaselinesCommand, GetDefaultPatchBaselineCommand,
  PutParameterCommand, GetParameterCommand, GetParametersByPathCommand, DeleteParameterCommand, ListTagsForResourceCommand,
} = ssm;

let example: LocalSsm;
let big: LocalSsm;
let client: ssm.SSMClient;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "local-ssm-fleet-"));
  const fleet = {
    instances: [
      ...Array.from({ length: 25 }, (_, i) => ({
        InstanceId: `i-0${String(i).padStart(16, "0")}`,
        OperatingSystem: "AMAZON_LINUX_2",
        Tags: [{ Key: "Patch Group", Value: "Big Group" }, { Key: "Name", Value: `node-${i}` }],
        Operation: i % 2 ? "Install" : "Scan",
        OperationStartTime: "2026-11-20T01:00:00Z",
        OperationEndTime: 1_763_600_400,
        MissingCount: i % 5,
        InstalledCount: 100 + i,
      })),
      { InstanceId: "mi-0123456789abcdef0", PatchGroup: "Big Group", OperatingSystem: "AMAZON_LINUX_2", Region: "eu-west-2", MissingCount: 9 },
    ],
  };
  const file = path.join(dir, "fleet.json");
  writeFileSync(file, JSON.stringify(fleet));
  writeFileSync(path.join(dir, "fleet.yaml"), stringify(fleet));
  example = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
  big = await startLocalSsm({ port: 0, fleetFile: file });
  client = sdkClient(example.url, "us-east-2");
});
afterAll(async () => {
  client.destroy();
  await example.close();
  await big.close();
});

describe("compliance reads from the simulated fleet", () => {
  it("DescribePatchGroupState counts instances per state (examples/fleet/fleet.yaml)", async () => {
    const db = await client.send(new DescribePatchGroupStateCommand({ PatchGroup: "Database Servers" }));
    expect(db).toMatchObject({
      Instances: 3,
      InstancesWithInstalledPatches: 3,
      InstancesWithInstalledPendingRebootPatches: 1,
      InstancesWithMissingPatches: 1,
      InstancesWithFailedPatches: 1,
      InstancesWithCriticalNonCompliantPatches: 1,
      InstancesWithSecurityNonCompliantPatches: 1,
      InstancesWithNotApplicablePatches: 3,
    });
    expect((await client.send(new DescribePatchGroupStateCommand({ PatchGroup: "Front-End Servers" }))).Instances).toBe(2);
    expect((await client.send(new DescribePatchGroupStateCommand({ PatchGroup: "Production" }))).Instances).toBe(2);
    expect((await client.send(new DescribePatchGroupStateCommand({ PatchGroup: "Nobody" }))).Instances).toBe(0);
  });

  it("DescribeInstancePatchStatesForPatchGroup: per-instance state, the baseline that applies, filters", async () => {
    const all = await client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers" }));
    expect(all.InstancePatchStates!.map((s) => s.InstanceId)).toEqual(["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003"]);
    const second = all.InstancePatchStates![1]!;
    expect(second).toMatchObject({ PatchGroup: "Database Servers", Operation: "Install", InstalledCount: 198, MissingCount: 3, FailedCount: 1, RebootOption: "RebootIfNeeded" });
    expect(second.OperationStartTime).toEqual(new Date("2026-11-17T22:05:00Z"));
    // No group registration yet: the Windows default baseline applies. After registering one, that one.
    const { BaselineId: def } = await client.send(new GetDefaultPatchBaselineCommand({}));
    expect(second.BaselineId).toBe(def);
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "db-baseline", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }));
    await client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "Database Servers" }));
    expect((await client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers" }))).InstancePatchStates![0]!.BaselineId).toBe(BaselineId);
    const missing = await client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers", Filters: [{ Key: "MissingCount", Values: ["0"], Type: "GreaterThan" }] }));
    expect(missing.InstancePatchStates!.map((s) => s.InstanceId)).toEqual(["i-0a1b2c3d4e5f60002"]);
    const healthy = await client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers", Filters: [{ Key: "FailedCount", Values: ["0"], Type: "Equal" }, { Key: "InstalledCount", Values: ["210"], Type: "LessThan" }] }));
    expect(healthy.InstancePatchStates!.map((s) => s.InstanceId)).toEqual(["i-0a1b2c3d4e5f60003"]);
    await expectAwsError(client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers", Filters: [{ Key: "Colour", Values: ["1"], Type: "Equal" }] })), "InvalidFilter", { cls: ssm.InvalidFilter });
    await expectAwsError(client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers", Filters: [{ Key: "MissingCount", Values: ["many"], Type: "Equal" }] })), "InvalidFilter");
    await expectAwsError(client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers", Filters: [{ Key: "MissingCount", Values: ["1"], Type: "Between" as ssm.InstancePatchStateOperatorType }] })), "ValidationException", { message: /enum value set: \[Equal, NotEqual, LessThan, GreaterThan\]/ });
    await expectAwsError(client.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Database Servers", MaxResults: 5 })), "ValidationException", { message: /at 'maxResults'/ });
  });

  it("pages through a large group (MaxResults 10..100); instances can be limited to a region; fleet files may be JSON", async () => {
    const c = sdkClient(big.url, "us-east-1");
    const seen: string[] = [];
    let pages = 0;
    for await (const page of ssm.paginateDescribeInstancePatchStatesForPatchGroup({ client: c, pageSize: 10 }, { PatchGroup: "Big Group" })) {
      pages++;
      seen.push(...page.InstancePatchStates!.map((s) => s.InstanceId!));
    }
    expect([pages, seen.length, new Set(seen).size]).toEqual([3, 25, 25]);
    const state = await c.send(new DescribePatchGroupStateCommand({ PatchGroup: "Big Group" }));
    expect([state.Instances, state.InstancesWithMissingPatches]).toEqual([25, 20]);
    const london = sdkClient(big.url, "eu-west-2");
    expect((await london.send(new DescribePatchGroupStateCommand({ PatchGroup: "Big Group" }))).Instances).toBe(26);
    const linux = (await london.send(new DescribeInstancePatchStatesForPatchGroupCommand({ PatchGroup: "Big Group", MaxResults: 10 }))).InstancePatchStates![0]!;
    expect(linux.BaselineId).toBe((await london.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "AMAZON_LINUX_2" }))).BaselineId);
    london.destroy();
    c.destroy();
  });

  it("DescribeMaintenanceWindowExecutions: the fleet's runs for the window's name, newest first, time filters", async () => {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "Production-Saturdays", Schedule: "cron(0 22 ? * SAT *)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const runs = await client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId }));
    expect(runs.WindowExecutions!.map((e) => [e.Status, e.StartTime!.toISOString()])).toEqual([
      ["SUCCESS", "2026-11-21T22:00:00.000Z"],
      ["FAILED", "2026-11-14T22:00:00.000Z"],
    ]);
    for (const e of runs.WindowExecutions!) expect(e.WindowExecutionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(runs.WindowExecutions![1]!.StatusDetails).toBe("One or more tasks failed");
    const again = await client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId }));
    expect(again.WindowExecutions!.map((e) => e.WindowExecutionId)).toEqual(runs.WindowExecutions!.map((e) => e.WindowExecutionId));
    const recent = await client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId, Filters: [{ Key: "ExecutedAfter", Values: ["2026-11-18T00:00:00Z"] }] }));
    expect(recent.WindowExecutions!.map((e) => e.Status)).toEqual(["SUCCESS"]);
    const other = await client.send(new CreateMaintenanceWindowCommand({ Name: "no-history", Schedule: "rate(1 day)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    expect((await client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: other.WindowId }))).WindowExecutions).toEqual([]);
    await expectAwsError(client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId, Filters: [{ Key: "Status", Values: ["FAILED"] }] })), "ValidationException");
    await expectAwsError(client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: "mw-0123456789abcdef0" })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
  });

  it("a malformed fleet file stops the endpoint from starting, naming the entry", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "local-ssm-badfleet-"));
    const file = path.join(dir, "fleet.yaml");
    writeFileSync(file, "instances:\n  - {InstanceId: web-1, PatchGroup: x}\n");
    await expect(startLocalSsm({ port: 0, fleetFile: file })).rejects.toThrow(/instances\[0\]\.InstanceId/);
  });
});

describe("parameters (the write lease's storage)", () => {
  it("PutParameter creates only if absent (ParameterAlreadyExists), overwrites with Overwrite, versions; Get and Delete", async () => {
    const name = "/patchctl/lease/demo";
    expect(await client.send(new PutParameterCommand({ Name: name, Value: "holder-a", Type: "String", Description: "lease" }))).toMatchObject({ Version: 1, Tier: "Standard" });
    await expectAwsError(client.send(new PutParameterCommand({ Name: name, Value: "holder-b", Type: "String" })), "ParameterAlreadyExists", { cls: ssm.ParameterAlreadyExists });
    expect((await client.send(new GetParameterCommand({ Name: name }))).Parameter).toMatchObject({ Name: name, Value: "holder-a", Version: 1, Type: "String", DataType: "text", ARN: `arn:aws:ssm:us-east-2:111111111111:parameter${name}` });
    expect((await client.send(new PutParameterCommand({ Name: name, Value: "holder-b", Overwrite: true }))).Version).toBe(2);
    const got = (await client.send(new GetParameterCommand({ Name: name }))).Parameter!;
    expect([got.Value, got.Version, got.Type]).toEqual(["holder-b", 2, "String"]);
    expect(got.LastModifiedDate).toBeInstanceOf(Date);
    expect((await client.send(new GetParameterCommand({ Name: `${name}:2` }))).Parameter!.Selector).toBe(":2");
    await expectAwsError(client.send(new GetParameterCommand({ Name: `${name}:1` })), "ParameterVersionNotFound", { cls: ssm.ParameterVersionNotFound });
    expect(await client.send(new DeleteParameterCommand({ Name: name }))).toBeDefined();
    await expectAwsError(client.send(new GetParameterCommand({ Name: name })), "ParameterNotFound", { cls: ssm.ParameterNotFound });
    await expectAwsError(client.send(new DeleteParameterCommand({ Name: name })), "ParameterNotFound", { cls: ssm.ParameterNotFound });
  });

  it("GetParametersByPath lists one level (or all with Recursive) in name order, pages by MaxResults, refuses keys it does not take", async () => {
    for (const n of ["b", "a", "c/deeper"]) await client.send(new PutParameterCommand({ Name: `/patchctl/o/rollouts/${n}`, Value: `{"n":"${n}"}`, Type: "String" }));
    await client.send(new PutParameterCommand({ Name: "/patchctl/o/rolloutsx", Value: "not under the path", Type: "String" }));
    const one = await client.send(new GetParametersByPathCommand({ Path: "/patchctl/o/rollouts" }));
    expect(one.Parameters!.map((p) => p.Name)).toEqual(["/patchctl/o/rollouts/a", "/patchctl/o/rollouts/b"]);
    expect(one.Parameters![0]).toMatchObject({ Value: '{"n":"a"}', Type: "String", Version: 1, ARN: "arn:aws:ssm:us-east-2:111111111111:parameter/patchctl/o/rollouts/a" });
    expect(one.NextToken).toBeUndefined();
    const all = await client.send(new GetParametersByPathCommand({ Path: "/patchctl/o/rollouts/", Recursive: true }));
    expect(all.Parameters!.map((p) => p.Name)).toEqual(["/patchctl/o/rollouts/a", "/patchctl/o/rollouts/b", "/patchctl/o/rollouts/c/deeper"]);
    const page = await client.send(new GetParametersByPathCommand({ Path: "/patchctl/o/rollouts", MaxResults: 1 }));
    expect(page.Parameters!.map((p) => p.Name)).toEqual(["/patchctl/o/rollouts/a"]);
    const next = await client.send(new GetParametersByPathCommand({ Path: "/patchctl/o/rollouts", MaxResults: 1, NextToken: page.NextToken }));
    expect(next.Parameters!.map((p) => p.Name)).toEqual(["/patchctl/o/rollouts/b"]);
    await expectAwsError(client.send(new GetParametersByPathCommand({ Path: "/patchctl/o/rollouts", ParameterFilters: [{ Key: "Name", Values: ["a"] }] })), "InvalidFilterKey");
    await expectAwsError(client.send(new GetParametersByPathCommand({ Path: "/patchctl/o/rollouts", MaxResults: 11 })), "ValidationException");
  });

  it("create-if-absent is atomic: of 25 concurrent creates, exactly one wins", async () => {
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => client.send(new PutParameterCommand({ Name: "/patchctl/lease/race", Value: `holder-${i}`, Type: "String" }))));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && (r.reason as Error).name === "ParameterAlreadyExists")).toHaveLength(24);
  });

  it("names, SecureString, tags and the Overwrite-with-Tags rule", async () => {
    await expectAwsError(client.send(new PutParameterCommand({ Name: "aws-reserved", Value: "x" })), "ValidationException", { message: /prefixed with "aws" or "ssm"/ });
    await expectAwsError(client.send(new PutParameterCommand({ Name: "a/b", Value: "x" })), "ValidationException", { message: /begin with a slash/ });
    await expectAwsError(client.send(new PutParameterCommand({ Name: "/big", Value: "x".repeat(4097) })), "ValidationException", { message: /maximum parameter value of 4096/ });
    await expectAwsError(client.send(new PutParameterCommand({ Name: "/t", Value: "x", Overwrite: true, Tags: [{ Key: "a", Value: "b" }] })), "ValidationException", { message: /tags and overwrite can't be used together/ });
    await client.send(new PutParameterCommand({ Name: "/secret", Value: "s3cr3t", Type: "SecureString", Tags: [{ Key: "team", Value: "ops" }] }));
    expect((await client.send(new GetParameterCommand({ Name: "/secret" }))).Parameter!.Value).not.toBe("s3cr3t");
    expect((await client.send(new GetParameterCommand({ Name: "/secret", WithDecryption: true }))).Parameter!.Value).toBe("s3cr3t");
    expect((await client.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/secret" }))).TagList).toEqual([{ Key: "team", Value: "ops" }]);
  });
});

describe("accounts and regions are isolated", () => {
  it("state is per account (from the access key) and per region (from the SigV4 scope)", async () => {
    const a = sdkClient(example.url, "eu-south-1", "444444444444");
    const b = sdkClient(example.url, "eu-south-1", "555555555555");
    const aElsewhere = sdkClient(example.url, "eu-south-2", "444444444444");
    const defaultAccount = new ssm.SSMClient({ region: "eu-south-1", endpoint: example.url, credentials: { accessKeyId: "LOCALKEY", secretAccessKey: "x" }, maxAttempts: 1 });
    await a.send(new CreatePatchBaselineCommand({ Name: "only-in-444", ApprovedPatches: ["KB1"] }));
    await a.send(new PutParameterCommand({ Name: "/only-in-444", Value: "x" }));
    const names = async (c: ssm.SSMClient) => ((await c.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["Self"] }] }))).BaselineIdentities ?? []).map((x) => x.BaselineName);
    expect(await names(a)).toEqual(["only-in-444"]);
    expect(await names(b)).toEqual([]);
    expect(await names(aElsewhere)).toEqual([]);
    expect(await names(defaultAccount)).toEqual([]);
    await expectAwsError(b.send(new GetParameterCommand({ Name: "/only-in-444" })), "ParameterNotFound");
    await defaultAccount.send(new PutParameterCommand({ Name: "/whoami", Value: "x" }));
    expect((await defaultAccount.send(new GetParameterCommand({ Name: "/whoami" }))).Parameter!.ARN).toBe("arn:aws:ssm:eu-south-1:000000000000:parameter/whoami");
    for (const c of [a, b, aElsewhere, defaultAccount]) c.destroy();
  });
});
