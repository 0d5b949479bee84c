import type {
  CreateAssociationRequest,
  DeleteAssociationRequest,
  DescribeAssociationExecutionsRequest,
  DescribeAssociationRequest,
  ListAssociationsRequest,
  ListAssociationVersionsRequest,
  UpdateAssociationRequest,
} from "@aws-sdk/client-ssm";
import { parameterProblems, PATCHING_DOCUMENT_INFO } from "../../catalog/patching-documents.js";
import { parseAssociationSchedule } from "../../schedule/association.js";
import { ScheduleError } from "../../schedule/index.js";
import { AwsError, invalid } from "../errors.js";
import type { FleetInstance } from "../fleet.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { copy, epochSeconds, uuid } from "./context.js";
import { defineOperation } from "./define.js";
import { paginate } from "./pagination.js";
import type { AssociationExecutionRecord, AssociationRecord, AssociationVersionRecord, Wire } from "./records.js";
import { tagsAtCreate } from "./tags.js";

/**
 * State Manager associations: create, update (each update a new association version), delete,
 * describe (any version), list (with AssociationFilterList), list versions, and the executions the
 * endpoint records. What each emulates, and from which source, is in docs/ssm-fidelity.md,
 * "Associations".
 */

/** "You can have at most 2,000 active associations" (AssociationLimitExceeded's documentation). */
export const MAX_ASSOCIATIONS = 2000;
/** "Each association has a limit of 1,000 versions" (AssociationVersionLimitExceeded's documentation). */
export const MAX_ASSOCIATION_VERSIONS = 1000;

/**
 * AWS-owned documents an association may run here: the patching documents (with their parameters,
 * src/catalog/patching-documents.ts) and two others the AWS CLI's recorded examples associate
 * (their parameters are not checked). Any other name is InvalidDocument, as for a document that does
 * not exist; documents created with CreateDocument are ChangeCalendars, which cannot be associated.
 */
const OTHER_AWS_DOCUMENTS = new Set(["AWS-UpdateSSMAgent", "AWS-GatherSoftwareInventory"]);
/** Target keys of Command associations (the user guide's "Understanding targets and rate controls in State Manager associations"). */
const TARGET_KEY = /^(InstanceIds|tag:.+|tag-key|resource-groups:Name|resource-groups:ResourceTypeFilters)$/i;
/** S3 bucket naming rules (3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

type AssociationFields = Omit<Wire<UpdateAssociationRequest>, "AssociationId" | "AssociationVersion">;

function notFound(id: string): AwsError {
  return new AwsError("AssociationDoesNotExist", `The specified association ${id} doesn't exist.`);
}

function invalidDocument(name: string): AwsError {
  return new AwsError("InvalidDocument", `Document with name ${name} does not exist.`);
}

/** A document name, or its ARN in this region (AWS-owned documents have no account in theirs). */
function documentName(ctx: SsmContext, nameOrArn: string): string {
  const m = /^arn:[^:]+:ssm:([^:]*):(\d{12})?:document\/(.+)$/.exec(nameOrArn);
  if (m && m[1] !== ctx.region) throw invalidDocument(nameOrArn);
  const name = m ? m[3]! : nameOrArn;
  if (!PATCHING_DOCUMENT_INFO[name] && !OTHER_AWS_DOCUMENTS.has(name)) throw invalidDocument(nameOrArn);
  return name;
}

function find(ctx: SsmContext, id: string): AssociationRecord {
  const a = Object.hasOwn(ctx.state.associations, id) ? ctx.state.associations[id] : undefined;
  if (!a) throw notFound(id);
  return a;
}

function current(a: AssociationRecord): AssociationVersionRecord {
  return a.Versions[a.Versions.length - 1]!;
}

/** The record of the request: by AssociationId, or (legacy) by document Name and InstanceId. */
function lookup(ctx: SsmContext, input: { AssociationId?: string; Name?: string; InstanceId?: string }): AssociationRecord {
  if (input.AssociationId !== undefined) return find(ctx, input.AssociationId);
  if (input.Name !== undefined && input.InstanceId !== undefined) {
    const hit = Object.values(ctx.state.associations).find((a) => a.InstanceId === input.InstanceId && current(a).Name === input.Name);
    if (!hit) throw new AwsError("AssociationDoesNotExist", `The association between document ${input.Name} and instance ${input.InstanceId} doesn't exist.`);
    return hit;
  }
  throw invalid("Either AssociationId, or Name and InstanceId, must be specified.");
}

/** The service's rules on one association version (error codes from CreateAssociation's and UpdateAssociation's error lists). */
function check(ctx: SsmContext, v: AssociationVersionRecord): void {
  const info = PATCHING_DOCUMENT_INFO[v.Name];
  if (info) {
    const problems = parameterProblems(v.Name, v.Parameters);
    if (problems.length) throw new AwsError("InvalidParameters", `Parameters are not valid for document ${v.Name}: ${problems.map((p) => p.message).join("; ")}.`);
  }
  if (v.Targets.length > 0 && v.TargetMaps !== undefined && v.TargetMaps.length > 0) throw new AwsError("InvalidTargetMaps", "Both Targets and TargetMaps can't be specified together.");
  for (const t of v.Targets) {
    if (!TARGET_KEY.test(t.Key)) throw new AwsError("InvalidTarget", `Target key ${t.Key} is not valid. Valid keys are InstanceIds, tag:<tag-key>, tag-key, resource-groups:Name and resource-groups:ResourceTypeFilters.`);
    if (t.Values.length === 0) throw new AwsError("InvalidTarget", `Target ${t.Key} needs at least one value.`);
  }
  let kind: string | undefined;
  if (v.ScheduleExpression !== undefined) {
    try {
      kind = parseAssociationSchedule(v.ScheduleExpression).kind;
    } catch (err) {
      if (err instanceof ScheduleError) throw new AwsError("InvalidSchedule", `Schedule expression ${v.ScheduleExpression} is not valid: ${err.message}.`);
      throw err;
    }
  }
  if (v.ApplyOnlyAtCronInterval && kind === "rate") throw new AwsError("InvalidSchedule", "ApplyOnlyAtCronInterval is not supported for rate expressions.");
  if (v.ScheduleOffset !== undefined) {
    if (kind !== "cron") throw new AwsError("InvalidSchedule", "ScheduleOffset can be used only with cron expressions.");
    if (!v.ApplyOnlyAtCronInterval) throw invalid("ScheduleOffset can be used only when ApplyOnlyAtCronInterval is true.");
  }
  const bucket = v.OutputLocation?.S3Location?.OutputS3BucketName;
  if (bucket !== undefined && !BUCKET.test(bucket)) throw new AwsError("InvalidOutputLocation", `The output location is not valid: ${bucket} is not an S3 bucket name.`);
  for (const c of v.CalendarNames ?? []) {
    const name = /^arn:[^:]+:ssm:[^:]*:\d{12}:document\/(.+)$/.exec(c)?.[1] ?? c;
    const doc = Object.hasOwn(ctx.state.documents, name) ? ctx.state.documents[name] : undefined;
    if (!doc || doc.DocumentType !== "ChangeCalendar") throw new AwsError("InvalidDocument", `Calendar ${c} does not exist or is not a document of type ChangeCalendar.`);
  }
}

/** A version from request members: what is left out is unset (UpdateAssociation's documented behaviour), except the document and the targets. */
function version(ctx: SsmContext, number: number, input: AssociationFields, previous: AssociationVersionRecord | undefined): AssociationVersionRecord {
  const v: AssociationVersionRecord = {
    AssociationVersion: String(number),
    CreatedDate: epochSeconds(ctx.now),
    Name: input.Name !== undefined ? documentName(ctx, input.Name) : previous!.Name,
    DocumentVersion: input.DocumentVersion ?? "$DEFAULT",
    // The key InstanceIds in any case reads back as InstanceIds (the recorded create-association example sends Key=instanceids).
    Targets: input.Targets !== undefined ? input.Targets.map((t) => ({ Key: /^instanceids$/i.test(t.Key ?? "") ? "InstanceIds" : t.Key ?? "", Values: [...(t.Values ?? [])] })) : copy(previous?.Targets ?? []),
    ApplyOnlyAtCronInterval: input.ApplyOnlyAtCronInterval ?? false,
  };
  const optional = <K extends keyof AssociationVersionRecord>(key: K, value: AssociationVersionRecord[K] | undefined): void => {
    if (value !== undefined) v[key] = copy(value);
  };
  optional("Parameters", input.Parameters as Record<string, string[]> | undefined);
  optional("ScheduleExpression", input.ScheduleExpression);
  optional("OutputLocation", input.OutputLocation);
  optional("AssociationName", input.AssociationName);
  optional("MaxErrors", input.MaxErrors);
  optional("MaxConcurrency", input.MaxConcurrency);
  optional("ComplianceSeverity", input.ComplianceSeverity);
  optional("SyncCompliance", input.SyncCompliance);
  optional("CalendarNames", input.CalendarNames?.length ? input.CalendarNames : undefined);
  optional("TargetLocations", input.TargetLocations);
  optional("ScheduleOffset", input.ScheduleOffset);
  optional("Duration", input.Duration);
  optional("TargetMaps", input.TargetMaps as Record<string, string[]>[] | undefined);
  optional("AlarmConfiguration", input.AlarmConfiguration);
  optional("AutomationTargetParameterName", input.AutomationTargetParameterName);
  optional("AssociationDispatchAssumeRole", input.AssociationDispatchAssumeRole);
  return v;
}

/** Fleet instances a version's targets select in this account and region. */
function targetsOf(ctx: SsmContext, v: AssociationVersionRecord, instanceId: string | undefined): FleetInstance[] {
  const here = ctx.fleet.instances.filter((i) => (i.Region === undefined || i.Region === ctx.region) && (i.AccountId === undefined || i.AccountId === ctx.account));
  if (instanceId !== undefined) return here.filter((i) => i.InstanceId === instanceId);
  if (v.Targets.length === 0) return [];
  return here.filter((i) =>
    v.Targets.every((t) => {
      const key = t.Key;
      if (/^InstanceIds$/i.test(key)) return t.Values.includes("*") || t.Values.includes(i.InstanceId);
      if (key.startsWith("tag:")) return i.Tags.some((tag) => tag.Key === key.slice(4) && t.Values.includes(tag.Value));
      if (key === "tag-key") return i.Tags.some((tag) => t.Values.includes(tag.Key));
      return false;
    }),
  );
}

/**
 * What State Manager does right after a create or an update without ApplyOnlyAtCronInterval: it runs
 * the association on its targets. The endpoint records that run as succeeded on the fleet's matching
 * instances (it runs no documents).
 */
function runNow(ctx: SsmContext, a: AssociationRecord): void {
  const v = current(a);
  if (v.ApplyOnlyAtCronInterval) return;
  const n = targetsOf(ctx, v, a.InstanceId).length;
  const run: AssociationExecutionRecord = {
    ExecutionId: uuid(),
    AssociationVersion: v.AssociationVersion,
    Status: "Success",
    DetailedStatus: "Success",
    CreatedTime: epochSeconds(ctx.now),
    ResourceCountByStatus: n > 0 ? `{Success=${n}}` : "{}",
  };
  a.Executions.push(run);
}

function lastRun(a: AssociationRecord): AssociationExecutionRecord | undefined {
  return a.Executions[a.Executions.length - 1];
}

function overview(ctx: SsmContext, a: AssociationRecord): Record<string, unknown> {
  const run = lastRun(a);
  if (!run) {
    const n = targetsOf(ctx, current(a), a.InstanceId).length;
    return { Status: "Pending", DetailedStatus: "Associated", ...(n > 0 ? { AssociationStatusAggregatedCount: { Pending: n } } : {}) };
  }
  const counts: Record<string, number> = {};
  for (const m of run.ResourceCountByStatus.matchAll(/(\w+)=(\d+)/g)) counts[m[1]!] = Number(m[2]);
  return { Status: run.Status, DetailedStatus: run.DetailedStatus, ...(Object.keys(counts).length ? { AssociationStatusAggregatedCount: counts } : {}) };
}

/** The version members every read shape shares. */
function versionFields(v: AssociationVersionRecord): Record<string, unknown> {
  return {
    Name: v.Name,
    AssociationVersion: v.AssociationVersion,
    DocumentVersion: v.DocumentVersion,
    Parameters: v.Parameters,
    Targets: v.Targets,
    ScheduleExpression: v.ScheduleExpression,
    OutputLocation: v.OutputLocation,
    AssociationName: v.AssociationName,
    MaxErrors: v.MaxErrors,
    MaxConcurrency: v.MaxConcurrency,
    ComplianceSeverity: v.ComplianceSeverity,
    SyncCompliance: v.SyncCompliance,
    ApplyOnlyAtCronInterval: v.ApplyOnlyAtCronInterval,
    CalendarNames: v.CalendarNames,
    TargetLocations: v.TargetLocations,
    ScheduleOffset: v.ScheduleOffset,
    Duration: v.Duration,
    TargetMaps: v.TargetMaps,
    AssociationDispatchAssumeRole: v.AssociationDispatchAssumeRole,
  };
}

/** AssociationDescription (Create, Update, Describe): the version asked for, with the association's dates and status. */
function description(ctx: SsmContext, a: AssociationRecord, v: AssociationVersionRecord = current(a)): Record<string, unknown> {
  const run = lastRun(a);
  const lastSuccess = [...a.Executions].reverse().find((e) => e.Status === "Success");
  return copy({
    ...versionFields(v),
    AssociationId: a.AssociationId,
    InstanceId: a.InstanceId,
    Date: a.Date,
    LastUpdateAssociationDate: a.LastUpdateAssociationDate,
    Overview: overview(ctx, a),
    AutomationTargetParameterName: v.AutomationTargetParameterName,
    AlarmConfiguration: v.AlarmConfiguration,
    LastExecutionDate: run?.CreatedTime,
    LastSuccessfulExecutionDate: lastSuccess?.CreatedTime,
  });
}

/** A ListAssociations item (the Association shape: no parameters, rate controls, outputs or compliance settings). */
function listItem(ctx: SsmContext, a: AssociationRecord): Record<string, unknown> {
  const v = current(a);
  return copy({
    Name: v.Name,
    InstanceId: a.InstanceId,
    AssociationId: a.AssociationId,
    AssociationVersion: v.AssociationVersion,
    DocumentVersion: v.DocumentVersion,
    Targets: v.Targets,
    LastExecutionDate: lastRun(a)?.CreatedTime,
    Overview: overview(ctx, a),
    ScheduleExpression: v.ScheduleExpression,
    AssociationName: v.AssociationName,
    ScheduleOffset: v.ScheduleOffset,
    Duration: v.Duration,
    TargetMaps: v.TargetMaps,
  });
}

function instant(value: string, key: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalid(`The value '${value}' of filter ${key} is not an ISO-8601 date-time.`);
  return t / 1000;
}

/** ListAssociations' filters (lower-case `key`/`value` members), all of which must hold. */
const LIST_FILTERS: Record<string, (ctx: SsmContext, a: AssociationRecord, value: string) => boolean> = {
  InstanceId: (_ctx, a, v) => a.InstanceId === v || current(a).Targets.some((t) => /^InstanceIds$/i.test(t.Key) && t.Values.includes(v)),
  Name: (_ctx, a, v) => current(a).Name === v,
  AssociationId: (_ctx, a, v) => a.AssociationId === v,
  AssociationName: (_ctx, a, v) => current(a).AssociationName === v,
  AssociationStatusName: (ctx, a, v) => overview(ctx, a).Status === v,
  LastExecutedBefore: (_ctx, a, v) => (lastRun(a)?.CreatedTime ?? Infinity) < instant(v, "LastExecutedBefore"),
  LastExecutedAfter: (_ctx, a, v) => (lastRun(a)?.CreatedTime ?? -Infinity) > instant(v, "LastExecutedAfter"),
  ResourceGroupName: (_ctx, a, v) => current(a).Targets.some((t) => t.Key === "resource-groups:Name" && t.Values.includes(v)),
};

const EXECUTION_COMPARE: Record<string, (a: number, b: number) => boolean> = {
  EQUAL: (a, b) => a === b,
  LESS_THAN: (a, b) => a < b,
  GREATER_THAN: (a, b) => a > b,
};

export const associationOperations: Record<string, OperationHandler> = {
  CreateAssociation: defineOperation<CreateAssociationRequest>("CreateAssociation", (input, ctx) => {
    const { InstanceId, Tags, ...fields } = input;
    const name = documentName(ctx, fields.Name!);
    if (InstanceId !== undefined) {
      // "Requests that include the parameter InstanceID with SSM documents that use schema version 2.0 or later will fail":
      // the patching documents are schema 2.2 (the error code is undocumented; see docs/ssm-fidelity.md).
      if (PATCHING_DOCUMENT_INFO[name]) throw new AwsError("InvalidParameters", `InstanceId can't be used with document ${name} (schema version 2.2): use Targets.`);
      const legacyOnly = ["AssociationName", "DocumentVersion", "MaxErrors", "MaxConcurrency", "OutputLocation", "ScheduleExpression"] as const;
      const used = legacyOnly.filter((k) => fields[k] !== undefined);
      if (used.length) throw invalid(`InstanceId can't be used with ${used.join(", ")}: use Targets.`);
      if (Object.values(ctx.state.associations).some((a) => a.InstanceId === InstanceId && current(a).Name === name)) throw new AwsError("AssociationAlreadyExists", `The association between document ${name} and instance ${InstanceId} already exists.`);
    }
    const v = version(ctx, 1, { ...fields, Name: name, Targets: fields.Targets ?? (InstanceId !== undefined ? [{ Key: "InstanceIds", Values: [InstanceId] }] : undefined) }, undefined);
    check(ctx, v);
    for (const t of Tags ?? []) if ((t.Key ?? "").toLowerCase().startsWith("aws:")) throw new AwsError("InvalidTag", `Tag keys starting with aws: are reserved (${t.Key}).`);
    const tags = tagsAtCreate(Tags);
    if (Object.keys(ctx.state.associations).length >= MAX_ASSOCIATIONS) throw new AwsError("AssociationLimitExceeded", `You can have at most ${MAX_ASSOCIATIONS} active associations.`);
    const now = epochSeconds(ctx.now);
    const a: AssociationRecord = { AssociationId: uuid(), ...(InstanceId !== undefined ? { InstanceId } : {}), Date: now, LastUpdateAssociationDate: now, Versions: [v], Executions: [], Tags: tags };
    ctx.state.associations[a.AssociationId] = a;
    runNow(ctx, a);
    ctx.mutated = true;
    // The create answers before the first run is reported: Pending, as the recorded create-association examples show.
    return { AssociationDescription: { ...description(ctx, a), Overview: { Status: "Pending", DetailedStatus: "Creating" }, LastExecutionDate: undefined, LastSuccessfulExecutionDate: undefined } };
  }),

  UpdateAssociation: defineOperation<UpdateAssociationRequest>("UpdateAssociation", (input, ctx) => {
    const { AssociationId, AssociationVersion, ...fields } = input;
    const a = find(ctx, AssociationId!);
    const latest = current(a);
    if (AssociationVersion !== undefined && AssociationVersion !== "$LATEST" && AssociationVersion !== latest.AssociationVersion) {
      throw new AwsError("InvalidAssociationVersion", `Association version ${AssociationVersion} is not the latest version (${latest.AssociationVersion}) of association ${a.AssociationId}. Use $LATEST or omit AssociationVersion.`);
    }
    if (a.Versions.length >= MAX_ASSOCIATION_VERSIONS) throw new AwsError("AssociationVersionLimitExceeded", `Association ${a.AssociationId} has reached the limit of ${MAX_ASSOCIATION_VERSIONS} versions.`);
    const v = version(ctx, Number(latest.AssociationVersion) + 1, fields, latest);
    check(ctx, v);
    a.Versions.push(v);
    a.LastUpdateAssociationDate = epochSeconds(ctx.now);
    runNow(ctx, a);
    ctx.mutated = true;
    return { AssociationDescription: { ...description(ctx, a), Overview: { Status: "Pending", DetailedStatus: "Creating" } } };
  }),

  DeleteAssociation: defineOperation<DeleteAssociationRequest>("DeleteAssociation", (input, ctx) => {
    const a = lookup(ctx, input);
    delete ctx.state.associations[a.AssociationId];
    ctx.mutated = true;
    return {};
  }),

  DescribeAssociation: defineOperation<DescribeAssociationRequest>("DescribeAssociation", (input, ctx) => {
    const a = lookup(ctx, input);
    let v = current(a);
    if (input.AssociationVersion !== undefined && input.AssociationVersion !== "$LATEST") {
      const hit = a.Versions.find((x) => x.AssociationVersion === input.AssociationVersion);
      if (!hit) throw new AwsError("InvalidAssociationVersion", `Association ${a.AssociationId} has no version ${input.AssociationVersion}. Use ListAssociationVersions to view its versions.`);
      v = hit;
    }
    return { AssociationDescription: description(ctx, a, v) };
  }),

  ListAssociations: defineOperation<ListAssociationsRequest>("ListAssociations", (input, ctx) => {
    let list = Object.values(ctx.state.associations);
    for (const f of input.AssociationFilterList ?? []) {
      const match = LIST_FILTERS[f.key!]!;
      list = list.filter((a) => match(ctx, a, f.value!));
    }
    const { page, nextToken } = paginate(list, (a) => a.AssociationId, { operation: "ListAssociations", MaxResults: input.MaxResults, NextToken: input.NextToken, defaultSize: 50, query: input.AssociationFilterList });
    return { Associations: page.map((a) => listItem(ctx, a)), NextToken: nextToken };
  }),

  ListAssociationVersions: defineOperation<ListAssociationVersionsRequest>("ListAssociationVersions", (input, ctx) => {
    const a = find(ctx, input.AssociationId!);
    const { page, nextToken } = paginate(a.Versions, (v) => v.AssociationVersion, { operation: "ListAssociationVersions", MaxResults: input.MaxResults, NextToken: input.NextToken, defaultSize: 50, query: a.AssociationId });
    return { AssociationVersions: page.map((v) => copy({ AssociationId: a.AssociationId, CreatedDate: v.CreatedDate, ...versionFields(v) })), NextToken: nextToken };
  }),

  DescribeAssociationExecutions: defineOperation<DescribeAssociationExecutionsRequest>("DescribeAssociationExecutions", (input, ctx) => {
    const a = find(ctx, input.AssociationId!);
    let runs = [...a.Executions].reverse();
    for (const f of input.Filters ?? []) {
      const value = f.Value!;
      const compare = EXECUTION_COMPARE[f.Type!]!;
      if (f.Key === "CreatedTime") {
        const t = instant(value, "CreatedTime");
        runs = runs.filter((r) => compare(r.CreatedTime, t));
      } else {
        if (f.Type !== "EQUAL") throw invalid(`The filter ${String(f.Key)} supports only the EQUAL type.`);
        runs = runs.filter((r) => (f.Key === "ExecutionId" ? r.ExecutionId : r.Status) === value);
      }
    }
    const { page, nextToken } = paginate(runs, (r) => r.ExecutionId, { operation: "DescribeAssociationExecutions", MaxResults: input.MaxResults, NextToken: input.NextToken, defaultSize: 50, query: [a.AssociationId, input.Filters] });
    return {
      AssociationExecutions: page.map((r) => ({ AssociationId: a.AssociationId, AssociationVersion: r.AssociationVersion, ExecutionId: r.ExecutionId, Status: r.Status, DetailedStatus: r.DetailedStatus, CreatedTime: r.CreatedTime, ResourceCountByStatus: r.ResourceCountByStatus })),
      NextToken: nextToken,
    };
  }),
};
