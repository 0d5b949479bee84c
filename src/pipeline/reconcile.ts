/**
 * The one reconcile pipeline: reconcile (plan, dry run, apply), `apply plan.json` and every
 * controller cycle go through these functions, so what one refuses the others refuse too.
 *
 *   load → validate → spec policies            prepareDesired (once per commit or run)
 *   lease → plan → plan policies → delete guard → freeze → defer running windows → apply
 *                                              reconcilePrepared / applySavedPlan
 *
 * Nothing here prints: the result says what happened and why, and the CLI or the controller
 * renders it.
 */
import type { DesiredState } from "../desired/load.js";
import { loadDesiredState } from "../desired/load.js";
import type { Diagnostic } from "../model/diagnostics.js";
import type { Policy, PolicyResult } from "../policy/index.js";
import { evaluatePlanPolicies, evaluateSpecPolicies, hasDenials, loadPolicies, mergeResults } from "../policy/index.js";
import type { EventSink } from "../model/events.js";
import type { ApplyResult, RecordedCall } from "../reconciler/apply.js";
import { applyPlan } from "../reconciler/apply.js";
import type { SnapshotSource } from "../reconciler/read-actual.js";
import { isPlanStale, planReconcile } from "../reconciler/engine.js";
import type { DeleteGuardOptions } from "../reconciler/guard.js";
import { checkDeleteGuard } from "../reconciler/guard.js";
import type { Plan } from "../model/plan.js";
import { hasChanges } from "../model/plan.js";
import type { AwsGateway } from "../aws/gateway.js";
import type { FreezeSettings, FreezeStatus } from "../freeze/status.js";
import { describeFreezes, freezeSettingsOf, freezeStatus, hasFreezeSettings } from "../freeze/status.js";
import type { DeferredChange } from "./deferral.js";
import { deferredChanges, runningExecutions, withoutDeferred } from "./deferral.js";
import { currentTime } from "../util/clock.js";

export type { DeferredChange } from "./deferral.js";
export type { FreezeSettings, FreezeStatus } from "../freeze/status.js";

/** Why a plan is not applied, with a stable code a script or the controller can match on. */
export interface Refusal {
  code: "policy-denied" | "delete-guard" | "stale-plan" | "frozen" | "suspended";
  message: string;
}

/** A plan saved with --out: the engine's Plan, plus the freezes of the desired state it was made from. */
export interface SavedPlan extends Plan {
  freeze?: FreezeSettings;
  /** patchctl.yaml suspend: of the desired state it was made from: applying it is refused. */
  suspend?: string;
}

/** What the reviewer is shown besides the plan: whether applying is frozen, and what is deferred. */
export interface ReviewContext {
  /** Absent when the desired state has no freezes and no change calendars. */
  freeze?: FreezeStatus;
  deferred: DeferredChange[];
}

/** A desired state that passed loading, validation and the spec-level policies. */
export interface PreparedDesired {
  state: DesiredState;
  policies: Policy[];
  /** Spec-level findings (warnings, exemptions); no denials, or it would not be prepared. */
  specPolicy: PolicyResult;
}

/** Not ok: the errors (loading, validation, malformed policies), or the spec-level denials in `denied`. */
export type PrepareResult = { ok: true; prepared: PreparedDesired; warnings: Diagnostic[] } | { ok: false; errors: Diagnostic[]; denied?: PreparedDesired };

/** Loads and validates DIR and checks it against the built-in and user policies. */
export async function prepareDesired(dir: string, policiesDir: string | undefined): Promise<PrepareResult> {
  const loaded = await loadDesiredState(dir);
  if (!loaded.state) return { ok: false, errors: loaded.diagnostics.filter((d) => d.severity === "error") };
  return prepareState(loaded.state, policiesDir, loaded.diagnostics);
}

/** The spec-policy stage for a state already loaded (a deployment's, a controller's commit). */
export async function prepareState(state: DesiredState, policiesDir: string | undefined, warnings: Diagnostic[] = []): Promise<PrepareResult> {
  const { policies, errors } = await loadPolicies(policiesDir);
  if (errors.length) return { ok: false, errors };
  const specPolicy = evaluateSpecPolicies(state, policies);
  if (hasDenials(specPolicy)) return { ok: false, errors: [], denied: { state, policies, specPolicy } };
  return { ok: true, prepared: { state, policies, specPolicy }, warnings };
}

/** Runs `fn` holding the owner's write lease in this account and region. */
/**
 * Runs `fn` holding the owner's write lease; the scope may hand `fn` a signal that aborts when the
 * lease is lost while it runs (Lease.keepWhile), which stops the apply before its next call.
 */
export type LeaseScope = <T>(fn: (leaseLost?: AbortSignal) => Promise<T>) => Promise<T>;

export interface ReconcileRequest {
  gateway: AwsGateway;
  region: string;
  /** Default: the desired state's owner. */
  owner?: string;
  adopt?: boolean;
  /** --target KIND/NAME: only these resources and what they need (a partial plan: nothing else is deleted). */
  targets?: readonly string[];
  allowDestructive?: boolean;
  deleteGuard: DeleteGuardOptions;
  /** "plan": stop after the checks; "dry-run": also list the calls; "apply": apply under the lease. */
  mode: "plan" | "dry-run" | "apply";
  /** How the lease is held while planning and applying (mode "apply" only). */
  lease?: LeaseScope;
  /**
   * Shown the plan, its findings and its refusals once they are known, before anything is applied
   * (to render it, save it, ask for a 'yes'); false cancels the apply.
   */
  review?: (plan: Plan, policy: PolicyResult, refusals: Refusal[], context: ReviewContext) => Promise<boolean>;
  /**
   * --ignore-freeze: apply during a freeze, for this reason (required, non-empty), which the outcome
   * carries so every output shows it.
   */
  ignoreFreeze?: string;
  /** The instant freezes, change calendars and rollouts are evaluated at (default: now; PATCHCTL_NOW in tests). */
  now?: Date;
  /** Typed events with stable codes (src/model/events.ts, docs/events.md): the read, the plan, each call and outcome of the apply. */
  onEvent?: EventSink;
  afterWrite?: (call: RecordedCall) => void | Promise<void>;
  signal?: AbortSignal;
  /** Where the plan's snapshot comes from (default: a full read); in mode "apply", changes that would be applied are planned again from a full read. */
  snapshots?: SnapshotSource;
}

export interface ReconcileOutcome {
  plan: Plan;
  /** Spec-level and plan-level findings together. */
  policy: PolicyResult;
  /** Empty when the plan may be applied. */
  refusals: Refusal[];
  /** The apply (or, in a dry run, the calls it would make); absent when nothing was applied. */
  result?: ApplyResult;
  /** The reviewer said no. */
  cancelled?: boolean;
  /** Whether applying is frozen (absent when the desired state has no freezes and no change calendars). */
  freeze?: FreezeStatus;
  /** Changes held back because their window is executing; applied by a later run. */
  deferred: DeferredChange[];
}

/** What blocks a plan: denied policies, then the delete guard. */
function refusalsOf(plan: Plan, policy: PolicyResult, guard: DeleteGuardOptions): Refusal[] {
  const refusals: Refusal[] = [];
  if (hasDenials(policy)) {
    const ids = [...new Set(policy.findings.filter((f) => f.severity === "deny").map((f) => f.policyId))];
    refusals.push({ code: "policy-denied", message: `policy denied the change (${ids.join(", ") || "invalid exemption"})` });
  }
  const guardRefusal = checkDeleteGuard(plan, guard);
  if (guardRefusal) refusals.push({ code: "delete-guard", message: guardRefusal });
  return refusals;
}

/** Plans a prepared desired state against the account and, in mode "apply", applies what the checks allow. */
export async function reconcilePrepared(prepared: PreparedDesired, req: ReconcileRequest): Promise<ReconcileOutcome> {
  const owner = req.owner ?? prepared.state.config.owner;
  const settings = freezeSettingsOf(prepared.state.config);
  const suspend = prepared.state.config.suspend;
  const judge = (plan: Plan): PolicyResult => mergeResults(prepared.specPolicy, evaluatePlanPolicies(plan, prepared.state, prepared.policies, { allowDestructive: req.allowDestructive ?? false }));
  const run = async (leaseLost?: AbortSignal): Promise<ReconcileOutcome> => {
    // A plan from a reused snapshot (watch's cheap cycles) is made again from a full read only when
    // it would be applied: a suspended, frozen or refused one is reported from the snapshot, so a
    // controller held back for days does not read the account in full every cycle.
    let freeze: FreezeStatus | undefined;
    let judged: { plan: Plan; policy: PolicyResult } | undefined;
    const wouldApply = async (plan: Plan): Promise<boolean> => {
      judged = { plan, policy: judge(plan) };
      if (suspend !== undefined || refusalsOf(plan, judged.policy, req.deleteGuard).length > 0) return false;
      freeze = await freezeOf(settings, req);
      return !(freeze?.frozen === true && req.ignoreFreeze === undefined);
    };
    const { plan } = await planReconcile({ state: prepared.state, gateway: req.gateway, owner, region: req.region, adopt: req.adopt, targets: req.targets, now: req.now, onEvent: req.onEvent, snapshots: req.snapshots, freshBeforeChanges: req.mode === "apply" ? wouldApply : false });
    req.onEvent?.({ code: "PATCHCTL_I2001", owner: plan.owner, region: plan.region, summary: plan.summary, partial: plan.partial !== undefined });
    const policy = judged?.plan === plan ? judged.policy : judge(plan);
    return finish(plan, policy, withLeaseSignal(req, leaseLost), settings, suspend, freeze);
  };
  if (req.mode !== "apply") return run();
  if (!req.lease) throw new Error("applying needs the write lease");
  return req.lease(run);
}

/**
 * A plan saved with --out, applied exactly: refused when the account moved since it was made
 * (its policies were checked when it was saved: a denied plan is never written).
 */
export async function applySavedPlan(plan: SavedPlan, req: Omit<ReconcileRequest, "mode" | "adopt" | "owner" | "allowDestructive">): Promise<ReconcileOutcome> {
  if (!req.lease) throw new Error("applying needs the write lease");
  const empty: PolicyResult = { findings: [], exemptions: [], errors: [] };
  return req.lease(async (leaseLost) => {
    if (await isPlanStale(plan, req.gateway)) {
      return { plan, policy: empty, refusals: [{ code: "stale-plan", message: "Saved plan is stale: the account changed since the plan was made. Run patchctl reconcile --plan again" }], deferred: [] };
    }
    return finish(plan, empty, withLeaseSignal({ ...req, mode: "apply" }, leaseLost), plan.freeze, plan.suspend);
  });
}

/** The freeze refusal: what is in force, why, until when, and how to apply anyway. */
function freezeRefusal(status: FreezeStatus): Refusal {
  return { code: "frozen", message: `applying is frozen: ${describeFreezes(status)}. --ignore-freeze "<reason>" applies anyway` };
}

/** patchctl.yaml `suspend:`: nothing is applied while it is set, whatever the plan holds. */
export function suspendRefusal(reason: string): Refusal {
  return { code: "suspended", message: `applying is suspended (patchctl.yaml suspend: "${reason}"); remove suspend: to apply again` };
}

/** The request whose signal also aborts when the write lease is lost. */
function withLeaseSignal<R extends { signal?: AbortSignal }>(req: R, leaseLost: AbortSignal | undefined): R {
  if (!leaseLost) return req;
  return { ...req, signal: req.signal ? AbortSignal.any([req.signal, leaseLost]) : leaseLost };
}

/** Whether applying is frozen now (undefined when the desired state has no freezes and no change calendars). */
async function freezeOf(settings: FreezeSettings | undefined, req: ReconcileRequest): Promise<FreezeStatus | undefined> {
  return hasFreezeSettings(settings) ? freezeStatus(settings, req.gateway, req.now ?? currentTime()) : undefined;
}

async function finish(plan: Plan, policy: PolicyResult, req: ReconcileRequest, settings: FreezeSettings | undefined, suspend: string | undefined, known?: FreezeStatus): Promise<ReconcileOutcome> {
  const refusals = refusalsOf(plan, policy, req.deleteGuard);
  // Suspended is reported in every mode (the review shows it); it refuses an apply, with nothing to waive it.
  if (suspend !== undefined && req.mode === "apply") refusals.push(suspendRefusal(suspend));
  if (req.ignoreFreeze !== undefined && req.ignoreFreeze.trim() === "") throw new Error("--ignore-freeze needs a reason");
  // Frozen is reported in every mode; it refuses only an apply, and --ignore-freeze waives it.
  const freeze = known ?? (await freezeOf(settings, req));
  if (freeze?.frozen && req.mode === "apply") {
    if (req.ignoreFreeze !== undefined) freeze.waived = req.ignoreFreeze.trim();
    else refusals.push(freezeRefusal(freeze));
  }
  const deferred = hasChanges(plan) ? deferredChanges(plan, await runningExecutions(plan, req.gateway)) : [];
  const outcome: ReconcileOutcome = { plan, policy, refusals, deferred };
  if (freeze) outcome.freeze = freeze;
  const proceed = req.review ? await req.review(plan, policy, refusals, { freeze, deferred }) : true;
  if (refusals.length > 0 || req.mode === "plan") return outcome;
  if (!proceed) return { ...outcome, cancelled: true };
  const applicable = withoutDeferred(plan, deferred);
  if (req.mode === "dry-run") {
    outcome.result = await applyPlan(applicable, undefined, { owner: plan.owner, dryRun: true });
    return outcome;
  }
  if (!hasChanges(applicable)) return outcome;
  outcome.result = await applyPlan(applicable, req.gateway, { owner: plan.owner, dryRun: false, signal: req.signal, afterWrite: req.afterWrite, onEvent: req.onEvent });
  return outcome;
}
