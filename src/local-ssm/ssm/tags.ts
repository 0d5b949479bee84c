import type { AddTagsToResourceRequest, ListTagsForResourceRequest, RemoveTagsFromResourceRequest } from "@aws-sdk/client-ssm";
import { AwsError, invalid } from "../errors.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { copy } from "./context.js";
import { defineOperation } from "./define.js";
import type { Tag } from "./records.js";

/** Tags per resource (SSM documentation); more is TooManyTagsError. */
export const MAX_TAGS = 50;

function tooMany(): AwsError {
  return new AwsError("TooManyTagsError", `The Tags parameter contains too many tags: a resource can have at most ${MAX_TAGS}.`);
}

/** Tags as requests carry them (Key and Value are required members, checked by validation). */
export interface TagInput {
  Key?: string | undefined;
  Value?: string | undefined;
}

/** Tags given at create time: no key twice, at most 50. */
export function tagsAtCreate(tags: readonly TagInput[] | undefined): Tag[] {
  const out = mergeTags([], tags ?? []);
  if (out.length > MAX_TAGS) throw tooMany();
  return out;
}

function mergeTags(current: readonly Tag[], given: readonly TagInput[]): Tag[] {
  const added = given.map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));
  const seen = new Set<string>();
  for (const t of added) {
    if (seen.has(t.Key)) throw invalid(`The tag key '${t.Key}' is given more than once.`);
    seen.add(t.Key);
  }
  const merged = new Map(current.map((t) => [t.Key, t.Value]));
  for (const t of added) merged.set(t.Key, t.Value);
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

function invalidResourceId(id: string): AwsError {
  return new AwsError("InvalidResourceId", `The resource ID "${id}" is not valid. Verify the ID and try again.`);
}

/** The tagged resource: custom patch baselines, maintenance windows, parameters and associations exist here; anything else does not. */
function taggable(ctx: SsmContext, type: string, id: string): { Tags: Tag[] } {
  if (type === "PatchBaseline") {
    const b = ctx.state.baselines[id];
    if (b && !b.AwsOwned) return b;
  } else if (type === "MaintenanceWindow") {
    const w = ctx.state.windows[id];
    if (w) return w;
  } else if (type === "Parameter") {
    const p = ctx.state.parameters[id];
    if (p) return p;
  } else if (type === "Association") {
    const a = Object.hasOwn(ctx.state.associations, id) ? ctx.state.associations[id] : undefined;
    if (a) return a;
  }
  throw invalidResourceId(id);
}

export const tagOperations: Record<string, OperationHandler> = {
  AddTagsToResource: defineOperation<AddTagsToResourceRequest>("AddTagsToResource", (input, ctx) => {
    const r = taggable(ctx, input.ResourceType!, input.ResourceId!);
    const merged = mergeTags(r.Tags, input.Tags ?? []);
    if (merged.length > MAX_TAGS) throw tooMany();
    r.Tags = merged;
    ctx.mutated = true;
    return {};
  }),
  RemoveTagsFromResource: defineOperation<RemoveTagsFromResourceRequest>("RemoveTagsFromResource", (input, ctx) => {
    const r = taggable(ctx, input.ResourceType!, input.ResourceId!);
    const keys = new Set(input.TagKeys ?? []);
    r.Tags = r.Tags.filter((t) => !keys.has(t.Key));
    ctx.mutated = true;
    return {};
  }),
  ListTagsForResource: defineOperation<ListTagsForResourceRequest>("ListTagsForResource", (input, ctx) => {
    return { TagList: copy(taggable(ctx, input.ResourceType!, input.ResourceId!).Tags) };
  }),
};
