import type { ListRoleTagsRequest, Tag, TagRoleRequest, UntagRoleRequest } from "@aws-sdk/client-iam";
import type { IamOperation } from "./context.js";
import { defineOperation, invalidInput, limitExceeded } from "./context.js";
import { paginate } from "./pagination.js";
import type { TagRecord } from "./records.js";
import { findRole } from "./role-lookup.js";

/** Tags per role (IAM quota). */
export const MAX_TAGS_PER_ROLE = 50;

/**
 * IAM tag keys are unique per resource without regard to case: tagging "env" when
 * "Env" is there replaces it. Keys under the aws: prefix are reserved.
 */
function checkGiven(tags: readonly Tag[]): TagRecord[] {
  const seen = new Set<string>();
  const out: TagRecord[] = [];
  for (const t of tags) {
    const key = t.Key ?? "";
    if (key.toLowerCase().startsWith("aws:")) throw invalidInput(`User-defined tag keys can't start with 'aws:': ${key}`);
    if (seen.has(key.toLowerCase())) throw invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    seen.add(key.toLowerCase());
    out.push({ Key: key, Value: t.Value ?? "" });
  }
  return out;
}

/** `given` merged into `current`: a key already there (in any case) is replaced in place. */
export function mergeTags(current: readonly TagRecord[], given: readonly Tag[]): TagRecord[] {
  const merged = current.map((t) => ({ ...t }));
  for (const t of checkGiven(given)) {
    const at = merged.findIndex((m) => m.Key.toLowerCase() === t.Key.toLowerCase());
    if (at >= 0) merged[at] = t;
    else merged.push(t);
  }
  if (merged.length > MAX_TAGS_PER_ROLE) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${MAX_TAGS_PER_ROLE}`);
  return merged;
}

export const roleTagOperations: Record<string, IamOperation> = {
  ...defineOperation<TagRoleRequest>("TagRole", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    role.Tags = mergeTags(role.Tags, input.Tags ?? []);
    ctx.mutated = true;
    return undefined;
  }),
  ...defineOperation<UntagRoleRequest>("UntagRole", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const keys = new Set((input.TagKeys ?? []).map((k) => k.toLowerCase()));
    role.Tags = role.Tags.filter((t) => !keys.has(t.Key.toLowerCase()));
    ctx.mutated = true;
    return undefined;
  }),
  ...defineOperation<ListRoleTagsRequest>("ListRoleTags", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const page = paginate(role.Tags, (t) => t.Key.toLowerCase(), input.Marker, input.MaxItems);
    return { Tags: page.items.map((t) => ({ ...t })), IsTruncated: page.IsTruncated, Marker: page.Marker };
  }),
};
