import type { LoadedResource } from "../desired/load.js";
import type { FieldPath } from "../model/diagnostics.js";
import type { MaintenanceWindowDoc, PatchAssociationDoc, Target } from "../model/desired.js";
import { compileRule } from "./schema-errors.js";
import type { Policy, PolicySelector, SpecKind } from "./types.js";

/** What a spec policy looks at: a resource, or a task or target inside a window. */
export interface Subject {
  kind: SpecKind;
  /** Names selectors match: the resource's name; for tasks and targets, the window's name and "window/child". */
  names: string[];
  /** The finding's resource: "PatchBaseline/prod", "WindowTask/tuesdays/install". */
  label: string;
  /** The document holding it (positions, exemptions). */
  resource: LoadedResource;
  spec: unknown;
  /** Where `spec` is in its document. */
  path: FieldPath;
  /** metadata.tags (the window's, for tasks and targets). */
  tags: Record<string, string>;
  /** Instance tags selected through `tag:KEY` targets: key → values. */
  targetTags: Map<string, Set<string>>;
}

function addTargetTags(into: Map<string, Set<string>>, targets: readonly Target[] | undefined): void {
  for (const t of targets ?? []) {
    if (!t.key.startsWith("tag:")) continue;
    const key = t.key.slice("tag:".length);
    const set = into.get(key) ?? new Set<string>();
    for (const v of t.values) set.add(v);
    into.set(key, set);
  }
}

/** Every subject of a deployment's resources, in document order. */
export function subjectsOf(resources: readonly LoadedResource[]): Subject[] {
  const out: Subject[] = [];
  for (const r of resources) {
    const tags = r.doc.metadata.tags ?? {};
    const name = r.doc.metadata.name;
    if (r.doc.kind === "ServiceRole") {
      out.push({ kind: "ServiceRole", names: [name], label: r.key, resource: r, spec: r.doc.spec, path: ["spec"], tags, targetTags: new Map() });
      continue;
    }
    if (r.doc.kind === "PatchBaseline") {
      out.push({ kind: "PatchBaseline", names: [name], label: r.key, resource: r, spec: r.doc.spec, path: ["spec"], tags, targetTags: new Map() });
      continue;
    }
    // A Rollout is no subject of its own: the baselines it drives are, with the cut-offs it plans.
    if (r.doc.kind === "Rollout") continue;
    if (r.doc.kind === "PatchAssociation") {
      const spec = (r.doc as PatchAssociationDoc).spec;
      const selected = new Map<string, Set<string>>();
      addTargetTags(selected, spec.targets);
      out.push({ kind: "PatchAssociation", names: [name], label: r.key, resource: r, spec, path: ["spec"], tags, targetTags: selected });
      continue;
    }
    // A kind without subjects of its own here (one added later) is no window: it has none until it is described.
    if (r.doc.kind !== "MaintenanceWindow") continue;
    const spec = (r.doc as MaintenanceWindowDoc).spec;
    const byTarget = new Map<string, Map<string, Set<string>>>();
    const windowTags = new Map<string, Set<string>>();
    for (const t of spec.targets ?? []) {
      const m = new Map<string, Set<string>>();
      addTargetTags(m, t.targets);
      byTarget.set(t.name, m);
      addTargetTags(windowTags, t.targets);
    }
    out.push({ kind: "MaintenanceWindow", names: [name], label: r.key, resource: r, spec, path: ["spec"], tags, targetTags: windowTags });
    (spec.targets ?? []).forEach((t, i) => {
      out.push({ kind: "WindowTarget", names: [name, `${name}/${t.name}`], label: `WindowTarget/${name}/${t.name}`, resource: r, spec: t, path: ["spec", "targets", i], tags, targetTags: byTarget.get(t.name) ?? new Map() });
    });
    (spec.tasks ?? []).forEach((t, i) => {
      const selected = new Map<string, Set<string>>();
      for (const sel of t.targets ?? []) {
        if (sel.key === "WindowTargetIds") {
          for (const targetName of sel.values) {
            for (const [k, vs] of byTarget.get(targetName) ?? []) selected.set(k, new Set([...(selected.get(k) ?? []), ...vs]));
          }
        }
      }
      addTargetTags(selected, t.targets);
      out.push({ kind: "WindowTask", names: [name, `${name}/${t.name}`], label: `WindowTask/${name}/${t.name}`, resource: r, spec: t, path: ["spec", "tasks", i], tags, targetTags: selected });
    });
  }
  return out;
}

const globCache = new Map<string, RegExp>();
/** `*` any run of characters, `?` one character; everything else literal. */
export function globMatch(pattern: string, name: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    const body = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    re = new RegExp(`^${body}$`, "s");
    globCache.set(pattern, re);
  }
  return re.test(name);
}

export interface MatchTarget {
  kind: string;
  names: readonly string[];
  tags: Record<string, string>;
  targetTags?: Map<string, Set<string>>;
  spec: unknown;
}

export function selectorMatches(s: PolicySelector, t: MatchTarget): boolean {
  if (s.kind !== "Any" && s.kind !== t.kind) return false;
  if (s.tags && !Object.entries(s.tags).every(([k, v]) => t.tags[k] === v)) return false;
  if (s.targetTags && !Object.entries(s.targetTags).every(([k, v]) => t.targetTags?.get(k)?.has(v) === true)) return false;
  if (s.names && !s.names.some((pattern) => t.names.some((n) => globMatch(pattern, n)))) return false;
  if (s.spec !== undefined && !compileRule(s.spec)(t.spec)) return false;
  return true;
}

/** Whether any of the policy's selectors matches. */
export function policyMatches(p: Policy, t: MatchTarget): boolean {
  return p.match.some((s) => selectorMatches(s, t));
}
