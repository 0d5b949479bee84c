/**
 * The engine's vocabulary: resources (normalised, both sides), changes and the plan.
 * A plan is data: it can be printed, saved, reviewed and applied later exactly as reviewed.
 */

/** The kinds the engine reconciles. A MaintenanceWindow document expands into a window, its targets and its tasks. */
export type ResourceType = "ServiceRole" | "PatchBaseline" | "PatchGroupRegistration" | "DefaultBaseline" | "MaintenanceWindow" | "WindowTarget" | "WindowTask" | "PatchAssociation" | "Rollout";

export const RESOURCE_TYPES: readonly ResourceType[] = [
  "ServiceRole",
  "PatchBaseline",
  "PatchGroupRegistration",
  "DefaultBaseline",
  "MaintenanceWindow",
  "WindowTarget",
  "WindowTask",
  "PatchAssociation",
  "Rollout",
];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One resource, normalised by its handler: desired and actual sides have the same shape. */
export interface Resource {
  type: ResourceType;
  /** Pairing key, stable across runs: "PatchBaseline/prod", "WindowTask/tuesdays/install". */
  key: string;
  /** Display name. */
  name: string;
  /** Normalised fields (camelCase, as in the YAML). */
  spec: JsonObject;
  /** Physical id, on the actual side (BaselineId, WindowId, WindowTargetId, WindowTaskId, a role's ARN). */
  id?: string;
  /** Key of the window holding a target or task. */
  parentKey?: string;
  /** Where a desired resource is written. */
  source?: { file: string; line: number };
  /** Remarks about normalisation worth showing a reviewer (e.g. legacy fields mapped). */
  notes?: string[];
  /** The operator's controls written on a desired resource (docs/operator-controls.md). */
  controls?: ResourceControls;
  /** Differences patchctl itself plans on this desired resource (a rollout's promotion): not drift made by someone else. */
  planned?: PlannedFields;
}

/**
 * Fields of a desired resource that patchctl's own evaluation moves (a Rollout's cut-offs,
 * docs/rollout.md): a difference there is a pending planned change, not an out-of-band edit, as long
 * as the account still holds what patchctl last wrote there (`from`).
 */
export interface PlannedFields {
  /** Field path patterns (`[]` for any index) the evaluation moves; absent: every field. */
  paths?: string[];
  /** The value patchctl last wrote at those paths: a field holding anything else was changed by someone else. Absent: any. */
  from?: Json;
  /** "pending promotion: staging: approve patches released up to 2026-12-02 (dev 97% compliant for 3 days)". */
  reason: string;
}

/** What the operator wrote about how a desired resource is reconciled (docs/operator-controls.md). */
export interface ResourceControls {
  /** Logical names it had before: an owned resource under one of them is renamed in place. */
  previousNames?: string[];
  /** Field paths (as the plan prints them) never reverted on an existing resource. */
  ignoreFields?: string[];
  /** patchctl/suspend: nothing of it (or of what it holds) is created, updated or deleted; the reason. */
  suspended?: string;
}

/** A resource as read from the account: a Resource with its id, ownership and name in AWS. */
export interface ActualResource extends Resource {
  id: string;
  /** Carries this run's owner tag (for targets, tasks and registrations: through their window or baseline). */
  owned: boolean;
  /** The patchctl:owner tag, when some patchctl owner has it. */
  ownerTag?: string;
  /** The name in SSM (not the logical name). */
  ssmName: string;
  /** Paired with a desired resource through its metadata.previousNames: the logical name it had. */
  renamedFrom?: string;
  /** Set when --adopt pairs this unnamed (or differently named) target or task with a desired one: what happens to it. */
  adoptedAs?: string;
}

export interface ActualState {
  resources: ActualResource[];
  /** AWS-owned baseline id per OS (the default to move back to). */
  awsBaselines: Record<string, string>;
  fingerprint: string;
  /**
   * Per top-level kind, what its list calls answered at this read (see ResourceHandler.readListing);
   * for a kind without list digests, the digest of its resources. What a cheap read compares against.
   */
  listings?: Record<string, Record<string, string>>;
}

/**
 * What a change does, a closed set. A replace says its order: `deleteThenCreate` when the old one must
 * go first (its name or registration must be free), `createThenDelete` when the new one is made first
 * (nothing is without it in between). `forget` is a resource deleted with its parent (a window's
 * target or task): nothing of its own is applied, its parent's delete takes it.
 */
export type Action = "noop" | "create" | "update" | "delete" | "deleteThenCreate" | "createThenDelete" | "forget";

export const ACTIONS: readonly Action[] = ["noop", "create", "update", "delete", "deleteThenCreate", "createThenDelete", "forget"];

/** Whether an action replaces the resource (either order). */
export function isReplace(action: Action): action is "deleteThenCreate" | "createThenDelete" {
  return action === "deleteThenCreate" || action === "createThenDelete";
}

/** Whether the resource is gone after the change (deleted, or with its parent). */
export function isRemoval(action: Action): action is "delete" | "forget" {
  return action === "delete" || action === "forget";
}

/** The word people read for an action in text and Markdown ("replace" for both orders; "delete" for forget). */
export function actionWord(action: Action): "noop" | "create" | "update" | "delete" | "replace" {
  return isReplace(action) ? "replace" : action === "forget" ? "delete" : action;
}

export interface FieldChange {
  /** "approvalRules.patchRules[0].approveAfterDays" */
  path: string;
  before?: Json;
  after?: Json;
  /** Value masked in every rendering (SSM marks it sensitive). */
  sensitive?: boolean;
}

export interface Change {
  key: string;
  type: ResourceType;
  name: string;
  action: Action;
  /** Actual, normalised (absent for create). */
  before?: Resource;
  /** Desired, normalised (absent for delete). */
  after?: Resource;
  fields: FieldChange[];
  /** Why replace rather than update, why delete, … (display only). */
  reason?: string;
  /** Keys of changes that must succeed first. */
  dependsOn: string[];
  /** Fields that differ but are not reverted (metadata.ignoreFields): paths as the plan prints them. */
  ignoredFields?: string[];
  /** Suspended (patchctl/suspend): the reason; the change is listed in plan.suspended, never applied. */
  suspended?: string;
  /** The differing fields patchctl's own evaluation plans (Resource.planned), with why: reported as pending, not as drift. */
  planned?: { fields: string[]; reason: string };
}

/** Whether every difference of a change is one patchctl plans itself (a pending promotion): no drift made outside patchctl. */
export function isPlannedOnly(c: Change): boolean {
  return c.action === "update" && c.planned !== undefined && c.fields.length > 0 && c.planned.fields.length === c.fields.length;
}

/** A resource in the account that no desired state owns. Never touched. */
export interface UnmanagedResource {
  type: ResourceType;
  id: string;
  name: string;
  /** Owner tag, when another patchctl owner has it. */
  owner?: string;
  /** Another tool that manages it (e.g. "AWS Quick Setup"), as its handler recognises it: never adopted. */
  managedBy?: string;
  /** When it runs patching (an association of a patching document): the targets it runs on, as listed. */
  patchingTargets?: { key: string; values: string[] }[];
}

/** A desired resource whose name is taken by a resource patchctl may not touch. */
export interface Conflict {
  key: string;
  type: ResourceType;
  id: string;
  message: string;
  /** Whether --adopt can resolve it (unowned, not owned by someone else). */
  adoptable: boolean;
}

/** Counts by the words people read: replace counts both orders, delete counts forget too. */
export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  noop: number;
}

/** 2: the closed Action set (deleteThenCreate, createThenDelete, forget). A version-1 plan is refused. */
export const PLAN_FORMAT_VERSION = 2;

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  patchctlVersion: string;
  createdAt: string;
  owner: string;
  region: string;
  /** Hash of the actual state the plan was computed against; apply refuses a plan whose state moved. */
  stateFingerprint: string;
  /** Every change, no-ops included, in apply order. */
  changes: Change[];
  conflicts: Conflict[];
  unmanaged: UnmanagedResource[];
  summary: PlanSummary;
  /** Ids known when planning (actual side), by resource key. */
  ids: Record<string, string>;
  /** AWS-owned baseline per OS, to move a default back to. */
  awsBaselines: Record<string, string>;
  /** Whether --adopt was given: conflicts that are adoptable become tag additions. */
  adopt: boolean;
  /** SSM names of the desired baselines and windows (what the read looked at in full); apply reads the same scope. */
  readScope: { baselines: string[]; windows: string[]; roles?: string[]; associations?: string[] };
  /** Changes of suspended resources (patchctl/suspend): shown and reported as drift, never applied. */
  suspended?: Change[];
  /** Made with --target: only these resources and what they need are planned; nothing else is changed or deleted. */
  partial?: { targets: string[] };
}

export function summarize(changes: Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0, noop: 0 };
  for (let i = 0; i < changes.length; i++) s[actionWord(changes[i]!.action)]++;
  return s;
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== "noop");
}

export const OWNER_TAG = "patchctl:owner";
export const NAME_TAG = "patchctl:name";

/** How a change deleted with its parent reads ("deleted with its window"). */
export const DELETED_WITH_PREFIX = "deleted with its ";

/** Whether a change is carried out by its parent's delete (which cascades): nothing of its own is applied. */
export function isDeletedWithParent(c: Change): boolean {
  return c.action === "forget";
}
