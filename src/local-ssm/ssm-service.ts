import { createHash } from "node:crypto";
import { nextRuns, parseSchedule, ScheduleError, validateTimezone } from "../schedule/index.js";
import { AwsError, doesNotExist, validationError } from "./errors.js";
import type { Fleet } from "./fleet.js";
import { countsFor } from "./fleet.js";
import type { BaselineRecord, RegionState, Tag, TargetRecord, TaskRecord, WindowRecord } from "./store.js";
import { hex17, newUuid, nowSeconds } from "./store.js";
import {
  BASELINE_ID, CLIENT_TOKEN, COMPLIANCE_LEVELS, FILTER_KEYS, Input, MAX_CONCURRENCY, MAX_ERRORS, NAME, OPERATING_SYSTEMS, TAG_TEXT, UUID, WINDOW_ID,
} from "./validate-input.js";

export const QUOTAS = { baselines: 50, windows: 50, groupsPerBaseline: 25, targetsPerWindow: 100, tasksPerWindow: 20, tags: 50 };

export interface OperationContext {
  state: RegionState;
  account: string;
  region: string;
  fleet: Fleet;
  /** Set by mutating operations: the store persists before answering. */
  mutated: boolean;
}

type Handler = (input: Input, ctx: OperationContext) => Record<string, unknown>;

const SERVICE_ROLE = (account: string) => `arn:aws:iam::${account}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM`;

function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** ClientToken idempotency: same token and same request → the same id; different request → IdempotentParameterMismatch. */
function idempotent(ctx: OperationContext, operation: string, input: Input, create: () => string): string {
  const token = input.string("ClientToken", CLIENT_TOKEN);
  if (!token) return create();
  const { ClientToken: _t, ...rest } = input.raw;
  const hash = createHash("sha256").update(canonical(rest)).digest("hex");
  const seen = ctx.state.tokens[`${operation}/${token}`];
  if (seen) {
    if (seen.hash !== hash) throw new AwsError("IdempotentParameterMismatch", "Error occurred during operation: the ClientToken was used with different parameters.");
    return seen.id;
  }
  const id = create();
  ctx.state.tokens[`${operation}/${token}`] = { operation, hash, id };
  return id;
}

function page<T>(items: T[], input: Input, min: number, max: number, fallback: number): { items: T[]; next?: string } {
  const size = input.int("MaxResults", { min, max }) ?? fallback;
  const tokenText = input.string("NextToken");
  let start = 0;
  if (tokenText) {
    const decoded = Number(Buffer.from(tokenText, "base64").toString("utf8").replace(/^offset:/, ""));
    if (!Number.isInteger(decoded) || decoded < 0) throw new AwsError("InvalidNextToken", "The specified token isn't valid.");
    start = decoded;
  }
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(`offset:${start + size}`).toString("base64") : undefined;
  return { items: slice, next };
}

function validateTags(tags: unknown[] | undefined, field = "tags"): Tag[] {
  const out: Tag[] = [];
  for (const t of tags ?? []) {
    const tag = t as Tag;
    if (typeof tag.Key !== "string" || tag.Key.length < 1 || tag.Key.length > 128 || !TAG_TEXT.test(tag.Key)) throw validationError(tag.Key, `${field}.member.key`, "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$");
    if (typeof tag.Value !== "string" || tag.Value.length > 256 || !TAG_TEXT.test(tag.Value)) throw validationError(tag.Value, `${field}.member.value`, "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$");
    out.push({ Key: tag.Key, Value: tag.Value });
  }
  if (out.length > QUOTAS.tags) throw new AwsError("TooManyTagsError", `The Tags parameter contains more than ${QUOTAS.tags} tags.`);
  return out;
}

function validateFilterGroup(group: unknown, member: string): Record<string, unknown> {
  if (group === undefined || group === null) return { PatchFilters: [] };
  const filters = ((group as { PatchFilters?: unknown[] }).PatchFilters ?? []) as { Key?: string; Values?: unknown[] }[];
  if (filters.length > 4) throw validationError(filters, `${member}.patchFilters`, "Member must have length less than or equal to 4");
  for (const f of filters) {
    if (!f.Key || !(FILTER_KEYS as readonly string[]).includes(f.Key)) throw validationError(f.Key ?? null, `${member}.patchFilters.member.key`, `Member must satisfy enum value set: [${FILTER_KEYS.join(", ")}]`);
    const values = f.Values ?? [];
    if (values.length < 1 || values.length > 20) throw validationError(values, `${member}.patchFilters.member.values`, "Member must have length between 1 and 20");
    for (const v of values) if (typeof v !== "string" || v.length < 1 || v.length > 64) throw validationError(v, `${member}.patchFilters.member.values.member`, "Member must have length between 1 and 64");
  }
  return { PatchFilters: filters.map((f) => ({ Key: f.Key, Values: [...(f.Values as string[])] })) };
}

function validateRules(rules: unknown, os: string): Record<string, unknown> {
  if (rules === undefined || rules === null) return { PatchRules: [] };
  const list = ((rules as { PatchRules?: unknown[] }).PatchRules ?? []) as Record<string, unknown>[];
  if (list.length > 10) throw validationError(list, "approvalRules.patchRules", "Member must have length less than or equal to 10");
  return {
    PatchRules: list.map((r) => {
      const days = r.ApproveAfterDays as number | undefined;
      const until = r.ApproveUntilDate as string | undefined;
      if (days !== undefined && (!Number.isInteger(days) || days < 0 || days > 360)) throw validationError(days, "approvalRules.patchRules.member.approveAfterDays", "Member must have value between 0 and 360");
      if (until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(until)) throw validationError(until, "approvalRules.patchRules.member.approveUntilDate", "Member must satisfy regular expression pattern: ^\\d{4}-\\d{2}-\\d{2}$");
      if (days !== undefined && until !== undefined) throw new AwsError("ValidationException", "A patch rule can specify either ApproveAfterDays or ApproveUntilDate, not both.");
      if ((os === "UBUNTU" || os === "DEBIAN") && (days !== undefined || until !== undefined)) throw new AwsError("ValidationException", `ApproveAfterDays and ApproveUntilDate are not supported for ${os}.`);
      if (os !== "UBUNTU" && os !== "DEBIAN" && days === undefined && until === undefined) throw new AwsError("ValidationException", "A patch rule must specify ApproveAfterDays or ApproveUntilDate.");
      const level = (r.ComplianceLevel as string | undefined) ?? "UNSPECIFIED";
      if (!(COMPLIANCE_LEVELS as readonly string[]).includes(level)) throw validationError(level, "approvalRules.patchRules.member.complianceLevel", `Member must satisfy enum value set: [${COMPLIANCE_LEVELS.join(", ")}]`);
      const out: Record<string, unknown> = { PatchFilterGroup: validateFilterGroup(r.PatchFilterGroup, "approvalRules.patchRules.member.patchFilterGroup"), ComplianceLevel: level, EnableNonSecurity: (r.EnableNonSecurity as boolean | undefined) ?? false };
      if (days !== undefined) out.ApproveAfterDays = days;
      if (until !== undefined) out.ApproveUntilDate = until;
      return out;
    }),
  };
}

function patchList(input: Input, name: string): string[] {
  const list = input.list<string>(name, { max: 50 }) ?? [];
  for (const p of list) if (typeof p !== "string" || p.length < 1 || p.length > 100) throw validationError(p, `${name.charAt(0).toLowerCase()}${name.slice(1)}.member`, "Member must have length between 1 and 100");
  return [...list];
}

function sources(input: Input): Record<string, unknown>[] {
  const list = (input.list<Record<string, unknown>>("Sources", { max: 20 }) ?? []).map((s) => ({ ...s }));
  for (const s of list) {
    if (typeof s.Name !== "string" || !/^[a-zA-Z0-9_\-.]{3,50}$/.test(s.Name)) throw validationError(s.Name ?? null, "sources.member.name", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,50}$");
    if (typeof s.Configuration !== "string" || s.Configuration.length < 1 || s.Configuration.length > 1024) throw validationError("***", "sources.member.configuration", "Member must have length between 1 and 1024");
  }
  return list;
}

/** Applies the updatable baseline fields; with Replace, omitted optional fields are reset. */
function applyBaselineFields(b: BaselineRecord, input: Input, replace: boolean): void {
  const set = <K extends keyof BaselineRecord>(k: K, present: boolean, value: () => BaselineRecord[K], reset: BaselineRecord[K]): void => {
    if (present) b[k] = value();
    else if (replace) b[k] = reset;
  };
  if (input.has("Name")) b.Name = input.requiredString("Name", { pattern: NAME });
  set("Description", input.has("Description"), () => input.string("Description", { min: 1, max: 1024 }), undefined);
  set("GlobalFilters", input.has("GlobalFilters"), () => validateFilterGroup(input.raw.GlobalFilters, "globalFilters"), { PatchFilters: [] });
  set("ApprovalRules", input.has("ApprovalRules"), () => validateRules(input.raw.ApprovalRules, b.OperatingSystem), { PatchRules: [] });
  set("ApprovedPatches", input.has("ApprovedPatches"), () => patchList(input, "ApprovedPatches"), []);
  set("ApprovedPatchesComplianceLevel", input.has("ApprovedPatchesComplianceLevel"), () => input.requiredString("ApprovedPatchesComplianceLevel", { enum: COMPLIANCE_LEVELS }), "UNSPECIFIED");
  set("ApprovedPatchesEnableNonSecurity", input.has("ApprovedPatchesEnableNonSecurity"), () => input.bool("ApprovedPatchesEnableNonSecurity")!, false);
  set("RejectedPatches", input.has("RejectedPatches"), () => patchList(input, "RejectedPatches"), []);
  set("RejectedPatchesAction", input.has("RejectedPatchesAction"), () => input.requiredString("RejectedPatchesAction", { enum: ["ALLOW_AS_DEPENDENCY", "BLOCK"] }), "ALLOW_AS_DEPENDENCY");
  set("Sources", input.has("Sources"), () => sources(input), []);
  set("AvailableSecurityUpdatesComplianceStatus", input.has("AvailableSecurityUpdatesComplianceStatus"), () => input.string("AvailableSecurityUpdatesComplianceStatus", { enum: ["COMPLIANT", "NON_COMPLIANT"] }), undefined);
}

function baselineOut(b: BaselineRecord): Record<string, unknown> {
  const { Tags: _tags, AwsOwned: _aws, PatchGroups: _groups, ...rest } = b;
  return { ...rest };
}

function findBaseline(ctx: OperationContext, id: string): BaselineRecord {
  const direct = ctx.state.baselines[id];
  if (direct) return direct;
  // AWS-owned baselines may be addressed by their full ARN or by the pb- suffix.
  const bySuffix = Object.values(ctx.state.baselines).find((b) => b.AwsOwned && b.BaselineId.endsWith(`/${id}`));
  if (bySuffix) return bySuffix;
  throw doesNotExist(`Patch Baseline ${id} does not exist.`);
}

function baselineIdentity(b: BaselineRecord, ctx: OperationContext): Record<string, unknown> {
  return { BaselineId: b.BaselineId, BaselineName: b.Name, OperatingSystem: b.OperatingSystem, BaselineDescription: b.Description, DefaultBaseline: ctx.state.defaults[b.OperatingSystem] === b.BaselineId };
}

function findWindow(ctx: OperationContext, id: string | undefined): WindowRecord {
  if (!id || !WINDOW_ID.test(id)) throw validationError(id ?? null, "windowId", "Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$");
  const w = ctx.state.windows[id];
  if (!w) throw doesNotExist(`Maintenance window ${id} does not exist`);
  return w;
}

function checkSchedule(schedule: string, timezone: string | undefined, offset: number | undefined): void {
  let kind: string;
  try {
    kind = parseSchedule(schedule).kind;
  } catch (err) {
    if (err instanceof ScheduleError) throw new AwsError("ValidationException", `Invalid schedule expression '${schedule}': ${err.message}`);
    throw err;
  }
  if (timezone !== undefined && !validateTimezone(timezone)) throw new AwsError("ValidationException", `Invalid ScheduleTimezone: ${timezone}`);
  if (offset !== undefined && kind !== "cron") throw new AwsError("ValidationException", "ScheduleOffset can only be used with cron expressions.");
}

function checkIsoDate(value: string | undefined, member: string): void {
  if (value !== undefined && Number.isNaN(Date.parse(value))) throw validationError(value, member, "Member must be an ISO-8601 date-time");
}

function nextExecution(w: WindowRecord): string | undefined {
  if (!w.Enabled) return undefined;
  try {
    const [next] = nextRuns(parseSchedule(w.Schedule), new Date(), 1, { timezone: w.ScheduleTimezone, offsetDays: w.ScheduleOffset, startDate: w.StartDate, endDate: w.EndDate });
    return next ? next.toISOString().replace(/:\d{2}\.\d{3}Z$/, "Z") : undefined;
  } catch {
    return undefined;
  }
}

function windowOut(w: WindowRecord): Record<string, unknown> {
  const { Tags: _t, ...rest } = w;
  return { ...rest, NextExecutionTime: nextExecution(w) };
}

function applyWindowFields(w: WindowRecord, input: Input, replace: boolean): void {
  const opt = <K extends keyof WindowRecord>(k: K, value: WindowRecord[K] | undefined): void => {
    if (value !== undefined) w[k] = value;
    else if (replace) delete w[k];
  };
  if (input.has("Name")) w.Name = input.requiredString("Name", { pattern: NAME });
  opt("Description", input.string("Description", { min: 1, max: 128 }));
  opt("StartDate", input.string("StartDate"));
  opt("EndDate", input.string("EndDate"));
  opt("ScheduleTimezone", input.string("ScheduleTimezone"));
  opt("ScheduleOffset", input.int("ScheduleOffset", { min: 1, max: 6 }));
  if (input.has("Schedule")) w.Schedule = input.requiredString("Schedule", { min: 1, max: 256 });
  if (input.has("Duration")) w.Duration = input.int("Duration", { min: 1, max: 24 })!;
  if (input.has("Cutoff")) w.Cutoff = input.int("Cutoff", { min: 0, max: 23 })!;
  if (input.has("AllowUnassociatedTargets")) w.AllowUnassociatedTargets = input.bool("AllowUnassociatedTargets")!;
  if (input.has("Enabled")) w.Enabled = input.bool("Enabled")!;
  checkIsoDate(w.StartDate, "startDate");
  checkIsoDate(w.EndDate, "endDate");
  if (w.Cutoff >= w.Duration) throw new AwsError("ValidationException", "The cutoff must be less than the duration.");
  checkSchedule(w.Schedule, w.ScheduleTimezone, w.ScheduleOffset);
}

function validateTargets(list: unknown[] | undefined, member: string): { Key: string; Values: string[] }[] {
  if (!list) return [];
  if (list.length > 5) throw validationError(list, member, "Member must have length less than or equal to 5");
  return list.map((t) => {
    const target = t as { Key?: string; Values?: unknown[] };
    if (typeof target.Key !== "string" || target.Key.length < 1 || target.Key.length > 163) throw validationError(target.Key ?? null, `${member}.member.key`, "Member must have length between 1 and 163");
    const values = (target.Values ?? []) as string[];
    if (values.length > 50) throw validationError(values, `${member}.member.values`, "Member must have length less than or equal to 50");
    return { Key: target.Key, Values: [...values] };
  });
}

function targetOut(t: TargetRecord): Record<string, unknown> {
  return { ...t };
}

function taskRateControl(input: Input, hasTargets: boolean): { MaxConcurrency?: string; MaxErrors?: string } {
  const mc = input.string("MaxConcurrency", { min: 1, max: 7, pattern: MAX_CONCURRENCY });
  const me = input.string("MaxErrors", { min: 1, max: 7, pattern: MAX_ERRORS });
  if (!hasTargets && (mc !== undefined || me !== undefined)) throw new AwsError("ValidationException", "MaxConcurrency and MaxErrors can't be specified for a task without targets.");
  if (hasTargets && (mc === undefined || me === undefined)) throw new AwsError("ValidationException", "MaxConcurrency and MaxErrors are required for a task with targets.");
  return { MaxConcurrency: mc, MaxErrors: me };
}

function checkTaskTargets(ctx: OperationContext, w: WindowRecord, targets: { Key: string; Values: string[] }[]): void {
  for (const t of targets) {
    if (t.Key === "WindowTargetIds") {
      for (const id of t.Values) {
        const target = ctx.state.targets[id];
        if (!target || target.WindowId !== w.WindowId) throw doesNotExist(`Window target ${id} does not exist in window ${w.WindowId}`);
      }
    } else if (t.Key === "InstanceIds") {
      if (!w.AllowUnassociatedTargets) throw new AwsError("ValidationException", "InstanceIds targets require a window that allows unassociated targets.");
    } else {
      throw new AwsError("ValidationException", `Task targets must use WindowTargetIds or InstanceIds, not ${t.Key}.`);
    }
  }
}

function taskOut(t: TaskRecord, full: boolean): Record<string, unknown> {
  const { Type, TaskInvocationParameters, ...rest } = t;
  const out: Record<string, unknown> = { ...rest, MaxConcurrency: t.MaxConcurrency ?? "1", MaxErrors: t.MaxErrors ?? "1" };
  if (full) {
    out.TaskType = Type;
    if (TaskInvocationParameters) out.TaskInvocationParameters = TaskInvocationParameters;
  } else {
    out.Type = Type;
  }
  return out;
}

function applyTaskFields(ctx: OperationContext, w: WindowRecord, t: TaskRecord, input: Input, replace: boolean, isCreate: boolean): void {
  const targets = input.has("Targets") ? validateTargets(input.list("Targets"), "targets") : replace ? [] : t.Targets;
  checkTaskTargets(ctx, w, targets);
  if (t.Type === "RUN_COMMAND" && targets.length === 0) throw new AwsError("ValidationException", "Targets are required for RUN_COMMAND tasks.");
  const rate = input.has("MaxConcurrency") || input.has("MaxErrors") || replace || isCreate ? taskRateControl(input, targets.length > 0) : { MaxConcurrency: t.MaxConcurrency, MaxErrors: t.MaxErrors };
  t.Targets = targets;
  t.MaxConcurrency = rate.MaxConcurrency;
  t.MaxErrors = rate.MaxErrors;
  if (input.has("TaskArn")) t.TaskArn = input.requiredString("TaskArn", { min: 1, max: 1600 });
  const opt = <K extends keyof TaskRecord>(k: K, present: boolean, value: () => TaskRecord[K]): void => {
    if (present) t[k] = value();
    else if (replace) delete t[k];
  };
  if (input.has("ServiceRoleArn")) t.ServiceRoleArn = input.requiredString("ServiceRoleArn");
  else if (replace || isCreate) t.ServiceRoleArn = SERVICE_ROLE(ctx.account);
  if (input.has("Priority")) t.Priority = input.int("Priority", { min: 0 })!;
  else if (replace) t.Priority = 1;
  opt("Name", input.has("Name"), () => input.string("Name", { pattern: NAME }));
  opt("Description", input.has("Description"), () => input.string("Description", { min: 1, max: 128 }));
  opt("TaskParameters", input.has("TaskParameters"), () => input.object("TaskParameters"));
  opt("LoggingInfo", input.has("LoggingInfo"), () => input.object("LoggingInfo"));
  opt("AlarmConfiguration", input.has("AlarmConfiguration"), () => {
    const a = input.object<{ Alarms?: unknown[] }>("AlarmConfiguration")!;
    if (!Array.isArray(a.Alarms) || a.Alarms.length !== 1) throw validationError(a.Alarms ?? null, "alarmConfiguration.alarms", "Member must have length equal to 1");
    return a as Record<string, unknown>;
  });
  if (input.has("CutoffBehavior")) t.CutoffBehavior = input.requiredString("CutoffBehavior", { enum: ["CONTINUE_TASK", "CANCEL_TASK"] });
  else if (replace) t.CutoffBehavior = "CONTINUE_TASK";
  // TaskInvocationParameters is replaced whole on every update, Replace or not.
  if (input.has("TaskInvocationParameters")) {
    const inv = input.object("TaskInvocationParameters")!;
    const allowed: Record<string, string> = { RUN_COMMAND: "RunCommand", AUTOMATION: "Automation", LAMBDA: "Lambda", STEP_FUNCTIONS: "StepFunctions" };
    for (const k of Object.keys(inv)) if (k !== allowed[t.Type]) throw new AwsError("ValidationException", `TaskInvocationParameters.${k} does not match task type ${t.Type}.`);
    const rc = inv.RunCommand as Record<string, unknown> | undefined;
    if (rc?.TimeoutSeconds !== undefined && ((rc.TimeoutSeconds as number) < 30 || (rc.TimeoutSeconds as number) > 2592000)) throw validationError(rc.TimeoutSeconds, "taskInvocationParameters.runCommand.timeoutSeconds", "Member must have value between 30 and 2592000");
    if (rc?.Comment !== undefined && String(rc.Comment).length > 100) throw validationError(rc.Comment, "taskInvocationParameters.runCommand.comment", "Member must have length less than or equal to 100");
    t.TaskInvocationParameters = inv;
  } else if (replace) {
    delete t.TaskInvocationParameters;
  }
}

function tagTarget(ctx: OperationContext, input: Input): { Tags: Tag[] } {
  const type = input.requiredString("ResourceType", { enum: ["Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"] });
  const id = input.requiredString("ResourceId");
  if (type === "PatchBaseline") {
    const b = ctx.state.baselines[id];
    if (!b || b.AwsOwned) throw new AwsError("InvalidResourceId", `The resource ID ${id} is not valid. Verify the ID and try again.`);
    return b;
  }
  if (type === "MaintenanceWindow") {
    const w = ctx.state.windows[id];
    if (!w) throw new AwsError("InvalidResourceId", `The resource ID ${id} is not valid. Verify the ID and try again.`);
    return w;
  }
  throw new AwsError("InvalidResourceType", `The resource type ${type} is not supported by this endpoint.`);
}

function groupPattern(input: Input): string {
  return input.requiredString("PatchGroup", { min: 1, max: 256, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u });
}

const handlers: Record<string, Handler> = {
  CreatePatchBaseline(input, ctx) {
    const name = input.requiredString("Name", { pattern: NAME });
    const os = input.string("OperatingSystem", { enum: OPERATING_SYSTEMS }) ?? "WINDOWS";
    const id = idempotent(ctx, "CreatePatchBaseline", input, () => {
      const custom = Object.values(ctx.state.baselines).filter((b) => !b.AwsOwned).length;
      if (custom >= QUOTAS.baselines) throw new AwsError("ResourceLimitExceededException", `Maximum number of patch baselines (${QUOTAS.baselines}) reached.`);
      const t = nowSeconds();
      const b: BaselineRecord = {
        BaselineId: `pb-${hex17()}`, Name: name, OperatingSystem: os, GlobalFilters: { PatchFilters: [] }, ApprovalRules: { PatchRules: [] }, ApprovedPatches: [],
        ApprovedPatchesComplianceLevel: "UNSPECIFIED", ApprovedPatchesEnableNonSecurity: false, RejectedPatches: [], RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
        Sources: [], PatchGroups: [], CreatedDate: t, ModifiedDate: t, Tags: validateTags(input.list("Tags")),
      };
      applyBaselineFields(b, input, false);
      ctx.state.baselines[b.BaselineId] = b;
      ctx.mutated = true;
      return b.BaselineId;
    });
    return { BaselineId: id };
  },
  UpdatePatchBaseline(input, ctx) {
    const b = findBaseline(ctx, input.requiredString("BaselineId", { pattern: BASELINE_ID }));
    if (b.AwsOwned) throw new AwsError("AccessDeniedException", "AWS-owned patch baselines cannot be modified.");
    const next: BaselineRecord = JSON.parse(JSON.stringify(b)) as BaselineRecord;
    applyBaselineFields(next, input, input.bool("Replace") ?? false);
    next.ModifiedDate = nowSeconds();
    ctx.state.baselines[b.BaselineId] = next;
    ctx.mutated = true;
    return baselineOut(next);
  },
  GetPatchBaseline(input, ctx) {
    const b = findBaseline(ctx, input.requiredString("BaselineId", { pattern: BASELINE_ID }));
    return { ...baselineOut(b), PatchGroups: [...b.PatchGroups] };
  },
  DeletePatchBaseline(input, ctx) {
    const b = findBaseline(ctx, input.requiredString("BaselineId", { pattern: BASELINE_ID }));
    if (b.AwsOwned) throw new AwsError("AccessDeniedException", "AWS-owned patch baselines cannot be deleted.");
    if (b.PatchGroups.length > 0) throw new AwsError("ResourceInUseException", `Patch baseline ${b.BaselineId} is registered to patch groups: ${b.PatchGroups.join(", ")}`);
    if (ctx.state.defaults[b.OperatingSystem] === b.BaselineId) throw new AwsError("ResourceInUseException", `Patch baseline ${b.BaselineId} is the default patch baseline for ${b.OperatingSystem}`);
    delete ctx.state.baselines[b.BaselineId];
    ctx.mutated = true;
    return { BaselineId: b.BaselineId };
  },
  DescribePatchBaselines(input, ctx) {
    const filters = (input.list<{ Key?: string; Values?: string[] }>("Filters") ?? []);
    let list = Object.values(ctx.state.baselines);
    for (const f of filters) {
      const values = f.Values ?? [];
      if (f.Key === "NAME_PREFIX") list = list.filter((b) => values.some((v) => b.Name.startsWith(v)));
      else if (f.Key === "OWNER") list = list.filter((b) => values.some((v) => (v === "AWS" ? b.AwsOwned : v === "Self" ? !b.AwsOwned : true)));
      else if (f.Key === "OPERATING_SYSTEM") list = list.filter((b) => values.includes(b.OperatingSystem));
      else throw new AwsError("ValidationException", `Invalid filter key ${String(f.Key)}: expected NAME_PREFIX, OWNER or OPERATING_SYSTEM`);
    }
    const p = page(list, input, 1, 100, 100);
    return { BaselineIdentities: p.items.map((b) => baselineIdentity(b, ctx)), NextToken: p.next };
  },
  RegisterPatchBaselineForPatchGroup(input, ctx) {
    const b = findBaseline(ctx, input.requiredString("BaselineId", { pattern: BASELINE_ID }));
    const group = groupPattern(input);
    const clash = Object.values(ctx.state.baselines).find((x) => x.OperatingSystem === b.OperatingSystem && x.PatchGroups.includes(group));
    if (clash) throw new AwsError("AlreadyExistsException", `Patch Group ${group} is already registered with baseline ${clash.BaselineId} for ${b.OperatingSystem}`);
    if (b.PatchGroups.length >= QUOTAS.groupsPerBaseline) throw new AwsError("ResourceLimitExceededException", `Maximum number of patch groups (${QUOTAS.groupsPerBaseline}) per baseline reached.`);
    b.PatchGroups.push(group);
    ctx.mutated = true;
    return { BaselineId: b.BaselineId, PatchGroup: group };
  },
  DeregisterPatchBaselineForPatchGroup(input, ctx) {
    const b = findBaseline(ctx, input.requiredString("BaselineId", { pattern: BASELINE_ID }));
    const group = groupPattern(input);
    if (!b.PatchGroups.includes(group)) throw doesNotExist(`Patch Group ${group} is not registered with baseline ${b.BaselineId}`);
    b.PatchGroups = b.PatchGroups.filter((g) => g !== group);
    ctx.mutated = true;
    return { BaselineId: b.BaselineId, PatchGroup: group };
  },
  DescribePatchGroups(input, ctx) {
    const filters = input.list<{ Key?: string; Values?: string[] }>("Filters") ?? [];
    let mappings = Object.values(ctx.state.baselines).flatMap((b) => b.PatchGroups.map((g) => ({ PatchGroup: g, BaselineIdentity: baselineIdentity(b, ctx), os: b.OperatingSystem })));
    for (const f of filters) {
      const values = f.Values ?? [];
      if (f.Key === "NAME_PREFIX") mappings = mappings.filter((m) => values.some((v) => m.PatchGroup.startsWith(v)));
      else if (f.Key === "OPERATING_SYSTEM") mappings = mappings.filter((m) => values.includes(m.os));
      else throw new AwsError("ValidationException", `Invalid filter key ${String(f.Key)}: expected NAME_PREFIX or OPERATING_SYSTEM`);
    }
    const p = page(mappings, input, 1, 100, 100);
    return { Mappings: p.items.map(({ os: _os, ...m }) => m), NextToken: p.next };
  },
  GetPatchBaselineForPatchGroup(input, ctx) {
    const group = groupPattern(input);
    const os = input.string("OperatingSystem", { enum: OPERATING_SYSTEMS }) ?? "WINDOWS";
    const b = Object.values(ctx.state.baselines).find((x) => x.OperatingSystem === os && x.PatchGroups.includes(group));
    return { BaselineId: b?.BaselineId ?? ctx.state.defaults[os], PatchGroup: group, OperatingSystem: os };
  },
  RegisterDefaultPatchBaseline(input, ctx) {
    const b = findBaseline(ctx, input.requiredString("BaselineId", { pattern: BASELINE_ID }));
    ctx.state.defaults[b.OperatingSystem] = b.BaselineId;
    ctx.mutated = true;
    return { BaselineId: b.BaselineId };
  },
  GetDefaultPatchBaseline(input, ctx) {
    const os = input.string("OperatingSystem", { enum: OPERATING_SYSTEMS }) ?? "WINDOWS";
    return { BaselineId: ctx.state.defaults[os], OperatingSystem: os };
  },
  CreateMaintenanceWindow(input, ctx) {
    input.requiredString("Name", { pattern: NAME });
    input.requiredString("Schedule", { min: 1, max: 256 });
    input.int("Duration", { required: true, min: 1, max: 24 });
    input.int("Cutoff", { required: true, min: 0, max: 23 });
    input.bool("AllowUnassociatedTargets", true);
    const id = idempotent(ctx, "CreateMaintenanceWindow", input, () => {
      if (Object.keys(ctx.state.windows).length >= QUOTAS.windows) throw new AwsError("ResourceLimitExceededException", `Maximum number of maintenance windows (${QUOTAS.windows}) reached.`);
      const t = nowSeconds();
      const w: WindowRecord = { WindowId: `mw-${hex17()}`, Name: "", Schedule: "", Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false, Enabled: true, CreatedDate: t, ModifiedDate: t, Tags: validateTags(input.list("Tags")) };
      applyWindowFields(w, input, false);
      ctx.state.windows[w.WindowId] = w;
      ctx.mutated = true;
      return w.WindowId;
    });
    return { WindowId: id };
  },
  UpdateMaintenanceWindow(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const next = JSON.parse(JSON.stringify(w)) as WindowRecord;
    applyWindowFields(next, input, input.bool("Replace") ?? false);
    next.ModifiedDate = nowSeconds();
    ctx.state.windows[w.WindowId] = next;
    ctx.mutated = true;
    const { NextExecutionTime: _n, CreatedDate: _c, ModifiedDate: _m, ...out } = windowOut(next);
    return out;
  },
  GetMaintenanceWindow(input, ctx) {
    return windowOut(findWindow(ctx, input.string("WindowId")));
  },
  DeleteMaintenanceWindow(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    for (const [id, t] of Object.entries(ctx.state.targets)) if (t.WindowId === w.WindowId) delete ctx.state.targets[id];
    for (const [id, t] of Object.entries(ctx.state.tasks)) if (t.WindowId === w.WindowId) delete ctx.state.tasks[id];
    delete ctx.state.windows[w.WindowId];
    ctx.mutated = true;
    return { WindowId: w.WindowId };
  },
  DescribeMaintenanceWindows(input, ctx) {
    let list = Object.values(ctx.state.windows);
    for (const f of input.list<{ Key?: string; Values?: string[] }>("Filters") ?? []) {
      const values = f.Values ?? [];
      if (f.Key === "Name") list = list.filter((w) => values.includes(w.Name));
      else if (f.Key === "Enabled") list = list.filter((w) => values.includes(String(w.Enabled)));
      else throw new AwsError("ValidationException", `Invalid filter key ${String(f.Key)}: expected Name or Enabled`);
    }
    const p = page(list, input, 10, 100, 100);
    return {
      WindowIdentities: p.items.map((w) => ({ WindowId: w.WindowId, Name: w.Name, Description: w.Description, Enabled: w.Enabled, Duration: w.Duration, Cutoff: w.Cutoff, Schedule: w.Schedule, ScheduleTimezone: w.ScheduleTimezone, ScheduleOffset: w.ScheduleOffset, EndDate: w.EndDate, StartDate: w.StartDate, NextExecutionTime: nextExecution(w) })),
      NextToken: p.next,
    };
  },
  RegisterTargetWithMaintenanceWindow(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const resourceType = input.requiredString("ResourceType", { enum: ["INSTANCE", "RESOURCE_GROUP"] });
    const targets = validateTargets(input.list("Targets"), "targets");
    if (targets.length === 0) throw validationError([], "targets", "Member must have length greater than or equal to 1");
    const id = idempotent(ctx, "RegisterTargetWithMaintenanceWindow", input, () => {
      if (Object.values(ctx.state.targets).filter((t) => t.WindowId === w.WindowId).length >= QUOTAS.targetsPerWindow) throw new AwsError("ResourceLimitExceededException", `Maximum number of targets (${QUOTAS.targetsPerWindow}) per window reached.`);
      const t: TargetRecord = { WindowId: w.WindowId, WindowTargetId: newUuid(), ResourceType: resourceType, Targets: targets };
      const owner = input.string("OwnerInformation", { min: 1, max: 128 });
      const name = input.string("Name", { pattern: NAME });
      const description = input.string("Description", { min: 1, max: 128 });
      if (owner !== undefined) t.OwnerInformation = owner;
      if (name !== undefined) t.Name = name;
      if (description !== undefined) t.Description = description;
      ctx.state.targets[t.WindowTargetId] = t;
      ctx.mutated = true;
      return t.WindowTargetId;
    });
    return { WindowTargetId: id };
  },
  UpdateMaintenanceWindowTarget(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const id = input.requiredString("WindowTargetId", { pattern: UUID });
    const t = ctx.state.targets[id];
    if (!t || t.WindowId !== w.WindowId) throw doesNotExist(`Window target ${id} does not exist in window ${w.WindowId}`);
    const replace = input.bool("Replace") ?? false;
    const next = { ...t };
    const opt = (k: "OwnerInformation" | "Name" | "Description", v: string | undefined): void => {
      if (v !== undefined) next[k] = v;
      else if (replace) delete next[k];
    };
    if (input.has("Targets")) next.Targets = validateTargets(input.list("Targets"), "targets");
    else if (replace) throw new AwsError("ValidationException", "Targets is required when Replace is true.");
    opt("OwnerInformation", input.string("OwnerInformation", { min: 1, max: 128 }));
    opt("Name", input.string("Name", { pattern: NAME }));
    opt("Description", input.string("Description", { min: 1, max: 128 }));
    ctx.state.targets[id] = next;
    ctx.mutated = true;
    return targetOut(next);
  },
  DeregisterTargetFromMaintenanceWindow(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const id = input.requiredString("WindowTargetId", { pattern: UUID });
    const t = ctx.state.targets[id];
    if (!t || t.WindowId !== w.WindowId) throw doesNotExist(`Window target ${id} does not exist in window ${w.WindowId}`);
    const users = Object.values(ctx.state.tasks).filter((k) => k.WindowId === w.WindowId && k.Targets.some((x) => x.Key === "WindowTargetIds" && x.Values.includes(id)));
    if (users.length > 0 && input.bool("Safe")) throw new AwsError("TargetInUseException", `Target ${id} is referenced by tasks: ${users.map((u) => u.WindowTaskId).join(", ")}`);
    delete ctx.state.targets[id];
    ctx.mutated = true;
    return { WindowId: w.WindowId, WindowTargetId: id };
  },
  DescribeMaintenanceWindowTargets(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    let list = Object.values(ctx.state.targets).filter((t) => t.WindowId === w.WindowId);
    for (const f of input.list<{ Key?: string; Values?: string[] }>("Filters") ?? []) {
      const values = f.Values ?? [];
      if (f.Key === "WindowTargetId") list = list.filter((t) => values.includes(t.WindowTargetId));
      else if (f.Key === "OwnerInformation") list = list.filter((t) => values.includes(t.OwnerInformation ?? ""));
      else if (f.Key === "Type" || f.Key === "ResourceType") list = list.filter((t) => values.includes(t.ResourceType));
      else throw new AwsError("ValidationException", `Invalid filter key ${String(f.Key)}`);
    }
    const p = page(list, input, 10, 100, 100);
    return { Targets: p.items.map(targetOut), NextToken: p.next };
  },
  RegisterTaskWithMaintenanceWindow(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const type = input.requiredString("TaskType", { enum: ["RUN_COMMAND", "AUTOMATION", "STEP_FUNCTIONS", "LAMBDA"] });
    input.requiredString("TaskArn", { min: 1, max: 1600 });
    const id = idempotent(ctx, "RegisterTaskWithMaintenanceWindow", input, () => {
      if (Object.values(ctx.state.tasks).filter((t) => t.WindowId === w.WindowId).length >= QUOTAS.tasksPerWindow) throw new AwsError("ResourceLimitExceededException", `Maximum number of tasks (${QUOTAS.tasksPerWindow}) per window reached.`);
      const t: TaskRecord = { WindowId: w.WindowId, WindowTaskId: newUuid(), TaskArn: "", Type: type, Targets: [], Priority: 1, ServiceRoleArn: "", CutoffBehavior: "CONTINUE_TASK" };
      applyTaskFields(ctx, w, t, input, false, true);
      ctx.state.tasks[t.WindowTaskId] = t;
      ctx.mutated = true;
      return t.WindowTaskId;
    });
    return { WindowTaskId: id };
  },
  UpdateMaintenanceWindowTask(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const id = input.requiredString("WindowTaskId", { pattern: UUID });
    const t = ctx.state.tasks[id];
    if (!t || t.WindowId !== w.WindowId) throw doesNotExist(`Window task ${id} does not exist in window ${w.WindowId}`);
    const next = JSON.parse(JSON.stringify(t)) as TaskRecord;
    applyTaskFields(ctx, w, next, input, input.bool("Replace") ?? false, false);
    ctx.state.tasks[id] = next;
    ctx.mutated = true;
    return taskOut(next, true);
  },
  GetMaintenanceWindowTask(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const id = input.requiredString("WindowTaskId", { pattern: UUID });
    const t = ctx.state.tasks[id];
    if (!t || t.WindowId !== w.WindowId) throw doesNotExist(`Window task ${id} does not exist in window ${w.WindowId}`);
    return taskOut(t, true);
  },
  DeregisterTaskFromMaintenanceWindow(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const id = input.requiredString("WindowTaskId", { pattern: UUID });
    const t = ctx.state.tasks[id];
    if (!t || t.WindowId !== w.WindowId) throw doesNotExist(`Window task ${id} does not exist in window ${w.WindowId}`);
    delete ctx.state.tasks[id];
    ctx.mutated = true;
    return { WindowId: w.WindowId, WindowTaskId: id };
  },
  DescribeMaintenanceWindowTasks(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    let list = Object.values(ctx.state.tasks).filter((t) => t.WindowId === w.WindowId);
    for (const f of input.list<{ Key?: string; Values?: string[] }>("Filters") ?? []) {
      const values = f.Values ?? [];
      if (f.Key === "WindowTaskId") list = list.filter((t) => values.includes(t.WindowTaskId));
      else if (f.Key === "TaskArn") list = list.filter((t) => values.includes(t.TaskArn));
      else if (f.Key === "Priority") list = list.filter((t) => values.includes(String(t.Priority)));
      else if (f.Key === "TaskType") list = list.filter((t) => values.includes(t.Type));
      else throw new AwsError("ValidationException", `Invalid filter key ${String(f.Key)}`);
    }
    const p = page(list, input, 10, 100, 100);
    return { Tasks: p.items.map((t) => taskOut(t, false)), NextToken: p.next };
  },
  AddTagsToResource(input, ctx) {
    const r = tagTarget(ctx, input);
    const tags = validateTags(input.list("Tags", { min: 1 }), "tags");
    const merged = new Map(r.Tags.map((t) => [t.Key, t.Value]));
    for (const t of tags) merged.set(t.Key, t.Value);
    if (merged.size > QUOTAS.tags) throw new AwsError("TooManyTagsError", `A resource can have at most ${QUOTAS.tags} tags.`);
    r.Tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
    ctx.mutated = true;
    return {};
  },
  RemoveTagsFromResource(input, ctx) {
    const r = tagTarget(ctx, input);
    const keys = input.list<string>("TagKeys") ?? [];
    r.Tags = r.Tags.filter((t) => !keys.includes(t.Key));
    ctx.mutated = true;
    return {};
  },
  ListTagsForResource(input, ctx) {
    return { TagList: tagTarget(ctx, input).Tags.map((t) => ({ ...t })) };
  },
  DescribePatchGroupState(input, ctx) {
    return countsFor(ctx.fleet, groupPattern(input));
  },
  DescribeInstancePatchStatesForPatchGroup(input, ctx) {
    const group = groupPattern(input);
    let list = ctx.fleet.instances.filter((i) => i.PatchGroup === group);
    for (const f of input.list<{ Key?: string; Values?: string[]; Type?: string }>("Filters") ?? []) {
      const key = String(f.Key);
      const value = Number((f.Values ?? [])[0]);
      const type = f.Type ?? "Equal";
      list = list.filter((i) => {
        const v = Number((i as unknown as Record<string, unknown>)[key] ?? 0);
        return type === "Equal" ? v === value : type === "NotEqual" ? v !== value : type === "LessThan" ? v < value : v > value;
      });
    }
    const p = page(list, input, 10, 100, 50);
    return { InstancePatchStates: p.items, NextToken: p.next };
  },
  DescribeMaintenanceWindowExecutions(input, ctx) {
    const w = findWindow(ctx, input.string("WindowId"));
    const runs = (ctx.fleet.executions[w.Name] ?? []).map((e, i) => ({ WindowId: w.WindowId, WindowExecutionId: e.WindowExecutionId ?? `${w.WindowId.slice(3, 11)}-0000-4000-8000-${String(i).padStart(12, "0")}`, Status: e.Status, StatusDetails: e.StatusDetails, StartTime: e.StartTime, EndTime: e.EndTime }));
    const p = page(runs, input, 10, 100, 50);
    return { WindowExecutions: p.items, NextToken: p.next };
  },
  PutParameter(input, ctx) {
    const name = input.requiredString("Name", { min: 1, max: 2048 });
    const value = input.requiredString("Value");
    const existing = ctx.state.parameters[name];
    if (existing && !input.bool("Overwrite")) throw new AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
    const version = (existing?.Version ?? 0) + 1;
    ctx.state.parameters[name] = { Name: name, Value: value, Type: input.string("Type", { enum: ["String", "StringList", "SecureString"] }) ?? existing?.Type ?? "String", Version: version, LastModifiedDate: nowSeconds(), Description: input.string("Description") };
    ctx.mutated = true;
    return { Version: version, Tier: "Standard" };
  },
  GetParameter(input, ctx) {
    const name = input.requiredString("Name");
    const p = ctx.state.parameters[name];
    if (!p) throw new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
    return { Parameter: { Name: p.Name, Type: p.Type, Value: p.Value, Version: p.Version, LastModifiedDate: p.LastModifiedDate, ARN: `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter${name.startsWith("/") ? "" : "/"}${name}`, DataType: "text" } };
  },
  DeleteParameter(input, ctx) {
    const name = input.requiredString("Name");
    if (!ctx.state.parameters[name]) throw new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
    delete ctx.state.parameters[name];
    ctx.mutated = true;
    return {};
  },
};

export function ssmOperations(): string[] {
  return Object.keys(handlers);
}

export function runSsmOperation(operation: string, body: Record<string, unknown>, ctx: OperationContext): Record<string, unknown> {
  const handler = handlers[operation];
  if (!handler) throw new AwsError("UnknownOperationException", `Unknown operation ${operation}`);
  return handler(new Input(body), ctx);
}
