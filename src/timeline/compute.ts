import type { DesiredState, LoadedResource } from "../desired/load.js";
import type { MaintenanceWindowDoc, OperatingSystem, PatchAssociationDoc, PatchBaselineDoc, PatchFilter, PatchFilterGroup, PatchRule, WindowTaskSpec } from "../model/desired.js";
import { awsNameOf, OPERATING_SYSTEMS } from "../model/desired.js";
import type { RunOptions, Schedule } from "../schedule/index.js";
import { formatInZone, nextRuns, parseSchedule } from "../schedule/index.js";
import { formatUtc, isoUtc } from "./format.js";
import { activeFreezes } from "../freeze/periods.js";
import type { RolloutGate } from "./rollout-approval.js";
import { gateReason, rolloutGates } from "./rollout-approval.js";
import type {
  AppliedBaseline,
  Approval,
  Finding,
  GroupTimeline,
  MatchedRule,
  PatchProperties,
  Stage,
  Timeline,
  TimelineOptions,
  WindowRun,
} from "./model.js";

/** Tag keys on window targets that select instances by patch group. */
export const PATCH_GROUP_TAG_KEYS: readonly string[] = ["tag:Patch Group", "tag:PatchGroup"];

const DAY_MS = 86_400_000;
const STAGE_RANK: Record<Stage, number> = { Development: 0, Staging: 1, Production: 2 };

/**
 * AWS's predefined default baseline for Windows (AWS-DefaultPatchBaseline), as the
 * AWS blog describes it: CriticalUpdates and SecurityUpdates with an MSRC severity of
 * Critical or Important, approved 7 days after release. The other operating systems'
 * predefined baselines are not modelled: their approval is reported as unknown.
 */
const AWS_DEFAULT_WINDOWS = {
  name: "AWS-DefaultPatchBaseline",
  rule: {
    patchFilterGroup: {
      patchFilters: [
        { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
        { key: "MSRC_SEVERITY", values: ["Critical", "Important"] },
      ],
    },
    approveAfterDays: 7,
  } satisfies PatchRule,
};

type BaselineRes = LoadedResource<PatchBaselineDoc>;
type WindowRes = LoadedResource<MaintenanceWindowDoc>;
type AssociationRes = LoadedResource<PatchAssociationDoc>;

function isBaseline(r: LoadedResource): r is BaselineRes {
  return r.doc.kind === "PatchBaseline";
}
function isWindow(r: LoadedResource): r is WindowRes {
  return r.doc.kind === "MaintenanceWindow";
}
function isAssociation(r: LoadedResource): r is AssociationRes {
  return r.doc.kind === "PatchAssociation";
}

function osOf(b: BaselineRes): OperatingSystem {
  return b.doc.spec.operatingSystem ?? "WINDOWS";
}
function ssmName(r: LoadedResource): string {
  return awsNameOf(r.doc);
}

/** Development < Staging < Production, from an `Environment` (or `Env`) tag. */
export function stageFromTags(tags: Record<string, string> | undefined): Stage | undefined {
  if (!tags) return undefined;
  for (const [key, raw] of Object.entries(tags)) {
    if (!/^env(ironment)?$/i.test(key)) continue;
    const v = raw.trim().toLowerCase();
    if (["dev", "development"].includes(v)) return "Development";
    if (["test", "testing", "qa", "uat", "stage", "staging", "preprod", "pre-production", "preproduction"].includes(v)) return "Staging";
    if (["prod", "production", "live"].includes(v)) return "Production";
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Approval

const PROPERTY_FOR_KEY: Record<string, { prop: keyof PatchProperties; flag: string }> = {
  CLASSIFICATION: { prop: "classification", flag: "classification" },
  SEVERITY: { prop: "severity", flag: "severity" },
  MSRC_SEVERITY: { prop: "msrcSeverity", flag: "msrc-severity" },
  PRODUCT: { prop: "product", flag: "product" },
};

function describeFilter(f: PatchFilter): string {
  return `${f.key} in [${f.values.join(", ")}]`;
}

/** undefined when the patch passes every filter of the group; else the first filter it fails. */
function failingFilter(group: PatchFilterGroup | undefined, props: PatchProperties): PatchFilter | undefined {
  for (const filter of group?.patchFilters ?? []) {
    const map = PROPERTY_FOR_KEY[filter.key];
    if (!map) continue; // a key patchctl does not evaluate (PATCH_SET, PRODUCT_FAMILY, PRIORITY …) matches
    const given = props[map.prop];
    if (!given || given.length === 0) continue; // not given: matches any value
    if (filter.values.includes("*")) continue;
    const wanted = new Set(filter.values.map((v) => v.toLowerCase()));
    if (!given.some((v) => wanted.has(v.toLowerCase()))) return filter;
  }
  return undefined;
}

function describeProps(props: PatchProperties): string {
  const parts = Object.values(PROPERTY_FOR_KEY)
    .filter(({ prop }) => (props[prop] ?? []).length > 0)
    .map(({ prop, flag }) => `${flag} ${(props[prop] ?? []).join("/")}`);
  return parts.length ? parts.join(", ") : "any properties";
}

interface RuleOutcome {
  rule?: MatchedRule;
  approval: Approval;
}

/**
 * Which rule approves the patch, and when. Several matching rules: the earliest
 * approval wins (SSM approves a patch when any rule does).
 */
export function evaluateApproval(
  os: OperatingSystem | undefined,
  globalFilters: PatchFilterGroup | undefined,
  rules: readonly PatchRule[],
  props: PatchProperties,
  released: Date,
  firstIndex = 1,
): RuleOutcome {
  const globalFail = failingFilter(globalFilters, props);
  if (globalFail) {
    return { approval: { status: "never", reason: `never approved by this baseline: excluded by globalFilters (${describeFilter(globalFail)})` } };
  }
  if (rules.length === 0) return { approval: { status: "never", reason: "never approved by this baseline: it has no approval rules" } };
  const atRelease = os === "DEBIAN" || os === "UBUNTU";
  const releasedDay = isoUtc(released).slice(0, 10);
  let best: { at: number; rule: MatchedRule; reason: string } | undefined;
  const misses: string[] = [];
  let cutOff: string | undefined;
  rules.forEach((rule, i) => {
    const index = firstIndex + i;
    const fail = failingFilter(rule.patchFilterGroup, props);
    if (fail) {
      misses.push(`rule ${index} needs ${describeFilter(fail)}`);
      return;
    }
    const matched: MatchedRule = {
      index,
      filters: rule.patchFilterGroup.patchFilters.map(describeFilter).join(", ") || "(no filters)",
      ...(rule.approveAfterDays !== undefined ? { approveAfterDays: rule.approveAfterDays } : {}),
      ...(rule.approveUntilDate !== undefined ? { approveUntilDate: rule.approveUntilDate } : {}),
      ...(rule.complianceLevel !== undefined ? { complianceLevel: rule.complianceLevel } : {}),
    };
    const label = index === 0 ? "the AWS default rule" : `rule ${index}`;
    let at: number;
    let reason: string;
    if (atRelease) {
      at = released.getTime();
      reason = `at release (${os} patches are approved when released; ${label})`;
    } else if (rule.approveUntilDate !== undefined) {
      if (releasedDay > rule.approveUntilDate) {
        cutOff = `released after the approveUntilDate ${rule.approveUntilDate} of ${label}`;
        return;
      }
      at = released.getTime();
      reason = `at release: released on or before approveUntilDate ${rule.approveUntilDate} (${label})`;
    } else {
      const days = rule.approveAfterDays ?? 0;
      at = released.getTime() + days * DAY_MS;
      reason = days === 0 ? `at release (approveAfterDays 0, ${label})` : `${days} day${days === 1 ? "" : "s"} after release (${label})`;
    }
    if (!best || at < best.at) best = { at, rule: matched, reason };
  });
  if (best) return { rule: best.rule, approval: { status: "approved", at: isoUtc(new Date(best.at)), reason: best.reason } };
  if (cutOff) return { approval: { status: "never", reason: `never approved by this baseline: ${cutOff}` } };
  return { approval: { status: "never", reason: `never approved by this baseline: no approval rule matches ${describeProps(props)} (${misses.join("; ")})` } };
}

// ---------------------------------------------------------------------------
// Windows, targets and tasks

type Operation = "Install" | "Scan";

/**
 * What runs patching on a schedule: a maintenance window (its tasks), or a State Manager association
 * (it runs its document itself: `association` is set and `res` is not; its one pseudo-task carries the
 * document and its parameters).
 */
interface WindowInfo {
  res?: WindowRes;
  association?: AssociationRes;
  /** "MaintenanceWindow/<name>" or "PatchAssociation/<name>". */
  resourceKey: string;
  tags: Record<string, string> | undefined;
  name: string;
  enabled: boolean;
  timezone: string;
  schedule?: Schedule;
  scheduleError?: string;
  runOptions: RunOptions;
}

interface TaskReach {
  window: WindowInfo;
  task: WindowTaskSpec;
  operation: Operation;
  groups: string[];
  /** Targets this task reaches that select instances by something other than a patch-group tag. */
  untracked: string[];
  baselineOverride: boolean;
}

const PATCH_DOCUMENTS = /(^|\/)AWS-RunPatchBaseline(WithHooks|Association)?$/;

function isPatchTask(task: WindowTaskSpec): boolean {
  return task.taskType === "RUN_COMMAND" && PATCH_DOCUMENTS.test(task.taskArn);
}

function parameter(task: WindowTaskSpec, name: string): string[] | undefined {
  return task.runCommand?.parameters?.[name] ?? task.taskParameters?.[name]?.values;
}

/** AWS-RunPatchBaseline's Operation parameter; the document's default is Scan. */
function operationOf(task: WindowTaskSpec): Operation {
  const op = parameter(task, "Operation")?.[0];
  return op !== undefined && op.toLowerCase() === "install" ? "Install" : "Scan";
}

function windowInfo(res: WindowRes): WindowInfo {
  const spec = res.doc.spec;
  const timezone = spec.scheduleTimezone ?? "UTC";
  const info: WindowInfo = {
    res,
    resourceKey: res.key,
    tags: res.doc.metadata.tags,
    name: res.doc.metadata.name,
    enabled: spec.enabled !== false,
    timezone,
    runOptions: {
      timezone,
      ...(spec.scheduleOffset !== undefined ? { offsetDays: spec.scheduleOffset } : {}),
      ...(spec.startDate !== undefined ? { startDate: spec.startDate } : {}),
      ...(spec.endDate !== undefined ? { endDate: spec.endDate } : {}),
    },
  };
  try {
    info.schedule = parseSchedule(spec.schedule);
  } catch (err) {
    info.scheduleError = err instanceof Error ? err.message : String(err);
  }
  return info;
}

/**
 * An association as a schedule with one pseudo-task (its document and parameters): it runs at its
 * scheduleExpression (with scheduleOffset), in UTC (associations have no timezone). One without a
 * schedule runs once, when it is created: it has no future run here.
 */
function associationInfo(res: AssociationRes): { info: WindowInfo; task: WindowTaskSpec } {
  const spec = res.doc.spec;
  const info: WindowInfo = {
    association: res,
    resourceKey: res.key,
    tags: res.doc.metadata.tags,
    name: res.doc.metadata.name,
    enabled: true,
    timezone: "UTC",
    runOptions: { timezone: "UTC", ...(spec.scheduleOffset !== undefined ? { offsetDays: spec.scheduleOffset } : {}) },
  };
  if (spec.scheduleExpression === undefined) info.scheduleError = "it has no scheduleExpression (it ran once, when it was created)";
  else {
    try {
      info.schedule = parseSchedule(spec.scheduleExpression);
    } catch (err) {
      info.scheduleError = err instanceof Error ? err.message : String(err);
    }
  }
  const task: WindowTaskSpec = { name: spec.documentName, taskType: "RUN_COMMAND", taskArn: spec.documentName, targets: spec.targets, ...(spec.parameters ? { runCommand: { parameters: spec.parameters } } : {}) };
  return { info, task };
}

/** An association's reach: the patch groups its own targets select. */
function associationReach(res: AssociationRes): TaskReach {
  const { info, task } = associationInfo(res);
  const groups: string[] = [];
  const untracked: string[] = [];
  for (const sel of res.doc.spec.targets) {
    if (PATCH_GROUP_TAG_KEYS.includes(sel.key)) groups.push(...sel.values);
    else untracked.push(`${sel.key}=${sel.values.join(",")}`);
  }
  return { window: info, task, operation: operationOf(task), groups, untracked, baselineOverride: (parameter(task, "BaselineOverride") ?? []).length > 0 };
}

/** The first run at or after `t`, or undefined (disabled, bad schedule, ended). */
function runAtOrAfter(w: WindowInfo, t: Date): Date | undefined {
  if (!w.enabled || !w.schedule) return undefined;
  return nextRuns(w.schedule, new Date(t.getTime() - 1), 1, w.runOptions)[0];
}

function reachOf(w: WindowInfo): TaskReach[] {
  if (!w.res) return [];
  const targetGroups = new Map<string, { groups: string[]; other: string[] }>();
  for (const t of w.res.doc.spec.targets ?? []) {
    const groups: string[] = [];
    const other: string[] = [];
    for (const sel of t.targets) {
      if (PATCH_GROUP_TAG_KEYS.includes(sel.key)) groups.push(...sel.values);
      else other.push(`${sel.key}=${sel.values.join(",")}`);
    }
    targetGroups.set(t.name, { groups, other: groups.length ? [] : other.length ? [`${t.name} (${other.join("; ")})`] : [t.name] });
  }
  const out: TaskReach[] = [];
  for (const task of w.res.doc.spec.tasks ?? []) {
    if (!isPatchTask(task)) continue;
    const groups = new Set<string>();
    const untracked: string[] = [];
    for (const sel of task.targets ?? []) {
      if (sel.key === "WindowTargetIds") {
        for (const name of sel.values) {
          const t = targetGroups.get(name);
          if (!t) continue;
          t.groups.forEach((g) => groups.add(g));
          untracked.push(...t.other);
        }
      } else {
        untracked.push(`${sel.key}=${sel.values.join(",")}`);
      }
    }
    out.push({ window: w, task, operation: operationOf(task), groups: [...groups], untracked, baselineOverride: (parameter(task, "BaselineOverride") ?? []).length > 0 });
  }
  return out;
}

function windowRun(w: WindowInfo, task: WindowTaskSpec, at: Date, extraNotes: string[] = []): WindowRun {
  const notes = [...extraNotes];
  if (!w.res) {
    // An association starts its document on every target at its schedule (within its rate controls): no window, no cutoff.
    const duration = w.association?.doc.spec.duration;
    return {
      window: w.name,
      resource: w.resourceKey,
      task: task.name,
      at: isoUtc(at),
      local: formatInZone(at, w.timezone),
      timezone: w.timezone,
      startBy: isoUtc(at),
      ...(duration !== undefined ? { durationHours: duration } : {}),
      association: true,
      notes,
    };
  }
  const spec = w.res.doc.spec;
  const open = spec.duration - spec.cutoff;
  if (open < 1) notes.push(`${w.name}: duration ${spec.duration}h with cutoff ${spec.cutoff}h leaves ${open}h to start tasks (less than 1 hour): a queued install task may not start`);
  return {
    window: w.name,
    resource: w.res.key,
    task: task.name,
    at: isoUtc(at),
    local: formatInZone(at, w.timezone),
    timezone: w.timezone,
    startBy: isoUtc(new Date(at.getTime() + open * 3_600_000)),
    durationHours: spec.duration,
    cutoffHours: spec.cutoff,
    notes,
  };
}

/** The earliest run among `reaches` at or after `t`; ties keep the lower task priority. */
function earliestRun(reaches: TaskReach[], t: Date): { reach: TaskReach; at: Date } | undefined {
  let best: { reach: TaskReach; at: Date } | undefined;
  for (const r of reaches) {
    const at = runAtOrAfter(r.window, t);
    if (!at) continue;
    if (!best || at < best.at || (at.getTime() === best.at.getTime() && (r.task.priority ?? 1) < (best.reach.task.priority ?? 1))) best = { reach: r, at };
  }
  return best;
}

// ---------------------------------------------------------------------------
// Baselines per group

interface Candidate {
  baseline: AppliedBaseline;
  res?: BaselineRes;
}

function candidatesFor(group: string, registered: Map<string, BaselineRes[]>, defaults: Map<OperatingSystem, BaselineRes>, fleetOs: OperatingSystem[]): Candidate[] {
  const regs = registered.get(group);
  if (regs && regs.length) {
    return regs.map((res) => ({
      res,
      baseline: { source: "registered", name: ssmName(res), resource: res.key, operatingSystem: osOf(res), explanation: `registered for '${group}'` },
    }));
  }
  if (fleetOs.length === 0) {
    return [{ baseline: { source: "aws-default", name: "AWS default baseline", explanation: `no baseline is registered for '${group}' and the desired state has no baselines: the account's default baseline for each OS applies` } }];
  }
  return fleetOs.map((os): Candidate => {
    const def = defaults.get(os);
    if (def) {
      return { res: def, baseline: { source: "desired-default", name: ssmName(def), resource: def.key, operatingSystem: os, explanation: `no baseline is registered for '${group}': the desired default for ${os} applies` } };
    }
    return {
      baseline: {
        source: "aws-default",
        name: os === "WINDOWS" ? AWS_DEFAULT_WINDOWS.name : "AWS default baseline",
        operatingSystem: os,
        explanation: `no baseline is registered for '${group}' and none is the desired default for ${os}: the AWS default baseline applies (assuming the account's default was not changed outside patchctl)`,
      },
    };
  });
}

function approvalFor(c: Candidate, props: PatchProperties, released: Date, gates: ReadonlyMap<string, RolloutGate>): RuleOutcome {
  if (c.res) {
    const spec = c.res.doc.spec;
    const gate = gates.get(c.res.doc.metadata.name);
    if (gate) {
      // A Rollout writes the rules' cut-off: which rule matches is the baseline's, when is the rollout's.
      const rules = (spec.approvalRules?.patchRules ?? []).map(({ approveAfterDays: _d, approveUntilDate: _u, ...rest }) => rest);
      const out = evaluateApproval(osOf(c.res), spec.globalFilters, rules, props, released);
      if (out.approval.status !== "approved") return out;
      return { ...out, ...(out.rule ? { rule: { ...out.rule, rollout: `${gate.rollout}/${gate.stage}` } } : {}), approval: { status: "approved", at: isoUtc(new Date(released.getTime() + gate.delayMs)), reason: gateReason(gate) } };
    }
    return evaluateApproval(osOf(c.res), spec.globalFilters, spec.approvalRules?.patchRules ?? [], props, released);
  }
  if (c.baseline.operatingSystem === "WINDOWS") {
    const out = evaluateApproval("WINDOWS", undefined, [AWS_DEFAULT_WINDOWS.rule], props, released, 0);
    return out;
  }
  return { approval: { status: "unknown", reason: `unknown: the rules of the AWS default baseline${c.baseline.operatingSystem ? ` for ${c.baseline.operatingSystem}` : ""} are not in the desired state` } };
}

// ---------------------------------------------------------------------------

function describeBaselines(cands: Candidate[]): string {
  return cands.map((c) => (c.baseline.source === "desired-default" ? `${c.baseline.name} (desired default for ${c.baseline.operatingSystem})` : c.baseline.operatingSystem ? `${c.baseline.name} (${c.baseline.operatingSystem})` : c.baseline.name)).join(", ");
}

/**
 * When a patch with the given properties, released at `opts.released`, is approved
 * and installed in every patch group of the desired state. Offline and pure (apart
 * from `now`, which defaults to the current time).
 */
export function computeTimeline(state: DesiredState, opts: TimelineOptions): Timeline {
  const released = opts.released;
  const now = opts.now ?? new Date();
  const props: PatchProperties = {};
  for (const key of ["classification", "severity", "msrcSeverity", "product"] as const) {
    const v = opts[key];
    if (v && v.length) props[key] = [...v];
  }

  const baselines = state.resources.filter(isBaseline);
  const gates = rolloutGates(state);
  const windows = state.resources.filter(isWindow).map(windowInfo);
  const associations = state.resources.filter(isAssociation).map(associationReach);
  const reaches = [...windows.flatMap(reachOf), ...associations];

  const registered = new Map<string, BaselineRes[]>();
  const defaults = new Map<OperatingSystem, BaselineRes>();
  const groupOrder: string[] = [];
  const addGroup = (g: string): void => {
    if (!groupOrder.includes(g)) groupOrder.push(g);
  };
  for (const b of baselines) {
    for (const g of b.doc.spec.patchGroups ?? []) {
      addGroup(g);
      const list = registered.get(g) ?? [];
      list.push(b);
      registered.set(g, list);
    }
    if (b.doc.spec.defaultForOperatingSystem && !defaults.has(osOf(b))) defaults.set(osOf(b), b);
  }
  for (const w of windows) {
    for (const t of w.res?.doc.spec.targets ?? []) {
      for (const sel of t.targets) if (PATCH_GROUP_TAG_KEYS.includes(sel.key)) sel.values.forEach(addGroup);
    }
  }
  for (const a of associations) a.groups.forEach(addGroup);
  const fleetOs = OPERATING_SYSTEMS.filter((os) => baselines.some((b) => osOf(b) === os));

  const findings: Finding[] = [];
  const rows: GroupTimeline[] = [];
  const candidatesByGroup = new Map<string, Candidate[]>();

  for (const group of groupOrder) {
    const cands = candidatesFor(group, registered, defaults, fleetOs);
    candidatesByGroup.set(group, cands);
    const installs = reaches.filter((r) => r.operation === "Install" && r.groups.includes(group));
    const scans = reaches.filter((r) => r.operation === "Scan" && r.groups.includes(group));
    const installWindows = [...new Set(installs.map((r) => r.window.name))];

    for (const c of cands) {
      const lane = cands.length > 1 ? `${group} (${c.baseline.operatingSystem ?? "?"})` : group;
      const { rule, approval } = approvalFor(c, props, released, gates);
      const row: GroupTimeline = { lane, group, baseline: c.baseline, approval, installWindows, scans: [] };
      if (rule) row.rule = rule;

      if (installs.length === 0) {
        row.installNote = "never installed: no Install task reaches this group";
      } else if (approval.status === "never") {
        row.installNote = "never installed: never approved by this baseline";
      } else if (approval.status === "unknown") {
        row.installNote = "install time unknown: approval is unknown";
      } else {
        const found = earliestRun(installs, new Date(approval.at!));
        if (found) {
          const notes = found.reach.baselineOverride ? [`${found.reach.window.name}/${found.reach.task.name} passes BaselineOverride: the override, not ${c.baseline.name}, decides what is installed`] : [];
          row.install = windowRun(found.reach.window, found.reach.task, found.at, notes);
        } else {
          row.installNote = `never installed: ${describeNoRun(installs.map((r) => r.window))}`;
        }
      }

      const scanFrom = approval.status === "approved" ? new Date(approval.at!) : released;
      const seen = new Set<string>();
      for (const s of scans) {
        if (seen.has(s.window.name)) continue;
        const at = runAtOrAfter(s.window, scanFrom);
        if (!at) continue;
        seen.add(s.window.name);
        row.scans.push(windowRun(s.window, s.task, at));
      }
      row.scans.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

      const stage = stageFromTags(c.res?.doc.metadata.tags) ?? stageFromTags(installs.find((r) => r.window.name === row.install?.window)?.window.tags ?? installs[0]?.window.tags);
      if (stage) row.stage = stage;
      rows.push(row);
    }

    // never installed (one finding per group)
    if (installs.length === 0) {
      const scanNote = scans.length ? ` (only scanned, by ${[...new Set(scans.map((s) => s.window.name))].join(", ")})` : "";
      findings.push({ kind: "never-installed", severity: "warning", group, message: `patch group '${group}' is never installed: no Install task (AWS-RunPatchBaseline, Operation Install) targets it through tag:Patch Group${scanNote}` });
    } else if (!installs.some((r) => r.window.enabled && r.window.schedule && nextRuns(r.window.schedule, now, 1, r.window.runOptions).length > 0)) {
      findings.push({ kind: "never-installed", severity: "warning", group, message: `patch group '${group}' is never installed again: ${describeNoRun(installs.map((r) => r.window))}` });
    }
  }

  // Install tasks on groups no baseline is registered for.
  for (const r of reaches) {
    if (r.operation !== "Install") continue;
    for (const g of r.groups) {
      if (registered.has(g)) continue;
      findings.push({
        kind: "unregistered-group",
        severity: "warning",
        group: g,
        window: r.window.name,
        message: `${installer(r)} installs on patch group '${g}', which no baseline is registered for: the default baseline applies silently (${describeBaselines(candidatesByGroup.get(g) ?? [])})`,
      });
    }
    if (r.untracked.length) {
      findings.push({
        kind: "untracked-install-targets",
        severity: "info",
        window: r.window.name,
        message: `${installer(r)} also targets ${r.untracked.join(", ")}, not selected by a Patch Group tag: the timeline cannot tell which patch groups those instances are in`,
      });
    }
  }

  // Later stages installing before earlier ones.
  const staged = rows.filter((r) => r.stage && r.install);
  for (const early of staged) {
    for (const late of staged) {
      if (STAGE_RANK[late.stage!] <= STAGE_RANK[early.stage!]) continue;
      if (Date.parse(late.install!.at) < Date.parse(early.install!.at)) {
        findings.push({
          kind: "stage-order",
          severity: "warning",
          group: late.group,
          message: `${late.stage} '${late.lane}' installs ${formatUtc(late.install!.at)}, before ${early.stage} '${early.lane}' (${formatUtc(early.install!.at)})`,
        });
      }
    }
  }

  // Windows.
  for (const w of windows) {
    if (!w.enabled) {
      findings.push({ kind: "window-disabled", severity: "info", window: w.name, message: `window ${w.name} is disabled (enabled: false): its tasks never run` });
      continue;
    }
    if (!w.schedule) {
      findings.push({ kind: "window-never-runs", severity: "warning", window: w.name, message: `window ${w.name} never runs: ${w.scheduleError ?? "invalid schedule"}` });
      continue;
    }
    if (nextRuns(w.schedule, now, 1, w.runOptions).length === 0) {
      findings.push({ kind: "window-never-runs", severity: "warning", window: w.name, message: `window ${w.name} never runs again: ${whyNoMoreRuns(w, now)}` });
    }
  }

  // Installs that start inside a change freeze of the desired state: SSM runs them anyway (a freeze
  // holds back patchctl's changes, not the windows), so a reviewer should see it.
  for (const row of rows) {
    const run = row.install;
    if (!run) continue;
    const frozen = activeFreezes(state.config.freezes, new Date(run.at));
    if (frozen.length === 0) continue;
    run.frozen = frozen.map((p) => ({ freeze: p.name, ...(p.reason !== undefined ? { reason: p.reason } : {}), ...(p.end ? { until: isoUtc(p.end) } : {}) }));
    const names = frozen.map((p) => `'${p.name}'${p.reason ? ` (${p.reason})` : ""}${p.end ? ` until ${formatUtc(isoUtc(p.end))}` : ""}`).join(", ");
    run.notes.push(`installs inside change freeze ${names}`);
    findings.push({ kind: "install-in-freeze", severity: "warning", group: row.group, window: run.window, message: `patch group '${row.lane}' installs ${formatUtc(run.at)} (${run.window}/${run.task}), inside change freeze ${names}` });
  }

  rows.sort(compareRows);
  return { formatVersion: 1, released: isoUtc(released), now: isoUtc(now), patch: props, groups: rows, findings };
}

/** "Install task <window>/<task>" or "Install association <name>". */
function installer(r: TaskReach): string {
  return r.window.res ? `Install task ${r.window.name}/${r.task.name}` : `Install association ${r.window.name}`;
}

function whyNoMoreRuns(w: WindowInfo, now: Date): string {
  if (!w.res) return w.scheduleError ?? `its schedule ${w.schedule?.expression ?? ""} has no future run`;
  const spec = w.res.doc.spec;
  if (spec.endDate && Date.parse(spec.endDate) <= now.getTime()) return `its endDate ${spec.endDate} has passed`;
  if (w.schedule?.kind === "at") return `its schedule ${w.schedule.expression} is in the past`;
  if (spec.endDate) return `its schedule has no run before its endDate ${spec.endDate}`;
  return `its schedule ${spec.schedule} has no future run`;
}

function describeNoRun(ws: WindowInfo[]): string {
  const unique = [...new Map(ws.map((w) => [w.name, w])).values()];
  return unique
    .map((w) => {
      if (!w.enabled) return `${w.name} is disabled`;
      if (!w.schedule) return w.res ? `${w.name} has an invalid schedule` : `${w.name} ${w.scheduleError ?? "has an invalid schedule"}`;
      if (!w.res) return w.schedule.kind === "at" ? `${w.name} runs only at ${w.schedule.at} (UTC)` : `${w.name} has no further run`;
      const spec = w.res.doc.spec;
      if (w.schedule.kind === "at") return `${w.name} runs only at ${w.schedule.at} (${w.timezone})`;
      if (spec.endDate) return `${w.name} ends ${spec.endDate}`;
      return `${w.name} has no further run`;
    })
    .join("; ");
}

function compareRows(a: GroupTimeline, b: GroupTimeline): number {
  const ai = a.install ? Date.parse(a.install.at) : Infinity;
  const bi = b.install ? Date.parse(b.install.at) : Infinity;
  if (ai !== bi) return ai - bi;
  const aa = a.approval.at ? Date.parse(a.approval.at) : Infinity;
  const ba = b.approval.at ? Date.parse(b.approval.at) : Infinity;
  if (aa !== ba) return aa - ba;
  return a.lane.localeCompare(b.lane);
}
