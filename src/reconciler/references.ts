import type { Resource } from "../model/plan.js";
import type { Reference } from "../resources/handler.js";
import { handlerFor } from "../resources/registry.js";

/** A declared reference to a resource the plan knows by its key. */
export type KeyedReference = Omit<Reference, "to"> & { key: string };

/**
 * What a resource references among the resources a plan knows: its handler's logical references,
 * with their keys. References by id (`{ id }`) point outside the plan: nothing to wait for, block,
 * re-point or own through. The one place the engine reads the handlers' references.
 */
export function logicalReferences(r: Resource | undefined): KeyedReference[] {
  if (!r) return [];
  return handlerFor(r.type)
    .references(r)
    .flatMap(({ to, ...rest }) => ("logical" in to ? [{ ...rest, key: to.logical }] : []));
}
