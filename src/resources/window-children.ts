import type { WindowTargetSpec, WindowTaskSpec } from "../model/desired.js";
import type { Json, JsonObject, Resource } from "../model/plan.js";
import type { ResourceRef } from "../model/reference.js";
import { formatRefText, parseRefText } from "../model/reference.js";
import { withinAny } from "./field-paths.js";
import type { CallContext, IdRef, Reference, ResourceHandler } from "./handler.js";
import { serviceRoleKey } from "./service-role.js";
import { asArray, asObject, compact, kept, normalizeKeyValues, toCamel, toPascal } from "./shape.js";
import { flatKey } from "../util/flat-key.js";

/** The role SSM reads back when a task names none. */
const SERVICE_LINKED_ROLE = /:role\/aws-service-role\/ssm\.amazonaws\.com\/AWSServiceRoleForAmazonSSM$/;
const INVOCATION_BLOCKS = ["runCommand", "automation", "lambda", "stepFunctions"] as const;

export function targetKey(windowName: string, targetName: string): string {
  return flatKey("WindowTarget", windowName, targetName);
}
export function taskKey(windowName: string, taskName: string): string {
  return flatKey("WindowTask", windowName, taskName);
}
export function windowKey(windowName: string): string {
  return flatKey("MaintenanceWindow", windowName);
}
/** SSM marks a target's OwnerInformation and Description sensitive. */
const TARGET_SENSITIVE = ["ownerInformation", "description"];
const TARGET_UNORDERED = ["targets", "targets[].values"];

/**
 * SSM marks a task's Description, its document parameters (RunCommand Parameters and the
 * legacy TaskParameters), a Lambda Payload and a Step Functions Input sensitive.
 */
const TASK_SENSITIVE = ["description", "runCommand.parameters", "taskParameters", "lambda.payload", "stepFunctions.input"];
const TASK_UNORDERED = ["targets", "targets[].values", "runCommand.notificationConfig.notificationEvents", "alarmConfiguration.alarms"];

/** AWS's own patching documents: their parameters say what a patching run does and carry no secrets. */
export const PATCHING_DOCUMENTS: ReadonlySet<string> = new Set(["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks"]);
export const PATCHING_PARAMETERS: ReadonlySet<string> = new Set(["Operation", "RebootOption", "SnapshotId", "InstallOverrideList", "BaselineOverride"]);
/** By name or by ARN (the "AWS-" prefix is reserved: no one else's document has these names). */
const DOCUMENT_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]*:(?:\d{12})?:document\/([A-Za-z0-9_.-]+)$/;
const DOCUMENT_PARAMETER = /^(?:runCommand\.parameters|taskParameters)\.([^.[\]]+)/;

function runsPatchingDocument(spec: JsonObject | undefined): boolean {
  if (!spec || (spec.taskType !== undefined && spec.taskType !== "RUN_COMMAND")) return false;
  const arn = typeof spec.taskArn === "string" ? spec.taskArn : "";
  return PATCHING_DOCUMENTS.has(DOCUMENT_ARN.exec(arn)?.[1] ?? arn);
}

/**
 * Whether a task's field is masked: what SSM marks sensitive, except the parameters of
 * AWS's patching documents that decide what the run does (Scan or Install, reboot or not),
 * which a reviewer must see. `spec` is the task the value belongs to (its taskType and taskArn).
 */
export function taskFieldIsSensitive(path: string, spec: JsonObject | undefined): boolean {
  const parameter = DOCUMENT_PARAMETER.exec(path)?.[1];
  if (parameter !== undefined && PATCHING_PARAMETERS.has(parameter) && runsPatchingDocument(spec)) return false;
  return withinAny(path, TASK_SENSITIVE);
}

function windowNameOf(r: Resource): string {
  return (r.parentKey ?? "").slice("MaintenanceWindow/".length);
}

/** The window a target or task belongs to: created after it, deleted with it, owned through it. */
function parentReference(r: Resource): Reference[] {
  return r.parentKey ? [{ to: { logical: r.parentKey }, role: "parent" }] : [];
}

/** A WindowTargetIds value of a task: a sibling target by name (its key), or `id:<WindowTargetId>` (a target that is not ours). */
function targetRef(windowName: string, value: string): ResourceRef {
  const ref = parseRefText(value);
  return "id" in ref ? ref : { logical: targetKey(windowName, ref.logical) };
}

/** The targets a task names (WindowTargetIds). */
export function referencedTargets(task: Resource): ResourceRef[] {
  const windowName = windowNameOf(task);
  const refs: ResourceRef[] = [];
  for (const t of asArray(task.spec.targets)) {
    const o = asObject(t);
    if (o?.key !== "WindowTargetIds") continue;
    for (const v of asArray(o.values)) refs.push(targetRef(windowName, String(v)));
  }
  return refs;
}

export const windowTargetHandler: ResourceHandler = {
  type: "WindowTarget",
  heldWhileWindowRuns: "parent",
  writes: ["RegisterTargetWithMaintenanceWindow", "UpdateMaintenanceWindowTarget", "DeregisterTargetFromMaintenanceWindow"],
  noun: "target",
  ownership: "parent",
  references: parentReference,
  key: (name, windowName) => targetKey(windowName ?? "", name),
  // After its window exists; deregistered (Safe) after the tasks naming it were re-pointed or removed.
  phases: { create: 6, update: 6, delete: 8 },
  forceNew: ["resourceType"],
  isSensitive: (path) => withinAny(path, TARGET_SENSITIVE),
  unorderedLists: TARGET_UNORDERED,
  // Replaced create-then-delete (its phases): names need not be unique in SSM, so a new target can exist beside the old one while tasks move over.
  normalize(spec) {
    return compact({
      name: spec.name,
      resourceType: (spec.resourceType as string | undefined) ?? "INSTANCE",
      targets: normalizeKeyValues(spec.targets),
      ownerInformation: spec.ownerInformation,
      description: spec.description,
    });
  },
  createCalls(r, ctx) {
    return [
      {
        operation: "RegisterTargetWithMaintenanceWindow",
        input: { WindowId: ctx.idOf(r.parentKey!), ...targetInput(r.spec), ResourceType: r.spec.resourceType, ClientToken: ctx.clientToken(r) },
        yieldsId: { key: r.key, field: "WindowTargetId" },
        description: `register target ${String(r.spec.name)} with window ${windowNameOf(r)}`,
      },
    ];
  },
  updateCalls(change, ctx) {
    const r = change.after!;
    return [
      {
        operation: "UpdateMaintenanceWindowTarget",
        input: { WindowId: ctx.idOf(r.parentKey!), WindowTargetId: ctx.idOf(change.key), ...targetInput(r.spec), Replace: true },
        description: `update target ${String(r.spec.name)} of window ${windowNameOf(r)}`,
      },
    ];
  },
  deleteCalls(r, ctx) {
    return [
      {
        operation: "DeregisterTargetFromMaintenanceWindow",
        input: { WindowId: ctx.idOf(r.parentKey!), WindowTargetId: ctx.idOf(r.key), Safe: true },
        toleratedErrors: ["DoesNotExistException"],
        description: `deregister target ${String(r.spec.name)} from window ${windowNameOf(r)}`,
      },
    ];
  },
};

function targetInput(spec: JsonObject): Record<string, unknown> {
  return {
    Name: spec.name,
    Targets: asArray(spec.targets).map((t) => ({ Key: asObject(t)!.key, Values: asObject(t)!.values })),
    OwnerInformation: spec.ownerInformation,
    Description: spec.description,
  };
}

export const windowTaskHandler: ResourceHandler = {
  type: "WindowTask",
  heldWhileWindowRuns: "parent",
  writes: ["RegisterTaskWithMaintenanceWindow", "UpdateMaintenanceWindowTask", "DeregisterTaskFromMaintenanceWindow"],
  noun: "task",
  ownership: "parent",
  references(r) {
    const refs: Reference[] = [...parentReference(r)];
    for (const to of referencedTargets(r)) refs.push({ to, role: "uses", repointOnReplace: "is replaced; the task is re-pointed at the new target" });
    // serviceRole: a role of the desired state (its key); serviceRoleArn: a role named by its ARN, not one of ours.
    if (r.spec.serviceRole !== undefined) {
      refs.push({ to: { logical: serviceRoleKey(String(r.spec.serviceRole)) }, role: "uses", blocksDelete: true, repointOnReplace: "is replaced; the task is given the new role" });
    } else if (typeof r.spec.serviceRoleArn === "string") {
      refs.push({ to: { id: r.spec.serviceRoleArn }, role: "uses" });
    }
    return refs;
  },
  key: (name, windowName) => taskKey(windowName ?? "", name),
  // Deregistered first (nothing may still point at targets being removed); created after the targets it names.
  phases: { create: 7, update: 7, delete: 1 },
  logicalReferenceTypes: ["ServiceRole"],
  withLogicalReferences(r, ownedIds) {
    const arn = r.spec.serviceRoleArn;
    const role = typeof arn === "string" ? ownedIds.get(arn) : undefined;
    if (role?.type !== "ServiceRole") return r;
    // One form on both sides: `serviceRole: <logical name>` (what apply resolves to the role's ARN).
    const { serviceRoleArn: _arn, ...rest } = r.spec;
    return { ...r, spec: { ...rest, serviceRole: role.name } };
  },
  withRenamedReferences(spec, renamed) {
    if (renamed.size === 0) return spec;
    const targets = asArray(spec.targets).map((t) => {
      const o = asObject(t);
      if (o?.key !== "WindowTargetIds") return t;
      return { ...o, values: asArray(o.values).map((v) => renamed.get(String(v)) ?? v) };
    });
    return { ...spec, targets };
  },
  forceNew: ["taskType"],
  isSensitive: taskFieldIsSensitive,
  unorderedLists: TASK_UNORDERED,
  // Priority: the API documents no default for a task registered without one (AWS's own examples
  // always pass it). A CloudWatch log group left out is created by the service as /aws/ssm/<document>
  // (CloudWatchOutputConfig.CloudWatchLogGroupName, API reference) and may read back.
  serverDefaulted: ["priority", "runCommand.cloudWatchOutputConfig.cloudWatchLogGroupName"],
  normalize(spec) {
    const targets = normalizeKeyValues(spec.targets);
    const targetless = targets.length === 0;
    const role = spec.serviceRoleArn as string | undefined;
    const out: Record<string, Json | undefined> = {
      name: spec.name,
      taskType: spec.taskType,
      taskArn: spec.taskArn,
      targets,
      serviceRoleArn: role !== undefined && SERVICE_LINKED_ROLE.test(role) ? undefined : role,
      serviceRole: spec.serviceRole,
      priority: spec.priority,
      // Targetless tasks read back a "1" placeholder that was never asked for.
      maxConcurrency: targetless || spec.maxConcurrency === undefined ? undefined : String(spec.maxConcurrency),
      maxErrors: targetless || spec.maxErrors === undefined ? undefined : String(spec.maxErrors),
      cutoffBehavior: (spec.cutoffBehavior as string | undefined) ?? "CONTINUE_TASK",
      alarmConfiguration: spec.alarmConfiguration ? compact({ ignorePollAlarmFailure: asObject(spec.alarmConfiguration)?.ignorePollAlarmFailure ?? false, alarms: asObject(spec.alarmConfiguration)?.alarms }) : undefined,
      description: spec.description,
    };
    for (const block of INVOCATION_BLOCKS) {
      const b = asObject(spec[block]);
      if (b) out[block] = normalizeInvocation(block, b);
    }
    return compact(out);
  },
  createCalls(r, ctx) {
    return [
      {
        operation: "RegisterTaskWithMaintenanceWindow",
        input: { WindowId: ctx.idOf(r.parentKey!), ...taskInput(r, ctx), TaskType: r.spec.taskType, ClientToken: ctx.clientToken(r) },
        yieldsId: { key: r.key, field: "WindowTaskId" },
        description: `register task ${String(r.spec.name)} with window ${windowNameOf(r)}`,
      },
    ];
  },
  updateCalls(change, ctx) {
    const r = change.after!;
    return [
      {
        operation: "UpdateMaintenanceWindowTask",
        input: { WindowId: ctx.idOf(r.parentKey!), WindowTaskId: ctx.idOf(change.key), ...taskInput(r, ctx), Replace: true },
        description: `update task ${String(r.spec.name)} of window ${windowNameOf(r)}`,
      },
    ];
  },
  deleteCalls(r, ctx) {
    return [
      {
        operation: "DeregisterTaskFromMaintenanceWindow",
        input: { WindowId: ctx.idOf(r.parentKey!), WindowTaskId: ctx.idOf(r.key) },
        toleratedErrors: ["DoesNotExistException"],
        description: `deregister task ${String(r.spec.name)} from window ${windowNameOf(r)}`,
      },
    ];
  },
};

function normalizeInvocation(block: (typeof INVOCATION_BLOCKS)[number], b: JsonObject): JsonObject | undefined {
  if (block === "runCommand") {
    // compact({ ...b, parameters: …, notificationConfig: …, cloudWatchOutputConfig: … }) in one
    // pass, members in b's order: every task of a large window has a runCommand block.
    const out: JsonObject = {};
    for (const k in b) {
      let v: Json | undefined = b[k];
      if (k === "parameters") {
        const params = asObject(v);
        v = params ? sortedParameters(params) : undefined;
      } else if (k === "notificationConfig") {
        const notification = asObject(v);
        v = notification ? compact({ ...notification, notificationEvents: notification.notificationEvents ? asArray(notification.notificationEvents).map(String) : undefined }) : undefined;
      } else if (k === "cloudWatchOutputConfig") {
        const output = asObject(v);
        v = output ? compact({ ...output }) : undefined;
      }
      if (kept(v)) out[k] = v;
    }
    return out;
  }
  if (block === "automation") {
    const params = asObject(b.parameters);
    return compact({ ...b, parameters: params ? sortedParameters(params) : undefined });
  }
  return compact({ ...b });
}

/** Document parameters by name, each a list of strings (built in one pass: every task of a large window has them). */
function sortedParameters(params: JsonObject): JsonObject {
  const names = Object.keys(params);
  if (names.length > 1) names.sort();
  const out: JsonObject = {};
  for (const name of names) out[name] = asArray(params[name]).map(String);
  return out;
}

/** The WindowTargetId a task is registered with: the one it names, or its sibling target's, known now or at apply time. */
function targetIdOf(ref: ResourceRef, ctx: CallContext): string | IdRef {
  return "id" in ref ? ref.id : ctx.idOf(ref.logical);
}

function taskInput(r: Resource, ctx: CallContext): Record<string, unknown> {
  const spec = r.spec;
  const windowName = windowNameOf(r);
  const targets = asArray(spec.targets).map((t) => {
    const o = asObject(t)!;
    const values = asArray(o.values).map(String);
    return {
      Key: o.key,
      Values: o.key === "WindowTargetIds" ? values.map((value) => targetIdOf(targetRef(windowName, value), ctx)) : values,
    };
  });
  const invocation: Record<string, unknown> = {};
  for (const block of INVOCATION_BLOCKS) {
    const b = asObject(spec[block]);
    if (!b) continue;
    const pascal = toPascal(b);
    if (block === "lambda" && typeof pascal.Payload === "string") pascal.Payload = new TextEncoder().encode(pascal.Payload);
    invocation[block.charAt(0).toUpperCase() + block.slice(1)] = pascal;
  }
  const alarm = asObject(spec.alarmConfiguration);
  return {
    Targets: targets,
    TaskArn: spec.taskArn,
    // A ServiceRole of the desired state: its ARN, known now or once the role is created in this apply.
    ServiceRoleArn: spec.serviceRole !== undefined ? ctx.idOf(`ServiceRole/${String(spec.serviceRole)}`) : spec.serviceRoleArn,
    TaskInvocationParameters: Object.keys(invocation).length ? invocation : undefined,
    Priority: spec.priority,
    MaxConcurrency: spec.maxConcurrency,
    MaxErrors: spec.maxErrors,
    Name: spec.name,
    Description: spec.description,
    CutoffBehavior: spec.cutoffBehavior,
    AlarmConfiguration: alarm ? { IgnorePollAlarmFailure: alarm.ignorePollAlarmFailure, Alarms: asArray(alarm.alarms).map((a) => ({ Name: asObject(a)!.name })) } : undefined,
  };
}

export function targetFromDesired(t: WindowTargetSpec): JsonObject {
  // normalize builds a new object from the spec's values (strings, and fresh target lists): no copy needed.
  return windowTargetHandler.normalize(t as unknown as JsonObject);
}

/** Legacy TaskParameters / LoggingInfo mapped onto RunCommand where the meaning is the same. */
export function mapLegacyTaskFields(spec: JsonObject, notes: string[]): void {
  const legacyParams = asObject(spec.taskParameters);
  const logging = asObject(spec.loggingInfo);
  if (spec.taskType !== "RUN_COMMAND" || (!legacyParams && !logging)) {
    delete spec.taskParameters;
    delete spec.loggingInfo;
    return;
  }
  const run: JsonObject = { ...(asObject(spec.runCommand) ?? {}) };
  if (legacyParams) {
    run.parameters = Object.fromEntries(Object.entries(legacyParams).map(([k, v]) => [k, asArray(asObject(v)?.values).map(String)]));
    notes.push("legacy taskParameters are sent as runCommand.parameters (same meaning; TaskParameters is deprecated)");
  }
  if (logging) {
    run.outputS3BucketName = logging.s3BucketName!;
    if (logging.s3KeyPrefix !== undefined) run.outputS3KeyPrefix = logging.s3KeyPrefix;
    notes.push("legacy loggingInfo is sent as runCommand.outputS3BucketName/outputS3KeyPrefix (LoggingInfo is deprecated; s3Region is not carried: Run Command writes to the bucket in its own region)");
  }
  delete spec.taskParameters;
  delete spec.loggingInfo;
  spec.runCommand = run;
}

export function taskFromDesired(t: WindowTaskSpec, notes: string[]): JsonObject {
  // A shallow copy: mapLegacyTaskFields replaces top-level members only, normalize copies the blocks it changes.
  const spec = { ...(t as unknown as JsonObject) };
  mapLegacyTaskFields(spec, notes);
  return windowTaskHandler.normalize(spec);
}

/** GetMaintenanceWindowTask → the handler's shape; WindowTargetIds become target names. */
export function taskFromSsm(out: Record<string, unknown>, targetNameById: Map<string, string>): JsonObject {
  const spec = toCamel({
    Name: out.Name,
    TaskType: out.TaskType ?? out.Type,
    TaskArn: out.TaskArn,
    ServiceRoleArn: out.ServiceRoleArn,
    Priority: out.Priority,
    MaxConcurrency: out.MaxConcurrency,
    MaxErrors: out.MaxErrors,
    CutoffBehavior: out.CutoffBehavior,
    AlarmConfiguration: out.AlarmConfiguration,
    Description: out.Description,
    TaskParameters: out.TaskParameters,
    LoggingInfo: out.LoggingInfo,
  });
  spec.targets = asArray(toCamel({ T: out.Targets ?? [] }).t).map((t) => {
    const o = asObject(t)!;
    if (o.key !== "WindowTargetIds") return o;
    return { key: o.key, values: asArray(o.values).map((id) => targetNameById.get(String(id)) ?? formatRefText({ id: String(id) })) };
  });
  const inv = (out.TaskInvocationParameters ?? {}) as Record<string, unknown>;
  for (const [pascal, block] of [["RunCommand", "runCommand"], ["Automation", "automation"], ["Lambda", "lambda"], ["StepFunctions", "stepFunctions"]] as const) {
    if (inv[pascal]) spec[block] = toCamel(inv[pascal]);
  }
  if (!inv.RunCommand || !(inv.RunCommand as Record<string, unknown>).Parameters) {
    mapLegacyTaskFields(spec, []);
  } else {
    delete spec.taskParameters;
    delete spec.loggingInfo;
  }
  return windowTaskHandler.normalize(spec);
}

export function targetFromSsm(out: Record<string, unknown>): JsonObject {
  return windowTargetHandler.normalize(toCamel({ Name: out.Name, ResourceType: out.ResourceType, Targets: out.Targets, OwnerInformation: out.OwnerInformation, Description: out.Description }));
}

export type { IdRef };
