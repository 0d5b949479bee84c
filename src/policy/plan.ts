import type { DesiredState, LoadedResource } from "../desired/load.js";
import { PATCHING_DOCUMENT_INFO } from "../catalog/patching-documents.js";
import type { MaintenanceWindowDoc, PatchAssociationSpec, WindowTaskSpec } from "../model/desired.js";
import type { FieldPath } from "../model/diagnostics.js";
import type { Change, Plan, Resource } from "../model/plan.js";
import { actionWord, isDeletedWithParent } from "../model/plan.js";
import { Collector } from "./collector.js";
import type { FindingPlace } from "./collector.js";
import type { Subject } from "./match.js";
import { policyMatches, subjectsOf } from "./match.js";
import { configuredPolicies, withOverrides } from "./overrides.js";
import type { Policy, PolicyResult } from "./types.js";
import { logicalReferences } from "../reconciler/references.js";

const WAIVED = "allowed by --allow-destructive";

function tagsOf(r: Resource | undefined): Record<string, string> | undefined {
  const t = r?.spec.tags;
  if (t === null || typeof t !== "object" || Array.isArray(t)) return undefined;
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)]));
}

/**
 * The key of the resource whose tags a change inherits: what holds it or what it is owned through
 * (a child's window, a registration's or default's baseline), from its handler's declared
 * references; none for a baseline named by id (not ours).
 */
function ownerKey(ch: Change): string | undefined {
  // One side: the one the change starts from (a registration moved off a baseline not ours inherits nothing).
  return logicalReferences(ch.before ?? ch.after).find((r) => r.role === "parent" || r.ownedThrough === true)?.key;
}

class PlanContext {
  private readonly changes: Map<string, Change>;
  private readonly desired: Map<string, LoadedResource>;

  constructor(
    readonly plan: Plan,
    readonly state: DesiredState,
  ) {
    this.changes = new Map(plan.changes.map((c) => [c.key, c]));
    this.desired = new Map(state.resources.map((r) => [r.key, r]));
  }

  /** Tag sets a change may be judged by: before and after, each over its owner's tags. */
  tagSets(ch: Change): Record<string, string>[] {
    const own = (key: string | undefined, side: "before" | "after"): Record<string, string> => {
      if (!key) return {};
      const c = this.changes.get(key);
      return tagsOf(c?.[side]) ?? tagsOf(c?.before) ?? tagsOf(c?.after) ?? this.desired.get(key)?.doc.metadata.tags ?? {};
    };
    const owner = ownerKey(ch);
    const sets: Record<string, string>[] = [];
    if (ch.before) sets.push({ ...own(owner, "before"), ...(tagsOf(ch.before) ?? {}) });
    if (ch.after) sets.push({ ...own(owner, "after"), ...(tagsOf(ch.after) ?? this.desired.get(ch.key)?.doc.metadata.tags ?? {}) });
    if (sets.length === 0) sets.push(own(owner, "before"));
    return sets;
  }

  /** Where a change is written in the desired state (or the Config document when it is gone from it). */
  place(ch: Change): FindingPlace {
    const self = this.desired.get(ch.key);
    if (self) return { resource: self, pos: self.source.locate(["metadata", "name"]), label: ch.key };
    const owner = ownerKey(ch);
    const holder = owner ? this.desired.get(owner) : undefined;
    if (holder) {
      let field: FieldPath = ["metadata", "name"];
      if (holder.doc.kind === "MaintenanceWindow" && (ch.type === "WindowTask" || ch.type === "WindowTarget")) {
        const spec = (holder.doc as MaintenanceWindowDoc).spec;
        const child = ch.key.split("/").slice(2).join("/");
        const list = ch.type === "WindowTask" ? "tasks" : "targets";
        const i = (ch.type === "WindowTask" ? spec.tasks : spec.targets)?.findIndex((x) => x.name === child) ?? -1;
        field = i >= 0 ? ["spec", list, i] : ["spec", list];
      } else if (ch.type === "PatchGroupRegistration") {
        field = ["spec", "patchGroups"];
      }
      return { resource: holder, pos: holder.source.locateKey(field), label: ch.key };
    }
    return this.planPlace(ch.key);
  }

  planPlace(label: string): FindingPlace {
    const pos = this.state.configSource.pos;
    return { pos: { file: pos.file, line: pos.line, column: pos.column }, label };
  }

  names(ch: Change): string[] {
    const rest = ch.key.split("/").slice(1);
    return [rest.join("/"), rest[0] ?? ch.name, ch.name];
  }
}

function describe(ch: Change): string {
  return `${ch.action === "delete" ? "deletes" : "replaces"} ${ch.key}${ch.reason ? ` (${ch.reason})` : ""}`;
}

function checkDestructive(p: Policy, ctx: PlanContext, c: Collector, allowDestructive: boolean): void {
  const actions = Array.isArray(p.parameters.actions) ? (p.parameters.actions as string[]) : ["delete", "replace"];
  for (const ch of ctx.plan.changes) {
    // Deleting a window deletes its targets and tasks with it: one decision, counted once.
    if (!actions.includes(actionWord(ch.action)) || isDeletedWithParent(ch)) continue;
    const spec = (ch.after ?? ch.before)?.spec ?? {};
    const names = ctx.names(ch);
    if (!ctx.tagSets(ch).some((tags) => policyMatches(p, { kind: ch.type, names, tags, spec }))) continue;
    const place = ctx.place(ch);
    if (allowDestructive) c.addWaiver(p, place, WAIVED);
    else c.report(p, place, `${p.message} (this plan ${describe(ch)})`, "plan");
  }
}

function checkMaxDeletions(p: Policy, ctx: PlanContext, c: Collector, allowDestructive: boolean): void {
  const max = typeof p.parameters.max === "number" ? p.parameters.max : 20;
  const deletes = ctx.plan.changes.filter((ch) => ch.action === "delete" && !isDeletedWithParent(ch));
  const counted = deletes.filter((ch) => ctx.tagSets(ch).some((tags) => policyMatches(p, { kind: ch.type, names: ctx.names(ch), tags, spec: ch.before?.spec ?? {} })));
  if (counted.length <= max) return;
  const place = ctx.planPlace("Plan");
  if (allowDestructive) {
    c.addWaiver(p, place, WAIVED);
    return;
  }
  const listed = counted.slice(0, 5).map((ch) => ch.key);
  c.report(p, place, `${p.message} (this plan deletes ${counted.length}, at most ${max} allowed: ${listed.join(", ")}${counted.length > listed.length ? ", ..." : ""})`, "plan");
}

/** A document name or ARN → whether it is one of AWS's patching documents. */
function isPatchingDocument(name: string | undefined): boolean {
  return name !== undefined && PATCHING_DOCUMENT_INFO[name.replace(/^arn:[^:]+:ssm:[^:]*:\d*:document\//, "")] !== undefined;
}

/** What a desired task or association does when it runs a patching document ("Scan", "Install"), else undefined. */
function patchingOperation(s: Subject): string | undefined {
  if (s.kind === "PatchAssociation") {
    const spec = s.spec as PatchAssociationSpec;
    return isPatchingDocument(spec.documentName) ? (spec.parameters?.Operation?.[0] ?? "Scan") : undefined;
  }
  if (s.kind !== "WindowTask") return undefined;
  const task = s.spec as WindowTaskSpec;
  if (task.taskType !== "RUN_COMMAND" || !isPatchingDocument(task.taskArn)) return undefined;
  return task.runCommand?.parameters?.Operation?.[0] ?? task.taskParameters?.Operation?.values[0] ?? "Scan";
}

/**
 * A desired patching schedule (a window task or an association running a patching document) on
 * instances that a patching association patchctl does not manage here also runs on (a tag value
 * both select): each scan or install overwrites the compliance data of the other. The account's
 * side is what ListAssociations listed (plan.unmanaged[].patchingTargets).
 */
function checkOverlappingSchedules(p: Policy, ctx: PlanContext, c: Collector): void {
  const others = ctx.plan.unmanaged.filter((u) => u.patchingTargets?.length);
  if (others.length === 0) return;
  const planned = new Set(ctx.plan.changes.map((ch) => ch.key));
  for (const s of subjectsOf(ctx.state.resources)) {
    if (!planned.has(s.label)) continue;
    const op = patchingOperation(s);
    if (op === undefined || !policyMatches(p, { kind: s.kind, names: s.names, tags: s.tags, spec: s.spec })) continue;
    for (const u of others) {
      const shared = u.patchingTargets!.flatMap((t) => (t.key.startsWith("tag:") ? t.values.filter((v) => s.targetTags.get(t.key.slice(4))?.has(v) === true).map((v) => `${t.key.slice(4)}=${v}`) : []));
      if (shared.length === 0) continue;
      const whose = u.managedBy ?? (u.owner !== undefined ? `patchctl owner '${u.owner}'` : "no patchctl owner");
      const field = [...s.path, "targets"];
      const place: FindingPlace = { resource: s.resource, pos: s.resource.source.locateKey(field), label: s.label, field };
      const verb = op === "Install" ? "installs on" : "scans";
      c.report(p, place, `${s.label} ${verb} the instances tagged ${[...new Set(shared)].join(", ")}, as association ${u.name} (${u.id}, managed by ${whose}) does: each run overwrites the other's patch compliance data, so compliance shows whichever ran last; ${p.message}`, "plan");
    }
  }
}

/**
 * Plan policies: destructive changes (delete, replace) to matched resources, and the number
 * of deletions. `allowDestructive` (--allow-destructive) waives both; waivers are listed
 * as exemptions so reviewers see them. Pass the state the plan was computed from (one
 * deployment's: stateForDeployment). A deleted resource has no annotations left to exempt
 * it: its findings point at the Config document, or at the window or baseline that held it.
 * The severities patchctl.yaml sets (`policies:`) apply here as in evaluateSpecPolicies.
 */
export function evaluatePlanPolicies(plan: Plan, state: DesiredState, policies: readonly Policy[], opts: { allowDestructive: boolean }): PolicyResult {
  const configured = configuredPolicies(policies, state);
  const ctx = new PlanContext(plan, state);
  const c = new Collector(["plan"], false);
  for (const p of configured.policies) {
    if (p.scope !== "plan") continue;
    if (p.check === "destructive-changes") checkDestructive(p, ctx, c, opts.allowDestructive);
    else if (p.check === "max-deletions") checkMaxDeletions(p, ctx, c, opts.allowDestructive);
    else if (p.check === "overlapping-schedules") checkOverlappingSchedules(p, ctx, c);
  }
  return withOverrides(c.result(), configured.overrides);
}
