import type { FieldPath } from "../model/diagnostics.js";
import type { AwsGateway, AwsService } from "../aws/gateway.js";
import type { ResourceDoc } from "../model/desired.js";
import type { ReadEvent } from "../model/events.js";
import type { ActualResource, ActualState, Change, FieldChange, JsonObject, Resource, ResourceType } from "../model/plan.js";
import type { ResourceRef } from "../model/reference.js";

/** A placeholder for an id that is only known at apply time (the resource is created in the same apply). */
export interface IdRef {
  $ref: string;
}

export function isIdRef(v: unknown): v is IdRef {
  return typeof v === "object" && v !== null && "$ref" in v && typeof (v as IdRef).$ref === "string";
}

/** One SSM (or IAM) call of an apply. Inputs may hold IdRefs; the engine resolves them before the call. */
export interface SsmCall {
  operation: string;
  /** Default "ssm". */
  service?: AwsService;
  input: Record<string, unknown>;
  /** The call returns the physical id of this resource key in the named output field (a dotted path, e.g. Role.Arn). */
  yieldsId?: { key: string; field: string };
  /** Errors that mean "already done" for this call (e.g. deregistering something already gone). */
  toleratedErrors?: string[];
  /** What the call does, for dry runs and progress lines. */
  description: string;
}

export interface CallContext {
  owner: string;
  /** The physical id of a resource key: known now, or a reference resolved at apply time. */
  idOf(key: string): string | IdRef;
  /** ClientToken for creating `r`: unique to this apply attempt of this change (the SDK's retries reuse the call's input, a later run gets a new one). */
  clientToken(r: Resource): string;
  /** AWS-owned baseline for an OS, to move a default back to. */
  awsBaseline(os: string): string | undefined;
}

/**
 * A reference from one resource to another, as its handler declares it: the engine derives
 * dependencies, blocking, conflicts and re-pointing from these, never from kind names.
 */
export interface Reference {
  /**
   * The referenced resource: `{ logical: <its key> }` (one the plan knows), or `{ id }` (one patchctl
   * does not manage, named by its physical id: nothing in the plan to wait for, block or own through).
   */
  to: ResourceRef;
  /**
   * "parent": the referenced resource holds this one (a window's target): it is created after it,
   * deleted with it, blocked when it is, and owned through it. "uses": this one names it (a task's
   * target or role, a registration's baseline): it is created after it.
   */
  role: "parent" | "uses";
  /** The referenced resource, when it is replaced, gets a new id: this one is updated to point at it. */
  repointOnReplace?: string;
  /** A delete (or replace) of the referenced resource waits for this one to move off it. */
  blocksDelete?: boolean;
  /** This one is owned through the referenced resource (a registration through its baseline). */
  ownedThrough?: boolean;
  /**
   * This one keeps the record of what it plans in the referenced resource (a Rollout, of the cut-offs
   * it moves in its baselines): a partial plan (--target) that applies a planned change of the
   * referenced resource takes this one with it, so the record and the account never part.
   */
  recordsPlanned?: boolean;
}

/** Apply phases of a kind's parts; lower runs first, changes within a phase concurrently (see reconciler/apply.ts). */
export interface Phases {
  create: number;
  update: number;
  delete: number;
  /** The delete part of a replace, when it runs at another moment than a plain delete. */
  deleteForReplace?: number;
}

/** Where a desired resource is written: a path inside its document (the line is looked up lazily). */
export type SourceAt = (path?: FieldPath) => { file: string; line: number };

const ENTRY_PATHS = new Map<string, FieldPath[]>();

/**
 * The path of a document's list entry, ["spec", member, index], one shared frozen array per place:
 * a large window's 120 entries are each given their place, and tens of thousands of three-element
 * arrays were kept alive only to be read if a finding needs a line.
 */
export function entryPath(member: string, index: number): FieldPath {
  let paths = ENTRY_PATHS.get(member);
  if (!paths) ENTRY_PATHS.set(member, (paths = []));
  return (paths[index] ??= Object.freeze(["spec", member, index]));
}

/** What expanding one desired document needs from the engine. */
export interface ExpandContext {
  /** patchctl:owner and patchctl:name tags for what the document declares. */
  ownership: Record<string, string>;
  source: SourceAt;
}

/** One account read of a top-level kind: its resources and what it learned on the way. */
export interface ReadContext {
  owner: string;
  /** AWS names of this kind in the desired state: unowned resources with these names are read in full (conflicts, adoption). */
  desiredNames: Set<string>;
  /**
   * Read every resource no other patchctl owner has in full, not only the owned and the desired
   * names (import, which writes them all out); references between resources read together (a task's
   * window targets) then name them by id (`id:…`), because import chooses their names itself.
   */
  full?: boolean;
  concurrency: number;
  /** Where the read reports what it is doing (typed events, src/model/events.ts). */
  emit: (e: ReadEvent) => void;
}

export interface ReadResult {
  resources: ActualResource[];
  /** AWS-owned baseline id per OS (the default to move back to). */
  awsBaselines?: Record<string, string>;
  /** What this read's list calls answered (kinds with `readListing`). */
  listing?: Listing;
}

/** What completing the desired side from the account needs (see ResourceHandler.resolve). */
export interface ResolveContext {
  gateway: AwsGateway;
  owner: string;
  /** The instant the plan is made at (PATCHCTL_NOW in tests). */
  now: Date;
  concurrency: number;
}

/**
 * What a kind's list calls answered at one read, one digest per call ("windows", "tasks:<window id>"),
 * without what moves by itself (a window's next execution time): equal digests, nothing these calls
 * show has moved in between.
 */
export type Listing = Record<string, string>;

/**
 * A kind: everything the engine knows about one resource type — its identity and AWS name, how it
 * is expanded from the desired documents and read from the account, how ownership is known, what it
 * references, its field rules, its apply phases, and which calls create, update and delete it. The
 * engine (src/reconciler) pairs, diffs, classifies and orders from these declarations and knows no
 * kind by name.
 */
export interface ResourceHandler {
  type: ResourceType;
  /**
   * The SSM or IAM operations its create, update and delete calls make (tag calls aside): the dry-run
   * listing masks a call's input by the handler of the kind that makes it (src/diff/redact.ts).
   */
  writes: readonly string[];
  /** The ResourceType its AddTagsToResource / RemoveTagsFromResource calls name (SSM-tagged kinds). */
  tagResourceType?: "PatchBaseline" | "MaintenanceWindow" | "Association";
  /**
   * A change to it waits while a maintenance window runs (src/pipeline/deferral.ts): "self" for a
   * window, "parent" for what a window holds (its targets and tasks); undefined: never held back.
   */
  heldWhileWindowRuns?: "self" | "parent";
  /** What people call it ("window", "patch-group registration"), for messages. */
  noun: string;
  /**
   * "tags": the resource carries patchctl's ownership tags itself (baselines, windows, roles);
   * "parent": it is owned through its parent (targets, tasks); "identity": it is a registration of
   * something (a patch group, an OS default) that any owner may pair with, owned through what it references.
   */
  ownership: "tags" | "parent" | "identity";
  /** The desired document kind this handler expands (top-level kinds only). */
  documentKind?: string;
  /** Its desired resources (and those it declares: registrations, targets, tasks) from one document. */
  expand?(doc: ResourceDoc, ctx: ExpandContext): Resource[];
  /** Reads its resources (and those it declares) from the account (top-level kinds only). */
  read?(gw: AwsGateway, ctx: ReadContext): Promise<ReadResult>;
  /**
   * Desired resources completed from the account before they are compared: a kind whose desired
   * values depend on what the account measures (a rollout sets its stages' baselines' approval
   * cut-off from its state and its stages' compliance). Gets every desired resource and the snapshot,
   * returns the desired resources (its own and those it drives, changed; the rest as they were).
   */
  resolve?(desired: readonly Resource[], actual: ActualState, ctx: ResolveContext): Promise<Resource[]>;
  /**
   * The cheap read between full reads: the same list calls as the full read whose listing is
   * `previous`, digested the same way, and nothing else. The engine compares the two: equal, the last
   * full snapshot still stands for everything the lists show (an add, a delete, a changed listed
   * field all change a digest); anything else calls for a full read. What the lists do not show (a
   * task's invocation parameters, tags, a baseline's rules) waits for the next full read. A kind
   * without it is read in full in every cycle.
   */
  readListing?(gw: AwsGateway, ctx: ReadContext, previous: Listing): Promise<Listing>;
  /** The name in AWS of a desired resource (top-level kinds): what a conflict is detected by. */
  awsName?(r: Resource): string;
  /** AWS compares its names case-insensitively (IAM role names). */
  caseInsensitiveNames?: boolean;
  /** The plan's readScope member listing its desired AWS names (top-level kinds). */
  readScope?: "baselines" | "windows" | "roles" | "associations";
  /** What the resource references (from its spec and parentKey). */
  references(r: Resource): Reference[];
  /** A key of this kind from a logical name and, for children, the parent's logical name. */
  key(name: string, parentName?: string): string;
  phases: Phases;
  /**
   * A desired resource paired with an unowned actual one of this kind (identity kinds): a conflict
   * message when it may not be taken over without --adopt, else undefined.
   */
  unownedPairConflict?(d: Resource, a: ActualResource): string | undefined;
  /** Whether an unmatched actual resource nobody here owns is listed as unmanaged. */
  listUnmanaged?(a: ActualResource): boolean;
  /**
   * Another tool that manages this unowned resource (top-level kinds: "AWS Quick Setup" for the
   * associations its patch policies create), as its name and tags say: a desired resource with its
   * name is a conflict --adopt cannot take over, and the unmanaged list names the tool.
   */
  managedBy?(a: ActualResource): string | undefined;
  /**
   * What an unowned resource of this kind runs patching on, when it does: its target selectors as
   * its listing gives them (an association's ListAssociations Targets), carried into the plan's
   * unmanaged list for the overlapping-schedules policy. Undefined when it runs no patching.
   */
  patchingTargets?(a: ActualResource): { key: string; values: string[] }[] | undefined;
  /**
   * What an in-place update does besides changing the fields, shown as the change's reason (an
   * association's UpdateAssociation makes a new association version); undefined when nothing.
   */
  updateReason?(fields: readonly FieldChange[]): string | undefined;
  /** An unowned identity resource, taken over with what it is owned through (adopted id → logical name). */
  adoptThrough?(a: ActualResource, adoptedIds: Map<string, string>): ActualResource | undefined;
  /**
   * The resource with references to owned resources that name them by id (an ARN) written as their
   * logical names instead, so both sides compare in one form (a task's serviceRoleArn → serviceRole).
   */
  withLogicalReferences?<T extends Resource>(r: T, ownedIds: Map<string, { type: ResourceType; name: string }>): T;
  /**
   * The kinds whose owned resources withLogicalReferences writes by logical name (a task: roles).
   * Without an owned resource of one of them it changes nothing, and the engine skips the pass
   * over every resource that applies it. Unset: any kind.
   */
  logicalReferenceTypes?: readonly ResourceType[];
  /**
   * `spec` with its references to resources of its parent renamed (old reference → new name): when
   * --adopt names an unnamed sibling in place, a task naming it by id is compared by the new name.
   */
  withRenamedReferences?(spec: JsonObject, renamed: Map<string, string>): JsonObject;
  /** Top-level spec fields that cannot be updated in place: a change replaces the resource. */
  forceNew: readonly string[];
  /**
   * Whether the value at `path` (e.g. "runCommand.parameters.Operation") of `spec` is masked.
   * The one answer every output uses: plan renderers, the dry-run call listing, policy findings,
   * import's notes of what a written file holds.
   * `spec` is the side the value belongs to (a task's taskArn decides for its parameters).
   */
  isSensitive(path: string, spec: JsonObject | undefined): boolean;
  /**
   * Lists compared as multisets (`[]` for any index): a reordering alone is no change, and
   * entries are paired by content so one changed field shows as one. They are sent in the
   * order the desired state writes them; every other list is compared in order.
   */
  unorderedLists: readonly string[];
  /**
   * Fields the service fills in when a request leaves them out, with a value AWS does not document
   * (or one it derives): when the desired side leaves such a field unset, whatever the account reads
   * back is not a difference. Paths as the plan prints them.
   */
  serverDefaulted?: readonly string[];
  /** Server defaults filled in, server-computed fields dropped; lists keep the order written. Pure. */
  normalize(spec: JsonObject): JsonObject;
  createCalls(r: Resource, ctx: CallContext): SsmCall[];
  updateCalls(change: Change, ctx: CallContext): SsmCall[];
  deleteCalls(r: Resource, ctx: CallContext): SsmCall[];
}

export function tagCalls(resourceType: "PatchBaseline" | "MaintenanceWindow" | "Association", id: string | IdRef, before: JsonObject, after: JsonObject, label: string): SsmCall[] {
  const calls: SsmCall[] = [];
  const add = Object.entries(after).filter(([k, v]) => before[k] !== v);
  const remove = Object.keys(before).filter((k) => !(k in after));
  if (add.length > 0) {
    calls.push({
      operation: "AddTagsToResource",
      input: { ResourceType: resourceType, ResourceId: id, Tags: add.map(([Key, Value]) => ({ Key, Value: String(Value) })) },
      description: `tag ${label}: ${add.map(([k]) => k).join(", ")}`,
    });
  }
  if (remove.length > 0) {
    calls.push({
      operation: "RemoveTagsFromResource",
      input: { ResourceType: resourceType, ResourceId: id, TagKeys: remove },
      description: `untag ${label}: ${remove.join(", ")}`,
    });
  }
  return calls;
}

/**
 * Update calls for a taggable resource (baseline, window): the Update call with the full
 * desired state when any non-tag field changed, then tag additions and removals.
 */
export function taggedUpdateCalls(
  change: Change,
  ctx: CallContext,
  resourceType: "PatchBaseline" | "MaintenanceWindow",
  update: { operation: string; idMember: string; input: Record<string, unknown> },
  label: string,
): SsmCall[] {
  const id = ctx.idOf(change.key);
  const calls: SsmCall[] = [];
  if (change.fields.some((f) => !f.path.startsWith("tags"))) {
    calls.push({ operation: update.operation, input: { [update.idMember]: id, ...update.input, Replace: true }, description: `update ${label}` });
  }
  const tags = (spec: JsonObject | undefined): JsonObject => {
    const t = spec?.tags;
    return t !== null && typeof t === "object" && !Array.isArray(t) ? t : {};
  };
  calls.push(...tagCalls(resourceType, id, tags(change.before?.spec), tags(change.after!.spec), label));
  return calls;
}
