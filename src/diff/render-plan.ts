import type { Change, FieldChange, Json, JsonObject, Plan, ResourceType } from "../reconciler/model.js";
import { RESOURCE_TYPES } from "../reconciler/model.js";
import { handlerFor } from "../resources/registry.js";
import { REDACTED } from "./redact.js";

/** "plan": what reconcile would do. "drift": the same comparison framed as what changed outside patchctl. */
export type ReportMode = "plan" | "drift";

const GLYPH: Record<Change["action"], string> = { create: "+", update: "~", delete: "-", replace: "-/+", noop: " " };
const COLOUR: Record<Change["action"], string> = { create: "\x1b[32m", update: "\x1b[33m", delete: "\x1b[31m", replace: "\x1b[35m", noop: "" };
const RESET = "\x1b[0m";

const DRIFT_WORD: Record<Change["action"], string> = {
  create: "missing",
  update: "changed outside patchctl",
  replace: "changed outside patchctl (needs replacement)",
  delete: "not in the desired state",
  noop: "in sync",
};

export function show(value: Json | undefined): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function isSensitivePath(type: ResourceType, path: string): boolean {
  return handlerFor(type).sensitive.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

/** Field changes with sensitive values masked: safe for every output. */
export function safeFields(c: Change): FieldChange[] {
  return c.fields.map((f) => (f.sensitive ? { path: f.path, before: f.before === undefined ? undefined : REDACTED, after: f.after === undefined ? undefined : REDACTED, sensitive: true } : f));
}

/** A created resource's fields as path → value lines, masked. */
export function flattenSpec(type: ResourceType, spec: JsonObject, prefix = ""): { path: string; value: Json }[] {
  const out: { path: string; value: Json }[] = [];
  for (const [k, v] of Object.entries(spec)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isSensitivePath(type, path)) out.push({ path, value: REDACTED });
    else if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) out.push(...flattenSpec(type, v, path));
    else out.push({ path, value: v });
  }
  return out;
}

export function summaryLine(plan: Plan, mode: ReportMode): string {
  const s = plan.summary;
  if (mode === "drift") {
    const drifted = s.update + s.replace;
    return `Drift: ${drifted} changed outside patchctl, ${s.create} missing, ${s.delete} not in the desired state, ${plan.unmanaged.length} unmanaged, ${s.noop} in sync.`;
  }
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.noop} unchanged.`;
}

export function renderPlanText(plan: Plan, opts: { mode?: ReportMode; colour?: boolean } = {}): string {
  const mode = opts.mode ?? "plan";
  const colour = opts.colour ?? false;
  const paint = (action: Change["action"], text: string): string => (colour && COLOUR[action] ? `${COLOUR[action]}${text}${RESET}` : text);
  const lines: string[] = [];
  lines.push(mode === "plan" ? `patchctl plan: owner ${plan.owner}, region ${plan.region}` : `patchctl drift report: owner ${plan.owner}, region ${plan.region}`);
  lines.push("");
  const active = plan.changes.filter((c) => c.action !== "noop");
  if (active.length === 0) lines.push(mode === "plan" ? "No changes. The account matches the desired state." : "No drift. The account matches the desired state.");
  for (const c of active) {
    const reason = mode === "drift" ? DRIFT_WORD[c.action] : c.reason;
    lines.push(paint(c.action, `${GLYPH[c.action].padStart(3)} ${c.key}${reason ? `  (${reason})` : ""}`));
    if (c.action === "create" && c.after) {
      for (const f of flattenSpec(c.type, c.after.spec)) lines.push(`        ${f.path}: ${show(f.value)}`);
    }
    for (const f of safeFields(c)) {
      lines.push(mode === "drift" ? `        ${f.path}: ${show(f.before)} (actual) ≠ ${show(f.after)} (desired)` : `        ${f.path}: ${show(f.before)} → ${show(f.after)}`);
    }
    for (const note of c.after?.notes ?? []) lines.push(`        note: ${note}`);
  }
  if (plan.conflicts.length > 0) {
    lines.push("", "Conflicts (nothing is created over them):");
    for (const k of plan.conflicts) lines.push(`  ! ${k.key}: ${k.message}`);
  }
  if (plan.unmanaged.length > 0) {
    lines.push("", "Unmanaged (in the account, owned by no desired state here; never touched):");
    for (const u of plan.unmanaged) lines.push(`  ? ${u.type} ${u.name} (${u.id})${u.owner ? ` owned by '${u.owner}'` : ""}`);
  }
  lines.push("", summaryLine(plan, mode));
  return lines.join("\n");
}

export const REPORT_FORMAT_VERSION = 1;

/** The documented, versioned JSON document (see docs/json-output.md). Sensitive values are masked. */
export function planToJson(plan: Plan, mode: ReportMode = "plan"): JsonObject {
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    kind: mode,
    owner: plan.owner,
    region: plan.region,
    createdAt: plan.createdAt,
    stateFingerprint: plan.stateFingerprint,
    summary: { ...plan.summary, conflicts: plan.conflicts.length, unmanaged: plan.unmanaged.length },
    changes: plan.changes
      .filter((c) => c.action !== "noop")
      .map((c) => {
        const entry: JsonObject = { key: c.key, type: c.type, name: c.name, action: c.action };
        if (c.before?.id) entry.id = c.before.id;
        if (c.reason) entry.reason = c.reason;
        entry.fields = safeFields(c).map((f) => {
          const o: JsonObject = { path: f.path };
          if (f.before !== undefined) o.before = f.before;
          if (f.after !== undefined) o.after = f.after;
          if (f.sensitive) o.sensitive = true;
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
      return o;
    }),
  };
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

/** A pull-request comment: a summary table by kind and action, then collapsible details per resource. */
export function renderPlanMarkdown(plan: Plan, opts: { mode?: ReportMode } = {}): string {
  const mode = opts.mode ?? "plan";
  const lines: string[] = [];
  lines.push(mode === "plan" ? `### patchctl plan — \`${plan.owner}\` in \`${plan.region}\`` : `### patchctl drift report — \`${plan.owner}\` in \`${plan.region}\``);
  lines.push("", `**${summaryLine(plan, mode)}**`, "");
  lines.push("| Kind | Create | Update | Replace | Delete | Unchanged |", "|---|---:|---:|---:|---:|---:|");
  for (const type of RESOURCE_TYPES) {
    const of = plan.changes.filter((c) => c.type === type);
    if (of.length === 0) continue;
    const n = (a: Change["action"]): number => of.filter((c) => c.action === a).length;
    lines.push(`| ${type} | ${n("create")} | ${n("update")} | ${n("replace")} | ${n("delete")} | ${n("noop")} |`);
  }
  const active = plan.changes.filter((c) => c.action !== "noop");
  if (active.length > 0) lines.push("");
  for (const c of active) {
    const label = mode === "drift" ? DRIFT_WORD[c.action] : c.action;
    lines.push("<details>", `<summary><code>${GLYPH[c.action]}</code> <b>${mdEscape(c.key)}</b> — ${mdEscape(label)}${c.reason && mode === "plan" ? ` (${mdEscape(c.reason)})` : ""}</summary>`, "");
    const rows = c.action === "create" && c.after
      ? flattenSpec(c.type, c.after.spec).map((f) => `| \`${f.path}\` | | \`${mdEscape(show(f.value))}\` |`)
      : safeFields(c).map((f) => `| \`${f.path}\` | \`${mdEscape(show(f.before))}\` | \`${mdEscape(show(f.after))}\` |`);
    if (rows.length > 0) lines.push(`| Field | ${mode === "drift" ? "Actual" : "Before"} | ${mode === "drift" ? "Desired" : "After"} |`, "|---|---|---|", ...rows);
    for (const note of c.after?.notes ?? []) lines.push("", `> note: ${mdEscape(note)}`);
    lines.push("", "</details>");
  }
  if (plan.conflicts.length > 0) {
    lines.push("", "#### Conflicts", "");
    for (const k of plan.conflicts) lines.push(`- :warning: \`${mdEscape(k.key)}\`: ${mdEscape(k.message)}`);
  }
  if (plan.unmanaged.length > 0) {
    lines.push("", "#### Unmanaged resources (never touched)", "");
    for (const u of plan.unmanaged) lines.push(`- ${u.type} \`${mdEscape(u.name)}\` (${u.id})${u.owner ? ` owned by \`${mdEscape(u.owner)}\`` : ""}`);
  }
  return lines.join("\n");
}
