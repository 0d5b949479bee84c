import type { ActualResource, ActualState } from "../model/plan.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import type { AwsGateway } from "../aws/gateway.js";
import { mapLimit } from "../util/limit.js";
import { baselineFromSsm } from "../resources/patch-baseline.js";
import { windowFromSsm } from "../resources/maintenance-window.js";
import { registrationKey } from "../resources/patch-group-registration.js";
import { defaultKey } from "../resources/default-baseline.js";
import { targetFromSsm, targetKey, taskFromSsm, taskKey, windowKey } from "../resources/window-children.js";
import { canonicalJson, sha256 } from "../resources/shape.js";
import { unlessGone } from "./not-found.js";
import { readServiceRoles } from "./read-roles.js";

export type { ActualResource, ActualState } from "../model/plan.js";

export interface ReadOptions {
  owner: string;
  /** SSM names of desired baselines and windows: unowned resources with these names are read in full (conflicts, adoption). */
  desiredNames: { baselines: Set<string>; windows: Set<string>; roles?: Set<string> };
  concurrency?: number;
  onProgress?: (message: string) => void;
}

type Tag = { Key?: string; Value?: string };
type BaselineIdentity = { BaselineId?: string; BaselineName?: string; OperatingSystem?: string; DefaultBaseline?: boolean };
type WindowIdentity = { WindowId?: string; Name?: string };
type PatchGroupMapping = { PatchGroup?: string; BaselineIdentity?: BaselineIdentity };

function tagValue(tags: Tag[], key: string): string | undefined {
  return tags.find((t) => t.Key === key)?.Value;
}

/** Tags of a baseline or window and what they say about ownership (one ListTagsForResource). */
async function ownershipOf(gw: AwsGateway, resourceType: "PatchBaseline" | "MaintenanceWindow", id: string, ssmName: string, owner: string) {
  const tags = (await gw.call<{ TagList?: Tag[] }>("ListTagsForResource", { ResourceType: resourceType, ResourceId: id })).TagList ?? [];
  const ownerTag = tagValue(tags, OWNER_TAG);
  const owned = ownerTag === owner;
  return { tags, ownerTag, owned, logical: owned ? tagValue(tags, NAME_TAG) ?? ssmName : ssmName };
}

function isAwsOwned(id: string): boolean {
  return id.startsWith("arn:");
}

/** The pb-… suffix of a baseline id or ARN. */
export function baselineIdSuffix(id: string): string {
  const i = id.lastIndexOf("/");
  return i >= 0 ? id.slice(i + 1) : id;
}

/**
 * Reads the full actual state with the fewest calls (ssm-api-notes §9):
 * DescribePatchBaselines, DescribePatchGroups and DescribeMaintenanceWindows once each (paginated);
 * ListTagsForResource once per custom baseline and window; GetPatchBaseline and GetMaintenanceWindow
 * per owned (or name-conflicting) one; per such window one DescribeMaintenanceWindowTargets and
 * one DescribeMaintenanceWindowTasks, and GetMaintenanceWindowTask per task (Describe omits the
 * invocation parameters). No per-target reads, no repeated list walks. IAM roles: see read-roles.ts.
 */
export async function readActualState(gw: AwsGateway, opts: ReadOptions): Promise<ActualState> {
  const concurrency = opts.concurrency ?? 8;
  const progress = opts.onProgress ?? (() => {});
  progress("listing baselines, patch groups and windows");
  const [baselineIds, mappings, windowIds, roles] = await Promise.all([
    gw.paginate<BaselineIdentity>("DescribePatchBaselines", {}, "BaselineIdentities", 100),
    gw.paginate<PatchGroupMapping>("DescribePatchGroups", {}, "Mappings", 100),
    gw.paginate<WindowIdentity>("DescribeMaintenanceWindows", {}, "WindowIdentities", 100),
    readServiceRoles(gw, { owner: opts.owner, desiredNames: opts.desiredNames.roles ?? new Set(), concurrency, onProgress: progress }),
  ]);

  const resources: ActualResource[] = [];
  const awsBaselines: Record<string, string> = {};
  for (const b of baselineIds) {
    if (!b.BaselineId || !isAwsOwned(b.BaselineId) || !b.OperatingSystem) continue;
    const current = awsBaselines[b.OperatingSystem];
    const preferred = /DefaultPatchBaseline$/.test(b.BaselineName ?? "");
    if (!current || preferred) awsBaselines[b.OperatingSystem] = b.BaselineId;
  }

  // Baselines: tags for every custom one, full read for ours and for name conflicts.
  const custom = baselineIds.filter((b) => b.BaselineId && !isAwsOwned(b.BaselineId));
  progress(`reading ${custom.length} custom baselines`);
  const logicalBaseline = new Map<string, { name: string; owned: boolean }>();
  const baselineResources = await mapLimit(custom, concurrency, async (b) => {
    const id = b.BaselineId!;
    const ssmName = b.BaselineName ?? id;
    const { tags, ownerTag, owned, logical } = await ownershipOf(gw, "PatchBaseline", id, ssmName, opts.owner);
    logicalBaseline.set(id, { name: logical, owned });
    if (!owned && !opts.desiredNames.baselines.has(ssmName)) {
      return { type: "PatchBaseline", key: `PatchBaseline/${logical}`, name: logical, id, spec: { name: ssmName, operatingSystem: b.OperatingSystem ?? "WINDOWS" }, owned, ownerTag, ssmName } satisfies ActualResource;
    }
    const full = await unlessGone(() => gw.call<Record<string, unknown>>("GetPatchBaseline", { BaselineId: id }));
    if (!full) return undefined;
    return { type: "PatchBaseline", key: `PatchBaseline/${logical}`, name: logical, id, spec: baselineFromSsm(full, tags), owned, ownerTag, ssmName } satisfies ActualResource;
  });
  resources.push(...dedupe(baselineResources.filter((r): r is NonNullable<typeof r> => r !== undefined)));

  for (const m of mappings) {
    const id = m.BaselineIdentity?.BaselineId;
    const os = m.BaselineIdentity?.OperatingSystem ?? "WINDOWS";
    if (!id || m.PatchGroup === undefined) continue;
    const owner = logicalBaseline.get(id);
    const baseline = owner?.owned ? owner.name : `id:${id}`;
    resources.push({
      type: "PatchGroupRegistration",
      key: registrationKey(os, m.PatchGroup),
      name: `${m.PatchGroup} (${os})`,
      id,
      spec: { patchGroup: m.PatchGroup, operatingSystem: os, baseline },
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
      spec: { operatingSystem: b.OperatingSystem, baseline: owner?.owned ? owner.name : `id:${baselineIdSuffix(b.BaselineId)}` },
      owned: owner?.owned ?? false,
      ssmName: b.BaselineName ?? b.BaselineId,
    });
  }

  progress(`reading ${windowIds.length} maintenance windows`);
  const windowResults = await mapLimit(windowIds, concurrency, async (w) => {
    const id = w.WindowId!;
    const ssmName = w.Name ?? id;
    const { tags, ownerTag, owned, logical } = await ownershipOf(gw, "MaintenanceWindow", id, ssmName, opts.owner);
    const wKey = windowKey(logical);
    if (!owned && !opts.desiredNames.windows.has(ssmName)) {
      return [{ type: "MaintenanceWindow", key: wKey, name: logical, id, spec: { name: ssmName }, owned, ownerTag, ssmName } satisfies ActualResource];
    }
    return (await readWindow(gw, id, logical, tags, owned, ownerTag, ssmName)) ?? [];
  });
  const windows = windowResults.flat();
  const dedupedWindows = dedupe(windows.filter((r) => r.type === "MaintenanceWindow"));
  const keptWindowIds = new Set(dedupedWindows.filter((r) => !r.key.includes("#")).map((r) => r.id));
  resources.push(...dedupedWindows);
  // Children of a duplicate window go with it (DeleteMaintenanceWindow cascades).
  resources.push(...dedupe(windows.filter((r) => r.type !== "MaintenanceWindow" && keptWindowIds.has(windowIdOfChild(r)))));

  resources.push(...dedupe(roles));

  const fingerprint = sha256(canonicalJson(resources.map((r) => [r.key, r.id, r.owned, r.spec]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))));
  return { resources, awsBaselines, fingerprint };
}

const childWindowIds = new WeakMap<ActualResource, string>();
function windowIdOfChild(r: ActualResource): string {
  return childWindowIds.get(r) ?? "";
}

async function readWindow(gw: AwsGateway, id: string, logical: string, tags: Tag[], owned: boolean, ownerTag: string | undefined, ssmName: string): Promise<ActualResource[] | undefined> {
  const full = await unlessGone(() => gw.call<Record<string, unknown>>("GetMaintenanceWindow", { WindowId: id }));
  if (!full) return undefined;
  const wKey = windowKey(logical);
  const out: ActualResource[] = [{ type: "MaintenanceWindow", key: wKey, name: logical, id, spec: windowFromSsm(full, tags), owned, ownerTag, ssmName }];
  const [targets, tasks] = await Promise.all([
    gw.paginate<Record<string, unknown>>("DescribeMaintenanceWindowTargets", { WindowId: id }, "Targets", 100),
    gw.paginate<Record<string, unknown>>("DescribeMaintenanceWindowTasks", { WindowId: id }, "Tasks", 100),
  ]);
  const targetNameById = new Map<string, string>();
  for (const t of targets) {
    const tid = String(t.WindowTargetId);
    const name = (t.Name as string | undefined) ?? `id:${tid}`;
    targetNameById.set(tid, name);
    const r: ActualResource = { type: "WindowTarget", key: targetKey(logical, name), name: `${logical}/${name}`, id: tid, parentKey: wKey, spec: targetFromSsm(t), owned, ownerTag, ssmName: name };
    childWindowIds.set(r, id);
    out.push(r);
  }
  // Duplicate target names: the extra ones are keyed by id, so they are pruned rather than mistaken for the desired one.
  const fullTasks = await Promise.all(
    tasks.map((t) => unlessGone(() => gw.call<Record<string, unknown>>("GetMaintenanceWindowTask", { WindowId: id, WindowTaskId: t.WindowTaskId }))),
  );
  for (const t of fullTasks) {
    if (!t) continue;
    const tid = String(t.WindowTaskId);
    const name = (t.Name as string | undefined) ?? `id:${tid}`;
    const r: ActualResource = { type: "WindowTask", key: taskKey(logical, name), name: `${logical}/${name}`, id: tid, parentKey: wKey, spec: taskFromSsm(t, targetNameById), owned, ownerTag, ssmName: name };
    childWindowIds.set(r, id);
    out.push(r);
  }
  return out;
}

/**
 * Two actual resources with one key (e.g. duplicates left by an interrupted
 * tool): the oldest-listed keeps the key, the others get `key#id` so they
 * show as owned extras to prune (or unmanaged when not ours).
 */
function dedupe(list: ActualResource[]): ActualResource[] {
  const seen = new Set<string>();
  return list.map((r) => {
    if (!seen.has(r.key)) {
      seen.add(r.key);
      return r;
    }
    const copy: ActualResource = { ...r, key: `${r.key}#${r.id}` };
    const wid = childWindowIds.get(r);
    if (wid) childWindowIds.set(copy, wid);
    return copy;
  });
}

