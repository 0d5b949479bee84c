import path from "node:path";
import type { DesiredState, LoadedResource } from "../desired/load.js";
import type { PatchBaselineDoc, WindowTargetSpec } from "../model/desired.js";
import { formatFieldPath } from "../model/diagnostics.js";
import { Collector, locateField } from "./collector.js";
import { policyMatches, subjectsOf } from "./match.js";
import type { Subject } from "./match.js";
import { compileRule, summariseErrors } from "./schema-errors.js";
import type { SchemaProblem } from "./schema-errors.js";
import type { JsonObject, ResourceType } from "../model/plan.js";
import { handlerFor } from "../resources/registry.js";
import { EXEMPT_ANNOTATION } from "./types.js";
import type { Policy, PolicyFinding, PolicyResult } from "./types.js";
import { configuredPolicies, withOverrides } from "./overrides.js";

/** A deployment's resources, as policies see them. */
interface View {
  name: string;
  resources: LoadedResource[];
  subjects: Subject[];
}

function viewsOf(state: DesiredState): View[] {
  const list = state.deployments && state.deployments.length > 0 ? state.deployments.map((d) => ({ name: d.spec.name, resources: d.resources })) : [{ name: "default", resources: state.resources }];
  return list.map((v) => ({ ...v, subjects: subjectsOf(v.resources) }));
}

/**
 * Whether a finding may echo the value at `p` of a subject: the resource handler decides, as
 * for plans. A window's own spec holds its targets and tasks: those are asked of their handlers.
 */
function isSensitive(subject: Subject, p: readonly (string | number)[]): boolean {
  let kind: ResourceType = subject.kind;
  let spec = subject.spec;
  let rest = p;
  if (subject.kind === "MaintenanceWindow" && (p[0] === "targets" || p[0] === "tasks") && typeof p[1] === "number") {
    kind = p[0] === "targets" ? "WindowTarget" : "WindowTask";
    spec = valueAt(subject.spec, p.slice(0, 2));
    rest = p.slice(2);
  }
  const own = spec !== null && typeof spec === "object" && !Array.isArray(spec) ? (spec as JsonObject) : undefined;
  return rest.length > 0 && handlerFor(kind).isSensitive(formatFieldPath(rest), own);
}

function valueAt(root: unknown, p: readonly (string | number)[]): unknown {
  let v = root;
  for (const seg of p) {
    if (Array.isArray(v) && typeof seg === "number") v = v[seg];
    else if (typeof v === "object" && v !== null && !Array.isArray(v)) v = (v as Record<string, unknown>)[String(seg)];
    else return undefined;
  }
  return v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Ajv messages worth showing as they are (a pattern's regex or "must match a schema in anyOf" are not). */
function readable(problem: SchemaProblem): string | undefined {
  switch (problem.keyword) {
    case "const":
      return `must be ${show(problem.params.allowedValue)}`;
    case "enum":
      return `must be one of ${(problem.params.allowedValues as unknown[]).map(show).join(", ")}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
    case "multipleOf":
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
    case "minProperties":
    case "maxProperties":
    case "uniqueItems":
    case "type":
    case "contains":
    case "additionalProperties":
      return problem.message;
    default:
      return undefined;
  }
}

/** "(maxConcurrency is "75%")", "(approveAfterDays is 3: must be >= 7)", "(scheduleTimezone is not set)". */
function detail(subject: Subject, problem: SchemaProblem): string {
  const rel = formatFieldPath(problem.path);
  if (problem.missing) return ` (${rel} is not set)`;
  const why = readable(problem);
  if (rel === "") return why ? ` (${why})` : "";
  if (isSensitive(subject, problem.path)) return ` (${rel}${why ? `: ${why}` : " does not satisfy the rule"})`;
  const v = valueAt(subject.spec, problem.path);
  if (v !== null && typeof v === "object") return ` (${rel}${why ? `: ${why}` : " does not satisfy the rule"})`;
  return ` (${rel} is ${show(v)}${why ? `: ${why}` : ""})`;
}

function checkRule(p: Policy, view: View, c: Collector): void {
  const validate = compileRule(p.rule!);
  for (const s of view.subjects) {
    if (!policyMatches(p, { kind: s.kind, names: s.names, tags: s.tags, targetTags: s.targetTags, spec: s.spec })) continue;
    if (validate(s.spec)) continue;
    const problems = summariseErrors(validate.errors);
    if (problems.length === 0) problems.push({ path: [], keyword: "false", message: "", missing: false, params: {} });
    for (const problem of problems) {
      const field = [...s.path, ...problem.path];
      c.report(p, { resource: s.resource, pos: locateField(s.resource, field, problem.missing), label: s.label, field }, `${p.message}${detail(s, problem)}`, view.name);
    }
  }
}

const DEFAULT_STAGES = ["Development", "Staging", "Production"];

/** A later stage (by tag) never auto-approves sooner than an earlier one, per operating system, across deployments. */
function checkStageStaggering(p: Policy, views: View[], c: Collector, named: boolean): void {
  const tag = typeof p.parameters.tag === "string" ? p.parameters.tag : "Environment";
  const stages = Array.isArray(p.parameters.stages) ? (p.parameters.stages as string[]) : DEFAULT_STAGES;
  interface Entry {
    view: View;
    s: Subject;
    stage: number;
    os: string;
    days: number;
    rule: number;
  }
  const entries: Entry[] = [];
  for (const view of views) {
    for (const s of view.subjects) {
      if (s.kind !== "PatchBaseline" || !policyMatches(p, { kind: s.kind, names: s.names, tags: s.tags, spec: s.spec })) continue;
      const stage = stages.indexOf(s.tags[tag] ?? "");
      if (stage < 0) continue;
      const spec = (s.resource.doc as PatchBaselineDoc).spec;
      let best: { days: number; rule: number } | undefined;
      (spec.approvalRules?.patchRules ?? []).forEach((r, i) => {
        if (typeof r.approveAfterDays === "number" && (!best || r.approveAfterDays < best.days)) best = { days: r.approveAfterDays, rule: i };
      });
      if (best) entries.push({ view, s, stage, os: spec.operatingSystem ?? "WINDOWS", ...best });
    }
  }
  for (const later of entries) {
    let worst: Entry | undefined;
    for (const earlier of entries) {
      if (earlier.os !== later.os || earlier.stage >= later.stage || earlier.days <= later.days) continue;
      if (!worst || earlier.days > worst.days) worst = earlier;
    }
    if (!worst) continue;
    const field = ["spec", "approvalRules", "patchRules", later.rule, "approveAfterDays"];
    const where = named && worst.view.name !== later.view.name ? ` in deployment ${worst.view.name}` : "";
    c.report(
      p,
      { resource: later.s.resource, pos: later.s.resource.source.locate(field), label: later.s.label, field },
      `${p.message} (${stages[later.stage]} approves ${later.os} patches after ${later.days} day(s), sooner than ${stages[worst.stage]} ${worst.s.label}${where} after ${worst.days} day(s))`,
      later.view.name,
    );
  }
}

/** Every patch group a window targets by tag is registered to a baseline of the same deployment. */
function checkPatchGroupsRegistered(p: Policy, view: View, c: Collector): void {
  const keys = Array.isArray(p.parameters.targetKeys) ? (p.parameters.targetKeys as string[]) : ["tag:Patch Group", "tag:PatchGroup"];
  const registered = new Set(view.resources.flatMap((r) => (r.doc.kind === "PatchBaseline" ? ((r.doc as PatchBaselineDoc).spec.patchGroups ?? []) : [])));
  const windows = new Map(view.subjects.filter((s) => s.kind === "MaintenanceWindow").map((s) => [s.resource, s]));
  for (const s of view.subjects) {
    if (s.kind !== "WindowTarget" && s.kind !== "PatchAssociation") continue;
    const w = windows.get(s.resource);
    const m = (x: Subject) => policyMatches(p, { kind: x.kind, names: x.names, tags: x.tags, targetTags: x.targetTags, spec: x.spec });
    if (!m(s) && !(w && m(w))) continue;
    // A window target and an association both select instances with {key, values} targets.
    const target = s.spec as Pick<WindowTargetSpec, "targets">;
    target.targets.forEach((sel, k) => {
      if (!keys.includes(sel.key)) return;
      sel.values.forEach((group, v) => {
        if (registered.has(group)) return;
        const field = [...s.path, "targets", k, "values", v];
        c.report(p, { resource: s.resource, pos: s.resource.source.locate(field), label: s.label, field }, `${p.message} (patch group '${group}' is registered to no baseline in the desired state, so its instances get the default baseline)`, view.name);
      });
    });
  }
}

/** No patch is both approved and rejected on one baseline. */
function checkRejectedNotApproved(p: Policy, view: View, c: Collector): void {
  for (const s of view.subjects) {
    if (s.kind !== "PatchBaseline" || !policyMatches(p, { kind: s.kind, names: s.names, tags: s.tags, spec: s.spec })) continue;
    const spec = (s.resource.doc as PatchBaselineDoc).spec;
    const approved = new Set((spec.approvedPatches ?? []).map((x) => x.toLowerCase()));
    (spec.rejectedPatches ?? []).forEach((patch, i) => {
      if (!approved.has(patch.toLowerCase())) return;
      const field = ["spec", "rejectedPatches", i];
      c.report(p, { resource: s.resource, pos: s.resource.source.locate(field), label: s.label, field }, `${p.message} ('${patch}' is in both approvedPatches and rejectedPatches)`, view.name);
    });
  }
}

/**
 * Spec policies on the desired state alone (no AWS access): JSON Schema rules on every
 * matched resource, task and target, and the cross-resource checks. With deployments,
 * every deployment is evaluated (after substitution) and stage-staggering compares
 * across them. The severities patchctl.yaml sets (`policies: {<id>: deny|warn|off}`) apply
 * and are listed. Exemptions are applied and listed; an exemption without a reason is an
 * error, one naming no loaded policy or silencing nothing (or a policy switched off) is a warning.
 */
export function evaluateSpecPolicies(state: DesiredState, policies: readonly Policy[]): PolicyResult {
  const configured = configuredPolicies(policies, state);
  const views = viewsOf(state);
  const named = state.config?.deployments !== undefined;
  const c = new Collector(
    views.map((v) => v.name),
    named,
  );
  const specPolicies = configured.policies.filter((p) => p.scope === "spec");
  for (const p of specPolicies) {
    if (p.rule !== undefined) {
      for (const view of views) checkRule(p, view, c);
    } else if (p.check === "stage-staggering") {
      checkStageStaggering(p, views, c, named);
    } else if (p.check === "patch-groups-registered") {
      for (const view of views) checkPatchGroupsRegistered(p, view, c);
    } else if (p.check === "rejected-not-approved") {
      for (const view of views) checkRejectedNotApproved(p, view, c);
    }
  }
  // Exemptions that name no policy, or silence nothing, are stale: say so (as warnings).
  const known = new Set(policies.map((p) => p.id));
  const specIds = new Set(specPolicies.map((p) => p.id));
  const seen = new Set<string>();
  for (const view of views) {
    for (const r of view.resources) {
      const ex = c.exemptionsOf(r);
      for (const id of ex.reasons.keys()) {
        const key = `${r.key}|${r.source.file}|${id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const warn = (message: string) => c.addError({ severity: "warning", file: ex.pos.file, line: ex.pos.line, column: ex.pos.column, resource: r.key, field: `metadata.annotations.${EXEMPT_ANNOTATION}`, message, code: "policy-exemption" });
        if (!known.has(id)) warn(`exemption from '${id}': no such policy is loaded (known: ${[...known].sort().join(", ")})`);
        else if (configured.off.has(id)) warn(`exemption from '${id}' is not needed: ${path.basename(state.configSource.file)} switches the policy off (policies: {${id}: "off"}); remove the exemption`);
        else if (specIds.has(id) && !c.used.has(key)) warn(`exemption from '${id}' is not needed: ${r.key} passes it; remove the exemption`);
      }
    }
  }
  return withOverrides(c.result(), configured.overrides);
}

/**
 * The desired resource whose patchctl/exempt annotation covers a spec finding: the
 * finding's own resource, or for a window's task or target, the window (in the finding's
 * file). Undefined for what no annotation can exempt (plan-wide findings, deleted resources).
 */
export function exemptionHolder(resources: readonly LoadedResource[], finding: PolicyFinding): LoadedResource | undefined {
  const [kind, first] = finding.resource.split("/");
  const key = kind === "WindowTask" || kind === "WindowTarget" ? `MaintenanceWindow/${first ?? ""}` : finding.resource;
  const file = path.resolve(finding.file);
  return resources.find((r) => r.key === key && path.resolve(r.source.file) === file);
}
