import type { GetPatchBaselineCommandOutput } from "@aws-sdk/client-ssm";
import type { PatchBaselineDoc } from "../model/desired.js";
import type { Json, JsonObject } from "../model/plan.js";
import type { ResourceHandler } from "./handler.js";
import { taggedUpdateCalls } from "./handler.js";
import { withinAny } from "./field-paths.js";
import { asArray, asObject, compact, normalizeKeyValues, tagMap, toCamel, toPascal } from "./shape.js";

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

/** A source's Configuration (a repository definition) is what SSM marks sensitive; its name and products are not. */
const SENSITIVE = ["sources[].configuration"];

/** Lists whose order means nothing to SSM: compared as sets, sent in the order written. */
const UNORDERED = [
  "globalFilters.patchFilters",
  "globalFilters.patchFilters[].values",
  "approvalRules.patchRules",
  "approvalRules.patchRules[].patchFilterGroup.patchFilters",
  "approvalRules.patchRules[].patchFilterGroup.patchFilters[].values",
  "approvedPatches",
  "rejectedPatches",
  "sources",
  "sources[].products",
];

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
  // Import notes "sources" (it holds the configurations); isSensitive masks the configurations only.
  sensitive: ["sources"],
  isSensitive: (path) => withinAny(path, SENSITIVE),
  unorderedLists: UNORDERED,
  replaceOrder: "delete-then-create",

  normalize(spec) {
    const sources = asArray(spec.sources).map((s) => {
      const o = asObject(s) ?? {};
      return { name: String(o.name), products: asArray(o.products).map(String), configuration: String(o.configuration ?? "") } as JsonObject;
    });
    return compact({
      name: spec.name,
      operatingSystem: (spec.operatingSystem as string | undefined) ?? "WINDOWS",
      description: spec.description,
      globalFilters: normalizeFilterGroup(spec.globalFilters),
      approvalRules: { patchRules: asArray(asObject(spec.approvalRules)?.patchRules).map(normalizeRule) },
      approvedPatches: asArray(spec.approvedPatches).map(String),
      approvedPatchesComplianceLevel: (spec.approvedPatchesComplianceLevel as string | undefined) ?? "UNSPECIFIED",
      approvedPatchesEnableNonSecurity: (spec.approvedPatchesEnableNonSecurity as boolean | undefined) ?? false,
      rejectedPatches: asArray(spec.rejectedPatches).map(String),
      rejectedPatchesAction: (spec.rejectedPatchesAction as string | undefined) ?? "ALLOW_AS_DEPENDENCY",
      sources,
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
