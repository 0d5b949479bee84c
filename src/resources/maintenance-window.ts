import type { MaintenanceWindowDoc } from "../model/desired.js";
import type { AwsGateway } from "../aws/gateway.js";
import { TAGS_GONE, unlessGone } from "../aws/not-found.js";
import type { ActualResource, JsonObject, Resource } from "../model/plan.js";
import { mapLimit } from "../util/limit.js";
import type { ExpandContext, Listing, ReadContext, ReadResult, ResourceHandler, SsmCall } from "./handler.js";
import type { Tag } from "./read-helpers.js";
import { dedupe, listingDigest, ownershipOf } from "./read-helpers.js";
import { targetFromDesired, targetFromSsm, targetKey, taskFromDesired, taskFromSsm, taskKey, windowKey } from "./window-children.js";
import { withinAny } from "./field-paths.js";
import { controlsOfEntry } from "./controls.js";
import { entryPath, taggedUpdateCalls } from "./handler.js";
import { pick, pickPascal } from "./patch-baseline.js";
import { asObject, compact, tagMap, toCamel, toPascal } from "./shape.js";
import { formatRefText, isDuplicateKey } from "../model/reference.js";

const CREATE_FIELDS = ["name", "description", "schedule", "scheduleTimezone", "scheduleOffset", "startDate", "endDate", "duration", "cutoff", "allowUnassociatedTargets"] as const;
const READ_FIELDS = [...CREATE_FIELDS, "enabled"] as const;
/** SSM marks a window's Description sensitive. */
const SENSITIVE = ["description"];

export const maintenanceWindowHandler: ResourceHandler = {
  type: "MaintenanceWindow",
  heldWhileWindowRuns: "self",
  writes: ["CreateMaintenanceWindow", "UpdateMaintenanceWindow", "DeleteMaintenanceWindow"],
  tagResourceType: "MaintenanceWindow",
  noun: "window",
  ownership: "tags",
  documentKind: "MaintenanceWindow",
  expand: (doc, ctx) => expandWindow(doc as MaintenanceWindowDoc, ctx),
  read: (gw, ctx) => readWindows(gw, ctx),
  readListing: (gw, ctx, previous) => readWindowListing(gw, ctx, previous),
  awsName: (r) => String(r.spec.name),
  readScope: "windows",
  references: () => [],
  key: (name) => windowKey(name),
  // Created before its targets and tasks; deleted (which cascades whatever remains inside) after targets were deregistered.
  phases: { create: 5, update: 5, delete: 9 },
  forceNew: [],
  isSensitive: (path) => withinAny(path, SENSITIVE),
  unorderedLists: [],

  normalize(spec) {
    return compact({
      name: spec.name,
      description: spec.description,
      schedule: spec.schedule,
      scheduleTimezone: spec.scheduleTimezone,
      scheduleOffset: spec.scheduleOffset,
      startDate: spec.startDate,
      endDate: spec.endDate,
      duration: spec.duration,
      cutoff: spec.cutoff,
      allowUnassociatedTargets: (spec.allowUnassociatedTargets as boolean | undefined) ?? false,
      enabled: (spec.enabled as boolean | undefined) ?? true,
      tags: asObject(spec.tags) ?? {},
    });
  },

  createCalls(r, ctx) {
    const tags = asObject(r.spec.tags) ?? {};
    const calls: SsmCall[] = [
      {
        operation: "CreateMaintenanceWindow",
        input: {
          ...toPascal(pick(r.spec, CREATE_FIELDS)),
          ClientToken: ctx.clientToken(r),
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) })),
        },
        yieldsId: { key: r.key, field: "WindowId" },
        description: `create maintenance window ${r.spec.name}`,
      },
    ];
    // CreateMaintenanceWindow has no Enabled field: a disabled window is created, then disabled.
    if (r.spec.enabled === false) {
      calls.push({ operation: "UpdateMaintenanceWindow", input: { WindowId: ctx.idOf(r.key), Enabled: false }, description: `disable maintenance window ${r.spec.name}` });
    }
    return calls;
  },

  updateCalls(change, ctx) {
    const after = change.after!;
    const input = { ...toPascal(pick(after.spec, READ_FIELDS)), Enabled: after.spec.enabled };
    return taggedUpdateCalls(change, ctx, "MaintenanceWindow", { operation: "UpdateMaintenanceWindow", idMember: "WindowId", input }, `maintenance window ${String(after.spec.name)}`);
  },

  deleteCalls(r, ctx) {
    return [{ operation: "DeleteMaintenanceWindow", input: { WindowId: ctx.idOf(r.key) }, toleratedErrors: ["DoesNotExistException"], description: `delete maintenance window ${r.spec.name} (with its targets and tasks)` }];
  },
};

export function windowFromDesired(doc: MaintenanceWindowDoc, ownershipTags: Record<string, string>): JsonObject {
  const { targets: _t, tasks: _k, ...rest } = doc.spec;
  const spec = JSON.parse(JSON.stringify(rest)) as JsonObject;
  spec.name = doc.spec.name ?? doc.metadata.name;
  spec.tags = tagMap({ ...(doc.metadata.tags ?? {}), ...ownershipTags });
  return maintenanceWindowHandler.normalize(spec);
}

/** GetMaintenanceWindow + ListTagsForResource → the handler's shape (server-computed dates dropped). */
export function windowFromSsm(out: Record<string, unknown>, tags: { Key?: string; Value?: string }[]): JsonObject {
  const spec = toCamel(pickPascal(out, READ_FIELDS));
  spec.tags = tagMap(tags);
  return maintenanceWindowHandler.normalize(spec);
}

/** A window document: the window, its targets and its tasks. */
function expandWindow(doc: MaintenanceWindowDoc, ctx: ExpandContext): Resource[] {
  const wName = doc.metadata.name;
  const wKey = windowKey(wName);
  const out: Resource[] = [{ type: "MaintenanceWindow", key: wKey, name: wName, spec: windowFromDesired(doc, ctx.ownership), source: ctx.source() }];
  (doc.spec.targets ?? []).forEach((t, i) => {
    out.push({ type: "WindowTarget", key: targetKey(wName, t.name), name: `${wName}/${t.name}`, parentKey: wKey, spec: targetFromDesired(t), source: ctx.source(entryPath("targets", i)), controls: controlsOfEntry(t) });
  });
  (doc.spec.tasks ?? []).forEach((t, i) => {
    const notes: string[] = [];
    const spec = taskFromDesired(t, notes);
    out.push({ type: "WindowTask", key: taskKey(wName, t.name), name: `${wName}/${t.name}`, parentKey: wKey, spec, source: ctx.source(entryPath("tasks", i)), notes: notes.length ? notes : undefined, controls: controlsOfEntry(t) });
  });
  return out;
}

type WindowIdentity = { WindowId?: string; Name?: string };
/** A window as read, with its children (kept together so the children of a duplicate go with it). */
interface ReadWindow {
  window: ActualResource;
  children: ActualResource[];
  /** The digests of its DescribeMaintenanceWindowTargets and DescribeMaintenanceWindowTasks answers (read in full only). */
  listing?: Listing;
}

/** DescribeMaintenanceWindows' NextExecutionTime moves by itself as the schedule runs: not a change. */
const WINDOW_LIST_VOLATILE = ["NextExecutionTime"];
const targetsListed = (id: string) => `targets:${id}`;
const tasksListed = (id: string) => `tasks:${id}`;

/**
 * Windows with their targets and tasks, with the fewest calls (ssm-api-notes §9):
 * DescribeMaintenanceWindows once (paginated), ListTagsForResource once per window;
 * per owned (or name-conflicting) window GetMaintenanceWindow, one DescribeMaintenanceWindowTargets,
 * one DescribeMaintenanceWindowTasks and GetMaintenanceWindowTask per task (Describe omits the
 * invocation parameters). No per-target reads, no repeated list walks.
 */
async function readWindows(gw: AwsGateway, ctx: ReadContext): Promise<ReadResult> {
  const windowIds = await gw.paginate<WindowIdentity>("DescribeMaintenanceWindows", {}, "WindowIdentities", 100);
  ctx.emit({ code: "PATCHCTL_I1002", resourceType: "MaintenanceWindow", count: windowIds.length });
  const read = await mapLimit(windowIds, ctx.concurrency, async (w): Promise<ReadWindow | undefined> => {
    const id = w.WindowId!;
    const ssmName = w.Name ?? id;
    // Deleted between being listed and its tags being read: ListTagsForResource says InvalidResourceId. Gone, not a failed read.
    const who = await unlessGone(() => ownershipOf(gw, "MaintenanceWindow", id, ssmName, ctx.owner), TAGS_GONE);
    if (!who) return undefined;
    const { tags, ownerTag, owned, logical } = who;
    if (!owned && !(ctx.full ? ownerTag === undefined : ctx.desiredNames.has(ssmName))) {
      return { window: { type: "MaintenanceWindow", key: windowKey(logical), name: logical, id, spec: { name: ssmName }, owned, ownerTag, ssmName }, children: [] };
    }
    return readWindow(gw, id, logical, tags, owned, ownerTag, ssmName, ctx.full === true);
  });
  const found = read.filter((r): r is ReadWindow => r !== undefined);
  // A second window with the same logical name is keyed `key#id` (pruned, or unmanaged); its children go with it (DeleteMaintenanceWindow cascades).
  const windows = dedupe(found.map((r) => r.window));
  if (ctx.full) {
    // Every window's children, held by the window's (deduplicated) key: import writes each window out.
    const children = found.flatMap((r, i) => r.children.map((c) => ({ ...c, parentKey: windows[i]!.key })));
    return { resources: [...windows, ...children] };
  }
  const kept = new Set(windows.filter((w) => !isDuplicateKey(w.key)).map((w) => w.id));
  const children = dedupe(found.filter((r) => kept.has(r.window.id)).flatMap((r) => r.children));
  const listing: Listing = Object.assign({ windows: listingDigest(windowIds, WINDOW_LIST_VOLATILE) }, ...found.map((r) => r.listing ?? {}));
  return { resources: [...windows, ...children], listing };
}

/**
 * The cheap read: DescribeMaintenanceWindows, and the targets and tasks lists of the windows the
 * full read listed them for (those read in full); no tags, no GetMaintenanceWindow, no
 * GetMaintenanceWindowTask. A new window changes the windows digest (its tags, then, want a full
 * read); a window gone drops its lists' digests.
 */
async function readWindowListing(gw: AwsGateway, ctx: ReadContext, previous: Listing): Promise<Listing> {
  const windowIds = await gw.paginate<WindowIdentity>("DescribeMaintenanceWindows", {}, "WindowIdentities", 100);
  const listing: Listing = { windows: listingDigest(windowIds, WINDOW_LIST_VOLATILE) };
  if (listing.windows !== previous.windows) return listing; // moved: a full read follows, the rest would not change that
  const listed = windowIds.map((w) => w.WindowId!).filter((id) => previous[targetsListed(id)] !== undefined);
  const lists = await mapLimit(listed, ctx.concurrency, async (id) => {
    const [targets, tasks] = await Promise.all([
      unlessGone(() => gw.paginate<Record<string, unknown>>("DescribeMaintenanceWindowTargets", { WindowId: id }, "Targets", 100)),
      unlessGone(() => gw.paginate<Record<string, unknown>>("DescribeMaintenanceWindowTasks", { WindowId: id }, "Tasks", 100)),
    ]);
    return targets && tasks ? { [targetsListed(id)]: listingDigest(targets), [tasksListed(id)]: listingDigest(tasks) } : {};
  });
  return Object.assign(listing, ...lists);
}

async function readWindow(gw: AwsGateway, id: string, logical: string, tags: Tag[], owned: boolean, ownerTag: string | undefined, ssmName: string, byId: boolean): Promise<ReadWindow | undefined> {
  const full = await unlessGone(() => gw.call<Record<string, unknown>>("GetMaintenanceWindow", { WindowId: id }));
  if (!full) return undefined;
  const wKey = windowKey(logical);
  const window: ActualResource = { type: "MaintenanceWindow", key: wKey, name: logical, id, spec: windowFromSsm(full, tags), owned, ownerTag, ssmName };
  // A window deleted between being listed and being read is gone (drift to restore), not a failed read.
  const [targets, tasks] = await Promise.all([
    unlessGone(() => gw.paginate<Record<string, unknown>>("DescribeMaintenanceWindowTargets", { WindowId: id }, "Targets", 100)),
    unlessGone(() => gw.paginate<Record<string, unknown>>("DescribeMaintenanceWindowTasks", { WindowId: id }, "Tasks", 100)),
  ]);
  if (!targets || !tasks) return undefined;
  const children: ActualResource[] = [];
  const targetNameById = new Map<string, string>();
  for (const t of targets) {
    const tid = String(t.WindowTargetId);
    const name = (t.Name as string | undefined) ?? formatRefText({ id: tid });
    if (!byId) targetNameById.set(tid, name);
    children.push({ type: "WindowTarget", key: targetKey(logical, name), name: `${logical}/${name}`, id: tid, parentKey: wKey, spec: targetFromSsm(t), owned, ownerTag, ssmName: name });
  }
  const fullTasks = await Promise.all(
    tasks.map((t) => unlessGone(() => gw.call<Record<string, unknown>>("GetMaintenanceWindowTask", { WindowId: id, WindowTaskId: t.WindowTaskId }))),
  );
  // A task gone between the list and its read: deregistered alone, or its window deleted meanwhile. One more
  // GetMaintenanceWindow tells which; a window deleted mid-read is gone, not a window that lost a task.
  if (fullTasks.some((t) => !t) && !(await unlessGone(() => gw.call<Record<string, unknown>>("GetMaintenanceWindow", { WindowId: id })))) return undefined;
  for (const t of fullTasks) {
    if (!t) continue;
    const tid = String(t.WindowTaskId);
    const name = (t.Name as string | undefined) ?? formatRefText({ id: tid });
    children.push({ type: "WindowTask", key: taskKey(logical, name), name: `${logical}/${name}`, id: tid, parentKey: wKey, spec: taskFromSsm(t, targetNameById), owned, ownerTag, ssmName: name });
  }
  return { window, children, listing: { [targetsListed(id)]: listingDigest(targets), [tasksListed(id)]: listingDigest(tasks) } };
}
