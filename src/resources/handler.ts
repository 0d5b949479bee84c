import type { AwsService } from "../aws/gateway.js";
import type { Change, JsonObject, Resource, ResourceType } from "../model/plan.js";

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
 * What the engine knows about one resource type: how to normalise it, which
 * fields force replacement, which are sensitive, and which SSM calls create,
 * update and delete it. The engine itself knows nothing kind-specific.
 */
export interface ResourceHandler {
  type: ResourceType;
  /** Top-level spec fields that cannot be updated in place: a change replaces the resource. */
  forceNew: readonly string[];
  /** Fields (prefixes) that can hold values SSM marks sensitive; import notes them in what it writes. */
  sensitive: readonly string[];
  /**
   * Whether the value at `path` (e.g. "runCommand.parameters.Operation") of `spec` is masked.
   * The one answer every output uses: plan renderers, the dry-run call listing, policy findings.
   * `spec` is the side the value belongs to (a task's taskArn decides for its parameters).
   */
  isSensitive(path: string, spec: JsonObject | undefined): boolean;
  /**
   * Lists compared as multisets (`[]` for any index): a reordering alone is no change, and
   * entries are paired by content so one changed field shows as one. They are sent in the
   * order the desired state writes them; every other list is compared in order.
   */
  unorderedLists: readonly string[];
  /** Replace as delete-then-create (names or registrations must be free) or create-then-delete. */
  replaceOrder: "delete-then-create" | "create-then-delete";
  /** Server defaults filled in, server-computed fields dropped; lists keep the order written. Pure. */
  normalize(spec: JsonObject): JsonObject;
  createCalls(r: Resource, ctx: CallContext): SsmCall[];
  updateCalls(change: Change, ctx: CallContext): SsmCall[];
  deleteCalls(r: Resource, ctx: CallContext): SsmCall[];
}

export function tagCalls(resourceType: "PatchBaseline" | "MaintenanceWindow", id: string | IdRef, before: JsonObject, after: JsonObject, label: string): SsmCall[] {
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
