import type { AwsGateway } from "../aws/gateway.js";
import { TAGS_GONE, unlessGone } from "../aws/not-found.js";
import type { PatchAssociationDoc } from "../model/desired.js";
import type { ActualResource, FieldChange, Json, JsonObject, Resource } from "../model/plan.js";
import { mapLimit } from "../util/limit.js";
import { withinAny } from "./field-paths.js";
import type { ReadContext, ReadResult, ResourceHandler, SsmCall } from "./handler.js";
import { tagCalls } from "./handler.js";
import type { Tag } from "./read-helpers.js";
import { dedupe, ownershipOf } from "./read-helpers.js";
import { asArray, asObject, compact, normalizeKeyValues, tagMap, toCamel } from "./shape.js";
import { PATCHING_DOCUMENTS, PATCHING_PARAMETERS } from "./window-children.js";
import { flatKey } from "../util/flat-key.js";

/**
 * A State Manager association running one of AWS's patching documents (kind PatchAssociation).
 * Normalised spec: the CreateAssociation fields in camelCase (`Name` is documentName) with the
 * service's documented defaults filled in, the association version, dates and statuses dropped,
 * and tags. Its physical id is the AssociationId; ownership is by tags (resource type Association).
 */

export function associationKey(logical: string): string {
  return flatKey("PatchAssociation", logical);
}

/** What the tag operations call an association. */
const TAG_RESOURCE_TYPE = "Association";
/** DescribeAssociation's (and UpdateAssociation's) answer for an association that is not there. */
const GONE = "AssociationDoesNotExist";
/** ListTagsForResource's answer for a resource id that is not there. */

/**
 * Defaults the service applies to a field left out, as AWS documents them: MaxConcurrency "The default
 * value is 100%"; MaxErrors "If you don't specify an error threshold, State Manager automatically
 * enforces a threshold of 100% failures"; SyncCompliance "By default, all associations use AUTO
 * mode"; DocumentVersion and ApplyOnlyAtCronInterval as the recorded create- and update-association
 * examples read them back ($DEFAULT, false). ComplianceSeverity UNSPECIFIED is assumed
 * (docs/ssm-fidelity.md, "Associations").
 */
const DEFAULTS = {
  documentVersion: "$DEFAULT",
  applyOnlyAtCronInterval: false,
  maxConcurrency: "100%",
  maxErrors: "100%",
  syncCompliance: "AUTO",
  complianceSeverity: "UNSPECIFIED",
} as const;

/**
 * Document parameter defaults that say what a run does, filled in on both sides so a reviewer sees
 * them and a service that reads them back (or does not) compares the same; from the user guide's
 * pages on the three documents. A parameter given as [""] means the document's default "" and is dropped.
 */
const PARAMETER_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "AWS-RunPatchBaseline": { RebootOption: "RebootIfNeeded" },
  "AWS-RunPatchBaselineAssociation": { RebootOption: "RebootIfNeeded" },
  "AWS-RunPatchBaselineWithHooks": { RebootOption: "RebootIfNeeded", PreInstallHookDocName: "AWS-Noop", PostInstallHookDocName: "AWS-Noop", OnExitHookDocName: "AWS-Noop" },
};

/** Fields the service may fill in that AWS does not document: the bucket's region when none is given. */
const SERVER_DEFAULTED = ["outputLocation.s3Location.outputS3Region"];
const UNORDERED = ["targets", "targets[].values", "calendarNames", "alarmConfiguration.alarms"];
const SENSITIVE = ["parameters"];
const PARAMETER = /^parameters\.([^.[\]]+)/;

/**
 * The document a spec runs: `documentName` on a resource's spec; `name` on the context the dry-run
 * listing builds from a call's input (CreateAssociation's Name is the document).
 */
function documentOf(spec: JsonObject | undefined): string {
  const name = spec?.documentName ?? spec?.name;
  return typeof name === "string" ? name : "";
}

/**
 * SSM marks an association's Parameters sensitive; the parameters of AWS's patching documents that
 * decide what a run does (Operation, RebootOption, ...) carry no secrets and are shown, as for
 * maintenance-window tasks (window-children.ts taskFieldIsSensitive).
 */
export function associationFieldIsSensitive(path: string, spec: JsonObject | undefined): boolean {
  const parameter = PARAMETER.exec(path)?.[1];
  if (parameter !== undefined && PATCHING_PARAMETERS.has(parameter) && PATCHING_DOCUMENTS.has(documentOf(spec))) return false;
  return withinAny(path, SENSITIVE);
}

/** A Quick Setup association, by what its name, document and tags say (docs/ssm-fidelity.md, "Associations"). */
export function quickSetupAssociation(name: string, documentName: string, tagKeys: readonly string[]): boolean {
  if (/^AWS-QuickSetup-/i.test(name) || /^AWSQuickSetup/i.test(documentName)) return true;
  return tagKeys.some((k) => /^(QuickSetup|QSConfig)/i.test(k));
}

const QUICK_SETUP = "AWS Quick Setup";

function normalizeParameters(documentName: string, params: JsonObject | undefined): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    const values = asArray(v).map(String);
    if (values.length === 0 || (values.length === 1 && values[0] === "")) continue;
    out[k] = values;
  }
  for (const [k, v] of Object.entries(PARAMETER_DEFAULTS[documentName] ?? {})) out[k] ??= [v];
  const keys = Object.keys(out).sort();
  return keys.length ? Object.fromEntries(keys.map((k) => [k, out[k]!])) : undefined;
}

function normalizeOutputLocation(value: Json | undefined): JsonObject | undefined {
  const s3 = asObject(asObject(value)?.s3Location);
  if (!s3) return undefined;
  const loc = compact({ outputS3BucketName: s3.outputS3BucketName, outputS3KeyPrefix: s3.outputS3KeyPrefix, outputS3Region: s3.outputS3Region });
  return Object.keys(loc).length ? { s3Location: loc } : undefined;
}

function tagsOf(spec: JsonObject | undefined): JsonObject {
  return asObject(spec?.tags) ?? {};
}

function labelOf(r: Resource): string {
  return `association ${String(r.spec.associationName)}`;
}

/** The CreateAssociation / UpdateAssociation members of a normalised spec (defaults the service applies anyway left out). */
function associationInput(spec: JsonObject): Record<string, unknown> {
  const out = asObject(spec.outputLocation);
  const s3 = asObject(out?.s3Location);
  const alarm = asObject(spec.alarmConfiguration);
  return {
    Name: spec.documentName,
    AssociationName: spec.associationName,
    DocumentVersion: spec.documentVersion,
    Parameters: spec.parameters,
    Targets: normalizeKeyValues(spec.targets).map((t) => ({ Key: t.key, Values: t.values })),
    ScheduleExpression: spec.scheduleExpression,
    ScheduleOffset: spec.scheduleOffset,
    // "This parameter isn't supported for rate expressions": sent only when it is true.
    ApplyOnlyAtCronInterval: spec.applyOnlyAtCronInterval === true ? true : undefined,
    Duration: spec.duration,
    MaxConcurrency: spec.maxConcurrency,
    MaxErrors: spec.maxErrors,
    ComplianceSeverity: spec.complianceSeverity,
    SyncCompliance: spec.syncCompliance,
    OutputLocation: s3 ? { S3Location: { OutputS3BucketName: s3.outputS3BucketName, OutputS3KeyPrefix: s3.outputS3KeyPrefix, OutputS3Region: s3.outputS3Region } } : undefined,
    CalendarNames: asArray(spec.calendarNames).length ? spec.calendarNames : undefined,
    AlarmConfiguration: alarm ? { IgnorePollAlarmFailure: alarm.ignorePollAlarmFailure, Alarms: asArray(alarm.alarms).map((a) => ({ Name: asObject(a)!.name })) } : undefined,
    AssociationDispatchAssumeRole: spec.associationDispatchAssumeRole,
  };
}

export const patchAssociationHandler: ResourceHandler = {
  type: "PatchAssociation",
  writes: ["CreateAssociation", "UpdateAssociation", "DeleteAssociation"],
  tagResourceType: "Association",
  noun: "association",
  ownership: "tags",
  documentKind: "PatchAssociation",
  expand(doc, ctx) {
    const name = doc.metadata.name;
    return [{ type: "PatchAssociation", key: associationKey(name), name, spec: associationFromDesired(doc as PatchAssociationDoc, ctx.ownership), source: ctx.source() }];
  },
  read: (gw, ctx) => readAssociations(gw, ctx),
  awsName: (r) => String(r.spec.associationName),
  readScope: "associations",
  references: () => [],
  key: (name) => associationKey(name),
  // Created and updated after baselines and their patch-group registrations (its first run, right
  // after the create unless applyOnlyAtCronInterval, then uses them); removed early, so nothing
  // runs a document against baselines being deleted.
  phases: { create: 7, update: 7, delete: 1 },
  forceNew: [],
  isSensitive: associationFieldIsSensitive,
  unorderedLists: UNORDERED,
  serverDefaulted: SERVER_DEFAULTED,
  managedBy(a) {
    return quickSetupAssociation(a.ssmName, documentOf(a.spec), Object.keys(tagsOf(a.spec))) ? QUICK_SETUP : undefined;
  },
  patchingTargets(a) {
    // A patching document, or one of Quick Setup's patch-policy associations (whatever document it runs).
    const quickSetupPatching = quickSetupAssociation(a.ssmName, documentOf(a.spec), Object.keys(tagsOf(a.spec))) && /patch/i.test(`${a.ssmName} ${documentOf(a.spec)}`);
    if (!runsPatching(documentOf(a.spec)) && !quickSetupPatching) return undefined;
    return normalizeKeyValues(a.spec.targets).map((t) => ({ key: String(t.key), values: asArray(t.values).map(String) }));
  },
  updateReason(fields: readonly FieldChange[]) {
    if (!fields.some((f) => !f.path.startsWith("tags"))) return undefined;
    return "UpdateAssociation makes a new association version (the previous ones stay in ListAssociationVersions)";
  },

  normalize(spec) {
    const documentName = String(spec.documentName ?? "");
    const alarm = asObject(spec.alarmConfiguration);
    return compact({
      associationName: spec.associationName,
      documentName: spec.documentName,
      documentVersion: (spec.documentVersion as string | undefined) ?? DEFAULTS.documentVersion,
      parameters: normalizeParameters(documentName, asObject(spec.parameters)),
      targets: normalizeKeyValues(spec.targets),
      scheduleExpression: spec.scheduleExpression,
      scheduleOffset: spec.scheduleOffset,
      applyOnlyAtCronInterval: (spec.applyOnlyAtCronInterval as boolean | undefined) ?? DEFAULTS.applyOnlyAtCronInterval,
      duration: spec.duration,
      maxConcurrency: spec.maxConcurrency === undefined ? DEFAULTS.maxConcurrency : String(spec.maxConcurrency),
      maxErrors: spec.maxErrors === undefined ? DEFAULTS.maxErrors : String(spec.maxErrors),
      complianceSeverity: (spec.complianceSeverity as string | undefined) ?? DEFAULTS.complianceSeverity,
      syncCompliance: (spec.syncCompliance as string | undefined) ?? DEFAULTS.syncCompliance,
      outputLocation: normalizeOutputLocation(spec.outputLocation),
      calendarNames: asArray(spec.calendarNames).length ? asArray(spec.calendarNames).map(String) : undefined,
      alarmConfiguration: alarm ? compact({ ignorePollAlarmFailure: alarm.ignorePollAlarmFailure ?? false, alarms: asArray(alarm.alarms).map((a) => ({ name: String(asObject(a)?.name ?? "") })) }) : undefined,
      associationDispatchAssumeRole: spec.associationDispatchAssumeRole,
      tags: asObject(spec.tags) ? tagMap(Object.fromEntries(Object.entries(asObject(spec.tags)!).map(([k, v]) => [k, String(v)]))) : undefined,
    });
  },

  createCalls(r) {
    return [
      {
        operation: "CreateAssociation",
        input: {
          ...associationInput(r.spec),
          // Ownership tags travel with the create: a crash right after it leaves an owned association.
          Tags: Object.entries(tagsOf(r.spec)).map(([Key, Value]) => ({ Key, Value: String(Value) })),
        },
        yieldsId: { key: r.key, field: "AssociationDescription.AssociationId" },
        description: `create ${labelOf(r)} (${String(r.spec.documentName)})`,
      },
    ];
  },

  updateCalls(change, ctx) {
    const after = change.after!;
    const id = ctx.idOf(change.key);
    const calls: SsmCall[] = [];
    // UpdateAssociation resets every optional member left out of the request: the whole desired state is sent.
    if (change.fields.some((f) => !f.path.startsWith("tags"))) {
      calls.push({ operation: "UpdateAssociation", input: { AssociationId: id, ...associationInput(after.spec) }, description: `update ${labelOf(after)} (a new association version)` });
    }
    calls.push(...tagCalls(TAG_RESOURCE_TYPE, id, tagsOf(change.before?.spec), tagsOf(after.spec), labelOf(after)));
    return calls;
  },

  deleteCalls(r, ctx) {
    return [{ operation: "DeleteAssociation", input: { AssociationId: ctx.idOf(r.key) }, toleratedErrors: [GONE], description: `delete ${labelOf(r)}` }];
  },
};

/** The desired side: YAML spec with ownership tags, the association name defaulting to the logical name. */
export function associationFromDesired(doc: PatchAssociationDoc, ownership: Record<string, string>): JsonObject {
  const spec = JSON.parse(JSON.stringify(doc.spec)) as JsonObject;
  spec.associationName = doc.spec.associationName ?? doc.metadata.name;
  spec.tags = { ...(doc.metadata.tags ?? {}), ...ownership };
  return patchAssociationHandler.normalize(spec);
}

/** DescribeAssociation's AssociationDescription (or a ListAssociations item) + tags → the handler's shape. */
export function associationFromSsm(description: Record<string, unknown>, tags: Tag[]): JsonObject {
  const d = description;
  const spec = toCamel({
    AssociationName: d.AssociationName,
    DocumentName: d.Name,
    DocumentVersion: d.DocumentVersion,
    Parameters: d.Parameters,
    Targets: d.Targets,
    ScheduleExpression: d.ScheduleExpression,
    ScheduleOffset: d.ScheduleOffset,
    ApplyOnlyAtCronInterval: d.ApplyOnlyAtCronInterval,
    Duration: d.Duration,
    MaxConcurrency: d.MaxConcurrency,
    MaxErrors: d.MaxErrors,
    ComplianceSeverity: d.ComplianceSeverity,
    SyncCompliance: d.SyncCompliance,
    OutputLocation: d.OutputLocation,
    CalendarNames: d.CalendarNames,
    AlarmConfiguration: d.AlarmConfiguration,
    AssociationDispatchAssumeRole: d.AssociationDispatchAssumeRole,
  });
  spec.tags = tagMap(tags);
  return patchAssociationHandler.normalize(spec);
}

/** A ListAssociations item. */
interface AssociationItem {
  AssociationId?: string;
  AssociationName?: string;
  Name?: string;
  Targets?: { Key?: string; Values?: string[] }[];
}

/** A listed association's targets, as the handler's spec has them (key, values). */
function listedTargets(item: AssociationItem): Json[] {
  return (item.Targets ?? []).map((t) => ({ key: t.Key ?? "", values: t.Values ?? [] }));
}

function runsPatching(documentName: string | undefined): boolean {
  return documentName !== undefined && PATCHING_DOCUMENTS.has(documentName.replace(/^arn:[^:]+:ssm:[^:]*:\d*:document\//, ""));
}

/**
 * Associations with the fewest calls: one ListAssociations walk (it carries names, documents,
 * targets and schedules, not parameters, rate controls or outputs), ListTagsForResource once per
 * association (ownership: an association patchctl owns stays recognisable whatever its document
 * became), DescribeAssociation for those that are ours or carry a desired name. Unowned associations
 * that run no patching document are no concern of this kind and are left out, except Quick Setup's
 * patching ones, which are listed (as managed by Quick Setup).
 */
async function readAssociations(gw: AwsGateway, ctx: ReadContext): Promise<ReadResult> {
  const items = await gw.paginate<AssociationItem>("ListAssociations", {}, "Associations", 50);
  if (items.length) ctx.emit({ code: "PATCHCTL_I1002", resourceType: "PatchAssociation", count: items.length });
  const read = await mapLimit(items, ctx.concurrency, async (item): Promise<ActualResource | undefined> => {
    const id = item.AssociationId;
    if (!id) return undefined;
    const ssmName = item.AssociationName ?? id;
    // A full read (import) lists the others too, unread, so it can say why it leaves them out.
    if (ctx.full && !runsPatching(item.Name)) return { type: "PatchAssociation", key: associationKey(ssmName), name: ssmName, id, owned: false, ssmName, spec: { documentName: item.Name ?? "" } };
    const who = await unlessGone(() => ownershipOf(gw, TAG_RESOURCE_TYPE, id, ssmName, ctx.owner), TAGS_GONE);
    if (!who) return undefined;
    const { tags, ownerTag, owned, logical } = who;
    const base = { type: "PatchAssociation" as const, key: associationKey(logical), name: logical, id, owned, ownerTag, ssmName };
    const importable = ownerTag === undefined && item.AssociationName !== undefined && !quickSetupAssociation(ssmName, item.Name ?? "", tags.map((t) => t.Key ?? ""));
    if (!owned && !(ctx.full ? importable : ctx.desiredNames.has(ssmName))) {
      if (ctx.full) return { ...base, spec: compact({ associationName: item.AssociationName, documentName: item.Name ?? "", tags: tagMap(tags) }) };
      const quickSetup = quickSetupAssociation(ssmName, item.Name ?? "", tags.map((t) => t.Key ?? ""));
      const patchingName = /patch/i.test(`${ssmName} ${item.Name ?? ""}`);
      if (!runsPatching(item.Name) && !(quickSetup && patchingName)) return undefined;
      // Its targets as listed (no further call): the overlapping-schedules policy compares them with the desired schedules'.
      return { ...base, spec: { associationName: ssmName, documentName: item.Name ?? "", targets: listedTargets(item), tags: tagMap(tags) } };
    }
    const described = await unlessGone(() => gw.call<{ AssociationDescription?: Record<string, unknown> }>("DescribeAssociation", { AssociationId: id }), GONE);
    if (!described?.AssociationDescription) return undefined;
    return { ...base, spec: associationFromSsm(described.AssociationDescription, tags) };
  });
  return { resources: dedupe(read.filter((r): r is ActualResource => r !== undefined)) };
}
