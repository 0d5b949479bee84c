import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { SsmService } from "../../src/local-ssm/ssm/service.js";
import { INPUT_SHAPES } from "../../src/local-ssm/ssm/shapes.js";
import type { Shape } from "../../src/local-ssm/validation.js";

/**
 * The hand-written input shapes and the responses, checked against the SSM
 * service model: botocore's service-2.json from Debian's awscli package (installed
 * here and on CI), and @aws-sdk/client-ssm's types for the few members newer than
 * that copy. The endpoint never reads the model; this test does, to check it.
 */
const MODEL_FILE = "/usr/lib/python3/dist-packages/awscli/botocore/data/ssm/2014-11-06/service-2.json";

interface ModelShape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
}
interface Model {
  operations: Record<string, { input: { shape: string }; output?: { shape: string } }>;
  shapes: Record<string, ModelShape>;
}

/** Members added to the service after the CLI's copy of the model; each must exist in the SDK's (newer) types. */
const NEWER_THAN_CLI_MODEL: Record<string, string[]> = {
  CreatePatchBaselineRequest: ["AvailableSecurityUpdatesComplianceStatus"],
  UpdatePatchBaselineRequest: ["AvailableSecurityUpdatesComplianceStatus"],
  UpdatePatchBaselineResult: ["AvailableSecurityUpdatesComplianceStatus"],
  GetPatchBaselineResult: ["AvailableSecurityUpdatesComplianceStatus"],
  DescribePatchGroupStateResult: ["InstancesWithAvailableSecurityUpdates"],
  InstancePatchState: ["AvailableSecurityUpdateCount"],
  CreateAssociationRequest: ["Duration", "AssociationDispatchAssumeRole"],
  UpdateAssociationRequest: ["Duration", "AssociationDispatchAssumeRole"],
  AssociationDescription: ["Duration", "AssociationDispatchAssumeRole"],
  Association: ["Duration"],
  AssociationVersionInfo: ["Duration", "AssociationDispatchAssumeRole"],
};
/** Where the endpoint is deliberately stricter than the model, as the service is (see shapes.ts). */
const STRICTER: Record<string, Partial<ModelShape>> = {
  "CreateMaintenanceWindowRequest.StartDate": { min: 1 },
  "CreateMaintenanceWindowRequest.EndDate": { min: 1 },
  "UpdateMaintenanceWindowRequest.StartDate": { min: 1 },
  "UpdateMaintenanceWindowRequest.EndDate": { min: 1 },
};

let model: Model;
let sdkTypes: string;
let sdkEnums: string;

function sdkInterfaceMembers(name: string): string[] {
  const m = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(sdkTypes);
  return m ? [...m[1]!.matchAll(/^ {4}(\w+)\??:/gm)].map((x) => x[1]!) : [];
}

function sdkEnumValues(): Set<string> {
  return new Set([...sdkEnums.matchAll(/readonly \w+: "([^"]+)"/g)].map((m) => m[1]!));
}

beforeAll(() => {
  expect(existsSync(MODEL_FILE), `the SSM model from Debian's awscli package (apt-get install -y awscli) is needed at ${MODEL_FILE}`).toBe(true);
  model = JSON.parse(readFileSync(MODEL_FILE, "utf8")) as Model;
  const dir = "node_modules/@aws-sdk/client-ssm/dist-types/models";
  sdkTypes = readdirSync(dir).filter((f) => f.startsWith("models_")).map((f) => readFileSync(path.join(dir, f), "utf8")).join("\n");
  sdkEnums = readFileSync(path.join(dir, "enums.d.ts"), "utf8");
});

/** Compares one of our shapes with the model's, collecting differences as readable strings. */
function compare(mine: Shape, modelName: string, where: string, problems: string[]): void {
  const theirs = model.shapes[modelName]!;
  const type = mine.type === "integer" || mine.type === "long" ? mine.type : mine.type;
  if (theirs.type !== type) {
    problems.push(`${where}: type ${type}, model ${theirs.type}`);
    return;
  }
  const stricter = STRICTER[where] ?? {};
  for (const k of ["min", "max"] as const) {
    const a = (mine as { min?: number; max?: number })[k];
    const b = stricter[k] ?? theirs[k];
    if (a !== b) problems.push(`${where}: ${k} ${String(a)}, model ${String(b)}`);
  }
  if ("pattern" in mine || theirs.pattern !== undefined) {
    if ((mine as { pattern?: string }).pattern !== theirs.pattern) problems.push(`${where}: pattern ${String((mine as { pattern?: string }).pattern)}, model ${String(theirs.pattern)}`);
  }
  const sensitive = "sensitive" in mine ? mine.sensitive === true : false;
  if (sensitive !== (theirs.sensitive === true)) problems.push(`${where}: sensitive ${sensitive}, model ${theirs.sensitive === true}`);
  if (mine.type === "string") {
    const a = mine.enum ?? [];
    const b = theirs.enum ?? [];
    for (const v of b) if (!a.includes(v)) problems.push(`${where}: enum lacks ${v}`);
    const newer = sdkEnumValues();
    for (const v of a) if (!b.includes(v) && !newer.has(v)) problems.push(`${where}: enum has ${v}, in neither model`);
  }
  if (mine.type === "list") compare(mine.member, theirs.member!.shape, `${where}[]`, problems);
  if (mine.type === "map") {
    compare(mine.key, theirs.key!.shape, `${where}{key}`, problems);
    compare(mine.value, theirs.value!.shape, `${where}{value}`, problems);
  }
  if (mine.type === "structure") {
    const modelMembers = Object.keys(theirs.members ?? {});
    const newer = NEWER_THAN_CLI_MODEL[modelName] ?? [];
    for (const m of newer) if (!sdkInterfaceMembers(modelName).includes(m)) problems.push(`${where}: ${m} is in neither model`);
    for (const m of modelMembers) if (!(m in mine.members)) problems.push(`${where}: lacks member ${m}`);
    for (const m of Object.keys(mine.members)) if (!modelMembers.includes(m) && !newer.includes(m)) problems.push(`${where}: has member ${m} the model lacks`);
    if ([...mine.required].sort().join() !== [...(theirs.required ?? [])].sort().join()) problems.push(`${where}: required [${mine.required.join(", ")}], model [${(theirs.required ?? []).join(", ")}]`);
    for (const [m, s] of Object.entries(mine.members)) {
      if (theirs.members?.[m]) compare(s, theirs.members[m]!.shape, `${modelName}.${m}`, problems);
    }
  }
}

describe("hand-written input shapes against the SSM model", () => {
  it("every operation served exists in the model, with an input shape", () => {
    const ops = SsmService.operations();
    expect(ops).toHaveLength(51);
    for (const op of ops) {
      expect(model.operations[op], op).toBeDefined();
      expect(INPUT_SHAPES[op], op).toBeDefined();
    }
  });

  it("members, required members, types, lengths, ranges, patterns, enums and sensitivity match", () => {
    const problems: string[] = [];
    for (const op of SsmService.operations()) compare(INPUT_SHAPES[op]!, model.operations[op]!.input.shape, model.operations[op]!.input.shape, problems);
    expect(problems).toEqual([]);
  });
});

describe("responses against the SSM model", () => {
  let server: LocalSsm;
  beforeAll(async () => {
    server = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
  });
  afterAll(async () => {
    await server.close();
  });

  async function call(op: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AmazonSSM.${op}` }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${op}: ${JSON.stringify(json)}`).toBe(200);
    return json;
  }

  /** Every key of a response is a member of its output shape, with a value of the member's type. */
  function check(value: unknown, shapeName: string, where: string, problems: string[]): void {
    const shape = model.shapes[shapeName]!;
    const bad = (what: string): void => {
      problems.push(`${where}: ${what}`);
    };
    switch (shape.type) {
      case "structure": {
        if (typeof value !== "object" || value === null || Array.isArray(value)) return bad("not an object");
        const newer = NEWER_THAN_CLI_MODEL[shapeName] ?? [];
        for (const [k, v] of Object.entries(value)) {
          if (shape.members?.[k]) check(v, shape.members[k]!.shape, `${where}.${k}`, problems);
          else if (!newer.includes(k)) bad(`${k} is not a member of ${shapeName}`);
        }
        return;
      }
      case "list":
        if (!Array.isArray(value)) return bad("not a list");
        value.forEach((v, i) => check(v, shape.member!.shape, `${where}[${i}]`, problems));
        return;
      case "map":
        if (typeof value !== "object" || value === null) return bad("not a map");
        for (const [k, v] of Object.entries(value)) check(v, shape.value!.shape, `${where}.${k}`, problems);
        return;
      case "string":
        if (typeof value !== "string") bad("not a string");
        else if (shape.enum && !shape.enum.includes(value) && !sdkEnumValues().has(value)) bad(`${value} is not in the enum`);
        return;
      case "integer":
      case "long":
        if (!Number.isInteger(value)) bad("not an integer");
        return;
      case "timestamp":
        if (typeof value !== "number") bad("a timestamp must be epoch seconds (a number) in AWS JSON 1.1");
        return;
      case "boolean":
        if (typeof value !== "boolean") bad("not a boolean");
        return;
      case "blob":
        if (typeof value !== "string") bad("not a base64 string");
        return;
    }
  }

  it("every operation's response has only model members, of the model's types", async () => {
    const seen = new Map<string, Record<string, unknown>[]>();
    const run = async (op: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const out = await call(op, body);
      seen.set(op, [...(seen.get(op) ?? []), out]);
      return out;
    };
    const rule = { PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["SecurityUpdates"] }] }, ApproveAfterDays: 7 };
    const { BaselineId } = (await run("CreatePatchBaseline", { Name: "conform", Description: "d", ApprovalRules: { PatchRules: [rule] }, Tags: [{ Key: "a", Value: "b" }] })) as { BaselineId: string };
    await run("UpdatePatchBaseline", { BaselineId, ApprovedPatches: ["KB1"], AvailableSecurityUpdatesComplianceStatus: "NON_COMPLIANT" });
    await run("GetPatchBaseline", { BaselineId });
    await run("DescribePatchBaselines", { MaxResults: 2 });
    await run("RegisterPatchBaselineForPatchGroup", { BaselineId, PatchGroup: "Database Servers" });
    await run("DescribePatchGroups", {});
    await run("GetPatchBaselineForPatchGroup", { PatchGroup: "Database Servers" });
    const { BaselineId: awsDefault } = (await run("GetDefaultPatchBaseline", {})) as { BaselineId: string };
    await run("RegisterDefaultPatchBaseline", { BaselineId });
    await run("RegisterDefaultPatchBaseline", { BaselineId: awsDefault });
    await run("DescribePatchProperties", { OperatingSystem: "WINDOWS", Property: "PRODUCT", MaxResults: 2 });
    await run("DescribePatchProperties", { OperatingSystem: "AMAZON_LINUX_2023", Property: "SEVERITY" });
    await run("AddTagsToResource", { ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: [{ Key: "c", Value: "d" }] });
    await run("RemoveTagsFromResource", { ResourceType: "PatchBaseline", ResourceId: BaselineId, TagKeys: ["a"] });
    await run("ListTagsForResource", { ResourceType: "PatchBaseline", ResourceId: BaselineId });
    const { WindowId } = (await run("CreateMaintenanceWindow", { Name: "Production-Tuesdays", Schedule: "cron(0 22 ? * TUE *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Description: "w", StartDate: "2026-01-01T00:00:00Z", ScheduleTimezone: "Etc/UTC", ScheduleOffset: 1 })) as { WindowId: string };
    await run("UpdateMaintenanceWindow", { WindowId, Duration: 4 });
    await run("GetMaintenanceWindow", { WindowId });
    await run("DescribeMaintenanceWindows", {});
    await run("DescribeMaintenanceWindowSchedule", { WindowId, MaxResults: 2 });
    const { WindowTargetId } = (await run("RegisterTargetWithMaintenanceWindow", { WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }], OwnerInformation: "o", Name: "dbs", Description: "d" })) as { WindowTargetId: string };
    await run("UpdateMaintenanceWindowTarget", { WindowId, WindowTargetId, Name: "dbs-2" });
    await run("DescribeMaintenanceWindowTargets", { WindowId });
    const task = {
      WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [WindowTargetId] }], MaxConcurrency: "1", MaxErrors: "1", Name: "install", Description: "d",
      TaskParameters: { Operation: { Values: ["Install"] } }, LoggingInfo: { S3BucketName: "logs", S3Region: "us-east-1" }, AlarmConfiguration: { Alarms: [{ Name: "a" }] },
      TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Install"] }, TimeoutSeconds: 60, NotificationConfig: { NotificationEvents: ["Failed"], NotificationType: "Command", NotificationArn: "arn:aws:sns:us-east-1:000000000000:t" } } },
    };
    const { WindowTaskId } = (await run("RegisterTaskWithMaintenanceWindow", task)) as { WindowTaskId: string };
    await run("RegisterTaskWithMaintenanceWindow", { WindowId, TaskArn: "f", TaskType: "LAMBDA", TaskInvocationParameters: { Lambda: { Payload: Buffer.from("{}").toString("base64") } } });
    await run("UpdateMaintenanceWindowTask", { WindowId, WindowTaskId, Priority: 2 });
    await run("GetMaintenanceWindowTask", { WindowId, WindowTaskId });
    await run("DescribeMaintenanceWindowTasks", { WindowId });
    await run("DescribeMaintenanceWindowExecutions", { WindowId });
    await run("DescribePatchGroupState", { PatchGroup: "Database Servers" });
    await run("DescribeInstancePatchStatesForPatchGroup", { PatchGroup: "Database Servers" });
    await run("PutParameter", { Name: "/conform", Value: "v" });
    await run("GetParameter", { Name: "/conform" });
    await run("PutParameter", { Name: "/conform-path/a", Value: "v" });
    await run("GetParametersByPath", { Path: "/conform-path", Recursive: false, MaxResults: 10 });
    await run("DeleteParameter", { Name: "/conform-path/a" });
    await run("DeleteParameter", { Name: "/conform" });
    const calendar = (type: string, event: string): string => `BEGIN:VCALENDAR\r\nPRODID:-//AWS//Change Calendar 1.0//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:${type}\r\n${event}END:VCALENDAR\r\n`;
    const event = "BEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20261220T000000Z\r\nDTEND:20270104T000000Z\r\nSUMMARY:year-end\r\nEND:VEVENT\r\n";
    await run("CreateDocument", { Name: "conform-calendar", DocumentType: "ChangeCalendar", DocumentFormat: "TEXT", Content: calendar("DEFAULT_OPEN", ""), Tags: [{ Key: "t", Value: "v" }], VersionName: "v1", DisplayName: "Conform" });
    await run("UpdateDocument", { Name: "conform-calendar", Content: calendar("DEFAULT_OPEN", event), DocumentVersion: "$LATEST" });
    await run("UpdateDocumentDefaultVersion", { Name: "conform-calendar", DocumentVersion: "2" });
    await run("GetDocument", { Name: "conform-calendar" });
    await run("DescribeDocument", { Name: "conform-calendar", DocumentVersion: "1" });
    await run("GetCalendarState", { CalendarNames: ["conform-calendar"], AtTime: "2026-12-24T00:00:00Z" });
    await run("GetCalendarState", { CalendarNames: ["conform-calendar"] });
    await run("DeleteDocument", { Name: "conform-calendar", DocumentVersion: "1" });
    await run("DeleteDocument", { Name: "conform-calendar" });
    const association = {
      Name: "AWS-RunPatchBaseline", AssociationName: "conform-scan", Parameters: { Operation: ["Scan"], RebootOption: ["NoReboot"] }, Targets: [{ Key: "tag:Patch Group", Values: ["Database Servers"] }],
      ScheduleExpression: "cron(0 1 ? * * *)", ScheduleOffset: 1, ApplyOnlyAtCronInterval: true, Duration: 2, MaxConcurrency: "10%", MaxErrors: "1", ComplianceSeverity: "HIGH", SyncCompliance: "AUTO",
      OutputLocation: { S3Location: { OutputS3BucketName: "patch-logs", OutputS3KeyPrefix: "scan", OutputS3Region: "us-east-1" } }, AlarmConfiguration: { Alarms: [{ Name: "a" }] }, Tags: [{ Key: "t", Value: "v" }],
    };
    const { AssociationDescription } = (await run("CreateAssociation", association)) as { AssociationDescription: { AssociationId: string } };
    const AssociationId = AssociationDescription.AssociationId;
    await run("UpdateAssociation", { AssociationId, ...association, Tags: undefined, ApplyOnlyAtCronInterval: false, ScheduleOffset: undefined, Duration: undefined, AssociationVersion: "$LATEST" });
    await run("DescribeAssociation", { AssociationId });
    await run("DescribeAssociation", { AssociationId, AssociationVersion: "1" });
    await run("ListAssociations", { AssociationFilterList: [{ key: "AssociationName", value: "conform-scan" }], MaxResults: 1 });
    await run("ListAssociationVersions", { AssociationId });
    await run("DescribeAssociationExecutions", { AssociationId });
    await run("AddTagsToResource", { ResourceType: "Association", ResourceId: AssociationId, Tags: [{ Key: "c", Value: "d" }] });
    await run("ListTagsForResource", { ResourceType: "Association", ResourceId: AssociationId });
    await run("DeleteAssociation", { AssociationId });
    await run("DeregisterTaskFromMaintenanceWindow", { WindowId, WindowTaskId });
    await run("DeregisterTargetFromMaintenanceWindow", { WindowId, WindowTargetId });
    await run("DeleteMaintenanceWindow", { WindowId });
    await run("DeregisterPatchBaselineForPatchGroup", { BaselineId, PatchGroup: "Database Servers" });
    await run("DeletePatchBaseline", { BaselineId });

    expect([...seen.keys()].sort()).toEqual(SsmService.operations().sort());
    const problems: string[] = [];
    for (const [op, outputs] of seen) {
      const shape = model.operations[op]!.output!.shape;
      for (const out of outputs) check(out, shape, op, problems);
    }
    expect(problems).toEqual([]);
  });
});
