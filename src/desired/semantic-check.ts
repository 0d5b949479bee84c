import { baselineFilterKeys, checkFilterValue, PATCH_PROPERTIES, patchSetsOf, WILDCARD } from "../catalog/patch-properties.js";
import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import { parameterProblems } from "../catalog/patching-documents.js";
import type { MaintenanceWindowDoc, OperatingSystem, PatchAssociationDoc, PatchBaselineDoc, PatchFilterGroup, ResourceKind, RolloutDoc, ServiceRoleDoc, WindowTaskSpec } from "../model/desired.js";
import { awsNameOf } from "../model/desired.js";
import { parsePolicyDocument, PolicyDocumentError } from "../resources/policy-document.js";
import { parseSchedule, ScheduleError, validateTimezone } from "../schedule/index.js";
import { parseAssociationSchedule } from "../schedule/association.js";
import { checkRollouts, rolloutBaselines } from "./rollout-check.js";
import type { LoadedResource } from "./state.js";
import { checkControls } from "./controls-check.js";

/** Account quotas and model limits from the SSM documentation (per account and region). */
export const QUOTAS = {
  baselines: 50,
  windows: 50,
  patchGroupsPerBaseline: 25,
  targetsPerWindow: 100,
  tasksPerWindow: 20,
  targetsPerTask: 10,
  tagsPerResource: 50,
  /** "You can have at most 2,000 active associations" (AssociationLimitExceeded). */
  associations: 2000,
};

/** Tags patchctl writes itself; they count against the 50-tag limit. */
export const OWNERSHIP_TAG_COUNT = 2;
export const RESERVED_TAG_PREFIXES = ["patchctl:", "aws:"];

/**
 * Operating systems whose rules take no approval delay: the model documents
 * ApproveAfterDays and ApproveUntilDate as "Not supported on Debian Server or Ubuntu
 * Server". RASPBIAN is not named there, so its rules need one of them (as the local
 * endpoint requires); see docs/ssm-fidelity.md.
 */
const APPROVES_IMMEDIATELY: readonly OperatingSystem[] = ["DEBIAN", "UBUNTU"];

const LINUX_LIKE: readonly OperatingSystem[] = [
  "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "AMAZON_LINUX_2023", "CENTOS", "ORACLE_LINUX",
  "REDHAT_ENTERPRISE_LINUX", "SUSE", "ROCKY_LINUX", "ALMA_LINUX", "RASPBIAN", "DEBIAN", "UBUNTU",
];

/**
 * Filter keys valid per operating system: the catalog shared with the local
 * endpoint (src/catalog/patch-properties.ts), DescribePatchProperties' keys.
 */
export function filterKeysFor(os: OperatingSystem): readonly string[] {
  return baselineFilterKeys(os);
}

const RATE_CONTROL = {
  maxConcurrency: /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/,
  maxErrors: /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/,
};
const TARGET_KEY_FORMS = /^(InstanceIds|tag-key|resource-groups:Name|resource-groups:ResourceTypeFilters|tag:.+)$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Where the values of DescribePatchProperties' properties are checked: against the shipped
 * catalog (offline), or left to the online pre-flight against the account (src/pipeline/preflight.ts),
 * whose answer wins. PATCH_SET and SECTION are not properties: always checked here.
 */
export type FilterValueSource = "catalog" | "account";

export interface SemanticOptions {
  filterValues?: FilterValueSource;
}

class Findings {
  readonly list: Diagnostic[] = [];
  constructor(readonly options: SemanticOptions = {}) {}
  add(res: LoadedResource, path: FieldPath, message: string, code: string, severity: Diagnostic["severity"] = "error", atKey = false): void {
    const pos = atKey ? res.source.locateKey(path) : res.source.locate(path);
    this.list.push({ severity, file: pos.file, line: pos.line, column: pos.column, resource: res.key, field: formatFieldPath(path) || undefined, message, code });
  }
}

function isBaseline(r: LoadedResource): r is LoadedResource<PatchBaselineDoc> {
  return r.doc.kind === "PatchBaseline";
}
function isWindow(r: LoadedResource): r is LoadedResource<MaintenanceWindowDoc> {
  return r.doc.kind === "MaintenanceWindow";
}
function isServiceRole(r: LoadedResource): r is LoadedResource<ServiceRoleDoc> {
  return r.doc.kind === "ServiceRole";
}
function isAssociation(r: LoadedResource): r is LoadedResource<PatchAssociationDoc> {
  return r.doc.kind === "PatchAssociation";
}
function isRollout(r: LoadedResource): r is LoadedResource<RolloutDoc> {
  return r.doc.kind === "Rollout";
}

/** Rules the JSON Schema cannot say: cross-field, cross-resource, schedules, quotas. */
export function checkSemantics(resources: LoadedResource[], options: SemanticOptions = {}): Diagnostic[] {
  const f = new Findings(options);
  checkUniqueNames(resources, f);
  const baselines = resources.filter(isBaseline);
  const windows = resources.filter(isWindow);
  const rollouts = resources.filter(isRollout);
  const staged = rolloutBaselines(rollouts);
  for (const r of resources) checkTags(r, f);
  for (const b of baselines) checkBaseline(b, f, staged.has(b.doc.metadata.name));
  f.list.push(...checkRollouts(rollouts, baselines));
  checkRegistrations(baselines, f);
  for (const w of windows) checkWindow(w, f);
  const roles = resources.filter(isServiceRole);
  for (const r of roles) checkServiceRole(r, f);
  checkServiceRoleReferences(windows, roles, f);
  const associations = resources.filter(isAssociation);
  for (const a of associations) checkAssociation(a, f);
  checkOverlappingScans(windows, associations, f);
  if (associations.length > QUOTAS.associations) f.add(associations[QUOTAS.associations]!, ["metadata", "name"], `more than ${QUOTAS.associations} associations (the State Manager quota per account and region)`, "quota");
  if (baselines.length > QUOTAS.baselines) f.add(baselines[QUOTAS.baselines]!, ["metadata", "name"], `more than ${QUOTAS.baselines} patch baselines (the SSM quota per account and region)`, "quota");
  if (windows.length > QUOTAS.windows) f.add(windows[QUOTAS.windows]!, ["metadata", "name"], `more than ${QUOTAS.windows} maintenance windows (the SSM quota per account and region)`, "quota");
  return [...f.list, ...checkControls(resources)];
}

function checkUniqueNames(resources: LoadedResource[], f: Findings): void {
  const firstByKey = new Map<string, LoadedResource>();
  const firstBySsmName = new Map<string, LoadedResource>();
  for (const r of resources) {
    const prev = firstByKey.get(r.key);
    if (prev) {
      f.add(r, ["metadata", "name"], `duplicate logical name: ${r.key} is already defined at ${prev.source.pos.file}:${prev.source.pos.line}`, "duplicate");
      continue;
    }
    firstByKey.set(r.key, r);
    const awsName = awsNameOf(r.doc);
    const ssmKey = `${r.doc.kind}/${r.doc.kind === "ServiceRole" ? awsName.toLowerCase() : awsName}`;
    const prevName = firstBySsmName.get(ssmKey);
    const nameField = r.doc.kind === "ServiceRole" ? "roleName" : r.doc.kind === "PatchAssociation" ? "associationName" : "name";
    const explicit = (r.doc.spec as Record<string, unknown>)[nameField] !== undefined;
    if (prevName) {
      f.add(r, explicit ? ["spec", nameField] : ["metadata", "name"], r.doc.kind === "ServiceRole" ? `IAM role name '${awsName}' is already used by ${prevName.key} (IAM role names are case-insensitive)` : `SSM name '${awsName}' is already used by ${prevName.key}; two ${r.doc.kind}s with one name cannot be told apart in the console`, "duplicate");
    } else firstBySsmName.set(ssmKey, r);
  }
}

function checkTags(r: LoadedResource, f: Findings): void {
  const tags = r.doc.metadata.tags ?? {};
  for (const key of Object.keys(tags)) {
    const reserved = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
    if (reserved) f.add(r, ["metadata", "tags", key], `tag keys starting with '${reserved}' are reserved (patchctl writes patchctl:owner and patchctl:name itself)`, "tags", "error", true);
  }
  if (Object.keys(tags).length + OWNERSHIP_TAG_COUNT > QUOTAS.tagsPerResource) {
    f.add(r, ["metadata", "tags"], `at most ${QUOTAS.tagsPerResource - OWNERSHIP_TAG_COUNT} tags (SSM allows ${QUOTAS.tagsPerResource}; patchctl uses ${OWNERSHIP_TAG_COUNT})`, "quota");
  }
}

function checkFilterGroup(b: LoadedResource<PatchBaselineDoc>, group: PatchFilterGroup | undefined, path: FieldPath, os: OperatingSystem, f: Findings): void {
  if (!group) return;
  const allowed = filterKeysFor(os);
  const seen = new Set<string>();
  const patchSets = patchSetsOf(group.patchFilters, os);
  group.patchFilters.forEach((filter, i) => {
    if (!allowed.includes(filter.key)) {
      f.add(b, [...path, "patchFilters", i, "key"], `filter key ${filter.key} is not valid for ${os}; valid keys: ${allowed.join(", ")}`, "filter");
      return;
    }
    if (seen.has(filter.key)) f.add(b, [...path, "patchFilters", i, "key"], `filter key ${filter.key} appears twice in one filter group`, "filter");
    seen.add(filter.key);
    if (f.options.filterValues === "account" && (PATCH_PROPERTIES as readonly string[]).includes(filter.key)) return;
    filter.values.forEach((value, j) => {
      const verdict = checkFilterValue(os, filter.key, value, filter.key === "PATCH_SET" ? ["OS"] : patchSets);
      if (!verdict.ok) {
        f.add(b, [...path, "patchFilters", i, "values", j], `'${value}' is not a valid ${filter.key} value for ${os}; valid values: ${verdict.valid.join(", ")} (or ${WILDCARD} for all)`, "filter");
      }
    });
  });
}

/** `staged`: a Rollout drives its cut-off, so its rules may name neither approveAfterDays nor approveUntilDate. */
function checkBaseline(b: LoadedResource<PatchBaselineDoc>, f: Findings, staged = false): void {
  const spec = b.doc.spec;
  const os: OperatingSystem = spec.operatingSystem ?? "WINDOWS";
  const linux = LINUX_LIKE.includes(os);
  checkFilterGroup(b, spec.globalFilters, ["spec", "globalFilters"], os, f);
  (spec.approvalRules?.patchRules ?? []).forEach((rule, i) => {
    const path = ["spec", "approvalRules", "patchRules", i];
    checkFilterGroup(b, rule.patchFilterGroup, [...path, "patchFilterGroup"], os, f);
    const hasDays = rule.approveAfterDays !== undefined;
    const hasDate = rule.approveUntilDate !== undefined;
    if (APPROVES_IMMEDIATELY.includes(os)) {
      // 0 (no delay) is accepted: the Terraform provider sends it for every rule without approve_until_date.
      if (hasDays && rule.approveAfterDays !== 0) f.add(b, [...path, "approveAfterDays"], `approveAfterDays is not supported for ${os}: patches are approved as soon as they are released (only 0 is accepted)`, "os");
      if (hasDate) f.add(b, [...path, "approveUntilDate"], `approveUntilDate is not supported for ${os}: patches are approved as soon as they are released`, "os");
    } else if (hasDays && hasDate) {
      f.add(b, [...path, "approveUntilDate"], "a rule carries either approveAfterDays or approveUntilDate, not both", "rule");
    } else if (!hasDays && !hasDate && !staged) {
      f.add(b, path, "a rule needs approveAfterDays (0-360) or approveUntilDate (YYYY-MM-DD)", "rule");
    }
    if (hasDate && !isCalendarDate(rule.approveUntilDate!)) f.add(b, [...path, "approveUntilDate"], `'${rule.approveUntilDate}' is not a calendar date (YYYY-MM-DD)`, "rule");
    if (rule.enableNonSecurity !== undefined && !linux) f.add(b, [...path, "enableNonSecurity"], `enableNonSecurity applies to Linux only, not ${os}`, "os");
  });
  if ((spec.approvalRules?.patchRules ?? []).length === 0 && (spec.approvedPatches ?? []).length === 0) {
    f.add(b, ["spec"], "a patch baseline needs at least one approval rule (approvalRules.patchRules) or one approved patch (approvedPatches); SSM refuses one that approves nothing", "rule", "error", true);
  }
  if (spec.approvedPatchesEnableNonSecurity !== undefined && !linux) f.add(b, ["spec", "approvedPatchesEnableNonSecurity"], `approvedPatchesEnableNonSecurity applies to Linux only, not ${os}`, "os");
  if (spec.sources && spec.sources.length > 0 && !linux) f.add(b, ["spec", "sources"], `patch sources apply to Linux only, not ${os}`, "os");
  if (spec.availableSecurityUpdatesComplianceStatus !== undefined && os !== "WINDOWS") f.add(b, ["spec", "availableSecurityUpdatesComplianceStatus"], `availableSecurityUpdatesComplianceStatus applies to WINDOWS only, not ${os}`, "os");
  // A patch both approved and rejected is valid to SSM; the rejected-not-approved policy reports it.
  const sourceNames = new Set<string>();
  (spec.sources ?? []).forEach((s, i) => {
    if (sourceNames.has(s.name)) f.add(b, ["spec", "sources", i, "name"], `duplicate patch source name '${s.name}'`, "duplicate");
    sourceNames.add(s.name);
  });
}

function isCalendarDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

function checkRegistrations(baselines: LoadedResource<PatchBaselineDoc>[], f: Findings): void {
  const groupOwner = new Map<string, LoadedResource<PatchBaselineDoc>>();
  const defaultOwner = new Map<string, LoadedResource<PatchBaselineDoc>>();
  for (const b of baselines) {
    const os = b.doc.spec.operatingSystem ?? "WINDOWS";
    (b.doc.spec.patchGroups ?? []).forEach((group, i) => {
      const key = `${os}\u0000${group}`;
      const prev = groupOwner.get(key);
      if (prev) f.add(b, ["spec", "patchGroups", i], `patch group '${group}' is already registered to ${prev.key} for ${os}; a group has at most one baseline per operating system`, "registration");
      else groupOwner.set(key, b);
    });
    if (b.doc.spec.defaultForOperatingSystem) {
      const prev = defaultOwner.get(os);
      if (prev) f.add(b, ["spec", "defaultForOperatingSystem"], `${prev.key} is already the default baseline for ${os}; there is one default per operating system`, "registration");
      else defaultOwner.set(os, b);
    }
  }
}

/** Schedules checked so far: fleets repeat a handful of expressions across many windows. */
const scheduleChecks = new Map<string, { kind?: string; error?: string }>();
const SCHEDULE_CACHE_LIMIT = 10_000;

function scheduleCheck(expression: string): { kind?: string; error?: string } {
  let result = scheduleChecks.get(expression);
  if (result) return result;
  try {
    result = { kind: parseSchedule(expression).kind };
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    result = { error: err.message };
  }
  if (scheduleChecks.size >= SCHEDULE_CACHE_LIMIT) scheduleChecks.clear();
  scheduleChecks.set(expression, result);
  return result;
}

function checkWindow(w: LoadedResource<MaintenanceWindowDoc>, f: Findings): void {
  const spec = w.doc.spec;
  if (spec.cutoff >= spec.duration) f.add(w, ["spec", "cutoff"], `cutoff (${spec.cutoff} h) must be less than duration (${spec.duration} h)`, "window");
  const parsed = scheduleCheck(spec.schedule);
  const scheduleKind = parsed.kind;
  if (parsed.error !== undefined) f.add(w, ["spec", "schedule"], parsed.error, "schedule");
  if (spec.scheduleOffset !== undefined && scheduleKind !== undefined && scheduleKind !== "cron") {
    f.add(w, ["spec", "scheduleOffset"], "scheduleOffset applies to cron schedules only", "schedule");
  }
  if (spec.scheduleTimezone !== undefined && !validateTimezone(spec.scheduleTimezone)) {
    f.add(w, ["spec", "scheduleTimezone"], `unknown timezone '${spec.scheduleTimezone}': expected an IANA name such as UTC, Europe/Berlin or America/New_York`, "schedule");
  }
  const dates: Record<"startDate" | "endDate", number | undefined> = { startDate: undefined, endDate: undefined };
  for (const field of ["startDate", "endDate"] as const) {
    const value = spec[field];
    if (value === undefined) continue;
    const t = Date.parse(value);
    if (!ISO_WITH_OFFSET.test(value) || Number.isNaN(t)) f.add(w, ["spec", field], `'${value}' is not an ISO-8601 date-time with an offset (e.g. 2026-12-01T00:00:00Z)`, "schedule");
    else dates[field] = t;
  }
  if (dates.startDate !== undefined && dates.endDate !== undefined && dates.endDate <= dates.startDate) {
    f.add(w, ["spec", "endDate"], "endDate must be after startDate", "schedule");
  }

  const targetNames = new Map<string, number>();
  // Plain loops, one pass over each target's selectors: a large window has a hundred targets.
  const targets = spec.targets ?? [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (targetNames.has(t.name)) f.add(w, ["spec", "targets", i, "name"], `duplicate target name '${t.name}' in this window`, "duplicate");
    else targetNames.set(t.name, i);
    let hasGroupKey = false;
    let hasGroupName = false;
    for (let k = 0; k < t.targets.length; k++) {
      const sel = t.targets[k]!;
      if (!TARGET_KEY_FORMS.test(sel.key)) {
        f.add(w, ["spec", "targets", i, "targets", k, "key"], `target key '${sel.key}' is not one of InstanceIds, tag:<key>, tag-key, resource-groups:Name, resource-groups:ResourceTypeFilters`, "target");
      }
      if (sel.values.length === 0) f.add(w, ["spec", "targets", i, "targets", k, "values"], "needs at least one value", "target");
      if (sel.key.startsWith("resource-groups:")) {
        hasGroupKey = true;
        if (sel.key === "resource-groups:Name") hasGroupName = true;
      }
    }
    const rt = t.resourceType ?? "INSTANCE";
    if (rt === "RESOURCE_GROUP" && !hasGroupName) {
      f.add(w, ["spec", "targets", i, "targets"], "a RESOURCE_GROUP target needs a resource-groups:Name key", "target");
    }
    if (rt === "INSTANCE" && hasGroupKey) f.add(w, ["spec", "targets", i, "resourceType"], "resource-groups: keys need resourceType RESOURCE_GROUP", "target");
  }

  const taskNames = new Set<string>();
  (spec.tasks ?? []).forEach((task, i) => {
    if (taskNames.has(task.name)) f.add(w, ["spec", "tasks", i, "name"], `duplicate task name '${task.name}' in this window`, "duplicate");
    taskNames.add(task.name);
    checkTask(w, task, i, targetNames, f);
  });
}

const INVOCATION_FOR: Record<WindowTaskSpec["taskType"], "runCommand" | "automation" | "lambda" | "stepFunctions"> = {
  RUN_COMMAND: "runCommand",
  AUTOMATION: "automation",
  LAMBDA: "lambda",
  STEP_FUNCTIONS: "stepFunctions",
};

function checkTask(w: LoadedResource<MaintenanceWindowDoc>, task: WindowTaskSpec, i: number, targetNames: Map<string, number>, f: Findings): void {
  const path = ["spec", "tasks", i];
  const allowUnassociated = w.doc.spec.allowUnassociatedTargets ?? false;
  const targets = task.targets ?? [];
  let targetCount = 0;
  targets.forEach((sel, k) => {
    // Built only for a finding: most selectors have none.
    const at = (): (string | number)[] => [...path, "targets", k];
    if (sel.key === "WindowTargetIds") {
      sel.values.forEach((name, v) => {
        targetCount++;
        if (!targetNames.has(name)) {
          const known = [...targetNames.keys()];
          f.add(w, [...at(), "values", v], `no target named '${name}' in this window${known.length ? ` (targets: ${known.join(", ")})` : " (it has no targets)"}`, "reference");
        }
      });
    } else if (sel.key === "InstanceIds") {
      targetCount += sel.values.length;
      if (!allowUnassociated) f.add(w, [...at(), "key"], "InstanceIds on a task need allowUnassociatedTargets: true on the window; otherwise name a window target with key WindowTargetIds", "reference");
    } else {
      f.add(w, [...at(), "key"], `task targets use key WindowTargetIds (naming this window's targets) or InstanceIds, not '${sel.key}'; register '${sel.key}' as a window target and name it here`, "reference");
    }
    if (sel.values.length === 0) f.add(w, [...at(), "values"], "needs at least one value", "reference");
  });
  if (targetCount > QUOTAS.targetsPerTask) f.add(w, [...path, "targets"], `at most ${QUOTAS.targetsPerTask} targets per task (got ${targetCount})`, "quota");

  const hasTargets = targets.length > 0;
  if (task.taskType === "RUN_COMMAND" && !hasTargets) f.add(w, [...path, "targets"], "RUN_COMMAND tasks need targets", "task");
  for (const field of ["maxConcurrency", "maxErrors"] as const) {
    const value = task[field];
    if (!hasTargets && value !== undefined) f.add(w, [...path, field], `${field} is not allowed on a task without targets`, "task");
    if (hasTargets && value === undefined) f.add(w, [...path], `a task with targets needs ${field}`, "task");
    if (value !== undefined && !RATE_CONTROL[field].test(String(value))) {
      f.add(w, [...path, field], `'${value}' is not a valid ${field}: a count (${field === "maxErrors" ? "0" : "1"} or more) or a percentage (e.g. 10%)`, "task");
    }
  }

  const wanted = INVOCATION_FOR[task.taskType];
  const blocks = (["runCommand", "automation", "lambda", "stepFunctions"] as const).filter((b) => task[b] !== undefined);
  for (const b of blocks) {
    if (b !== wanted) f.add(w, [...path, b], `${b} does not match taskType ${task.taskType} (use ${wanted})`, "task", "error", true);
  }
  if (task.taskType !== "RUN_COMMAND") {
    if (task.taskParameters) f.add(w, [...path, "taskParameters"], "taskParameters (legacy) apply to RUN_COMMAND tasks only", "task", "error", true);
    if (task.loggingInfo) f.add(w, [...path, "loggingInfo"], "loggingInfo (legacy) applies to RUN_COMMAND tasks only", "task", "error", true);
  } else {
    if (task.taskParameters && task.runCommand?.parameters) f.add(w, [...path, "taskParameters"], "give parameters either as runCommand.parameters or as legacy taskParameters, not both", "task", "error", true);
    if (task.loggingInfo && task.runCommand?.outputS3BucketName) f.add(w, [...path, "loggingInfo"], "give S3 output either as runCommand.outputS3BucketName or as legacy loggingInfo, not both", "task", "error", true);
  }
}


function checkPolicyDocument(r: LoadedResource, path: FieldPath, doc: unknown, f: Findings): void {
  try {
    parsePolicyDocument(doc);
  } catch (err) {
    if (err instanceof PolicyDocumentError) f.add(r, path, `invalid policy document: ${err.message}`, "policy-document");
    else throw err;
  }
}

function checkServiceRole(r: LoadedResource<ServiceRoleDoc>, f: Findings): void {
  const spec = r.doc.spec;
  if (spec.roleName === undefined && !/^[\w+=,.@-]{1,64}$/.test(r.doc.metadata.name)) {
    f.add(r, ["metadata", "name"], `'${r.doc.metadata.name}' is not a valid IAM role name (letters, digits and +=,.@_-, at most 64); set spec.roleName`, "name");
  }
  if (spec.assumeRolePolicyDocument !== undefined) checkPolicyDocument(r, ["spec", "assumeRolePolicyDocument"], spec.assumeRolePolicyDocument, f);
  const names = new Set<string>();
  (spec.inlinePolicies ?? []).forEach((p, i) => {
    if (names.has(p.policyName)) f.add(r, ["spec", "inlinePolicies", i, "policyName"], `duplicate inline policy name '${p.policyName}'`, "duplicate");
    names.add(p.policyName);
    checkPolicyDocument(r, ["spec", "inlinePolicies", i, "policyDocument"], p.policyDocument, f);
  });
}

/** `serviceRole:` on a task names a ServiceRole of the same desired state (and deployment). */
function checkServiceRoleReferences(windows: LoadedResource<MaintenanceWindowDoc>[], roles: LoadedResource<ServiceRoleDoc>[], f: Findings): void {
  const known = roles.map((r) => r.doc.metadata.name);
  for (const w of windows) {
    (w.doc.spec.tasks ?? []).forEach((task, i) => {
      if (task.serviceRole === undefined) return;
      if (task.serviceRoleArn !== undefined) f.add(w, ["spec", "tasks", i, "serviceRole"], "give either serviceRole (a ServiceRole's name) or serviceRoleArn, not both", "reference", "error", true);
      if (!known.includes(task.serviceRole)) {
        f.add(w, ["spec", "tasks", i, "serviceRole"], `no ServiceRole named '${task.serviceRole}' in the desired state${known.length ? ` (ServiceRoles: ${known.join(", ")})` : ""}`, "reference");
      }
    });
  }
}

/**
 * What State Manager refuses in a patching association: its schedule rules (src/schedule/association.ts),
 * the document's parameters (src/catalog/patching-documents.ts), offsets and apply-at-cron only with
 * cron, target key forms and rate controls as for window tasks.
 */
function checkAssociation(a: LoadedResource<PatchAssociationDoc>, f: Findings): void {
  const spec = a.doc.spec;
  let kind: string | undefined;
  if (spec.scheduleExpression !== undefined) {
    try {
      kind = parseAssociationSchedule(spec.scheduleExpression).kind;
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      f.add(a, ["spec", "scheduleExpression"], err.message, "schedule");
    }
  }
  const atCron = spec.applyOnlyAtCronInterval === true;
  if (atCron && kind === "rate") f.add(a, ["spec", "applyOnlyAtCronInterval"], "applyOnlyAtCronInterval is not supported for rate expressions", "schedule");
  if (atCron && spec.scheduleExpression === undefined) f.add(a, ["spec", "applyOnlyAtCronInterval"], "applyOnlyAtCronInterval needs a scheduleExpression", "schedule");
  if (spec.scheduleOffset !== undefined) {
    if (kind !== undefined && kind !== "cron") f.add(a, ["spec", "scheduleOffset"], "scheduleOffset applies to cron schedules only", "schedule");
    else if (spec.scheduleExpression === undefined) f.add(a, ["spec", "scheduleOffset"], "scheduleOffset needs a cron scheduleExpression", "schedule");
    if (!atCron) f.add(a, ["spec", "scheduleOffset"], "scheduleOffset needs applyOnlyAtCronInterval: true (State Manager must not run the association right after creating it)", "schedule");
  }
  if (spec.duration !== undefined && !atCron) f.add(a, ["spec", "duration"], "duration applies only with applyOnlyAtCronInterval: true; without it State Manager ignores it", "schedule", "warning");
  spec.targets.forEach((sel, k) => {
    if (!TARGET_KEY_FORMS.test(sel.key)) f.add(a, ["spec", "targets", k, "key"], `target key '${sel.key}' is not one of InstanceIds, tag:<key>, tag-key, resource-groups:Name, resource-groups:ResourceTypeFilters`, "target");
    if (sel.values.length === 0) f.add(a, ["spec", "targets", k, "values"], "needs at least one value", "target");
  });
  for (const field of ["maxConcurrency", "maxErrors"] as const) {
    const value = spec[field];
    if (value !== undefined && !RATE_CONTROL[field].test(String(value))) {
      f.add(a, ["spec", field], `'${value}' is not a valid ${field}: a count (${field === "maxErrors" ? "0" : "1"} or more) or a percentage (e.g. 10%)`, "association");
    }
  }
  for (const p of parameterProblems(spec.documentName, spec.parameters)) {
    const given = spec.parameters !== undefined && p.parameter in spec.parameters;
    f.add(a, given ? ["spec", "parameters", p.parameter] : spec.parameters !== undefined ? ["spec", "parameters"] : ["spec", "documentName"], p.message, "parameters", "error", p.unknown === true);
  }
  const names = new Set<string>();
  (spec.calendarNames ?? []).forEach((c, i) => {
    if (names.has(c)) f.add(a, ["spec", "calendarNames", i], `calendar '${c}' is named twice`, "duplicate");
    names.add(c);
  });
}

const PATCHING_TASK_DOCUMENT = /(^|\/)AWS-RunPatchBaseline(WithHooks|Association)?$/;

/**
 * Two schedules of the desired state that scan the same instances (a patch group, or any tag value
 * their targets select): "each scan overwrites the compliance data of the previous one" (user guide,
 * "Avoiding unintentional patch compliance data overwrites"), so compliance flips between them when
 * their baselines differ. A warning at the second one, when either is an association (two windows'
 * scans were never reported, and large window-only setups keep validating as before). A scan and an
 * install of the same instances (daily scans, weekly installs) are what AWS recommends: not reported.
 */
function checkOverlappingScans(windows: LoadedResource<MaintenanceWindowDoc>[], associations: LoadedResource<PatchAssociationDoc>[], f: Findings): void {
  const first = new Map<string, string>();
  const report = (res: LoadedResource, path: FieldPath, label: string, selectors: { key: string; values: string[] }[], association: boolean): void => {
    let reported: Set<string> | undefined;
    for (const sel of selectors) {
      if (!sel.key.startsWith("tag:")) continue;
      for (const v of sel.values) {
        const what = `${sel.key.slice(4)}=${v}`;
        const prev = first.get(what);
        if (prev === undefined) first.set(what, label);
        else if (prev !== label && !reported?.has(prev) && (association || prev.startsWith("association "))) {
          (reported ??= new Set()).add(prev);
          f.add(res, path, `${label} scans the instances tagged ${what}, as ${prev} does: each scan overwrites the compliance data of the previous one, so compliance shows whichever ran last (scan with one schedule; installs report compliance too)`, "overlapping-scans", "warning");
        }
      }
    }
  };
  for (const w of windows) {
    // Built at the window's first scan, in plain loops: every window of a large tree is walked here.
    let byTarget: Map<string, { key: string; values: string[] }[]> | undefined;
    const tasks = w.doc.spec.tasks ?? [];
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!;
      if (task.taskType !== "RUN_COMMAND" || !PATCHING_TASK_DOCUMENT.test(task.taskArn)) continue;
      const op = task.runCommand?.parameters?.Operation?.[0] ?? task.taskParameters?.Operation?.values[0];
      if (op !== "Scan") continue;
      if (!byTarget) {
        byTarget = new Map();
        for (const t of w.doc.spec.targets ?? []) byTarget.set(t.name, t.targets); // a duplicate name: the last, as before (reported by checkWindow)
      }
      const selectors: { key: string; values: string[] }[] = [];
      for (const sel of task.targets ?? []) {
        if (sel.key !== "WindowTargetIds") continue;
        for (const n of sel.values) for (const s of byTarget.get(n) ?? []) selectors.push(s);
      }
      report(w, ["spec", "tasks", i], `task ${w.doc.metadata.name}/${task.name}`, selectors, false);
    }
  }
  for (const a of associations) {
    if (a.doc.spec.parameters?.Operation?.[0] !== "Scan") continue;
    report(a, ["spec", "targets"], `association ${a.doc.metadata.name}`, a.doc.spec.targets, true);
  }
}
