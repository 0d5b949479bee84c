import type { ResourceHandler } from "./handler.js";
import { adoptThroughBaseline, baselineIdOf, baselineReference, withRenamedBaseline } from "./patch-group-registration.js";
import { flatKey } from "../util/flat-key.js";

/**
 * The default baseline of one operating system. Spec: { operatingSystem, baseline }.
 * There is no deregister in SSM: "deleting" moves the default back to the AWS-owned
 * baseline for that OS.
 */
export const defaultBaselineHandler: ResourceHandler = {
  type: "DefaultBaseline",
  writes: ["RegisterDefaultPatchBaseline"],
  noun: "default baseline",
  ownership: "identity",
  key: (os) => defaultKey(os),
  // After the baseline it names exists; moved back to AWS's before that baseline can be deleted.
  references: (r) => baselineReference(r),
  phases: { create: 4, update: 4, delete: 2 },
  adoptThrough: (a, adoptedIds) => adoptThroughBaseline(a, adoptedIds),
  withRenamedReferences: (spec, renamed) => withRenamedBaseline(spec, renamed),
  forceNew: [],
  isSensitive: () => false,
  unorderedLists: [],
  normalize: (spec) => ({ ...spec }),
  createCalls(r, ctx) {
    return [
      {
        operation: "RegisterDefaultPatchBaseline",
        input: { BaselineId: baselineIdOf(r, ctx) },
        description: `make ${String(r.spec.baseline)} the default baseline for ${String(r.spec.operatingSystem)}`,
      },
    ];
  },
  updateCalls(change, ctx) {
    return this.createCalls(change.after!, ctx);
  },
  deleteCalls(r, ctx) {
    const os = String(r.spec.operatingSystem);
    const aws = ctx.awsBaseline(os);
    if (!aws) throw new Error(`no AWS-owned baseline known for ${os}; cannot move the default back`);
    return [
      {
        operation: "RegisterDefaultPatchBaseline",
        input: { BaselineId: aws },
        description: `move the default baseline for ${os} back to the AWS-owned baseline`,
      },
    ];
  },
};

export function defaultKey(os: string): string {
  return flatKey("DefaultBaseline", os);
}
