import type { DesiredState } from "../desired/load.js";
import { packageVersion } from "../package-root.js";
import { expandDesired } from "./expand.js";
import type { Plan, Resource } from "../model/plan.js";
import { hasChanges } from "../model/plan.js";
import { computePlan, desiredNamesOf, readScopeOf } from "./plan.js";
import type { ActualState, ReadOptions, SnapshotSource } from "./read-actual.js";
import { readActualState } from "./read-actual.js";
import type { AwsGateway } from "../aws/gateway.js";

export interface PlanRequest {
  state: DesiredState;
  gateway: AwsGateway;
  owner?: string;
  region: string;
  adopt?: boolean;
  concurrency?: number;
  onProgress?: (message: string) => void;
  /** Where the snapshot comes from (default: a full read). */
  snapshots?: SnapshotSource;
  /** A plan with changes made from a reused snapshot is made again from a full read (it is to be applied). */
  freshBeforeChanges?: boolean;
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
  const readOpts: ReadOptions = { owner, desiredNames: desiredNamesOf(scope), concurrency: req.concurrency, onProgress: req.onProgress };
  const planFrom = (actual: ActualState): Plan => computePlan(desired, actual, { owner, region: req.region, adopt: req.adopt ?? false, patchctlVersion: packageVersion() });
  if (!req.snapshots) {
    const actual = await readActualState(req.gateway, readOpts);
    return { plan: planFrom(actual), desired, actual };
  }
  const { state, reused } = await req.snapshots.read(req.gateway, readOpts);
  const plan = planFrom(state);
  // A reused snapshot may only conclude "nothing to do": what is applied is planned from a full read.
  if (!reused || !req.freshBeforeChanges || !hasChanges(plan)) return { plan, desired, actual: state };
  const actual = await req.snapshots.readFull(req.gateway, readOpts);
  return { plan: planFrom(actual), desired, actual };
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
