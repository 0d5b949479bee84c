import {
  AddTagsToResourceCommand,
  CreateAssociationCommand,
  CreateDocumentCommand,
  DeleteAssociationCommand,
  DescribeAssociationCommand,
  DescribeAssociationExecutionsCommand,
  ListAssociationsCommand,
  ListAssociationVersionsCommand,
  ListTagsForResourceCommand,
  paginateListAssociations,
  RemoveTagsFromResourceCommand,
  UpdateAssociationCommand,
} from "@aws-sdk/client-ssm";
import type { CreateAssociationCommandInput, SSMClient } from "@aws-sdk/client-ssm";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";
import { expectAwsError, rawCall, sdkClient } from "./helpers.js";

/**
 * State Manager associations on the local endpoint, through the SDK and Debian's AWS CLI v2: every
 * operation, UpdateAssociation's new versions (and its reset of what a request leaves out), the
 * recorded executions, tags with ResourceType Association, and the service's error codes and limits.
 * See docs/ssm-fidelity.md, "Associations".
 */
let server: LocalSsm;
let ssm: SSMClient;

const SCAN: CreateAssociationCommandInput = {
  Name: "AWS-RunPatchBaseline",
  AssociationName: "nightly-scan",
  Parameters: { Operation: ["Scan"], RebootOption: ["NoReboot"] },
  Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }],
  ScheduleExpression: "cron(0 1 * * ? *)",
  MaxConcurrency: "10%",
  MaxErrors: "5%",
  ComplianceSeverity: "CRITICAL",
  SyncCompliance: "AUTO",
  OutputLocation: { S3Location: { OutputS3BucketName: "patch-logs", OutputS3KeyPrefix: "scan" } },
  Tags: [{ Key: "Environment", Value: "Production" }],
};

beforeAll(async () => {
  server = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
  ssm = sdkClient(server.url, "eu-west-1", "222222222222");
});
afterAll(async () => {
  ssm.destroy();
  await server.close();
});

async function create(input: Partial<CreateAssociationCommandInput> = {}): Promise<string> {
  const out = await ssm.send(new CreateAssociationCommand({ ...SCAN, ...input } as CreateAssociationCommandInput));
  return out.AssociationDescription!.AssociationId!;
}

describe("associations through the SDK", () => {
  it("create, describe, list, update (a new version), versions, executions, delete", async () => {
    const created = await ssm.send(new CreateAssociationCommand(SCAN));
    const d = created.AssociationDescription!;
    expect(d).toMatchObject({ Name: "AWS-RunPatchBaseline", AssociationName: "nightly-scan", AssociationVersion: "1", DocumentVersion: "$DEFAULT", ApplyOnlyAtCronInterval: false, Overview: { Status: "Pending", DetailedStatus: "Creating" } });
    expect(d.AssociationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(d.Date).toBeInstanceOf(Date);
    const id = d.AssociationId!;

    // Ran right after the create (no ApplyOnlyAtCronInterval), on the fleet's instances of the group.
    const described = (await ssm.send(new DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription!;
    expect(described).toMatchObject({ Parameters: SCAN.Parameters, MaxConcurrency: "10%", MaxErrors: "5%", ComplianceSeverity: "CRITICAL", SyncCompliance: "AUTO", OutputLocation: SCAN.OutputLocation, Overview: { Status: "Success" } });
    expect(described.LastExecutionDate).toBeInstanceOf(Date);
    const runs = (await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id }))).AssociationExecutions!;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ AssociationId: id, AssociationVersion: "1", Status: "Success", ResourceCountByStatus: expect.stringMatching(/^\{Success=\d+\}$/) });

    // ListAssociations carries names, documents, targets and schedules, not parameters or rate controls.
    const listed = (await ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: "AssociationName", value: "nightly-scan" }] }))).Associations!;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ AssociationId: id, Name: "AWS-RunPatchBaseline", AssociationVersion: "1", ScheduleExpression: "cron(0 1 * * ? *)", Targets: SCAN.Targets });
    expect(listed[0]).not.toHaveProperty("Parameters");
    expect(listed[0]).not.toHaveProperty("MaxConcurrency");

    // UpdateAssociation: a new version; what the request leaves out is reset (documented), the document and targets stay.
    const updated = (await ssm.send(new UpdateAssociationCommand({ AssociationId: id, Parameters: { Operation: ["Install"] }, ScheduleExpression: "cron(0 3 ? * SUN *)" }))).AssociationDescription!;
    expect(updated).toMatchObject({ AssociationVersion: "2", Name: "AWS-RunPatchBaseline", Targets: SCAN.Targets, Parameters: { Operation: ["Install"] } });
    for (const gone of ["AssociationName", "MaxConcurrency", "MaxErrors", "ComplianceSeverity", "SyncCompliance", "OutputLocation"]) expect(updated, gone).not.toHaveProperty(gone);
    const versions = (await ssm.send(new ListAssociationVersionsCommand({ AssociationId: id }))).AssociationVersions!;
    expect(versions.map((v) => v.AssociationVersion)).toEqual(["1", "2"]);
    expect(versions[0]).toMatchObject({ AssociationName: "nightly-scan", MaxConcurrency: "10%", CreatedDate: expect.any(Date) });
    const first = (await ssm.send(new DescribeAssociationCommand({ AssociationId: id, AssociationVersion: "1" }))).AssociationDescription!;
    expect(first).toMatchObject({ AssociationVersion: "1", AssociationName: "nightly-scan" });
    await expectAwsError(ssm.send(new DescribeAssociationCommand({ AssociationId: id, AssociationVersion: "7" })), "InvalidAssociationVersion");
    await expectAwsError(ssm.send(new UpdateAssociationCommand({ AssociationId: id, AssociationVersion: "1", Parameters: { Operation: ["Scan"] } })), "InvalidAssociationVersion");
    const third = (await ssm.send(new UpdateAssociationCommand({ AssociationId: id, AssociationVersion: "$LATEST", Parameters: { Operation: ["Scan"] } }))).AssociationDescription!;
    expect(third.AssociationVersion).toBe("3");
    const allRuns = (await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id }))).AssociationExecutions!;
    expect(allRuns.map((r) => r.AssociationVersion)).toEqual(["3", "2", "1"]);
    const onlyFirst = (await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id, Filters: [{ Key: "ExecutionId", Value: allRuns[2]!.ExecutionId!, Type: "EQUAL" }] }))).AssociationExecutions!;
    expect(onlyFirst.map((r) => r.AssociationVersion)).toEqual(["1"]);

    await ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
    await expectAwsError(ssm.send(new DescribeAssociationCommand({ AssociationId: id })), "AssociationDoesNotExist");
    await expectAwsError(ssm.send(new DeleteAssociationCommand({ AssociationId: id })), "AssociationDoesNotExist");
    await expectAwsError(ssm.send(new UpdateAssociationCommand({ AssociationId: id, ScheduleExpression: "rate(1 day)" })), "AssociationDoesNotExist");
    await expectAwsError(ssm.send(new ListAssociationVersionsCommand({ AssociationId: id })), "AssociationDoesNotExist");
    await expectAwsError(ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id })), "AssociationDoesNotExist");
  });

  it("ApplyOnlyAtCronInterval: no run until the schedule; Overview Pending", async () => {
    const id = await create({ AssociationName: "at-cron", ApplyOnlyAtCronInterval: true, ScheduleOffset: 2, ScheduleExpression: "cron(0 0 ? * THU#2 *)" });
    expect((await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id }))).AssociationExecutions).toEqual([]);
    const d = (await ssm.send(new DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription!;
    expect(d).toMatchObject({ ApplyOnlyAtCronInterval: true, ScheduleOffset: 2, Overview: { Status: "Pending" } });
    expect(d.LastExecutionDate).toBeUndefined();
    await ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
  });

  it("tags with ResourceType Association", async () => {
    const id = await create({ AssociationName: "tagged" });
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: "Association", ResourceId: id, Tags: [{ Key: "patchctl:owner", Value: "x" }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: "Association", ResourceId: id, TagKeys: ["Environment"] }));
    expect((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Association", ResourceId: id }))).TagList).toEqual([{ Key: "patchctl:owner", Value: "x" }]);
    await expectAwsError(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Association", ResourceId: "00000000-0000-4000-8000-000000000000" })), "InvalidResourceId");
    await expectAwsError(ssm.send(new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: id })), "InvalidResourceId");
    await expectAwsError(
      ssm.send(new AddTagsToResourceCommand({ ResourceType: "Association", ResourceId: id, Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) })),
      "TooManyTagsError",
    );
    await ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
  });

  it("the service's rules: documents, parameters, schedules, targets, outputs, calendars", async () => {
    await expectAwsError(create({ Name: "AWS-NoSuchDocument" }), "InvalidDocument", { message: /AWS-NoSuchDocument does not exist/ });
    await expectAwsError(create({ Name: "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline" }), "InvalidDocument");
    await expectAwsError(create({ Parameters: { Operation: ["Scann"] } }), "InvalidParameters", { message: /'Scann' is not a valid Operation.*Scan, Install/ });
    await expectAwsError(create({ Parameters: { Operation: ["Scan"], Reboot: ["NoReboot"] } }), "InvalidParameters", { message: /'Reboot' is not defined in AWS-RunPatchBaseline/ });
    await expectAwsError(create({ Parameters: { RebootOption: ["NoReboot"] } }), "InvalidParameters", { message: /needs the parameter Operation/ });
    await expectAwsError(create({ ScheduleExpression: "rate(5 minutes)" }), "InvalidSchedule", { message: /at most every 30 minutes/ });
    await expectAwsError(create({ ScheduleExpression: "rate(31 days)" }), "InvalidSchedule", { message: /shorter than 31 days/ });
    await expectAwsError(create({ ScheduleExpression: "cron(0 1 * JAN ? *)" }), "InvalidSchedule", { message: /months/ });
    await expectAwsError(create({ ScheduleExpression: "cron(0/15 * * * ? *)" }), "InvalidSchedule", { message: /Minutes step of 15/ });
    await expectAwsError(create({ ScheduleExpression: "cron(0 0/3 * * ? *)" }), "InvalidSchedule", { message: /Hours step of 3/ });
    await expectAwsError(create({ ScheduleExpression: "cron(bad)" }), "InvalidSchedule");
    await expectAwsError(create({ ScheduleExpression: "rate(1 day)", ApplyOnlyAtCronInterval: true }), "InvalidSchedule", { message: /rate expressions/ });
    await expectAwsError(create({ ScheduleOffset: 2 }), "ValidationException", { message: /ApplyOnlyAtCronInterval/ });
    await expectAwsError(create({ ScheduleExpression: "rate(1 day)", ScheduleOffset: 2, ApplyOnlyAtCronInterval: false }), "InvalidSchedule", { message: /only with cron/ });
    await expectAwsError(create({ Targets: [{ Key: "Environment", Values: ["Production"] }] }), "InvalidTarget");
    await expectAwsError(create({ Targets: [{ Key: "tag:Patch Group", Values: [] }] }), "InvalidTarget");
    await expectAwsError(create({ TargetMaps: [{ Operation: ["Scan"] }] }), "InvalidTargetMaps");
    await expectAwsError(create({ OutputLocation: { S3Location: { OutputS3BucketName: "Bad_Bucket" } } }), "InvalidOutputLocation");
    await expectAwsError(create({ CalendarNames: ["no-such-calendar"] }), "InvalidDocument", { message: /ChangeCalendar/ });
    await expectAwsError(create({ InstanceId: "i-0a1b2c3d4e5f60001", Targets: undefined, AssociationName: undefined, ScheduleExpression: undefined, MaxConcurrency: undefined, MaxErrors: undefined, OutputLocation: undefined }), "InvalidParameters", { message: /InstanceId/ });
    await expectAwsError(create({ Tags: [{ Key: "aws:reserved", Value: "x" }] }), "InvalidTag");
    // Model constraints: one ValidationException listing each.
    await expectAwsError(create({ MaxConcurrency: "0", MaxErrors: "101%", AssociationName: "x" }), "ValidationException", { message: /3 validation errors detected/ });

    // A Change Calendar document is a valid calendar name (or ARN).
    const content = ["BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", "X-CALENDAR-TYPE:DEFAULT_OPEN", "END:VCALENDAR", ""].join("\r\n");
    await ssm.send(new CreateDocumentCommand({ Name: "patching-freeze", DocumentType: "ChangeCalendar", DocumentFormat: "TEXT", Content: content }));
    const id = await create({ AssociationName: "gated", CalendarNames: ["patching-freeze", "arn:aws:ssm:eu-west-1:222222222222:document/patching-freeze"] });
    expect((await ssm.send(new DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription!.CalendarNames).toHaveLength(2);
    await ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
  });

  it("ListAssociations pages of at most 50, filters, tokens of one query only", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await create({ AssociationName: `page-${i}`, Name: i % 2 ? "AWS-RunPatchBaselineWithHooks" : "AWS-RunPatchBaseline" }));
    const page = await ssm.send(new ListAssociationsCommand({ MaxResults: 2 }));
    expect(page.Associations).toHaveLength(2);
    expect(page.NextToken).toBeTruthy();
    const all = [];
    for await (const p of paginateListAssociations({ client: ssm, pageSize: 2 }, {})) all.push(...(p.Associations ?? []));
    expect(all.map((a) => a.AssociationId)).toEqual(expect.arrayContaining(ids));
    const hooks = (await ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: "Name", value: "AWS-RunPatchBaselineWithHooks" }] }))).Associations!;
    expect(hooks.map((a) => a.AssociationName).sort()).toEqual(["page-1", "page-3"]);
    await expectAwsError(ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: "Name", value: "AWS-RunPatchBaseline" }], NextToken: page.NextToken })), "InvalidNextToken");
    await expectAwsError(ssm.send(new ListAssociationsCommand({ MaxResults: 51 })), "ValidationException");
    for (const id of ids) await ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
  });

  it("over the wire: unknown members are a SerializationException, lower-case filter members as the model has them", async () => {
    const bad = await rawCall(server.url, "AmazonSSM.CreateAssociation", JSON.stringify({ Name: "AWS-RunPatchBaseline", Schedule: "rate(1 day)" }));
    expect(bad.status).toBe(400);
    expect(bad.json.__type).toBe("SerializationException");
    const filter = await rawCall(server.url, "AmazonSSM.ListAssociations", JSON.stringify({ AssociationFilterList: [{ Key: "Name", Value: "x" }] }));
    expect(filter.json.__type).toBe("SerializationException");
  });
});

describe("associations through Debian's AWS CLI v2 (/usr/bin/aws)", () => {
  const creds = { accessKeyId: "AKIA333333333333TEST", secretAccessKey: "cli-secret", region: "us-east-1" };
  const cli = (...args: string[]) => awsCli({ url: server.url, ...creds }, "ssm", ...args);
  async function cliError(...args: string[]): Promise<string> {
    try {
      await cli(...args);
    } catch (err) {
      return String((err as { stderr?: string }).stderr ?? err);
    }
    throw new Error(`expected ${args.join(" ")} to fail`);
  }

  it("every association operation, outputs parsed by the CLI's model, errors by their codes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "patchctl-assoc-"));
    const params = path.join(dir, "params.json");
    writeFileSync(params, JSON.stringify({ Operation: ["Scan"], RebootOption: ["NoReboot"] }));
    const created = await cli(
      "create-association", "--name", "AWS-RunPatchBaseline", "--association-name", "cli-scan", "--targets", "Key=tag:Patch Group,Values=Database Servers",
      "--parameters", `file://${params}`, "--schedule-expression", "cron(0 1 * * ? *)", "--max-concurrency", "10%", "--max-errors", "1",
      "--compliance-severity", "HIGH", "--sync-compliance", "AUTO", "--apply-only-at-cron-interval", "--output-location", "S3Location={OutputS3BucketName=patch-logs,OutputS3KeyPrefix=scan}",
      "--tags", "Key=Team,Value=Ops",
    );
    const d = created.AssociationDescription as Record<string, unknown>;
    expect(d).toMatchObject({ Name: "AWS-RunPatchBaseline", AssociationName: "cli-scan", AssociationVersion: "1", ApplyOnlyAtCronInterval: true });
    const id = String(d.AssociationId);
    expect(Math.abs(Date.parse(String(d.Date)) - Date.now())).toBeLessThan(5 * 60_000);

    const described = (await cli("describe-association", "--association-id", id)).AssociationDescription as Record<string, unknown>;
    expect(described).toMatchObject({ Parameters: { Operation: ["Scan"], RebootOption: ["NoReboot"] }, MaxConcurrency: "10%", MaxErrors: "1", OutputLocation: { S3Location: { OutputS3BucketName: "patch-logs", OutputS3KeyPrefix: "scan" } } });
    const listed = (await cli("list-associations", "--association-filter-list", "key=AssociationName,value=cli-scan")).Associations as Record<string, unknown>[];
    expect(listed.map((a) => a.AssociationId)).toEqual([id]);

    const updated = (await cli("update-association", "--association-id", id, "--parameters", `file://${params}`, "--targets", "Key=tag:Patch Group,Values=Database Servers", "--schedule-expression", "cron(0 2 * * ? *)", "--association-name", "cli-scan", "--max-concurrency", "20%", "--max-errors", "1")).AssociationDescription as Record<string, unknown>;
    expect(updated).toMatchObject({ AssociationVersion: "2", MaxConcurrency: "20%", ScheduleExpression: "cron(0 2 * * ? *)", ApplyOnlyAtCronInterval: false });
    const versions = (await cli("list-association-versions", "--association-id", id)).AssociationVersions as Record<string, unknown>[];
    expect(versions.map((v) => v.AssociationVersion)).toEqual(["1", "2"]);
    const runs = (await cli("describe-association-executions", "--association-id", id, "--filters", "Key=Status,Value=Success,Type=EQUAL")).AssociationExecutions as Record<string, unknown>[];
    expect(runs.map((r) => r.AssociationVersion)).toEqual(["2"]);

    await cli("add-tags-to-resource", "--resource-type", "Association", "--resource-id", id, "--tags", "Key=Environment,Value=Production");
    const tags = (await cli("list-tags-for-resource", "--resource-type", "Association", "--resource-id", id)).TagList as { Key: string }[];
    expect(tags.map((t) => t.Key).sort()).toEqual(["Environment", "Team"]);
    await cli("remove-tags-from-resource", "--resource-type", "Association", "--resource-id", id, "--tag-keys", "Team");

    // The recorded example's lower-case key reads back as InstanceIds.
    const lower = (await cli("create-association", "--name", "AWS-UpdateSSMAgent", "--targets", "Key=instanceids,Values=i-0cb2b964d3e14fd9f")).AssociationDescription as Record<string, unknown>;
    expect(lower.Targets).toEqual([{ Key: "InstanceIds", Values: ["i-0cb2b964d3e14fd9f"] }]);
    await cli("delete-association", "--association-id", String(lower.AssociationId));
    expect(await cliError("create-association", "--name", "AWS-RunPatchBaseline", "--targets", "Key=tag:Patch Group,Values=x", "--parameters", "Operation=Scan", "--schedule-expression", "rate(10 minutes)")).toContain("An error occurred (InvalidSchedule)");
    expect(await cliError("create-association", "--name", "AWS-RunPatchBaseline", "--targets", "Key=tag:Patch Group,Values=x", "--parameters", "Operation=Patch")).toContain("An error occurred (InvalidParameters)");
    expect(await cliError("create-association", "--name", "AWS-NoSuchDocument", "--targets", "Key=tag:Patch Group,Values=x")).toContain("An error occurred (InvalidDocument)");
    await cli("delete-association", "--association-id", id);
    expect(await cliError("describe-association", "--association-id", id)).toContain("An error occurred (AssociationDoesNotExist)");
  });
});
