import type { GetPatchBaselineCommandOutput } from "@aws-sdk/client-ssm";
import type { PatchBaselineDoc } from "../model/desired.js";
import type { Json, JsonObject } from "../reconciler/model.js";
import type { ResourceHandler } from "./handler.js";
import { taggedUpdateCalls } from "./handler.js";
import { asArray, asObject, compact, normalizeKeyValues, sortedByCanonical, sortedStrings, tagMap, toCamel, toPascal } from "./shape.js";

/** Fields of a baseline that UpdatePatchBaseline sends (everything but OS and tags). */
const UPDATABLE = [
  "name",
  "description",
  "globalFilters",
  "approvalRules",
  "approvedPatches",
  "approvedPatchesComplianceLevel",
  "approvedPatchesEnableNonSecurity",
  "rejectedPatches",
  "rejectedPatchesAction",
  "sources",
  "availableSecurityUpdatesComplianceStatus",
] as const;

function normalizeFilterGroup(group: Json | undefined): JsonObject {
  return { patchFilters: normalizeKeyValues(asObject(group)?.patchFilters) };
}

function normalizeRule(rule: Json): JsonObject {
  const r = asObject(rule) ?? {};
  return compact({
    patchFilterGroup: normalizeFilterGroup(r.patchFilterGroup),
    complianceLevel: (r.complianceLevel as string | undefined) ?? "UNSPECIFIED",
    approveAfterDays: r.approveAfterDays,
    approveUntilDate: r.approveUntilDate,
    enableNonSecurity: (r.enableNonSecurity as boolean | undefined) ?? false,
  });
}

export const patchBaselineHandler: ResourceHandler = {
  type: "PatchBaseline",
  forceNew: ["operatingSystem"],
  sensitive: ["sources"],
  replaceOrder: "delete-then-create",

  normalize(spec) {
    const sources = asArray(spec.sources).map((s) => {
      const o = asObject(s) ?? {};
      return { name: String(o.name), products: sortedStrings(asArray(o.products)), configuration: String(o.configuration ?? "") } as JsonObject;
    });
    return compact({
      name: spec.name,
      operatingSystem: (spec.operatingSystem as string | undefined) ?? "WINDOWS",
      description: spec.description,
      globalFilters: normalizeFilterGroup(spec.globalFilters),
      approvalRules: { patchRules: sortedByCanonical(asArray(asObject(spec.approvalRules)?.patchRules).map(normalizeRule)) },
      approvedPatches: sortedStrings(asArray(spec.approvedPatches)),
      approvedPatchesComplianceLevel: (spec.approvedPatchesComplianceLevel as string | undefined) ?? "UNSPECIFIED",
      approvedPatchesEnableNonSecurity: (spec.approvedPatchesEnableNonSecurity as boolean | undefined) ?? false,
      rejectedPatches: sortedStrings(asArray(spec.rejectedPatches)),
      rejectedPatchesAction: (spec.rejectedPatchesAction as string | undefined) ?? "ALLOW_AS_DEPENDENCY",
      sources: [...sources].sort((a, b) => String(a.name).localeCompare(String(b.name))),
      availableSecurityUpdatesComplianceStatus: spec.availableSecurityUpdatesComplianceStatus,
      tags: asObject(spec.tags) ?? {},
    });
  },

  createCalls(r, ctx) {
    const spec = r.spec;
    const tags = asObject(spec.tags) ?? {};
    const input = {
      ...toPascal(pick(spec, [...UPDATABLE, "operatingSystem"])),
      ClientToken: ctx.clientToken(r),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) })),
    };
    return [{ operation: "CreatePatchBaseline", input, yieldsId: { key: r.key, field: "BaselineId" }, description: `create patch baseline ${spec.name}` }];
  },

  updateCalls(change, ctx) {
    const after = change.after!;
    return taggedUpdateCalls(change, ctx, "PatchBaseline", { operation: "UpdatePatchBaseline", idMember: "BaselineId", input: toPascal(pick(after.spec, UPDATABLE)) }, `patch baseline ${String(after.spec.name)}`);
  },

  deleteCalls(r, ctx) {
    return [{ operation: "DeletePatchBaseline", input: { BaselineId: ctx.idOf(r.key) }, toleratedErrors: ["DoesNotExistException"], description: `delete patch baseline ${r.spec.name}` }];
  },
};

function pick(spec: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const f of fields) if (spec[f] !== undefined) out[f] = spec[f]!;
  return out;
}

/** The desired baseline as the handler's shape (registrations and default are separate resources). */
export function baselineFromDesired(doc: PatchBaselineDoc, ownershipTags: Record<string, string>): JsonObject {
  const { patchGroups: _groups, defaultForOperatingSystem: _default, ...rest } = doc.spec;
  const spec = JSON.parse(JSON.stringify(rest)) as JsonObject;
  spec.name = doc.spec.name ?? doc.metadata.name;
  spec.tags = tagMap({ ...(doc.metadata.tags ?? {}), ...ownershipTags });
  return patchBaselineHandler.normalize(spec);
}

/** A baseline read from SSM (GetPatchBaseline + ListTagsForResource) as the handler's shape. */
export function baselineFromSsm(out: GetPatchBaselineCommandOutput | Record<string, unknown>, tags: { Key?: string; Value?: string }[]): JsonObject {
  const o = out as Record<string, unknown>;
  const spec = toCamel(pickPascal(o, [...UPDATABLE, "operatingSystem"]));
  spec.tags = tagMap(tags);
  return patchBaselineHandler.normalize(spec);
}

function pickPascal(o: Record<string, unknown>, camelFields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of camelFields) {
    const k = f.charAt(0).toUpperCase() + f.slice(1);
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}

export { pick, pickPascal };
