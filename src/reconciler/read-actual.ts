import type { AwsGateway } from "../aws/gateway.js";
import type { ActualResource, ActualState, ResourceType } from "../model/plan.js";
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
  onProgress?: (message: string) => void;
}

/**
 * Reads the actual state: every top-level kind's handler reads its resources and what they declare
 * (each with the fewest calls, see the handlers), all at once, into one snapshot with a fingerprint
 * that moves when anything the plan depends on moves.
 */
export async function readActualState(gw: AwsGateway, opts: ReadOptions): Promise<ActualState> {
  const concurrency = opts.concurrency ?? 8;
  const progress = opts.onProgress ?? (() => {});
  progress("listing the account");
  const parts = await Promise.all(
    topLevelHandlers()
      .filter((h) => !opts.types || opts.types.includes(h.type))
      .map((h) => h.read!(gw, { owner: opts.owner, desiredNames: (h.readScope && opts.desiredNames[h.readScope]) || new Set(), full: opts.full, concurrency, progress })),
  );
  const resources: ActualResource[] = parts.flatMap((p) => p.resources);
  const awsBaselines = Object.assign({}, ...parts.map((p) => p.awsBaselines ?? {})) as Record<string, string>;
  const fingerprint = sha256(canonicalJson(resources.map((r) => [r.key, r.id, r.owned, r.spec]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))));
  return { resources, awsBaselines, fingerprint };
}
