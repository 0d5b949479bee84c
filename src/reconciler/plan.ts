import { diffSpecs } from "../diff/field-diff.js";
import { asArray, asObject, canonicalJson } from "../resources/shape.js";
import { handlerFor } from "../resources/registry.js";
import type { ActualResource, ActualState } from "./read-actual.js";
import type { Change, Conflict, Plan, Resource, ResourceType, UnmanagedResource } from "../model/plan.js";
import { NAME_TAG, OWNER_TAG, PLAN_FORMAT_VERSION, summarize } from "../model/plan.js";

export interface PlanOptions {
  owner: string;
  region: string;
  adopt: boolean;
  patchctlVersion: string;
  now?: Date;
}

/**
 * Pairs desired and actual resources by key and diffs each pair:
 * no actual → create; no desired and ours → delete; differing forceNew field → replace;
 * other differences → update; else no-op. Unowned resources are never changed:
 * a desired resource whose name they hold is a conflict (adoptable with --adopt when
 * no other patchctl owner has it); the rest are reported as unmanaged.
 */
export function computePlan(desired: Resource[], actual: ActualState, opts: PlanOptions): Plan {
  const unownedByName = new Map<string, ActualResource>();
  const ownedByKey = new Map<string, ActualResource>();
  for (const a of actual.resources) {
    if (!isTopLevel(a.type)) continue;
    if (a.owned) ownedByKey.set(a.key, a);
    else unownedByName.set(nameKey(a.type, a.ssmName), a);
  }

  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  /** Desired baselines/windows blocked by a conflict: what hangs off them waits too. */
  const blocked = new Set<string>();
  /** Actual resources taken over with --adopt, re-keyed to the desired side. */
  const adopted = new Map<ActualResource, ActualResource>();

  // Pass 1: baselines and windows, where ownership is decided.
  for (const d of desired.filter((x) => isTopLevel(x.type))) {
    if (ownedByKey.has(d.key)) continue;
    const other = unownedByName.get(nameKey(d.type, awsNameOfResource(d)));
    if (!other) continue;
    const adoptable = other.ownerTag === undefined;
    if (opts.adopt && adoptable) {
      adopted.set(other, { ...other, key: d.key, name: d.name, owned: true });
      continue;
    }
    conflicts.push({
      key: d.key,
      type: d.type,
      id: other.id,
      adoptable,
      message: adoptable
        ? `${d.type} '${awsNameOfResource(d)}' already exists (${other.id}) without patchctl ownership tags; rerun with --adopt to take it over instead of creating a duplicate`
        : `${d.type} '${awsNameOfResource(d)}' already exists (${other.id}) and is owned by patchctl owner '${other.ownerTag}'; it is never modified`,
    });
    blocked.add(d.key);
  }

  // What hangs off an adopted baseline or window is ours from now on, under the desired names.
  const adoptedBaselineIds = new Map<string, string>();
  const adoptedWindowKeys = new Map<string, string>();
  for (const [from, to] of adopted) {
    if (from.type === "PatchBaseline") adoptedBaselineIds.set(from.id, to.name);
    else if (from.type === "MaintenanceWindow") adoptedWindowKeys.set(from.key, to.key);
  }
  let resources = adopted.size === 0 ? actual.resources : actual.resources.map((a): ActualResource => {
    const taken = adopted.get(a);
    if (taken) return taken;
    if (a.parentKey && adoptedWindowKeys.has(a.parentKey)) {
      const parentKey = adoptedWindowKeys.get(a.parentKey)!;
      const windowName = parentKey.slice("MaintenanceWindow/".length);
      return { ...a, owned: true, parentKey, key: `${a.type}/${windowName}/${a.ssmName}`, name: `${windowName}/${a.ssmName}` };
    }
    if ((a.type === "PatchGroupRegistration" || a.type === "DefaultBaseline") && !a.owned) {
      const id = String(a.spec.baseline).replace(/^id:/, "");
      const logical = adoptedBaselineIds.get(id);
      if (logical) return { ...a, owned: true, spec: { ...a.spec, baseline: logical } };
    }
    return a;
  });
  if (adoptedWindowKeys.size > 0) resources = pairUnnamedChildren(desired, resources, new Set(adoptedWindowKeys.values()));
  // Tasks may give a role we own (or adopt now) by ARN on one side and by logical name on the other.
  const roleNames = ownedRoleNames(resources);
  if (roleNames.size > 0) {
    resources = resources.map((a) => withRoleName(a, roleNames));
    desired = desired.map((d) => withRoleName(d, roleNames));
  }
  // Indexes into `resources` (not the objects): a Set of 70,000 objects costs an identity hash each.
  const actualByKey = new Map<string, number>();
  for (const [i, a] of resources.entries()) if (a.owned || !actualByKey.has(a.key)) actualByKey.set(a.key, i);

  const adoptedSides = new Set(adopted.values());
  const matched = new Uint8Array(resources.length);
  for (const d of desired) {
    if (blocked.size > 0) {
      if (blocked.has(d.key)) continue;
      const blockedBy = d.parentKey ?? (d.type === "PatchGroupRegistration" || d.type === "DefaultBaseline" ? `PatchBaseline/${String(d.spec.baseline)}` : undefined);
      if (blockedBy && blocked.has(blockedBy)) continue;
    }
    const index = actualByKey.get(d.key);
    const a = index === undefined ? undefined : resources[index];
    const usable = a && (a.owned || d.type === "DefaultBaseline" || d.type === "PatchGroupRegistration");
    if (!a || !usable) {
      changes.push({ key: d.key, type: d.type, name: d.name, action: "create", after: d, fields: [], dependsOn: [] });
      continue;
    }
    matched[index!] = 1;
    if (d.type === "PatchGroupRegistration" && !a.owned && !opts.adopt) {
      conflicts.push({ key: d.key, type: d.type, id: a.id, adoptable: true, message: `patch group '${String(d.spec.patchGroup)}' is registered to baseline ${a.id} for ${String(d.spec.operatingSystem)}, which patchctl does not own; rerun with --adopt to move it` });
      continue;
    }
    changes.push(pairChange(d, a, adoptedSides.size > 0 && adoptedSides.has(a) ? "adopted: patchctl ownership tags added" : a.adoptedAs ? `adopted: ${a.adoptedAs}` : undefined));
  }

  const unmanaged: UnmanagedResource[] = [];
  const deletedWindows = new Set<string>();
  for (const [i, a] of resources.entries()) {
    if (matched[i]) continue;
    if (a.owned) {
      if (a.type === "MaintenanceWindow") deletedWindows.add(a.key);
      changes.push({ key: a.key, type: a.type, name: a.name, action: "delete", before: a, fields: [], reason: "no longer in the desired state", dependsOn: [] });
    } else if (isTopLevel(a.type) || a.type === "PatchGroupRegistration") {
      if (a.type === "PatchGroupRegistration" && String(a.spec.baseline).startsWith("id:arn:")) continue; // groups on AWS-owned baselines
      unmanaged.push({ type: a.type, id: a.id, name: a.ssmName, owner: a.ownerTag });
    }
  }
  for (const c of changes) {
    if (c.action === "delete" && c.before?.parentKey && deletedWindows.has(c.before.parentKey)) c.reason = "deleted with its window";
  }

  markTasksOfReplacedTargets(changes);
  markTasksOfReplacedRoles(changes);
  addDependencies(changes);
  const ordered = orderChanges(changes);
  const ids: Record<string, string> = {};
  for (const c of ordered) if (c.before?.id) ids[c.key] = c.before.id;

  return {
    formatVersion: PLAN_FORMAT_VERSION,
    patchctlVersion: opts.patchctlVersion,
    createdAt: (opts.now ?? new Date()).toISOString(),
    owner: opts.owner,
    region: opts.region,
    stateFingerprint: actual.fingerprint,
    changes: ordered,
    conflicts,
    unmanaged: unmanaged.sort((x, y) => `${x.type}/${x.name}`.localeCompare(`${y.type}/${y.name}`)),
    summary: summarize(ordered),
    ids,
    awsBaselines: actual.awsBaselines,
    adopt: opts.adopt,
    readScope: readScopeOf(desired),
  };
}

function pairChange(d: Resource, a: ActualResource, reason?: string): Change {
  const handler = handlerFor(d.type);
  const before: Resource = { type: a.type, key: d.key, name: a.name, spec: a.spec, id: a.id, parentKey: a.parentKey };
  const fields = diffSpecs(a.spec, d.spec, handler);
  if (fields.length === 0) return { key: d.key, type: d.type, name: d.name, action: "noop", before, after: d, fields, reason: undefined, dependsOn: [] };
  const forced = fields.filter((f) => handler.forceNew.some((n) => f.path === n || f.path.startsWith(`${n}.`)));
  if (forced.length > 0) {
    return { key: d.key, type: d.type, name: d.name, action: "replace", before, after: d, fields, reason: `${forced.map((f) => f.path).join(", ")} cannot be updated in place`, dependsOn: [] };
  }
  return { key: d.key, type: d.type, name: d.name, action: fields.length ? "update" : "noop", before, after: d, fields, reason: fields.length ? reason : undefined, dependsOn: [] };
}

/**
 * Adopting a window whose targets and tasks have no Name in SSM (what the AWS CLI and the console
 * make by default) or a name the desired state does not use: patchctl identifies children by name, so
 * each desired child without a same-named one is paired with an unmatched child of the adopted window
 * that equals it in everything but the name (a task's WindowTargetIds compared through the targets
 * paired so far). The change is then an update that writes the Name, in place: ids and histories stay,
 * instead of registering a copy and deregistering the original.
 */
function pairUnnamedChildren(desired: Resource[], resources: ActualResource[], adoptedWindows: Set<string>): ActualResource[] {
  const desiredKeys = new Set(desired.map((d) => d.key));
  const actualKeys = new Set(resources.map((a) => a.key));
  const out = [...resources];
  const targetNames = new Map<string, Map<string, string>>(); // window key → actual target ref ("id:wt-…" or its SSM name) → desired name
  for (const type of ["WindowTarget", "WindowTask"] as const) {
    for (const d of desired) {
      if (d.type !== type || !d.parentKey || !adoptedWindows.has(d.parentKey) || actualKeys.has(d.key)) continue;
      const refs = targetNames.get(d.parentKey) ?? new Map<string, string>();
      const i = out.findIndex((a) => a.type === type && a.parentKey === d.parentKey && !desiredKeys.has(a.key) && !a.adoptedAs && equalButName(type === "WindowTask" ? withTargetRefs(a.spec, refs) : a.spec, d.spec));
      if (i < 0) continue;
      const a = out[i]!;
      if (type === "WindowTarget") {
        refs.set(a.ssmName, String(d.spec.name));
        targetNames.set(d.parentKey, refs);
      }
      const was = a.ssmName.startsWith("id:") ? "it had no Name in SSM" : `it was named '${a.ssmName}' in SSM`;
      out[i] = { ...a, key: d.key, name: d.name, spec: type === "WindowTask" ? withTargetRefs(a.spec, refs) : a.spec, adoptedAs: `the existing ${type === "WindowTarget" ? "target" : "task"} ${a.id} is named ${String(d.spec.name)} in place (${was})` };
      actualKeys.add(d.key);
    }
  }
  return out;
}

function equalButName(a: Resource["spec"], b: Resource["spec"]): boolean {
  const { name: _a, ...restA } = a;
  const { name: _b, ...restB } = b;
  return canonicalJson(restA) === canonicalJson(restB);
}

/** A task's WindowTargetIds values mapped through `refs` (actual target reference → desired target name). */
function withTargetRefs(spec: Resource["spec"], refs: Map<string, string>): Resource["spec"] {
  if (refs.size === 0) return spec;
  const targets = asArray(spec.targets).map((t) => {
    const o = asObject(t);
    if (o?.key !== "WindowTargetIds") return t;
    return { ...o, values: asArray(o.values).map((v) => refs.get(String(v)) ?? v) };
  });
  return { ...spec, targets };
}

/** A task naming a replaced target must be re-pointed at the new target id, even if its own spec is unchanged. */
function markTasksOfReplacedTargets(changes: Change[]): void {
  const replacedTargets = new Set(changes.filter((c) => c.type === "WindowTarget" && c.action === "replace").map((c) => c.key));
  if (replacedTargets.size === 0) return;
  for (const c of changes) {
    if (c.type !== "WindowTask" || c.action !== "noop" || !c.after) continue;
    const names = referencedTargetKeys(c.after);
    const hit = names.find((k) => replacedTargets.has(k));
    if (hit) {
      c.action = "update";
      c.reason = `${hit} is replaced; the task is re-pointed at the new target`;
    }
  }
}

/** A replaced role has a new ARN (when its path changed) or a new role id: tasks running as it are given it again. */
function markTasksOfReplacedRoles(changes: Change[]): void {
  const replaced = new Set(changes.filter((c) => c.type === "ServiceRole" && c.action === "replace").map((c) => c.key));
  if (replaced.size === 0) return;
  for (const c of changes) {
    const role = c.after?.spec.serviceRole;
    if (c.type !== "WindowTask" || c.action !== "noop" || role === undefined) continue;
    if (replaced.has(`ServiceRole/${String(role)}`)) {
      c.action = "update";
      c.reason = `ServiceRole/${String(role)} is replaced; the task is given the new role`;
    }
  }
}

export function referencedTargetKeys(task: Resource): string[] {
  const windowName = (task.parentKey ?? "").slice("MaintenanceWindow/".length);
  const keys: string[] = [];
  for (const t of asArray(task.spec.targets)) {
    const o = asObject(t);
    if (o?.key !== "WindowTargetIds") continue;
    for (const v of asArray(o.values)) if (!String(v).startsWith("id:")) keys.push(`WindowTarget/${windowName}/${String(v)}`);
  }
  return keys;
}

function addDependencies(changes: Change[]): void {
  const active = new Map(changes.filter((c) => c.action !== "noop").map((c) => [c.key, c]));
  const dep = (c: Change, key: string): void => {
    if (active.has(key) && key !== c.key && !c.dependsOn.includes(key)) c.dependsOn.push(key);
  };
  for (const c of changes) {
    if (c.action === "noop") continue;
    const r = c.after ?? c.before!;
    switch (c.type) {
      case "PatchGroupRegistration":
      case "DefaultBaseline":
        if (c.after) dep(c, `PatchBaseline/${String(c.after.spec.baseline)}`);
        break;
      case "WindowTarget":
        dep(c, r.parentKey!);
        break;
      case "WindowTask":
        dep(c, r.parentKey!);
        if (c.after) for (const k of referencedTargetKeys(c.after)) dep(c, k);
        if (c.after?.spec.serviceRole !== undefined) dep(c, `ServiceRole/${String(c.after.spec.serviceRole)}`);
        break;
      case "ServiceRole":
        // A role is deleted only after every task that ran as it was moved off or removed.
        if (c.action === "delete") {
          for (const other of changes) {
            if (other.type === "WindowTask" && other.action !== "noop" && other.before?.spec.serviceRole === c.name) dep(c, other.key);
          }
        }
        break;
      case "PatchBaseline":
        if (c.action === "delete" || c.action === "replace") {
          for (const other of changes) {
            if ((other.type === "PatchGroupRegistration" || other.type === "DefaultBaseline") && other.before && String(other.before.spec.baseline) === c.name && other.action !== "noop") dep(c, other.key);
          }
        }
        break;
      case "MaintenanceWindow":
        break;
    }
  }
}

/** Apply phase of each part of a change; lower runs first. See the comment in apply.ts for why this order. */
export function phaseOf(c: Change, part: "delete" | "create" | "update"): number {
  switch (c.type) {
    case "ServiceRole":
      // Roles exist before the tasks that run as them and go after every task moved off them;
      // a replaced role (same name) is deleted just before it is created again.
      if (part === "delete") return c.action === "replace" ? -1 : 11;
      return 0;
    case "WindowTask":
      return part === "delete" ? 1 : 7;
    case "PatchGroupRegistration":
      return part === "delete" ? 2 : 4;
    case "DefaultBaseline":
      return part === "delete" ? 2 : 4;
    case "PatchBaseline":
      return part === "delete" ? 10 : 3;
    case "MaintenanceWindow":
      return part === "delete" ? 9 : 5;
    case "WindowTarget":
      return part === "delete" ? 8 : 6;
  }
}

function firstPhase(c: Change): number {
  if (c.action === "delete") return phaseOf(c, "delete");
  if (c.action === "replace") return Math.min(phaseOf(c, "delete"), phaseOf(c, "create"));
  return phaseOf(c, c.action === "create" ? "create" : "update");
}

/** ARN → logical name of the roles that are ours in this plan (owned, or adopted by it). */
function ownedRoleNames(resources: ActualResource[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of resources) if (r.type === "ServiceRole" && r.owned) names.set(r.id, r.name);
  return names;
}

/**
 * A task running as one of our roles, in one form on both sides: `serviceRole: <logical
 * name>` (what the desired state writes, and what apply resolves to the role's ARN).
 * Other resources, and tasks giving any other role's ARN, are returned as they are.
 */
function withRoleName<T extends { type: ResourceType; spec: Resource["spec"] }>(r: T, roleNames: Map<string, string>): T {
  if (r.type !== "WindowTask" || roleNames.size === 0) return r;
  const arn = r.spec.serviceRoleArn;
  const logical = typeof arn === "string" ? roleNames.get(arn) : undefined;
  if (logical === undefined) return r;
  const { serviceRoleArn: _arn, ...rest } = r.spec;
  return { ...r, spec: { ...rest, serviceRole: logical } };
}

const TYPE_ORDER = ["ServiceRole", "PatchBaseline", "PatchGroupRegistration", "DefaultBaseline", "MaintenanceWindow", "WindowTarget", "WindowTask"];

function orderChanges(changes: Change[]): Change[] {
  // Rank computed once per change (a large plan sorts tens of thousands).
  const ranked = changes.map((c) => ({ c, rank: firstPhase(c) * TYPE_ORDER.length + TYPE_ORDER.indexOf(c.type) }));
  ranked.sort((a, b) => a.rank - b.rank || a.c.key.localeCompare(b.c.key));
  return ranked.map((r) => r.c);
}

/** IAM role names are unique regardless of case; SSM names are case-sensitive. */
function nameKey(type: ResourceType, name: string): string {
  return `${type}/${type === "ServiceRole" ? name.toLowerCase() : name}`;
}

/** Ownership tags the desired side carries; exported for tests and import. */
export const OWNERSHIP_TAGS = [OWNER_TAG, NAME_TAG];

/** The SSM names of desired baselines and windows: unowned resources with these names are read in full. */
export function readScopeOf(desired: Resource[]): { baselines: string[]; windows: string[]; roles: string[] } {
  const names = (type: string): string[] => [...new Set(desired.filter((d) => d.type === type).map((d) => awsNameOfResource(d)))].sort();
  return { baselines: names("PatchBaseline"), windows: names("MaintenanceWindow"), roles: names("ServiceRole") };
}

/** The name in AWS of a desired baseline, window (SSM Name) or role (IAM RoleName). */
export function awsNameOfResource(d: Resource): string {
  return String(d.type === "ServiceRole" ? d.spec.roleName : d.spec.name);
}

/** Kinds that carry ownership tags themselves (the rest belong to a window or baseline). */
export function isTopLevel(type: ResourceType): boolean {
  return type === "PatchBaseline" || type === "MaintenanceWindow" || type === "ServiceRole";
}
