import type { GetPatchBaselineCommandOutput } from "@aws-sdk/client-ssm";
import type { PatchBaselineDoc } from "../model/desired.js";
import type { AwsGateway } from "../aws/gateway.js";
import { TAGS_GONE, unlessGone } from "../aws/not-found.js";
import type { ActualResource, Json, JsonObject, Resource } from "../model/plan.js";
import { mapLimit } from "../util/limit.js";
import { defaultKey } from "./default-baseline.js";
import type { ExpandContext, Listing, ReadContext, ReadResult, ResourceHandler } from "./handler.js";
import { registrationKey } from "./patch-group-registration.js";
import { dedupe, listingDigest, ownershipOf } from "./read-helpers.js";
import { entryPath, taggedUpdateCalls } from "./handler.js";
import { withinAny } from "./field-paths.js";
import { asArray, asObject, compact, normalizeKeyValues, tagMap, toCamel, toPascal } from "./shape.js";
import { formatRefText } from "../model/reference.js";
import { flatKey } from "../util/flat-key.js";

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

/**
 * Operating systems whose rules take no approval delay: AWS accepts ApproveAfterDays 0 there (what
 * the Terraform provider sends for every rule without approve_until_date) and reads it back, which
 * means the same as leaving it out, so 0 is normalised to unset and such a baseline adopts with an
 * empty plan (issue 19; docs/ssm-fidelity.md).
 */
const NO_DELAY_OSES = new Set(["UBUNTU", "DEBIAN"]);

function normalizeRule(rule: Json, os: string): JsonObject {
  const r = asObject(rule) ?? {};
  return compact({
    patchFilterGroup: normalizeFilterGroup(r.patchFilterGroup),
    complianceLevel: (r.complianceLevel as string | undefined) ?? "UNSPECIFIED",
    approveAfterDays: NO_DELAY_OSES.has(os) && r.approveAfterDays === 0 ? undefined : r.approveAfterDays,
    approveUntilDate: r.approveUntilDate,
    enableNonSecurity: (r.enableNonSecurity as boolean | undefined) ?? false,
  });
}

export const patchBaselineHandler: ResourceHandler = {
  type: "PatchBaseline",
  writes: ["CreatePatchBaseline", "UpdatePatchBaseline", "DeletePatchBaseline"],
  tagResourceType: "PatchBaseline",
  noun: "baseline",
  ownership: "tags",
  documentKind: "PatchBaseline",
  expand: (doc, ctx) => expandBaseline(doc as PatchBaselineDoc, ctx),
  read: (gw, ctx) => readBaselines(gw, ctx),
  readListing: async (gw) => listingOf(...(await listBaselines(gw))),
  awsName: (r) => String(r.spec.name),
  readScope: "baselines",
  references: () => [],
  key: (name) => flatKey("PatchBaseline", name),
  // Before anything registers against it; deleted after its groups and default moved away.
  phases: { create: 3, update: 3, delete: 10 },
  forceNew: ["operatingSystem"],
  isSensitive: (path) => withinAny(path, SENSITIVE),
  unorderedLists: UNORDERED,

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
      approvalRules: { patchRules: asArray(asObject(spec.approvalRules)?.patchRules).map((rule) => normalizeRule(rule, String(spec.operatingSystem ?? "WINDOWS"))) },
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

/** A baseline document: the baseline, a registration per patch group, and possibly its OS's default. */
function expandBaseline(doc: PatchBaselineDoc, ctx: ExpandContext): Resource[] {
  const name = doc.metadata.name;
  const spec = baselineFromDesired(doc, ctx.ownership);
  const os = String(spec.operatingSystem);
  const out: Resource[] = [{ type: "PatchBaseline", key: patchBaselineHandler.key(name), name, spec, source: ctx.source() }];
  (doc.spec.patchGroups ?? []).forEach((group, i) => {
    out.push({
      type: "PatchGroupRegistration",
      key: registrationKey(os, group),
      name: `${group} (${os})`,
      spec: { patchGroup: group, operatingSystem: os, baseline: name },
      source: ctx.source(entryPath("patchGroups", i)),
    });
  });
  if (doc.spec.defaultForOperatingSystem) {
    out.push({ type: "DefaultBaseline", key: defaultKey(os), name: os, spec: { operatingSystem: os, baseline: name }, source: ctx.source(["spec", "defaultForOperatingSystem"]) });
  }
  return out;
}

type BaselineIdentity = { BaselineId?: string; BaselineName?: string; OperatingSystem?: string; DefaultBaseline?: boolean };
type PatchGroupMapping = { PatchGroup?: string; BaselineIdentity?: BaselineIdentity };

function isAwsOwned(id: string): boolean {
  return id.startsWith("arn:");
}

/** The pb-… suffix of a baseline id or ARN. */
export function baselineIdSuffix(id: string): string {
  const i = id.lastIndexOf("/");
  return i >= 0 ? id.slice(i + 1) : id;
}

/**
 * Baselines, their patch-group registrations and the OS defaults, with the fewest calls
 * (ssm-api-notes §9): DescribePatchBaselines and DescribePatchGroups once each (paginated),
 * ListTagsForResource once per custom baseline, GetPatchBaseline per owned (or name-conflicting) one.
 */
function listBaselines(gw: AwsGateway): Promise<[BaselineIdentity[], PatchGroupMapping[]]> {
  return Promise.all([gw.paginate<BaselineIdentity>("DescribePatchBaselines", {}, "BaselineIdentities", 100), gw.paginate<PatchGroupMapping>("DescribePatchGroups", {}, "Mappings", 100)]);
}

/**
 * The cheap read's listing: DescribePatchBaselines (names, descriptions, the defaults) and
 * DescribePatchGroups (the registrations); a baseline's rules and tags wait for the full read.
 */
function listingOf(baselineIds: BaselineIdentity[], mappings: PatchGroupMapping[]): Listing {
  return { baselines: listingDigest(baselineIds), patchGroups: listingDigest(mappings) };
}

async function readBaselines(gw: AwsGateway, ctx: ReadContext): Promise<ReadResult> {
  const [baselineIds, mappings] = await listBaselines(gw);
  const resources: ActualResource[] = [];
  const awsBaselines: Record<string, string> = {};
  for (const b of baselineIds) {
    if (!b.BaselineId || !isAwsOwned(b.BaselineId) || !b.OperatingSystem) continue;
    const current = awsBaselines[b.OperatingSystem];
    const preferred = /DefaultPatchBaseline$/.test(b.BaselineName ?? "");
    if (!current || preferred) awsBaselines[b.OperatingSystem] = b.BaselineId;
  }

  // Tags for every custom one, full read for ours and for name conflicts.
  const custom = baselineIds.filter((b) => b.BaselineId && !isAwsOwned(b.BaselineId));
  ctx.emit({ code: "PATCHCTL_I1002", resourceType: "PatchBaseline", count: custom.length });
  const logicalBaseline = new Map<string, { name: string; owned: boolean }>();
  const baselineResources = await mapLimit(custom, ctx.concurrency, async (b): Promise<ActualResource | undefined> => {
    const id = b.BaselineId!;
    const ssmName = b.BaselineName ?? id;
    const who = await unlessGone(() => ownershipOf(gw, "PatchBaseline", id, ssmName, ctx.owner), TAGS_GONE);
    if (!who) return undefined; // deleted between being listed and its tags being read
    const { tags, ownerTag, owned, logical } = who;
    logicalBaseline.set(id, { name: logical, owned });
    const key = patchBaselineHandler.key(logical);
    if (!owned && !(ctx.full ? ownerTag === undefined : ctx.desiredNames.has(ssmName))) {
      return { type: "PatchBaseline", key, name: logical, id, spec: { name: ssmName, operatingSystem: b.OperatingSystem ?? "WINDOWS" }, owned, ownerTag, ssmName };
    }
    const full = await unlessGone(() => gw.call<Record<string, unknown>>("GetPatchBaseline", { BaselineId: id }));
    if (!full) return undefined;
    return { type: "PatchBaseline", key, name: logical, id, spec: baselineFromSsm(full, tags), owned, ownerTag, ssmName };
  });
  resources.push(...dedupe(baselineResources.filter((r): r is ActualResource => r !== undefined)));

  for (const m of mappings) {
    const id = m.BaselineIdentity?.BaselineId;
    const os = m.BaselineIdentity?.OperatingSystem ?? "WINDOWS";
    if (!id || m.PatchGroup === undefined) continue;
    const owner = logicalBaseline.get(id);
    resources.push({
      type: "PatchGroupRegistration",
      key: registrationKey(os, m.PatchGroup),
      name: `${m.PatchGroup} (${os})`,
      id,
      spec: { patchGroup: m.PatchGroup, operatingSystem: os, baseline: owner?.owned ? owner.name : formatRefText({ id }) },
      owned: owner?.owned ?? false,
      ssmName: m.PatchGroup,
    });
  }
  for (const b of baselineIds) {
    if (!b.DefaultBaseline || !b.BaselineId || !b.OperatingSystem) continue;
    const owner = logicalBaseline.get(b.BaselineId);
    resources.push({
      type: "DefaultBaseline",
      key: defaultKey(b.OperatingSystem),
      name: b.OperatingSystem,
      id: b.BaselineId,
      spec: { operatingSystem: b.OperatingSystem, baseline: owner?.owned ? owner.name : formatRefText({ id: baselineIdSuffix(b.BaselineId) }) },
      owned: owner?.owned ?? false,
      ssmName: b.BaselineName ?? b.BaselineId,
    });
  }
  return { resources, awsBaselines, listing: listingOf(baselineIds, mappings) };
}
