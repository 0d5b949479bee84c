import type { Change, FieldChange, Json, JsonObject, Plan, ResourceType } from "../model/plan.js";
import { controlSectionsMarkdown, controlSectionsText, controlsJson, partialLine } from "./render-controls.js";
import { actionWord, isPlannedOnly, RESOURCE_TYPES } from "../model/plan.js";
import { isUnorderedList, joinPath, maskValue, REDACTED } from "../resources/field-paths.js";
import { handlerFor } from "../resources/registry.js";
import { canonicalJson } from "../resources/shape.js";

/** "plan": what reconcile would do. "drift": the same comparison framed as what changed outside patchctl. */
export type ReportMode = "plan" | "drift";

/** A change held back this run (its window is executing), with the words that say why. */
export interface DeferredMark {
  key: string;
  reason: string;
}

function deferredIndex(list: readonly DeferredMark[] | undefined): Map<string, string> {
  return new Map((list ?? []).map((d) => [d.key, d.reason]));
}

/** "Deferred: 2 change(s) wait for running window executions; a later run applies them." */
function deferredLine(list: readonly DeferredMark[] | undefined): string | undefined {
  const n = list?.length ?? 0;
  return n === 0 ? undefined : `Deferred: ${n} change(s) wait for running window executions (marked deferred above); they are not applied now, a later run applies them once the executions end.`;
}

const GLYPH: Record<Change["action"], string> = { create: "+", update: "~", delete: "-", forget: "-", deleteThenCreate: "-/+", createThenDelete: "+/-", noop: " " };
const COLOUR: Record<Change["action"], string> = { create: "\x1b[32m", update: "\x1b[33m", delete: "\x1b[31m", forget: "\x1b[31m", deleteThenCreate: "\x1b[35m", createThenDelete: "\x1b[35m", noop: "" };
const RESET = "\x1b[0m";

export const DRIFT_WORD: Record<Change["action"], string> = {
  create: "missing",
  update: "changed outside patchctl",
  deleteThenCreate: "changed outside patchctl (needs replacement)",
  createThenDelete: "changed outside patchctl (needs replacement)",
  delete: "not in the desired state",
  forget: "not in the desired state",
  noop: "in sync",
};

/**
 * How a drift report names a change: a difference patchctl plans itself (a rollout's pending
 * promotion, Resource.planned) is no change made outside patchctl; one with other differences is.
 */
export function driftWord(c: Change): string {
  return isPlannedOnly(c) ? c.planned!.reason : DRIFT_WORD[c.action];
}

/** Changes a drift report counts as drift: everything but pending planned changes. */
export function driftedChanges(changes: readonly Change[]): Change[] {
  return changes.filter((c) => c.action !== "noop" && !isPlannedOnly(c));
}

/** A value on one line: scalars as JSON, short lists of scalars inline, masked values as "(sensitive)". */
export function show(value: Json | undefined): string {
  if (value === undefined) return "(absent)";
  if (value === REDACTED) return REDACTED;
  if (Array.isArray(value)) return `[${value.map((v) => show(v)).join(",")}]`;
  if (value !== null && typeof value === "object") return Object.keys(value).length === 0 ? "{}" : JSON.stringify(value);
  return JSON.stringify(value);
}

/** Longest list of scalars shown on one line; longer ones, and anything nested, are indented blocks. */
const INLINE_LIST_WIDTH = 72;

function isInline(value: Json | undefined): boolean {
  if (value === undefined || value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return value.length === 0 || (value.every((v) => v === null || typeof v !== "object") && show(value).length <= INLINE_LIST_WIDTH);
  return Object.keys(value).length === 0;
}

function yamlKey(key: string): string {
  return /^[A-Za-z0-9_./@-](?:[A-Za-z0-9_./@:-]*[A-Za-z0-9_./@-])?$/.test(key) ? key : JSON.stringify(key);
}

/** A value as YAML-like lines (two spaces per level), never cut off. */
export function blockLines(value: Json): string[] {
  if (isInline(value)) return [show(value)];
  if (Array.isArray(value)) return value.flatMap(entryLines);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value!)) {
    if (isInline(v)) lines.push(`${yamlKey(k)}: ${show(v)}`);
    else lines.push(`${yamlKey(k)}:`, ...blockLines(v).map((l) => `  ${l}`));
  }
  return lines;
}

/** One list entry: "- value", or "- key: value" with its other lines indented under it. */
function entryLines(item: Json): string[] {
  const sub = blockLines(item);
  return [`- ${sub[0]!}`, ...sub.slice(1).map((l) => `  ${l}`)];
}

/** A field change as shown: values masked by the handler, each side by its own spec. */
interface ShownField {
  path: string;
  before?: Json;
  after?: Json;
  sensitive: boolean;
  /** Both sides are masked whole (or absent): nothing to show but that it changed. */
  hidden: boolean;
  unordered: boolean;
  /** A difference patchctl plans itself (Change.planned). */
  planned: boolean;
}

function shownFields(c: Change): ShownField[] {
  const handler = handlerFor(c.type);
  return c.fields.map((f) => {
    const b = maskValue(f.before, f.path, c.before?.spec, handler.isSensitive);
    const a = maskValue(f.after, f.path, c.after?.spec, handler.isSensitive);
    const shown: ShownField = {
      path: f.path,
      sensitive: b.masked || a.masked,
      hidden: (b.value === undefined || b.value === REDACTED) && (a.value === undefined || a.value === REDACTED),
      unordered: isUnorderedList(f.path, handler.unorderedLists),
      planned: c.planned?.fields.includes(f.path) ?? false,
    };
    if (b.value !== undefined) shown.before = b.value;
    if (a.value !== undefined) shown.after = a.value;
    return shown;
  });
}

/** Field changes with sensitive values masked: safe for every output. */
export function safeFields(c: Change): FieldChange[] {
  return shownFields(c).map((f) => {
    const o: FieldChange = { path: f.path };
    if (f.before !== undefined) o.before = f.before;
    if (f.after !== undefined) o.after = f.after;
    if (f.sensitive) o.sensitive = true;
    return o;
  });
}

/** "(sensitive, changed)", "(sensitive, added)", "(sensitive, removed)". */
function hiddenWord(f: ShownField): string {
  return `(sensitive, ${f.before === undefined ? "added" : f.after === undefined ? "removed" : "changed"})`;
}

type Mark = "+" | "-" | " ";

/**
 * The entries of two lists, each marked unchanged, removed or added: by content for an
 * order-insensitive list (additions in desired order, then removals), else along the
 * longest common subsequence.
 */
function markedEntries(before: Json[], after: Json[], unordered: boolean): [Mark, Json][] {
  const kb = before.map(canonicalJson);
  const ka = after.map(canonicalJson);
  const out: [Mark, Json][] = [];
  if (unordered) {
    const matched = new Set<number>();
    for (const [j, v] of after.entries()) {
      const i = kb.findIndex((k, n) => k === ka[j] && !matched.has(n));
      if (i >= 0) matched.add(i);
      out.push([i >= 0 ? " " : "+", v]);
    }
    for (const [i, v] of before.entries()) if (!matched.has(i)) out.push(["-", v]);
    return out;
  }
  const lcs: number[][] = Array.from({ length: kb.length + 1 }, () => new Array<number>(ka.length + 1).fill(0));
  for (let i = kb.length - 1; i >= 0; i--) for (let j = ka.length - 1; j >= 0; j--) lcs[i]![j] = kb[i] === ka[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  let i = 0;
  let j = 0;
  while (i < kb.length || j < ka.length) {
    if (i < kb.length && j < ka.length && kb[i] === ka[j]) {
      out.push([" ", after[j++]!]);
      i++;
    } else if (j < ka.length && (i >= kb.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(["+", after[j++]!]);
    else out.push(["-", before[i++]!]);
  }
  return out;
}

/** The marked lines of a nested change (without indentation): "+ key: value", "- - entry", "  unchanged". */
function markedLines(f: ShownField): string[] {
  const mark = (m: Mark, lines: string[]): string[] => lines.map((l) => `${m} ${l}`);
  if (f.before === undefined) return mark("+", blockLines(f.after!));
  if (f.after === undefined) return mark("-", blockLines(f.before));
  if (Array.isArray(f.before) && Array.isArray(f.after)) return markedEntries(f.before, f.after, f.unordered).flatMap(([m, v]) => mark(m, entryLines(v)));
  return [...mark("-", blockLines(f.before)), ...mark("+", blockLines(f.after))];
}

/** How a field change reads: on one line when both sides are short, else a header and marked lines. */
function fieldLayout(f: ShownField, mode: ReportMode): { line: string } | { header: string; lines: string[] } {
  if (f.hidden) return { line: hiddenWord(f) };
  if (isInline(f.before) && isInline(f.after)) {
    if (mode === "drift" && f.planned) return { line: `${show(f.before)} (actual) → ${show(f.after)} (pending promotion)` };
    return { line: mode === "drift" ? `${show(f.before)} (actual) ≠ ${show(f.after)} (desired)` : `${show(f.before)} → ${show(f.after)}` };
  }
  const header = f.before === undefined ? (mode === "drift" ? "(in the desired state only)" : "(added)") : f.after === undefined ? (mode === "drift" ? "(in the account only)" : "(removed)") : mode === "drift" ? "(- actual, + desired)" : "";
  return { header, lines: markedLines(f) };
}

/** A created resource's fields as path → value, masked; objects are flattened to their members' paths. */
export function flattenSpec(type: ResourceType, spec: JsonObject): { path: string; value: Json }[] {
  const isSensitive = handlerFor(type).isSensitive;
  const out: { path: string; value: Json }[] = [];
  const visit = (v: Json, path: string): void => {
    const masked = maskValue(v, path, spec, isSensitive).value!;
    if (masked !== null && typeof masked === "object" && !Array.isArray(masked) && Object.keys(masked).length > 0) {
      for (const [k, x] of Object.entries(v as JsonObject)) visit(x, joinPath(path, k));
    } else {
      out.push({ path, value: masked });
    }
  };
  for (const [k, v] of Object.entries(spec)) visit(v, k);
  return out;
}

/** A created resource's value lines: "path: value", or "path:" and an indented block. */
function createdLines(path: string, value: Json): string[] {
  return isInline(value) ? [`${path}: ${show(value)}`] : [`${path}:`, ...blockLines(value).map((l) => `  ${l}`)];
}

export function summaryLine(plan: Plan, mode: ReportMode): string {
  const s = plan.summary;
  if (mode === "drift") {
    const pending = plan.changes.filter(isPlannedOnly).length;
    const drifted = s.update + s.replace - pending;
    return `Drift: ${drifted} changed outside patchctl, ${s.create} missing, ${s.delete} not in the desired state, ${plan.unmanaged.length} unmanaged, ${s.noop} in sync.${pending ? ` ${pending} pending promotion(s), planned by patchctl (not drift).` : ""}`;
  }
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.noop} unchanged.`;
}

/**
 * What a plan with no change to apply says. With conflicts the account does not match: the
 * conflicting desired resources are neither there (as ours) nor created over what holds their names.
 */
function noChangesLine(plan: Plan, mode: ReportMode): string {
  if (plan.conflicts.length > 0) {
    return `No changes can be applied: ${plan.conflicts.length} desired resource(s) conflict with resources patchctl does not own (below); the account does not match the desired state.`;
  }
  return mode === "plan" ? "No changes. The account matches the desired state." : "No drift. The account matches the desired state.";
}

export function renderPlanText(plan: Plan, opts: { mode?: ReportMode; colour?: boolean; deferred?: readonly DeferredMark[] } = {}): string {
  const mode = opts.mode ?? "plan";
  const deferred = deferredIndex(opts.deferred);
  const colour = opts.colour ?? false;
  const paint = (action: Change["action"], text: string): string => (colour && COLOUR[action] ? `${COLOUR[action]}${text}${RESET}` : text);
  const lines: string[] = [];
  lines.push(mode === "plan" ? `patchctl plan: owner ${plan.owner}, region ${plan.region}` : `patchctl drift report: owner ${plan.owner}, region ${plan.region}`);
  const partial = partialLine(plan);
  if (partial) lines.push(partial);
  lines.push("");
  const active = plan.changes.filter((c) => c.action !== "noop");
  if (active.length === 0) lines.push(noChangesLine(plan, mode));
  for (const c of active) {
    const reason = mode === "drift" ? driftWord(c) : c.reason;
    const held = deferred.get(c.key);
    lines.push(paint(c.action, `${GLYPH[c.action].padStart(3)} ${c.key}${reason ? `  (${reason})` : ""}${held ? `  [${held}]` : ""}`));
    if (c.action === "create" && c.after) {
      for (const f of flattenSpec(c.type, c.after.spec)) lines.push(...createdLines(f.path, f.value).map((l) => `        ${l}`));
    }
    for (const f of shownFields(c)) {
      const layout = fieldLayout(f, mode);
      if ("line" in layout) lines.push(`        ${f.path}: ${layout.line}`);
      else lines.push(`        ${f.path}:${layout.header ? ` ${layout.header}` : ""}`, ...layout.lines.map((l) => `          ${l}`));
    }
    for (const note of c.after?.notes ?? []) lines.push(`        note: ${note}`);
  }
  lines.push(...controlSectionsText(plan, mode));
  if (plan.conflicts.length > 0) {
    lines.push("", "Conflicts (nothing is created over them):");
    for (const k of plan.conflicts) lines.push(`  ! ${k.key}: ${k.message}`);
  }
  if (plan.unmanaged.length > 0) {
    lines.push("", "Unmanaged (in the account, owned by no desired state here; never touched):");
    for (const u of plan.unmanaged) lines.push(`  ? ${u.type} ${u.name} (${u.id})${u.owner ? ` owned by '${u.owner}'` : ""}${u.managedBy ? ` managed by ${u.managedBy}` : ""}`);
  }
  lines.push("", summaryLine(plan, mode));
  const held = deferredLine(opts.deferred);
  if (held) lines.push(held);
  return lines.join("\n");
}

/** 2: actions are the closed set of the plan vocabulary (deleteThenCreate, createThenDelete, forget). */
export const REPORT_FORMAT_VERSION = 2;

/** The documented, versioned JSON document (see docs/json-output.md). Sensitive values are masked. */
export function planToJson(plan: Plan, mode: ReportMode = "plan", opts: { deferred?: readonly DeferredMark[] } = {}): JsonObject {
  const deferred = deferredIndex(opts.deferred);
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    kind: mode,
    owner: plan.owner,
    region: plan.region,
    createdAt: plan.createdAt,
    stateFingerprint: plan.stateFingerprint,
    summary: { ...plan.summary, conflicts: plan.conflicts.length, unmanaged: plan.unmanaged.length, ...(plan.changes.some(isPlannedOnly) ? { pendingPromotions: plan.changes.filter(isPlannedOnly).length } : {}) },
    changes: plan.changes
      .filter((c) => c.action !== "noop")
      .map((c) => {
        const entry: JsonObject = { key: c.key, type: c.type, name: c.name, action: c.action };
        if (c.before?.id) entry.id = c.before.id;
        if (c.reason) entry.reason = c.reason;
        if (c.planned) entry.planned = { reason: c.planned.reason, fields: c.planned.fields, only: isPlannedOnly(c) };
        const held = deferred.get(c.key);
        if (held) entry.deferred = held;
        entry.fields = safeFields(c).map((f) => {
          const o: JsonObject = { path: f.path };
          if (f.before !== undefined) o.before = f.before;
          if (f.after !== undefined) o.after = f.after;
          if (f.sensitive) o.sensitive = true;
          if (c.planned?.fields.includes(f.path)) o.planned = true;
          return o;
        });
        if (c.action === "create" && c.after) entry.after = Object.fromEntries(flattenSpec(c.type, c.after.spec).map((f) => [f.path, f.value]));
        if (c.after?.notes) entry.notes = c.after.notes;
        if (c.dependsOn.length) entry.dependsOn = c.dependsOn;
        return entry;
      }),
    conflicts: plan.conflicts.map((k) => ({ key: k.key, type: k.type, id: k.id, adoptable: k.adoptable, message: k.message })),
    unmanaged: plan.unmanaged.map((u) => {
      const o: JsonObject = { type: u.type, id: u.id, name: u.name };
      if (u.owner) o.owner = u.owner;
      if (u.managedBy) o.managedBy = u.managedBy;
      return o;
    }),
    ...controlsJson(plan),
  };
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

/** A table cell: the value as code, or the bare word for a masked one. */
function mdCell(value: Json | undefined): string {
  return value === REDACTED ? REDACTED : `\`${mdEscape(show(value))}\``;
}

/** A fenced code block that no backtick run in its lines can close. */
function fenced(lang: string, lines: string[]): string[] {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((m) => m.length))));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${lang}`, ...lines, fence];
}

/** A pull-request comment: a summary table by kind and action, then collapsible details per resource. */
export function renderPlanMarkdown(plan: Plan, opts: { mode?: ReportMode; deferred?: readonly DeferredMark[] } = {}): string {
  const mode = opts.mode ?? "plan";
  const deferred = deferredIndex(opts.deferred);
  const lines: string[] = [];
  lines.push(mode === "plan" ? `### patchctl plan — \`${plan.owner}\` in \`${plan.region}\`` : `### patchctl drift report — \`${plan.owner}\` in \`${plan.region}\``);
  lines.push("", `**${summaryLine(plan, mode)}**`, "");
  const heldLine = deferredLine(opts.deferred);
  if (heldLine) lines.push(`> ${mdEscape(heldLine)}`, "");
  lines.push("| Kind | Create | Update | Replace | Delete | Unchanged |", "|---|---:|---:|---:|---:|---:|");
  for (const type of RESOURCE_TYPES) {
    const of = plan.changes.filter((c) => c.type === type);
    if (of.length === 0) continue;
    const n = (word: ReturnType<typeof actionWord>): number => of.filter((c) => actionWord(c.action) === word).length;
    lines.push(`| ${type} | ${n("create")} | ${n("update")} | ${n("replace")} | ${n("delete")} | ${n("noop")} |`);
  }
  const active = plan.changes.filter((c) => c.action !== "noop");
  if (active.length > 0) lines.push("");
  for (const c of active) {
    const label = mode === "drift" ? driftWord(c) : actionWord(c.action);
    lines.push("<details>", `<summary><code>${GLYPH[c.action]}</code> <b>${mdEscape(c.key)}</b> — ${mdEscape(label)}${c.reason && mode === "plan" ? ` (${mdEscape(c.reason)})` : ""}${deferred.has(c.key) ? ` — <i>${mdEscape(deferred.get(c.key)!)}</i>` : ""}</summary>`, "");
    const rows: string[] = [];
    const blocks: string[] = [];
    if (c.action === "create" && c.after) {
      for (const f of flattenSpec(c.type, c.after.spec)) {
        if (isInline(f.value)) rows.push(`| \`${mdEscape(f.path)}\` | | ${mdCell(f.value)} |`);
        else blocks.push("", `\`${mdEscape(f.path)}\`:`, "", ...fenced("yaml", blockLines(f.value)));
      }
    }
    for (const f of shownFields(c)) {
      const layout = fieldLayout(f, mode);
      if (f.hidden) rows.push(`| \`${mdEscape(f.path)}\` | ${f.before === undefined ? mdCell(undefined) : REDACTED} | ${hiddenWord(f)} |`);
      else if ("line" in layout) rows.push(`| \`${mdEscape(f.path)}\` | ${mdCell(f.before)} | ${mdCell(f.after)}${mode === "drift" && f.planned ? " (pending promotion)" : ""} |`);
      else blocks.push("", `\`${mdEscape(f.path)}\`${layout.header ? ` ${mdEscape(layout.header)}` : ""}:`, "", ...fenced("diff", layout.lines));
    }
    if (rows.length > 0) lines.push(`| Field | ${mode === "drift" ? "Actual" : "Before"} | ${mode === "drift" ? "Desired" : "After"} |`, "|---|---|---|", ...rows);
    lines.push(...(rows.length > 0 ? blocks : blocks.slice(1)));
    for (const note of c.after?.notes ?? []) lines.push("", `> note: ${mdEscape(note)}`);
    lines.push("", "</details>");
  }
  lines.push(...controlSectionsMarkdown(plan, mode, mdEscape));
  if (plan.conflicts.length > 0) {
    lines.push("", "#### Conflicts", "");
    for (const k of plan.conflicts) lines.push(`- :warning: \`${mdEscape(k.key)}\`: ${mdEscape(k.message)}`);
  }
  if (plan.unmanaged.length > 0) {
    lines.push("", "#### Unmanaged resources (never touched)", "");
    for (const u of plan.unmanaged) lines.push(`- ${u.type} \`${mdEscape(u.name)}\` (${u.id})${u.owner ? ` owned by \`${mdEscape(u.owner)}\`` : ""}${u.managedBy ? ` managed by ${mdEscape(u.managedBy)}` : ""}`);
  }
  return lines.join("\n");
}
