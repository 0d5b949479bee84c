import type { AwsGateway } from "../aws/gateway.js";
import type { EventSink } from "../model/events.js";
import { ignoreEvents } from "../model/events.js";
import type { ActualResource, ActualState, ResourceType } from "../model/plan.js";
import type { Listing, ReadContext, ResourceHandler } from "../resources/handler.js";
import { topLevelHandlers } from "../resources/registry.js";
import { canonicalJson, sha256 } from "../resources/shape.js";

export type { ActualResource, ActualState } from "../model/plan.js";

export interface ReadOptions {
  owner: string;
  /** AWS names of the desired resources per readScope ("baselines", "windows", "roles"): unowned resources with these names are read in full (conflicts, adoption). */
  desiredNames: Partial<Record<string, Set<string>>>;
  /** Read everything no other owner has in full (import; see ReadContext.full). */
  full?: boolean;
  /** The top-level kinds to read; every one when unset. */
  types?: readonly ResourceType[];
  concurrency?: number;
  /** Typed events of the read (src/model/events.ts). */
  onEvent?: EventSink;
}

/**
 * Where a plan's snapshot comes from, when not a fresh full read every time (the controller's
 * cadence of cheap and full reads).
 */
export interface SnapshotSource {
  /** The snapshot to plan against; `reused` when it is an earlier full read that a cheap read found still standing. */
  read(gw: AwsGateway, opts: ReadOptions): Promise<{ state: ActualState; reused: boolean }>;
  /** A full read now (a reused snapshot's plan has changes to apply: they are applied from a fresh one). */
  readFull(gw: AwsGateway, opts: ReadOptions): Promise<ActualState>;
}

function contextFor(h: ResourceHandler, opts: ReadOptions): ReadContext {
  return { owner: opts.owner, desiredNames: (h.readScope && opts.desiredNames[h.readScope]) || new Set(), full: opts.full, concurrency: opts.concurrency ?? 8, emit: opts.onEvent ?? ignoreEvents };
}

function digestOf(resources: readonly ActualResource[]): string {
  return sha256(canonicalJson(resources.map((r) => [r.key, r.id, r.owned, r.ownerTag ?? null, r.ssmName ?? null, r.spec]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))));
}

/**
 * Reads the actual state: every top-level kind's handler reads its resources and what they declare
 * (each with the fewest calls, see the handlers), all at once, into one snapshot with a fingerprint
 * that moves when anything the plan depends on moves, and each kind's listing for later cheap reads.
 */
export async function readActualState(gw: AwsGateway, opts: ReadOptions): Promise<ActualState> {
  (opts.onEvent ?? ignoreEvents)({ code: "PATCHCTL_I1001", owner: opts.owner, full: opts.full ?? false });
  const handlers = topLevelHandlers().filter((h) => !opts.types || opts.types.includes(h.type));
  const parts = await Promise.all(handlers.map((h) => h.read!(gw, contextFor(h, opts))));
  const resources: ActualResource[] = parts.flatMap((p) => p.resources);
  const awsBaselines = Object.assign({}, ...parts.map((p) => p.awsBaselines ?? {})) as Record<string, string>;
  const fingerprint = sha256(canonicalJson(resources.map((r) => [r.key, r.id, r.owned, r.spec]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))));
  const listings: Record<string, Listing> = {};
  handlers.forEach((h, i) => (listings[h.type] = h.readListing ? parts[i]!.listing ?? {} : { resources: digestOf(parts[i]!.resources) }));
  return { resources, awsBaselines, fingerprint, listings };
}

/**
 * The cheap read: whether `previous` (a full read with the same options) still stands for
 * everything the list calls show. Kinds with list digests make only their list calls; kinds
 * without are read in full and compared resource by resource. True only when every digest is
 * equal; any add, delete or change a list shows, or a previous read without listings, is false (a
 * full read is due).
 */
export async function listingsUnchanged(gw: AwsGateway, opts: ReadOptions, previous: ActualState): Promise<boolean> {
  const before = previous.listings;
  if (!before) return false;
  const handlers = topLevelHandlers().filter((h) => !opts.types || opts.types.includes(h.type));
  const now = await Promise.all(
    handlers.map(async (h): Promise<Listing> => {
      const ctx = contextFor(h, opts);
      if (h.readListing) return h.readListing(gw, ctx, before[h.type] ?? {});
      return { resources: digestOf((await h.read!(gw, ctx)).resources) };
    }),
  );
  return handlers.every((h, i) => canonicalJson(now[i]) === canonicalJson(before[h.type] ?? null));
}
