import type { DesiredState } from "../desired/load.js";
import { packageVersion } from "../package-root.js";
import { expandDesired } from "./expand.js";
import type { Plan, Resource } from "../model/plan.js";
import { computePlan, desiredNamesOf, readScopeOf } from "./plan.js";
import type { ActualState } from "./read-actual.js";
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
  onProgress?: (message: string) => void;
  /** --target KIND/NAME: plan only these resources and what they need (restrictToTargets). */
  targets?: readonly string[];
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
  const actual = await readActualState(req.gateway, {
    owner,
    desiredNames: desiredNamesOf(scope),
    concurrency: req.concurrency,
    onProgress: req.onProgress,
  });
  const resolved = await resolveDesired(desired, actual, { gateway: req.gateway, owner, now: req.now ?? currentTime(), concurrency: req.concurrency ?? 8 });
  const full = computePlan(resolved, actual, { owner, region: req.region, adopt: req.adopt ?? false, patchctlVersion: packageVersion() });
  const plan = req.targets?.length ? restrictToTargets(full, req.targets) : full;
  return { plan, desired: resolved, actual };
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
