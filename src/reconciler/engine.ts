import type { DesiredState } from "../desired/load.js";
import type { EventSink } from "../model/events.js";
import { packageVersion } from "../package-root.js";
import { expandDesired } from "./expand.js";
import type { Plan, Resource } from "../model/plan.js";
import { hasChanges } from "../model/plan.js";
import { computePlan, desiredNamesOf, readScopeOf } from "./plan.js";
import type { ActualState, ReadOptions, SnapshotSource } from "./read-actual.js";
import { readActualState } from "./read-actual.js";
import { restrictToTargets } from "./target.js";
import type { AwsGateway } from "../aws/gateway.js";
import type { ResolveContext } from "../resources/handler.js";
import { allHandlers } from "../resources/registry.js";
import { currentTime } from "../util/clock.js";

export interface PlanRequest {
  state: DesiredState;
  gateway: AwsGateway;
  owner?: string;
  region: string;
  adopt?: boolean;
  concurrency?: number;
  /** The instant the plan is made at (default: now, or PATCHCTL_NOW in tests). */
  now?: Date;
  /** Typed events of the read and the plan (src/model/events.ts). */
  onEvent?: EventSink;
  /** --target KIND/NAME: plan only these resources and what they need (restrictToTargets). */
  targets?: readonly string[];
  /** Where the snapshot comes from (default: a full read). */
  snapshots?: SnapshotSource;
  /**
   * A plan with changes made from a reused snapshot is made again from a full read when it is to be
   * applied: true, or a predicate that says whether this plan would be (one a freeze, a suspend or a
   * policy refuses is not, so it costs no full read).
   */
  freshBeforeChanges?: boolean | ((plan: Plan) => boolean | Promise<boolean>);
}

export interface PlanResult {
  plan: Plan;
  desired: Resource[];
  actual: ActualState;
}

/** Reads the account and compares it with the desired state. Changes nothing. */
export async function planReconcile(req: PlanRequest): Promise<PlanResult> {
  const owner = req.owner ?? req.state.config.owner;
  const desired = expandDesired(req.state, owner);
  const scope = readScopeOf(desired);
  const readOpts: ReadOptions = { owner, desiredNames: desiredNamesOf(scope), concurrency: req.concurrency, onEvent: req.onEvent };
  const planFrom = async (actual: ActualState): Promise<{ plan: Plan; desired: Resource[] }> => {
    const resolved = await resolveDesired(desired, actual, { gateway: req.gateway, owner, now: req.now ?? currentTime(), concurrency: req.concurrency ?? 8 });
    const full = computePlan(resolved, actual, { owner, region: req.region, adopt: req.adopt ?? false, patchctlVersion: packageVersion() });
    return { plan: req.targets?.length ? restrictToTargets(full, req.targets) : full, desired: resolved };
  };
  if (!req.snapshots) {
    const actual = await readActualState(req.gateway, readOpts);
    return { ...(await planFrom(actual)), actual };
  }
  const { state, reused } = await req.snapshots.read(req.gateway, readOpts);
  const first = await planFrom(state);
  // A reused snapshot may only conclude "nothing to do": what is applied is planned from a full read.
  if (!reused || !req.freshBeforeChanges || !hasChanges(first.plan)) return { ...first, actual: state };
  if (typeof req.freshBeforeChanges === "function" && !(await req.freshBeforeChanges(first.plan))) return { ...first, actual: state };
  const actual = await req.snapshots.readFull(req.gateway, readOpts);
  return { ...(await planFrom(actual)), actual };
}

/** The desired side completed from the account by the kinds that declare it (ResourceHandler.resolve), in the registry's order. */
async function resolveDesired(desired: Resource[], actual: ActualState, ctx: ResolveContext): Promise<Resource[]> {
  let out = desired;
  for (const h of allHandlers()) if (h.resolve) out = await h.resolve(out, actual, ctx);
  return out;
}

/** Reads the account again with a saved plan's scope; the plan is stale when the fingerprint moved. */
export async function isPlanStale(plan: Plan, gateway: AwsGateway, concurrency?: number): Promise<boolean> {
  const actual = await readActualState(gateway, {
    owner: plan.owner,
    desiredNames: desiredNamesOf(plan.readScope),
    concurrency,
  });
  return actual.fingerprint !== plan.stateFingerprint;
}
