import type { ActualResource, Resource } from "../model/plan.js";
import type { ResourceRef } from "../model/reference.js";
import { idOfRef, parseRefText } from "../model/reference.js";
import type { CallContext, IdRef, Reference, ResourceHandler } from "./handler.js";
import { flatKey } from "../util/flat-key.js";

/**
 * A patch group registered to a baseline. Identity is (operating system, patch group):
 * a group has at most one baseline per OS. There is no update: moving a group is
 * deregister then register, i.e. a replace.
 * Spec: { patchGroup, operatingSystem, baseline: <logical name, or "id:<BaselineId>" when not ours> }.
 */
export const patchGroupRegistrationHandler: ResourceHandler = {
  type: "PatchGroupRegistration",
  writes: ["RegisterPatchBaselineForPatchGroup", "DeregisterPatchBaselineForPatchGroup"],
  noun: "patch-group registration",
  ownership: "identity",
  key: (name) => flatKey("PatchGroupRegistration", name),
  references: (r) => baselineReference(r),
  phases: { create: 4, update: 4, delete: 2 },
  unownedPairConflict: (d, a) =>
    `patch group '${String(d.spec.patchGroup)}' is registered to baseline ${a.id} for ${String(d.spec.operatingSystem)}, which patchctl does not own; rerun with --adopt to move it`,
  // Groups registered to AWS-owned baselines are the account's own setup, not worth listing.
  listUnmanaged: (a) => !(idOfRef(baselineRefOf(a)) ?? "").startsWith("arn:"),
  adoptThrough: (a, adoptedIds) => adoptThroughBaseline(a, adoptedIds),
  withRenamedReferences: (spec, renamed) => withRenamedBaseline(spec, renamed),
  forceNew: ["baseline", "patchGroup", "operatingSystem"],
  isSensitive: () => false,
  unorderedLists: [],
  normalize: (spec) => ({ ...spec }),
  createCalls(r, ctx) {
    return [
      {
        operation: "RegisterPatchBaselineForPatchGroup",
        input: { BaselineId: baselineIdOf(r, ctx), PatchGroup: r.spec.patchGroup },
        description: `register patch group "${String(r.spec.patchGroup)}" to ${String(r.spec.baseline)}`,
      },
    ];
  },
  updateCalls() {
    throw new Error("patch group registrations are never updated in place (forceNew)");
  },
  deleteCalls(r, ctx) {
    return [
      {
        operation: "DeregisterPatchBaselineForPatchGroup",
        input: { BaselineId: ctx.idOf(r.key), PatchGroup: r.spec.patchGroup },
        toleratedErrors: ["DoesNotExistException"],
        description: `deregister patch group "${String(r.spec.patchGroup)}" from ${String(r.spec.baseline)}`,
      },
    ];
  },
};

export function registrationKey(os: string, group: string): string {
  return flatKey("PatchGroupRegistration", os, group);
}

/** The baseline a registration or default names: `baseline: <logical name>` (ours) or `baseline: id:<BaselineId>` (not ours). */
export function baselineRefOf(r: Resource): ResourceRef {
  return parseRefText(String(r.spec.baseline));
}

const baselineKey = (name: string): string => `PatchBaseline/${name}`;

/** The BaselineId a registration or default is made with: the one it names, or (ours) its baseline's, known now or at apply time. */
export function baselineIdOf(r: Resource, ctx: CallContext): string | IdRef {
  const ref = baselineRefOf(r);
  return "id" in ref ? ref.id : ctx.idOf(baselineKey(ref.logical));
}

/**
 * A registration or default names its baseline by logical name (ours) or by id (not ours): it is
 * owned through the baseline, created after it, and moved off it before it goes. A baseline named by
 * id is none of the plan's: the engine follows only logical references.
 */
export function baselineReference(r: Resource): Reference[] {
  const ref = baselineRefOf(r);
  return [{ to: "id" in ref ? ref : { logical: baselineKey(ref.logical) }, role: "uses", blocksDelete: true, ownedThrough: true }];
}

/** An unowned registration or default of a baseline adopted now: ours, naming the baseline by its logical name. */
export function adoptThroughBaseline(a: ActualResource, adoptedIds: Map<string, string>): ActualResource | undefined {
  const ref = baselineRefOf(a);
  const logical = adoptedIds.get("id" in ref ? ref.id : ref.logical);
  return logical === undefined ? undefined : { ...a, owned: true, spec: { ...a.spec, baseline: logical } };
}

/** A registration's or default's spec naming a renamed baseline (metadata.previousNames) by its new name. */
export function withRenamedBaseline(spec: Resource["spec"], renamed: Map<string, string>): Resource["spec"] {
  const to = renamed.get(String(spec.baseline));
  return to === undefined ? spec : { ...spec, baseline: to };
}
