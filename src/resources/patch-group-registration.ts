import type { ResourceHandler } from "./handler.js";

/**
 * A patch group registered to a baseline. Identity is (operating system, patch group):
 * a group has at most one baseline per OS. There is no update: moving a group is
 * deregister then register, i.e. a replace.
 * Spec: { patchGroup, operatingSystem, baseline: <logical name, or "id:<BaselineId>" when not ours> }.
 */
export const patchGroupRegistrationHandler: ResourceHandler = {
  type: "PatchGroupRegistration",
  forceNew: ["baseline", "patchGroup", "operatingSystem"],
  sensitive: [],
  isSensitive: () => false,
  unorderedLists: [],
  replaceOrder: "delete-then-create",
  normalize: (spec) => ({ ...spec }),
  createCalls(r, ctx) {
    return [
      {
        operation: "RegisterPatchBaselineForPatchGroup",
        input: { BaselineId: ctx.idOf(`PatchBaseline/${String(r.spec.baseline)}`), PatchGroup: r.spec.patchGroup },
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
  return `PatchGroupRegistration/${os}/${group}`;
}
