import { readFileSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import type { DesiredState, LoadedResource } from "../desired/load.js";
import { parseYamlFile } from "../desired/yaml-source.js";
import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import type { MaintenanceWindowDoc, PatchBaselineDoc } from "../model/desired.js";
import type { Plan } from "../reconciler/model.js";
import { packageRoot } from "../package-root.js";

export type PolicyKind = "PatchBaseline" | "MaintenanceWindow" | "WindowTask" | "WindowTarget" | "Any";
export type PolicyCheck = "stage-staggering" | "patch-groups-registered" | "rejected-not-approved" | "destructive-changes" | "max-deletions";

export interface Policy {
  id: string;
  description: string;
  severity: "deny" | "warn";
  scope: "spec" | "plan";
  match: { kind: PolicyKind; tags?: Record<string, string>; names?: string[] };
  rule?: object;
  check?: PolicyCheck;
  parameters?: Record<string, unknown>;
  message: string;
  /** Where the policy is defined. */
  source: string;
}

export interface PolicyFinding {
  policyId: string;
  severity: "deny" | "warn";
  message: string;
  file: string;
  line: number;
  column: number;
  resource: string;
  field?: string;
}

export interface PolicyExemption {
  policyId: string;
  reason: string;
  resource: string;
  file: string;
  line: number;
}

export interface PolicyResult {
  findings: PolicyFinding[];
  exemptions: PolicyExemption[];
  /** Malformed exemptions (and policies, from loadPolicies). */
  errors: Diagnostic[];
}

export const EXEMPT_ANNOTATION = "patchctl/exempt";
const STAGES = ["Development", "Staging", "Production"];

let policySchema: ValidateFunction | undefined;
/** schemas/policy.schema.json, compiled once. */
function policyValidator(): ValidateFunction {
  policySchema ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(path.join(packageRoot(), "schemas", "policy.schema.json"), "utf8")) as object);
  return policySchema;
}

async function policiesIn(dir: string, errors: Diagnostic[]): Promise<Policy[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch {
    errors.push({ severity: "error", file: dir, line: 1, column: 1, message: "no such policy directory", code: "policy" });
    return [];
  }
  const out: Policy[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const parsed = parseYamlFile(file, await readFile(file));
    errors.push(...parsed.diagnostics);
    for (const doc of parsed.documents) {
      const validate = policyValidator();
      if (!validate(doc.value)) {
        for (const e of validate.errors ?? []) {
          const p = e.instancePath.split("/").filter(Boolean);
          const pos = doc.locate(p);
          errors.push({ severity: "error", file, line: pos.line, column: pos.column, field: p.join(".") || undefined, message: `invalid policy: ${e.message ?? "invalid"}${e.keyword === "additionalProperties" ? ` ('${String((e.params as { additionalProperty?: string }).additionalProperty)}')` : ""}`, code: "policy" });
        }
        continue;
      }
      const v = doc.value as Omit<Policy, "source" | "scope"> & { scope?: "spec" | "plan" };
      if (v.rule) {
        try {
          new Ajv({ strict: false }).compile(v.rule);
        } catch (err) {
          const pos = doc.locate(["rule"]);
          errors.push({ severity: "error", file, line: pos.line, column: pos.column, field: "rule", message: `invalid policy rule (not a JSON Schema): ${(err as Error).message}`, code: "policy" });
          continue;
        }
      }
      out.push({ ...v, scope: v.scope ?? "spec", source: `${file}:${doc.pos.line}` });
    }
  }
  return out;
}

/** Built-ins from policies/, merged with a user directory; a user policy replaces a built-in with the same id. */
export async function loadPolicies(userDir?: string): Promise<{ policies: Policy[]; errors: Diagnostic[] }> {
  const errors: Diagnostic[] = [];
  const byId = new Map<string, Policy>();
  for (const p of await policiesIn(path.join(packageRoot(), "policies"), errors)) byId.set(p.id, p);
  if (userDir) for (const p of await policiesIn(userDir, errors)) byId.set(p.id, p);
  return { policies: [...byId.values()], errors };
}

/** A resource, or a task/target inside a window, as policies see it. */
interface Subject {
  kind: Exclude<PolicyKind, "Any">;
  name: string;
  resource: LoadedResource;
  spec: unknown;
  /** Path of `spec` in its document. */
  path: FieldPath;
  tags: Record<string, string>;
}

function subjects(state: DesiredState): Subject[] {
  const out: Subject[] = [];
  for (const r of state.resources) {
    const tags = r.doc.metadata.tags ?? {};
    out.push({ kind: r.doc.kind, name: r.doc.metadata.name, resource: r, spec: r.doc.spec, path: ["spec"], tags });
    if (r.doc.kind === "MaintenanceWindow") {
      const spec = (r.doc as MaintenanceWindowDoc).spec;
      (spec.tasks ?? []).forEach((t, i) => out.push({ kind: "WindowTask", name: `${r.doc.metadata.name}/${t.name}`, resource: r, spec: t, path: ["spec", "tasks", i], tags }));
      (spec.targets ?? []).forEach((t, i) => out.push({ kind: "WindowTarget", name: `${r.doc.metadata.name}/${t.name}`, resource: r, spec: t, path: ["spec", "targets", i], tags }));
    }
  }
  return out;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(name);
}

function matches(p: Policy, kind: string, name: string, tags: Record<string, string>): boolean {
  if (p.match.kind !== "Any" && p.match.kind !== kind) return false;
  if (p.match.tags && !Object.entries(p.match.tags).every(([k, v]) => tags[k] === v)) return false;
  if (p.match.names && !p.match.names.some((n) => globMatch(n, name))) return false;
  return true;
}

/** Exemptions written on a resource: "policy-id: reason", several separated by ';' or newlines. */
function exemptionsOf(r: LoadedResource, errors: Diagnostic[]): Map<string, string> {
  const text = r.doc.metadata.annotations?.[EXEMPT_ANNOTATION];
  const out = new Map<string, string>();
  if (text === undefined) return out;
  const pos = r.source.locate(["metadata", "annotations", EXEMPT_ANNOTATION]);
  for (const part of text.split(/[;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9-]*)\s*:\s*(.*)$/.exec(part);
    if (!m || m[2]!.trim().length === 0) {
      errors.push({ severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: r.key, field: `metadata.annotations.${EXEMPT_ANNOTATION}`, message: `exemption '${part}' needs a reason: write "<policy-id>: <why this resource is exempt>"`, code: "policy" });
      continue;
    }
    out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

class Collector {
  readonly result: PolicyResult = { findings: [], exemptions: [], errors: [] };
  private readonly exempt = new Map<string, Map<string, string>>();
  private readonly recorded = new Set<string>();

  constructor(state: DesiredState) {
    for (const r of state.resources) this.exempt.set(r.key, exemptionsOf(r, this.result.errors));
  }

  add(p: Policy, r: LoadedResource, path: FieldPath, message: string, subject = r.key): void {
    const reason = this.exempt.get(r.key)?.get(p.id);
    const pos = r.source.locate(path);
    if (reason !== undefined) {
      const key = `${p.id}|${r.key}`;
      if (!this.recorded.has(key)) {
        this.recorded.add(key);
        this.result.exemptions.push({ policyId: p.id, reason, resource: r.key, file: pos.file, line: pos.line });
      }
      return;
    }
    this.result.findings.push({ policyId: p.id, severity: p.severity, message, file: pos.file, line: pos.line, column: pos.column, resource: subject, field: formatFieldPath(path) || undefined });
  }
}

const ruleCache = new WeakMap<object, ValidateFunction>();
function compiled(rule: object): ValidateFunction {
  let fn = ruleCache.get(rule);
  if (!fn) {
    fn = new Ajv({ allErrors: true, strict: false }).compile(rule);
    ruleCache.set(rule, fn);
  }
  return fn;
}

function minApprovalDays(b: PatchBaselineDoc): number | undefined {
  const days = (b.spec.approvalRules?.patchRules ?? []).map((r) => r.approveAfterDays).filter((d): d is number => d !== undefined);
  return days.length ? Math.min(...days) : undefined;
}

/** Policies on the desired state alone (no AWS access). */
export function evaluateSpecPolicies(state: DesiredState, policies: Policy[]): PolicyResult {
  const c = new Collector(state);
  const all = subjects(state);
  for (const p of policies.filter((x) => x.scope === "spec")) {
    if (p.rule) {
      const validate = compiled(p.rule);
      for (const s of all.filter((x) => matches(p, x.kind, x.name, x.tags))) {
        if (validate(s.spec)) continue;
        const first = validate.errors?.find((e) => e.keyword !== "if") ?? validate.errors?.[0];
        const inner = (first?.instancePath ?? "").split("/").filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
        c.add(p, s.resource, [...s.path, ...inner], `${p.message}${first?.message ? ` (${formatFieldPath(inner) || "spec"} ${first.message})` : ""}`, s.kind === "WindowTask" || s.kind === "WindowTarget" ? `${s.kind}/${s.name}` : s.resource.key);
      }
      continue;
    }
    const baselines = state.resources.filter((r) => r.doc.kind === "PatchBaseline") as LoadedResource<PatchBaselineDoc>[];
    switch (p.check) {
      case "rejected-not-approved":
        for (const b of baselines.filter((x) => matches(p, "PatchBaseline", x.doc.metadata.name, x.doc.metadata.tags ?? {}))) {
          const approved = new Set(b.doc.spec.approvedPatches ?? []);
          (b.doc.spec.rejectedPatches ?? []).forEach((patch, i) => {
            if (approved.has(patch)) c.add(p, b, ["spec", "rejectedPatches", i], `${p.message}: '${patch}' is both approved and rejected`);
          });
        }
        break;
      case "stage-staggering": {
        const staged = baselines
          .filter((x) => matches(p, "PatchBaseline", x.doc.metadata.name, x.doc.metadata.tags ?? {}))
          .map((b) => ({ b, stage: STAGES.indexOf(b.doc.metadata.tags?.Environment ?? ""), os: b.doc.spec.operatingSystem ?? "WINDOWS", days: minApprovalDays(b.doc) }))
          .filter((x) => x.stage >= 0 && x.days !== undefined);
        for (const later of staged) {
          for (const earlier of staged) {
            if (earlier.os !== later.os || earlier.stage >= later.stage) continue;
            if (later.days! < earlier.days!) {
              c.add(p, later.b, ["spec", "approvalRules"], `${p.message}: ${STAGES[later.stage]} ${later.b.key} approves after ${later.days} day(s), sooner than ${STAGES[earlier.stage]} ${earlier.b.key} (${earlier.days} day(s))`);
            }
          }
        }
        break;
      }
      case "patch-groups-registered": {
        const registered = new Set(baselines.flatMap((b) => b.doc.spec.patchGroups ?? []));
        for (const w of state.resources.filter((r) => r.doc.kind === "MaintenanceWindow") as LoadedResource<MaintenanceWindowDoc>[]) {
          if (!matches(p, "MaintenanceWindow", w.doc.metadata.name, w.doc.metadata.tags ?? {})) continue;
          (w.doc.spec.targets ?? []).forEach((t, i) => {
            t.targets.forEach((sel, k) => {
              if (sel.key !== "tag:Patch Group" && sel.key !== "tag:PatchGroup") return;
              sel.values.forEach((group, v) => {
                if (!registered.has(group)) c.add(p, w, ["spec", "targets", i, "targets", k, "values", v], `${p.message}: patch group '${group}' is registered to no baseline in the desired state`);
              });
            });
          });
        }
        break;
      }
      default:
        break;
    }
  }
  return c.result;
}

/** Policies on a plan: destructive changes to production, the number of deletions. */
export function evaluatePlanPolicies(plan: Plan, state: DesiredState, policies: Policy[], opts: { allowDestructive: boolean }): PolicyResult {
  const c = new Collector(state);
  const byKey = new Map(state.resources.map((r) => [r.key, r]));
  const tagsOf = (key: string): Record<string, string> => {
    const change = plan.changes.find((x) => x.key === key);
    const tags = change?.before?.spec.tags ?? change?.after?.spec.tags;
    return tags && typeof tags === "object" && !Array.isArray(tags) ? (tags as Record<string, string>) : {};
  };
  const where = (key: string): LoadedResource => byKey.get(key) ?? ({ key, doc: { metadata: {} }, source: { file: state.configSource.file, pos: state.configSource.pos, locate: () => state.configSource.pos, locateKey: () => state.configSource.pos, value: null } } as unknown as LoadedResource);
  for (const p of policies.filter((x) => x.scope === "plan")) {
    if (p.check === "destructive-changes") {
      if (opts.allowDestructive) continue;
      for (const ch of plan.changes.filter((x) => x.action === "delete" || x.action === "replace")) {
        const owner = ch.before?.parentKey ?? (ch.type === "PatchGroupRegistration" || ch.type === "DefaultBaseline" ? `PatchBaseline/${String(ch.before?.spec.baseline)}` : ch.key);
        const tags = { ...tagsOf(owner), ...tagsOf(ch.key) };
        if (!matches(p, "Any", ch.name, tags)) continue;
        c.add(p, where(byKey.has(ch.key) ? ch.key : owner), [], `${p.message}: ${ch.action} ${ch.key}`, ch.key);
      }
    } else if (p.check === "max-deletions") {
      const max = Number(p.parameters?.max ?? 20);
      const deletes = plan.changes.filter((x) => x.action === "delete" && x.reason !== "deleted with its window").length;
      if (deletes > max) c.add(p, where("Config"), [], `${p.message} (this plan deletes ${deletes})`, "Config");
    }
  }
  return c.result;
}

export function mergeResults(...results: PolicyResult[]): PolicyResult {
  return { findings: results.flatMap((r) => r.findings), exemptions: results.flatMap((r) => r.exemptions), errors: results.flatMap((r) => r.errors) };
}

export function hasDenials(r: PolicyResult): boolean {
  return r.errors.length > 0 || r.findings.some((f) => f.severity === "deny");
}

export function renderPolicyText(r: PolicyResult): string {
  if (r.findings.length === 0 && r.exemptions.length === 0 && r.errors.length === 0) return "Policies: all passed.";
  const lines: string[] = [];
  for (const sev of ["deny", "warn"] as const) {
    const list = r.findings.filter((f) => f.severity === sev);
    if (list.length === 0) continue;
    lines.push(sev === "deny" ? "Policy denials:" : "Policy warnings:");
    for (const f of list) lines.push(`  ${f.file}:${f.line}:${f.column}: ${f.resource}${f.field ? ` ${f.field}` : ""}: [${f.policyId}] ${f.message}`);
  }
  for (const e of r.errors) lines.push(`  ${e.file}:${e.line}:${e.column}: error: ${e.message}`);
  if (r.exemptions.length) {
    lines.push("Exemptions:");
    for (const e of r.exemptions) lines.push(`  ${e.file}:${e.line}: ${e.resource} is exempt from [${e.policyId}]: ${e.reason}`);
  }
  const deny = r.findings.filter((f) => f.severity === "deny").length;
  lines.push(`Policies: ${deny} denial(s), ${r.findings.length - deny} warning(s), ${r.exemptions.length} exemption(s)${r.errors.length ? `, ${r.errors.length} error(s)` : ""}.`);
  return lines.join("\n");
}

export function policyResultToJson(r: PolicyResult): object {
  return { denials: r.findings.filter((f) => f.severity === "deny"), warnings: r.findings.filter((f) => f.severity === "warn"), exemptions: r.exemptions, errors: r.errors };
}

export function renderPolicyMarkdown(r: PolicyResult): string {
  const lines = ["#### Policies", ""];
  if (r.findings.length === 0 && r.errors.length === 0) lines.push("All policies passed.");
  for (const f of [...r.findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "deny" ? -1 : 1))) {
    lines.push(`- ${f.severity === "deny" ? ":no_entry:" : ":warning:"} **${f.policyId}** \`${f.resource}\` (${path.basename(f.file)}:${f.line}): ${f.message}`);
  }
  for (const e of r.errors) lines.push(`- :no_entry: \`${path.basename(e.file)}:${e.line}\`: ${e.message}`);
  if (r.exemptions.length) {
    lines.push("", "Exemptions:");
    for (const e of r.exemptions) lines.push(`- \`${e.resource}\` is exempt from **${e.policyId}**: ${e.reason}`);
  }
  return lines.join("\n");
}
