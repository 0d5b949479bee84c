import { diffSpecs } from "../diff/field-diff.js";
import equal from "fast-deep-equal";
import type { ActualResource, ActualState, Change, Conflict, FieldChange, Json, Plan, Resource, ResourceType, UnmanagedResource } from "../model/plan.js";
import { DELETED_WITH_PREFIX, isRemoval, isReplace, PLAN_FORMAT_VERSION, summarize } from "../model/plan.js";
import { allHandlers, handlerFor, kindRank } from "../resources/registry.js";
import { withinAny } from "../resources/field-paths.js";
import { canonicalJson } from "../resources/shape.js";
import { renameByPreviousNames, setAsideSuspended, withIgnoredFields } from "./controls.js";
import { logicalReferences } from "./references.js";
import { isIdRefText } from "../model/reference.js";

/*
 * The engine knows no kind by name: identity, AWS names, ownership, references (what blocks, what
 * depends on what, what is re-pointed when something is replaced) and apply phases are declared by
 * each kind's handler (src/resources/handler.ts) and read from it here.
 */

export interface PlanOptions {
  owner: string;
  region: string;
  adopt: boolean;
  patchctlVersion: string;
  now?: Date;
}

/** The reason of a change deleted with the resource holding it (applied by its parent's delete; see isDeletedWithParent). */
export function deletedWithReason(parentType: ResourceType): string {
  return `${DELETED_WITH_PREFIX}${handlerFor(parentType).noun}`;
}

const refsOf = logicalReferences;
const isTopLevel = (type: ResourceType): boolean => handlerFor(type).ownership === "tags";

/**
 * Pairs desired and actual resources by key and diffs each pair:
 * no actual → create; no desired and ours → delete; differing forceNew field → replace;
 * other differences → update; else no-op. Unowned resources are never changed:
 * a desired resource whose name they hold is a conflict (adoptable with --adopt when
 * no other patchctl owner has it); the rest are reported as unmanaged.
 */
export function computePlan(desired: Resource[], actual: ActualState, opts: PlanOptions): Plan {
  // The passes over every resource are functions of their own (below): V8 optimizes a loop of a
  // function called once by on-stack replacement, and in one long function each loop's optimized
  // code was thrown away at the code after it (never run yet), so most of a large plan ran unoptimized.
  const { unownedByName, ownedByKey, ownedIdsOfActual } = indexTopLevel(actual.resources);

  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  /** Desired top-level resources blocked by a conflict: what they hold or own waits too. */
  const blocked = new Set<string>();
  /** Actual resources taken over with --adopt, re-keyed to the desired side. */
  const adopted = new Map<ActualResource, ActualResource>();

  // Pass 1: the kinds with their own ownership tags, where ownership is decided.
  for (const d of desired.filter((x) => isTopLevel(x.type))) {
    if (ownedByKey.has(d.key)) continue;
    const awsName = awsNameOfResource(d);
    const other = unownedByName.get(nameKey(d.type, awsName));
    if (!other) continue;
    const managedBy = handlerFor(d.type).managedBy?.(other);
    const adoptable = other.ownerTag === undefined && managedBy === undefined;
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
        ? `${d.type} '${awsName}' already exists (${other.id}) without patchctl ownership tags; rerun with --adopt to take it over instead of creating a duplicate`
        : managedBy !== undefined
          ? `${d.type} '${awsName}' already exists (${other.id}) and is managed by ${managedBy}; it is never modified (give this one another name)`
          : `${d.type} '${awsName}' already exists (${other.id}) and is owned by patchctl owner '${other.ownerTag}'; it is never modified`,
    });
    blocked.add(d.key);
  }

  // What an adopted resource holds or owns is ours from now on, under the desired names.
  const adoptedIds = new Map<string, string>();
  const adoptedKeys = new Map<string, ActualResource>();
  for (const [from, to] of adopted) {
    adoptedIds.set(from.id, to.name);
    adoptedKeys.set(from.key, to);
  }
  let resources = adopted.size === 0 ? actual.resources : actual.resources.map((a): ActualResource => {
    const taken = adopted.get(a);
    if (taken) return taken;
    const parent = a.parentKey === undefined ? undefined : adoptedKeys.get(a.parentKey);
    if (parent) {
      const key = handlerFor(a.type).key(a.ssmName, parent.name);
      return { ...a, owned: true, parentKey: parent.key, key, name: `${parent.name}/${a.ssmName}` };
    }
    if (!a.owned) return handlerFor(a.type).adoptThrough?.(a, adoptedIds) ?? a;
    return a;
  });
  if (adopted.size > 0) resources = pairUnnamedChildren(desired, resources, new Set([...adopted.values()].map((a) => a.key)));
  resources = renameByPreviousNames(desired, resources);
  // References to owned resources may name them by id on one side and by logical name on the other.
  let ownedIds = ownedIdsOfActual;
  if (resources !== actual.resources) {
    ownedIds = new Map();
    for (const r of resources) if (r.owned && isTopLevel(r.type)) ownedIds.set(r.id, { type: r.type, name: r.name });
  }
  let actualByKey: Map<string, number>;
  if (linksAny(ownedIds)) {
    ({ resources, actualByKey } = linkAndIndex(resources, ownedIds));
    desired = desired.map((d) => handlerFor(d.type).withLogicalReferences?.(d, ownedIds) ?? d);
  } else {
    actualByKey = indexByKey(resources);
  }

  const matched = pairDesired(desired, resources, actualByKey, { blocked, adoptedSides: new Set(adopted.values()), adopt: opts.adopt, changes, conflicts });
  const { unmanaged, deleted } = unmatchedActual(resources, matched, changes);
  if (deleted.size > 0) for (const c of changes) {
    const parent = c.action === "delete" ? c.before?.parentKey : undefined;
    if (parent !== undefined && deleted.has(parent)) {
      c.action = "forget";
      c.reason = deletedWithReason(deleted.get(parent)!);
    }
  }

  const { active, suspended } = setAsideSuspended(changes);
  repointDependents(active);
  addDependencies(active);
  const ordered = orderChanges(active);
  // The ids are read by apply, deferral and a saved plan; a plan that is only shown (a pull
  // request's --plan, a drift report, a no-change cycle) never reads them. Built when first read
  // (a 66,000-entry record is a twentieth of planning), then kept; JSON, spreads and
  // structuredClone read it like any member.
  let ids: Record<string, string> | undefined;

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
    get ids(): Record<string, string> {
      return (ids ??= idsOf(ordered));
    },
    // Writable like any member (the type says so): a caller's record replaces the computed one.
    set ids(value: Record<string, string>) {
      ids = value;
    },
    awsBaselines: actual.awsBaselines,
    adopt: opts.adopt,
    readScope: readScopeOf(desired),
    ...(suspended.length ? { suspended: orderChanges(suspended) } : {}),
  };
}

/** The ids known when planning (the actual side's), by resource key. */
function idsOf(changes: readonly Change[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.before?.id) ids[c.key] = c.before.id;
  }
  return ids;
}

/** The top-level actual resources by key (owned) and by AWS name (not owned), and the owned ones' ids. */
function indexTopLevel(resources: readonly ActualResource[]): {
  unownedByName: Map<string, ActualResource>;
  ownedByKey: Map<string, ActualResource>;
  ownedIdsOfActual: Map<string, { type: ResourceType; name: string }>;
} {
  const unownedByName = new Map<string, ActualResource>();
  const ownedByKey = new Map<string, ActualResource>();
  // The owned ids that hold when nothing is adopted or renamed.
  const ownedIdsOfActual = new Map<string, { type: ResourceType; name: string }>();
  for (let i = 0; i < resources.length; i++) {
    const a = resources[i]!;
    if (!isTopLevel(a.type)) continue;
    if (a.owned) {
      ownedByKey.set(a.key, a);
      ownedIdsOfActual.set(a.id, { type: a.type, name: a.name });
    } else unownedByName.set(nameKey(a.type, a.ssmName), a);
  }
  return { unownedByName, ownedByKey, ownedIdsOfActual };
}

/**
 * Indexes into `resources` by key (not the objects: a Set of 70,000 objects costs an identity hash
 * each); an owned resource wins a key over an unowned one.
 */
function indexByKey(resources: readonly ActualResource[]): Map<string, number> {
  const actualByKey = new Map<string, number>();
  for (let i = 0; i < resources.length; i++) indexOne(actualByKey, resources[i]!, i);
  return actualByKey;
}

function indexOne(actualByKey: Map<string, number>, a: ActualResource, i: number): void {
  if (a.owned) actualByKey.set(a.key, i);
  else if (!actualByKey.has(a.key)) actualByKey.set(a.key, i);
}

/** Whether some handler's withLogicalReferences can change a resource, given the owned resources (their logicalReferenceTypes). */
function linksAny(ownedIds: Map<string, { type: ResourceType; name: string }>): boolean {
  if (ownedIds.size === 0) return false;
  const types = new Set<ResourceType>();
  for (const h of allHandlers()) {
    if (!h.withLogicalReferences) continue;
    if (!h.logicalReferenceTypes) return true;
    for (const t of h.logicalReferenceTypes) types.add(t);
  }
  for (const owned of ownedIds.values()) if (types.has(owned.type)) return true;
  return false;
}

/** The actual side with its references to owned resources by logical name (as the desired side has them), indexed in the same pass. */
function linkAndIndex(resources: readonly ActualResource[], ownedIds: Map<string, { type: ResourceType; name: string }>): { resources: ActualResource[]; actualByKey: Map<string, number> } {
  const actualByKey = new Map<string, number>();
  const linked: ActualResource[] = new Array(resources.length);
  for (let i = 0; i < resources.length; i++) {
    const a = resources[i]!;
    const r = handlerFor(a.type).withLogicalReferences?.(a, ownedIds) ?? a;
    linked[i] = r;
    indexOne(actualByKey, r, i);
  }
  return { resources: linked, actualByKey };
}

/**
 * Pairs every desired resource with the actual one of its key: a create, a conflict, or the pair's
 * change (pairChange). Returns which actual resources were paired.
 */
function pairDesired(
  desired: readonly Resource[],
  resources: readonly ActualResource[],
  actualByKey: Map<string, number>,
  ctx: { blocked: Set<string>; adoptedSides: Set<ActualResource>; adopt: boolean; changes: Change[]; conflicts: Conflict[] },
): Uint8Array {
  const matched = new Uint8Array(resources.length);
  for (let i = 0; i < desired.length; i++) {
    const d = desired[i]!;
    if (ctx.blocked.size > 0) {
      if (ctx.blocked.has(d.key)) continue;
      if (refsOf(d).some((r) => (r.role === "parent" || r.ownedThrough) && ctx.blocked.has(r.key))) continue;
    }
    const index = actualByKey.get(d.key);
    const a = index === undefined ? undefined : resources[index];
    const handler = handlerFor(d.type);
    if (!a || !(a.owned || handler.ownership === "identity")) {
      ctx.changes.push({ key: d.key, type: d.type, name: d.name, action: "create", after: d, fields: [], dependsOn: [] });
      continue;
    }
    matched[index!] = 1;
    const conflict = !a.owned && !ctx.adopt ? handler.unownedPairConflict?.(d, a) : undefined;
    if (conflict !== undefined) {
      ctx.conflicts.push({ key: d.key, type: d.type, id: a.id, adoptable: true, message: conflict });
      continue;
    }
    ctx.changes.push(pairChange(d, a, ctx.adoptedSides.size > 0 && ctx.adoptedSides.has(a)));
  }
  return matched;
}

/** The actual resources no desired one paired with: deletes of ours (added to `changes`), the rest reported as unmanaged. */
function unmatchedActual(resources: readonly ActualResource[], matched: Uint8Array, changes: Change[]): { unmanaged: UnmanagedResource[]; deleted: Map<string, ResourceType> } {
  const unmanaged: UnmanagedResource[] = [];
  const deleted = new Map<string, ResourceType>();
  for (let i = 0; i < resources.length; i++) {
    if (matched[i]) continue;
    const a = resources[i]!;
    if (a.owned) {
      deleted.set(a.key, a.type);
      changes.push({ key: a.key, type: a.type, name: a.name, action: "delete", before: a, fields: [], reason: "no longer in the desired state", dependsOn: [] });
    } else if (isTopLevel(a.type) || handlerFor(a.type).listUnmanaged?.(a)) {
      const managedBy = handlerFor(a.type).managedBy?.(a);
      const patchingTargets = handlerFor(a.type).patchingTargets?.(a);
      unmanaged.push({ type: a.type, id: a.id, name: a.ssmName, owner: a.ownerTag, ...(managedBy !== undefined ? { managedBy } : {}), ...(patchingTargets?.length ? { patchingTargets } : {}) });
    }
  }
  return { unmanaged, deleted };
}

/** No ignored fields (shared: only its length is read, never stored in a change). */
const NO_FIELDS: string[] = [];

/** `adoptedSide`: the actual side was taken over with --adopt in this plan. */
function pairChange(desired: Resource, a: ActualResource, adoptedSide: boolean): Change {
  const handler = handlerFor(desired.type);
  const { desired: d, ignored } = desired.controls?.ignoreFields?.length ? withIgnoredFields(desired, a) : { desired, ignored: NO_FIELDS };
  let fields = diffSpecs(a.spec, d.spec, handler);
  if (fields.length > 0) fields = fields.filter((f) => !(f.after === undefined && handler.serverDefaulted?.includes(f.path)));
  // The common case in a large plan: no difference, no controls. The actual resource is the
  // before side as it is (paired by key, so its key is the desired one), as for a delete:
  // nothing to allocate for tens of thousands of no-ops.
  if (fields.length === 0 && ignored.length === 0) return { key: d.key, type: d.type, name: d.name, action: "noop", before: a, after: d, fields, reason: undefined, dependsOn: [] };
  const before: Resource = { type: a.type, key: d.key, name: a.name, spec: a.spec, id: a.id, parentKey: a.parentKey };
  // Read only when there is a change to give a reason to (a no-op has none).
  const adoptReason = adoptedSide ? "adopted: patchctl ownership tags added" : a.adoptedAs ? `adopted: ${a.adoptedAs}` : undefined;
  const reason = a.renamedFrom !== undefined ? `renamed from ${a.renamedFrom}` : adoptReason;
  const controls: Pick<Change, "ignoredFields" | "planned"> = ignored.length ? { ignoredFields: ignored } : {};
  if (fields.length === 0) return { key: d.key, type: d.type, name: d.name, action: "noop", before, after: d, fields, reason: undefined, dependsOn: [], ...controls };
  const planned = plannedOf(d, fields);
  if (planned) controls.planned = planned;
  const forced = fields.filter((f) => handler.forceNew.some((n) => f.path === n || f.path.startsWith(`${n}.`)));
  if (forced.length > 0) {
    return { key: d.key, type: d.type, name: d.name, action: replaceAction(d.type), before, after: d, fields, reason: `${forced.map((f) => f.path).join(", ")} cannot be updated in place`, dependsOn: [], ...controls };
  }
  return { key: d.key, type: d.type, name: d.name, action: "update", before, after: d, fields, reason: reason ?? handler.updateReason?.(fields), dependsOn: [], ...controls };
}

/** The differing fields the desired side's own evaluation moves (Resource.planned), when the account holds what patchctl wrote there. */
function plannedOf(d: Resource, fields: readonly FieldChange[]): Change["planned"] {
  const p = d.planned;
  if (!p) return undefined;
  const hit = fields.filter((f) => (p.paths === undefined || withinAny(f.path, p.paths)) && (p.from === undefined || equal(f.before, p.from))).map((f) => f.path);
  return hit.length ? { fields: hit, reason: p.reason } : undefined;
}

/**
 * Adopting a resource whose children have no Name in SSM (the AWS CLI and the console make window
 * targets and tasks without one) or a name the desired state does not use: the engine identifies
 * children by name, so each desired child without a same-named one is paired with an unmatched child
 * of the adopted parent that equals it in everything but the name (references to siblings compared
 * through the siblings paired so far, kinds in the registry's order). The change is then an update
 * that writes the Name, in place: ids and histories stay, instead of registering a copy and
 * deregistering the original.
 */
function pairUnnamedChildren(desired: Resource[], resources: ActualResource[], adoptedParents: Set<string>): ActualResource[] {
  const desiredKeys = new Set(desired.map((d) => d.key));
  const actualKeys = new Set(resources.map((a) => a.key));
  const out = [...resources];
  const renamed = new Map<string, Map<string, string>>(); // parent key → actual reference (SSM name, or id:… when unnamed) → desired name
  for (const handler of allHandlers().filter((h) => h.ownership === "parent")) {
    for (const d of desired) {
      if (d.type !== handler.type || !d.parentKey || !adoptedParents.has(d.parentKey) || actualKeys.has(d.key)) continue;
      const refs = renamed.get(d.parentKey) ?? new Map<string, string>();
      const compared = (a: ActualResource) => handler.withRenamedReferences?.(a.spec, refs) ?? a.spec;
      const i = out.findIndex((a) => a.type === d.type && a.parentKey === d.parentKey && !desiredKeys.has(a.key) && !a.adoptedAs && equalButName(withoutServerDefaults(compared(a), d.spec, handler.serverDefaulted), d.spec));
      if (i < 0) continue;
      const a = out[i]!;
      refs.set(a.ssmName, String(d.spec.name));
      renamed.set(d.parentKey, refs);
      const was = isIdRefText(a.ssmName) ? "it had no Name in SSM" : `it was named '${a.ssmName}' in SSM`;
      out[i] = { ...a, key: d.key, name: d.name, spec: compared(a), adoptedAs: `the existing ${handler.noun} ${a.id} is named ${String(d.spec.name)} in place (${was})` };
      actualKeys.add(d.key);
    }
  }
  return out;
}

/** `actual` without the server-defaulted fields (dotted paths) that `desired` leaves unset: they are not a difference. */
function withoutServerDefaults(actual: Resource["spec"], desired: Resource["spec"], paths: readonly string[] | undefined): Resource["spec"] {
  if (!paths?.length) return actual;
  let out = actual;
  for (const path of paths) {
    const steps = path.split(".");
    let d: Json | undefined = desired;
    for (const step of steps) d = d !== null && typeof d === "object" && !Array.isArray(d) ? d[step] : undefined;
    if (d !== undefined) continue;
    out = structuredClone(out);
    let holder: Json | undefined = out;
    for (const step of steps.slice(0, -1)) holder = holder !== null && typeof holder === "object" && !Array.isArray(holder) ? holder[step] : undefined;
    if (holder !== null && typeof holder === "object" && !Array.isArray(holder)) delete holder[steps.at(-1)!];
  }
  return out;
}

function equalButName(a: Resource["spec"], b: Resource["spec"]): boolean {
  const { name: _a, ...restA } = a;
  const { name: _b, ...restB } = b;
  return canonicalJson(restA) === canonicalJson(restB);
}

/**
 * A resource referencing one that is replaced (a task naming a target or running as a role) is
 * given the new id, even if its own spec is unchanged: its handler declares the reference with
 * `repointOnReplace`.
 */
function repointDependents(changes: Change[]): void {
  const replaced = new Set(changes.filter((c) => isReplace(c.action)).map((c) => c.key));
  if (replaced.size === 0) return;
  for (const c of changes) {
    if (c.action !== "noop" || !c.after) continue;
    const hit = refsOf(c.after).find((r) => r.repointOnReplace !== undefined && replaced.has(r.key));
    if (hit) {
      c.action = "update";
      c.reason = `${hit.key} ${hit.repointOnReplace}`;
    }
  }
}

/**
 * Dependencies from the declared references: a change waits for the changes of what it references
 * (its parent from either side; what it uses from the desired side), and a delete or replace waits
 * for the changes of what still references it with `blocksDelete` (moving off it first).
 */
function addDependencies(changes: Change[]): void {
  const active = new Map(changes.filter((c) => c.action !== "noop").map((c) => [c.key, c]));
  const dep = (c: Change, key: string): void => {
    if (active.has(key) && key !== c.key && !c.dependsOn.includes(key)) c.dependsOn.push(key);
  };
  /** key → active changes whose actual side references it with blocksDelete. */
  const movingOff = new Map<string, Change[]>();
  for (const c of active.values()) {
    for (const r of refsOf(c.before)) {
      if (!r.blocksDelete) continue;
      const list = movingOff.get(r.key) ?? [];
      list.push(c);
      movingOff.set(r.key, list);
    }
  }
  for (const c of active.values()) {
    for (const r of refsOf(c.after ?? c.before)) if (r.role === "parent") dep(c, r.key);
    for (const r of refsOf(c.after)) if (r.role === "uses") dep(c, r.key);
    if (c.action === "delete" || isReplace(c.action)) for (const other of movingOff.get(c.key) ?? []) dep(c, other.key);
  }
}

/**
 * The order a kind is replaced in, from its declared phases (so the two cannot disagree): the old one
 * first when its delete part runs before its create part (a role's name, a registration must be free).
 */
export function replaceAction(type: ResourceType): "deleteThenCreate" | "createThenDelete" {
  const phases = handlerFor(type).phases;
  return (phases.deleteForReplace ?? phases.delete) < phases.create ? "deleteThenCreate" : "createThenDelete";
}

/** Apply phase of each part of a change, as its handler declares; lower runs first (see apply.ts). */
export function phaseOf(c: Change, part: "delete" | "create" | "update"): number {
  const phases = handlerFor(c.type).phases;
  if (part === "delete") return isReplace(c.action) ? phases.deleteForReplace ?? phases.delete : phases.delete;
  return part === "create" ? phases.create : phases.update;
}

function firstPhase(c: Change): number {
  if (isRemoval(c.action)) return phaseOf(c, "delete");
  if (isReplace(c.action)) return Math.min(phaseOf(c, "delete"), phaseOf(c, "create"));
  return phaseOf(c, c.action === "create" ? "create" : "update");
}

/**
 * The changes in apply order (phase, then the registry's kind order, then key); no-ops, which
 * nothing applies or prints, follow in the order they came (the desired state's): a large
 * no-change plan has tens of thousands, and sorting them by key was a sixth of planning.
 */
function orderChanges(changes: Change[]): Change[] {
  const kinds = allHandlers().length;
  const ranked: { c: Change; rank: number }[] = [];
  const noops: Change[] = [];
  // Rank computed once per change: the sort compares each many times. (Indexed loops here and in
  // the other passes over every change: a function run once a plan may run unoptimized, where
  // for-of allocates an iterator result per element.)
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.action === "noop") noops.push(c);
    else ranked.push({ c, rank: firstPhase(c) * kinds + kindRank(c.type) });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.c.key.localeCompare(b.c.key));
  const out: Change[] = new Array(ranked.length + noops.length);
  for (let i = 0; i < ranked.length; i++) out[i] = ranked[i]!.c;
  for (let i = 0; i < noops.length; i++) out[ranked.length + i] = noops[i]!;
  return out;
}

/** Names compared as AWS compares them (IAM role names regardless of case; SSM names exactly). */
function nameKey(type: ResourceType, name: string): string {
  return `${type}/${handlerFor(type).caseInsensitiveNames ? name.toLowerCase() : name}`;
}

/** The AWS names of the desired top-level resources, per readScope: unowned resources with these names are read in full. */
export function readScopeOf(desired: Resource[]): Plan["readScope"] & Record<string, string[]> {
  const scope: Record<string, Set<string>> = {};
  for (const h of allHandlers()) if (h.readScope) scope[h.readScope] = new Set();
  for (let i = 0; i < desired.length; i++) {
    const d = desired[i]!;
    const h = handlerFor(d.type);
    if (h.readScope && h.awsName) scope[h.readScope]!.add(h.awsName(d));
  }
  const out: Record<string, string[]> = {};
  for (const [k, names] of Object.entries(scope)) out[k] = [...names].sort();
  return { ...out, baselines: out.baselines ?? [], windows: out.windows ?? [] };
}

/** A plan's (or readScopeOf's) scope as the read takes it: names per readScope member. */
export function desiredNamesOf(scope: Plan["readScope"]): Record<string, Set<string>> {
  return Object.fromEntries(Object.entries(scope).map(([k, names]) => [k, new Set(names ?? [])]));
}

/** The name in AWS of a desired top-level resource, as its handler declares. */
export function awsNameOfResource(d: Resource): string {
  const h = handlerFor(d.type);
  if (!h.awsName) throw new Error(`${d.type} has no name in AWS of its own`);
  return h.awsName(d);
}
