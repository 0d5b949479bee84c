import type { Logger } from "pino";
import { lifecycle } from "./lifecycle-codes.js";
import type { DesiredState } from "../desired/load.js";
import { stateForDeployment } from "../desired/load.js";
import { formatDiagnostic } from "../model/diagnostics.js";
import type { DeferredChange, FreezeStatus, PreparedDesired, ReconcileOutcome } from "../pipeline/reconcile.js";
import { describeFreezes } from "../freeze/status.js";
import { prepareState, reconcilePrepared } from "../pipeline/reconcile.js";
import { deniedWarning, PatchPropertyCache, preflightBaselines } from "../pipeline/preflight.js";
import { Lease, LeaseHeldError } from "../reconciler/lease.js";
import type { Plan } from "../model/plan.js";
import type { AwsGateway } from "../aws/gateway.js";
import { isApplyEvent } from "../model/events.js";
import { logEvent } from "./event-log.js";
import type { GitSource } from "./git-source.js";
import type { LoadedCommit } from "./commit-loader.js";
import { CommitLoader } from "./commit-loader.js";
import type { ControllerMetrics } from "./metrics.js";
import type { Notification, Notifier } from "./notify.js";
import { notifyAll } from "./notify.js";
import type { CycleSample, LastApply, StatusChange, StatusExemption, StatusFinding, StatusRollout } from "../status-page/index.js";
import { pushSample, statusChanges, statusFindings, statusRollouts } from "../status-page/index.js";
import type { ReadCadenceStatus } from "./read-cadence.js";
import { ReadCadence } from "./read-cadence.js";
import type { ReplicaShare } from "./replicas.js";

export interface ControllerOptions {
  source: GitSource;
  /** Desired-state directory inside the repository. */
  path: string;
  /**
   * Where commits come from, loaded once for every controller of the process (default: a loader of
   * `source` for this controller alone). With deployments, `watch` gives all its controllers one.
   */
  commits?: CommitLoader;
  owner?: string;
  region: string;
  gateway: AwsGateway;
  apply: boolean;
  intervalMs: number;
  maxBackoffMs?: number;
  maxDeletePercent: number;
  allowMassDelete: boolean;
  logger: Logger;
  metrics: ControllerMetrics;
  notifiers: Notifier[];
  /** Your own policies (--policies DIR), checked besides the built-in ones, on every commit and plan. */
  policiesDir?: string;
  /** With deployments in patchctl.yaml: the deployment this controller reconciles. */
  deployment?: string;
  /** --resync-every N: a full read every N cycles, cheap reads (the list calls) in between (default 10). */
  resyncEvery?: number;
  /** Replicas sharing the deployment-regions: at each cycle boundary, may this controller hold its lease (replicas.ts). */
  share?: ReplicaShare;
  /** The write lease's expiry (default: twice the interval, at least 60 s). */
  leaseTtlMs?: number;
}

export interface CycleResult {
  at: string;
  ok: boolean;
  commit?: string;
  summary?: Plan["summary"];
  applied?: number;
  /** Applying was frozen this cycle (planned and reported, nothing applied). */
  frozen?: boolean;
  /** Changes held back this cycle because their window is executing. */
  deferred?: number;
  error?: string;
}

export interface ControllerStatus {
  owner?: string;
  deployment?: string;
  region?: string;
  ready: boolean;
  commit?: string;
  lastGoodCommit?: string;
  badCommit?: { commit: string; errors: string[] };
  lastResult?: CycleResult;
  /** The plan the pipeline refuses to apply (policy denial, delete guard), until the desired state or the account changes. */
  refused?: { commit?: string; since: string; reasons: { code: string; message: string }[] };
  /** patchctl.yaml `suspend:` in force: planned and reported, nothing applied, until a commit removes it. */
  suspended?: { since: string; reason: string };
  /** A change freeze in force (patchctl.yaml freezes:, a CLOSED change calendar): planned and reported, nothing applied. */
  frozen?: { since: string; freezes: FreezeStatus["active"] };
  /** Changes waiting for a window execution to end; applied by the first cycle after it. */
  deferred: { key: string; window: string; since: string; reason: string }[];
  holdsLease: boolean;
  drifted: { key: string; action: string; fields: string[] }[];
  /** The cadence of full and cheap reads, and the last cycle's AWS calls. */
  reads?: ReadCadenceStatus & { callsLastCycle: number };
}

/** What the status page shows of this controller besides its status: masked changes, findings, recent cycles. */
export interface ControllerPage {
  changes: StatusChange[];
  rollouts: StatusRollout[];
  findings: StatusFinding[];
  exemptions: StatusExemption[];
  /** The last cycles, oldest first (a ring of 30). */
  history: CycleSample[];
  lastApply?: LastApply;
  /** When the account was last read in full (every cycle reads it all). */
  lastFullRead?: string;
  /** A cycle is applying changes right now. */
  applying: boolean;
}

/**
 * The watch loop: level-based, like a Kubernetes controller. Every cycle reconciles
 * the account against the desired state at the newest good commit, whether or not a
 * commit arrived, so drift is corrected (or only reported without --apply). A commit that
 * fails validation is not applied; the last good one stays in force. Errors back off
 * exponentially and recover by themselves.
 */
export class Controller {
  readonly status: ControllerStatus = { ready: false, holdsLease: false, drifted: [], deferred: [] };
  readonly page: ControllerPage = { changes: [], rollouts: [], findings: [], exemptions: [], history: [], applying: false };
  private goodState?: DesiredState;
  private prepared?: PreparedDesired;
  /** Commit, account fingerprint and reasons of the refusal last reported: reported once, not every cycle. */
  private lastRefusalSignature = "";
  private checkedOut?: string;
  private failures = 0;
  private lastDriftSignature = "";
  /** The changes last reported as deferred: logged when the set changes, not every cycle. */
  private lastDeferredSignature = "";
  private lease?: Lease;
  private readonly abort = new AbortController();
  private wake?: () => void;
  private readonly reads: ReadCadence;
  private readonly commits: CommitLoader;
  /**
   * A replica's controller that found its lease held by another replica does not ask again before
   * that lease would expire (when it could be taken) unless the number of live replicas changes (one
   * left or joined, so the shares moved): a standby costs no call per interval.
   */
  private leaseRetry?: { at: number; live: number };

  constructor(private readonly opts: ControllerOptions) {
    this.reads = new ReadCadence(opts.resyncEvery ?? 10);
    this.commits = opts.commits ?? new CommitLoader(opts.source, opts.path);
    this.status.deployment = opts.deployment;
    this.status.region = opts.region;
  }

  /** The desired state in force (the last good commit's), for the status page. */
  get desired(): DesiredState | undefined {
    return this.goodState;
  }

  get gateway(): AwsGateway {
    return this.opts.gateway;
  }

  get applies(): boolean {
    return this.opts.apply;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  private log(): Logger {
    return this.opts.logger.child({ commit: this.status.commit ?? null, owner: this.owner() ?? null, ...(this.opts.deployment ? { deployment: this.opts.deployment, region: this.opts.region } : {}) });
  }

  private owner(): string | undefined {
    return this.opts.owner ?? this.goodState?.config.owner;
  }

  private async notify(kind: Notification["kind"], text: string, details: Record<string, unknown>): Promise<void> {
    await notifyAll(this.opts.notifiers, { kind, owner: this.owner() ?? "unknown", commit: this.status.commit, text, details }, (err) => this.log().warn({ ...lifecycle("notify-failed"), err: String(err) }, "notification failed"));
  }

  /** Validates the newest commit for this deployment-region, and falls back to the last good one when it is bad. */
  private async refreshDesiredState(head: LoadedCommit): Promise<DesiredState | undefined> {
    const { commit, loaded } = head;
    this.status.commit = commit;
    if (commit === this.checkedOut) return this.goodState;
    this.checkedOut = commit;
    // Loaded once per process (CommitLoader); filter values are checked against the account (the online pre-flight below), as reconcile does.
    const refuse = async (errors: string[]): Promise<DesiredState | undefined> => {
      this.status.badCommit = { commit, errors };
      this.log().error({ ...lifecycle("commit-refused"), errors }, `commit ${commit.slice(0, 12)} is invalid; keeping ${this.status.lastGoodCommit?.slice(0, 12) ?? "nothing"}`);
      await this.notify("failure", `patchctl: commit ${commit.slice(0, 12)} refused (${errors.length} error(s)); last good commit stays in force`, { errors: errors.slice(0, 20) });
      return this.goodState;
    };
    if (!loaded.state) return refuse(loaded.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic));
    const chosen = this.opts.deployment === undefined ? loaded.state : loaded.state.deployments.find((d) => d.spec.name === this.opts.deployment);
    if (!chosen) return refuse([`deployment '${this.opts.deployment}' is not in patchctl.yaml any more`]);
    const state = "spec" in chosen ? stateForDeployment(loaded.state, chosen) : chosen;
    // The online pre-flight (docs/preflight.md), once per commit: only a new commit can bring a new filter value.
    const cache = new PatchPropertyCache(this.opts.gateway);
    let preflight: Awaited<ReturnType<typeof preflightBaselines>>;
    try {
      preflight = await preflightBaselines(state.resources, cache);
    } catch (err) {
      this.checkedOut = undefined; // the account could not be asked (throttled, the network): check this commit again next cycle
      throw err;
    }
    const denied = deniedWarning(cache);
    if (denied) this.log().warn({ ...lifecycle("preflight-denied"), error: cache.denied }, denied);
    const filterErrors = preflight.diagnostics.filter((d) => d.severity === "error");
    if (filterErrors.length > 0) return refuse(filterErrors.map(formatDiagnostic));
    // The same validation and spec-level policies as reconcile: a commit they deny is refused like an invalid one.
    const prepared = await prepareState(state, this.opts.policiesDir);
    if (!prepared.ok) {
      const denials = prepared.denied?.specPolicy.findings.filter((f) => f.severity === "deny").map((f) => `${f.file}:${f.line}:${f.column}: [${f.policyId}] ${f.resource}: ${f.message}`) ?? [];
      const invalidExemptions = prepared.denied?.specPolicy.errors.filter((e) => e.severity === "error").map(formatDiagnostic) ?? [];
      return refuse([...prepared.errors.map(formatDiagnostic), ...denials, ...invalidExemptions]);
    }
    this.goodState = state;
    this.prepared = prepared.prepared;
    this.reads.invalidate(); // a new commit: read in full
    this.status.lastGoodCommit = commit;
    this.status.badCommit = undefined;
    this.status.owner = this.owner();
    this.log().info({ ...lifecycle("commit-loaded"), resources: loaded.state.resources.length }, `desired state at ${commit.slice(0, 12)} loaded`);
    return this.goodState;
  }

  /** One reconcile cycle; never throws. */
  async cycle(): Promise<CycleResult> {
    const started = Date.now();
    const callsBefore = totalCalls(this.opts.gateway);
    const end = this.opts.metrics.duration.startTimer();
    let result: CycleResult;
    let refused: string | undefined;
    try {
      const head = await this.commits.current();
      this.status.commit = head.commit;
      let leaseChecked = false;
      if (this.opts.share && this.opts.apply) {
        // A replica decides first whether this deployment-region is its share: one that is not
        // prepares nothing for it (no pre-flight, no validation, no policies) and reads nothing.
        const owner = this.opts.owner ?? head.loaded.state?.config.owner ?? this.goodState?.config.owner;
        if (owner !== undefined) {
          await this.ensureLease(owner);
          leaseChecked = true;
          if (!this.status.holdsLease) return this.standby();
        }
      }
      const state = await this.refreshDesiredState(head);
      if (!state || !this.prepared) throw new Error("no valid desired state yet");
      const owner = this.owner()!;
      // An applying controller holds the write lease for as long as it runs; a second one waits.
      if (this.opts.apply && !leaseChecked) await this.ensureLease(owner);
      if (this.opts.share && !this.status.holdsLease) return this.standby(); // another replica's share: read nothing
      const applying = this.opts.apply && this.status.holdsLease;
      const outcome = await reconcilePrepared(this.prepared, {
        gateway: this.opts.gateway,
        region: this.opts.region,
        owner,
        deleteGuard: { maxDeletePercent: this.opts.maxDeletePercent, allowMassDelete: this.opts.allowMassDelete },
        mode: applying ? "apply" : "plan",
        // Held across cycles (ensureLease), and renewed while the cycle runs: one longer than the
        // lease's TTL must not let another replica take it mid-apply.
        lease: (fn) => this.keepLease(fn),
        signal: this.abort.signal,
        onEvent: (e) => {
          if (isApplyEvent(e)) this.page.applying = true;
          logEvent(this.log(), e);
        },
        snapshots: this.reads,
      });
      if (outcome.result && outcome.result.outcomes.length > 0) this.reads.invalidate(); // the account moved under the snapshot
      const plan = outcome.plan;
      this.page.applying = false;
      this.page.changes = statusChanges(plan, outcome.deferred);
      this.page.rollouts = statusRollouts(plan);
      Object.assign(this.page, statusFindings(outcome.policy, head.dir));
      const active = plan.changes.filter((c) => c.action !== "noop");
      this.status.drifted = active.map((c) => ({ key: c.key, action: c.action, fields: c.fields.map((f) => f.path) }));
      this.opts.metrics.drift.reset();
      for (const c of active) this.opts.metrics.drift.inc({ kind: c.type });
      let applied = 0;
      await this.reportFreeze(outcome.freeze);
      this.reportDeferred(outcome.deferred);
      // A freeze is not a refused plan: it is shown as frozen and lifts by itself.
      // Nor is patchctl.yaml suspend: (shown as suspended, lifts when the commit removes it).
      this.reportSuspend(outcome.refusals.find((r) => r.code === "suspended")?.message);
      const refusals = outcome.refusals.filter((r) => r.code !== "frozen" && r.code !== "suspended");
      if (this.opts.apply && refusals.length > 0) {
        refused = await this.reportRefusal({ ...outcome, refusals }, plan.stateFingerprint);
      } else {
        this.clearRefusal();
      }
      const res = outcome.result;
      if (res) {
        for (const o of res.outcomes) {
          if (o.status !== "applied") continue;
          applied++;
          const c = plan.changes.find((x) => x.key === o.key)!;
          this.opts.metrics.changesApplied.inc({ kind: c.type, action: c.action });
        }
        // Each outcome is logged as it comes in (logEvent: change-applied, change-failed, with its code).
        const failedCount = res.outcomes.filter((o) => o.status === "failed" || o.status === "skipped").length;
        if (applied > 0 || failedCount > 0) this.page.lastApply = { at: new Date().toISOString(), applied, failed: failedCount, ok: res.ok };
        if (applied > 0) await this.notify("applied", `patchctl applied ${applied} change(s) for ${owner}`, { applied: res.outcomes.filter((o) => o.status === "applied").map((o) => `${o.action} ${o.key}`) });
        if (!res.ok) throw new Error(`${res.outcomes.filter((o) => o.status === "failed").length} change(s) failed`);
      } else if ((!this.opts.apply || outcome.freeze?.frozen === true || this.status.suspended !== undefined) && active.length > 0) {
        // Reporting only (--no-apply), frozen or suspended: drift is reported, once per set of changes.
        const signature = active.map((c) => `${c.action}:${c.key}`).join(",");
        if (signature !== this.lastDriftSignature) {
          this.lastDriftSignature = signature;
          this.log().warn({ ...lifecycle("drift"), count: active.length }, `${active.length} resource(s) differ from the desired state`);
          await this.notify("drift", `patchctl: ${active.length} resource(s) of ${owner} differ from the desired state`, { drifted: this.status.drifted.slice(0, 50) });
        }
      }
      if (active.length === 0) this.lastDriftSignature = "";
      // A refused plan is not a failure to back off from: the cycle worked, and its answer stands until something changes.
      const frozen = outcome.freeze?.frozen === true;
      result = { at: new Date().toISOString(), ok: refused === undefined, commit: this.status.commit, summary: plan.summary, applied, ...(frozen ? { frozen } : {}), ...(outcome.deferred.length ? { deferred: outcome.deferred.length } : {}), ...(refused ? { error: `refused: ${refused}` } : {}) };
      this.failures = 0;
      this.status.ready = true;
      this.opts.metrics.lastSuccess.set(Date.now() / 1000);
      this.opts.metrics.cycles.inc({ result: refused ? "refused" : "success" });
      this.log().info({ ...lifecycle("cycle"), ok: refused === undefined, ms: Date.now() - started, summary: plan.summary, applied, ...(frozen ? { frozen } : {}), ...(outcome.deferred.length ? { deferred: outcome.deferred.length } : {}), ...(refused ? { refused } : {}) }, "cycle complete");
    } catch (err) {
      this.failures++;
      this.reads.invalidate();
      const message = err instanceof Error ? err.message : String(err);
      result = { at: new Date().toISOString(), ok: false, commit: this.status.commit, error: message };
      this.opts.metrics.cycles.inc({ result: "failure" });
      this.log().error({ ...lifecycle("cycle-failed"), ok: false, error: message, failures: this.failures }, "cycle failed");
      await this.notify("failure", `patchctl cycle failed: ${message}`, { failures: this.failures });
    } finally {
      this.page.applying = false;
      end();
      const calls = totalCalls(this.opts.gateway) - callsBefore;
      this.status.reads = { ...this.reads.status(), callsLastCycle: calls };
      const fullAt = this.reads.lastFullReadAt;
      if (fullAt) this.page.lastFullRead = fullAt.toISOString();
      this.opts.metrics.recordCycleReads({ deployment: this.opts.deployment, region: this.opts.region }, calls, this.reads.lastReadKind, this.reads.lastFullReadAt);
      this.opts.metrics.syncCalls(this.opts.gateway.stats, { deployment: this.opts.deployment, region: this.opts.region }, this.opts.gateway.rates());
    }
    this.status.lastResult = result;
    pushSample(this.page.history, { at: result.at, ms: Date.now() - started, calls: totalCalls(this.opts.gateway) - callsBefore, applied: result.applied ?? 0, ok: result.ok });
    return result;
  }

  /** patchctl.yaml `suspend:`: /status `suspended`, and one log line when it begins and when it ends. */
  private reportSuspend(message: string | undefined): void {
    const was = this.status.suspended;
    if (message !== undefined) {
      if (!was) this.log().warn({ ...lifecycle("suspend-begins"), reason: message }, message);
      this.status.suspended = { since: was?.since ?? new Date().toISOString(), reason: message };
    } else if (was) {
      this.log().info({ ...lifecycle("suspend-ends") }, "patchctl.yaml suspend: removed; applying again");
      this.status.suspended = undefined;
    }
  }

  /** Logs, shows and notifies a refused plan once per (commit, account state, reasons); returns the reasons. */
  private async reportRefusal(outcome: ReconcileOutcome, fingerprint: string): Promise<string> {
    const reasons = outcome.refusals.map((r) => ({ code: r.code, message: r.message }));
    const text = reasons.map((r) => r.message).join("; ");
    const signature = JSON.stringify([this.status.lastGoodCommit, fingerprint, reasons]);
    this.opts.metrics.planRefused.set(1);
    if (signature === this.lastRefusalSignature) return text;
    this.lastRefusalSignature = signature;
    this.status.refused = { commit: this.status.lastGoodCommit, since: new Date().toISOString(), reasons };
    const denied = outcome.policy.findings.filter((f) => f.severity === "deny").map((f) => `[${f.policyId}] ${f.resource}: ${f.message}`);
    this.log().error({ ...lifecycle("plan-refused"), reasons, denied }, `plan refused, nothing applied: ${text}`);
    await this.notify("failure", `patchctl: plan for ${this.owner() ?? "unknown"} refused, nothing applied: ${text}`, { reasons, denied: denied.slice(0, 20) });
    return text;
  }

  /**
   * A change freeze: /status `frozen`, the patchctl_frozen gauge, and one log line and one
   * notification when it begins and when it ends (not every cycle).
   */
  private async reportFreeze(freeze: FreezeStatus | undefined): Promise<void> {
    const frozen = freeze?.frozen === true;
    this.opts.metrics.frozen.set(frozen ? 1 : 0);
    if (frozen && freeze) {
      const began = this.status.frozen === undefined;
      this.status.frozen = { since: this.status.frozen?.since ?? freeze.at, freezes: freeze.active };
      if (!began) return;
      const text = describeFreezes(freeze);
      this.log().warn({ ...lifecycle("freeze-began"), freezes: freeze.active }, `change freeze in force, nothing is applied: ${text}`);
      await this.notify("freeze", `patchctl: change freeze began for ${this.owner() ?? "unknown"}, nothing is applied: ${text}`, { state: "began", freezes: freeze.active });
      return;
    }
    const was = this.status.frozen;
    if (!was) return;
    this.status.frozen = undefined;
    this.log().info({ ...lifecycle("freeze-ended"), since: was.since, freezes: was.freezes }, "change freeze ended, applying again");
    await this.notify("freeze", `patchctl: change freeze ended for ${this.owner() ?? "unknown"}, applying again`, { state: "ended", since: was.since, freezes: was.freezes });
  }

  /** Deferred changes: in /status every cycle, logged when the set changes. */
  private reportDeferred(deferred: DeferredChange[]): void {
    this.status.deferred = deferred.map((d) => ({ key: d.key, window: d.window, since: d.since, reason: d.reason }));
    this.opts.metrics.deferred.set(deferred.length);
    const signature = deferred.map((d) => `${d.key}@${d.executionId}`).join(",");
    if (signature === this.lastDeferredSignature) return;
    this.lastDeferredSignature = signature;
    if (deferred.length > 0) this.log().warn({ ...lifecycle("changes-deferred"), deferred: this.status.deferred }, `${deferred.length} change(s) deferred: their windows are executing`);
  }

  private clearRefusal(): void {
    this.lastRefusalSignature = "";
    this.status.refused = undefined;
    this.opts.metrics.planRefused.set(0);
  }

  /** This deployment-region and region as the replica share names it. */
  get shareKey(): string {
    return `${this.opts.deployment ?? ""}/${this.opts.region}`;
  }

  /** A cycle of a controller whose deployment-region is another replica's share: ok, nothing read. */
  private standby(): CycleResult {
    this.failures = 0;
    this.status.ready = true;
    const result: CycleResult = { at: new Date().toISOString(), ok: true, commit: this.status.commit };
    this.status.lastResult = result;
    return result;
  }

  /** Runs `fn` renewing the held lease every third of its TTL; a lost lease stops the apply before its next call. */
  private keepLease<T>(fn: (leaseLost?: AbortSignal) => Promise<T>): Promise<T> {
    if (!this.lease) return fn();
    return this.lease.keepWhile(fn, (err) => {
      this.status.holdsLease = false;
      this.opts.share?.drop(this.shareKey);
      this.log().warn({ ...lifecycle("lease-lost"), error: err.message }, `${err.message}: the apply stops before its next call`);
    });
  }

  private async ensureLease(owner: string): Promise<void> {
    this.lease ??= new Lease(this.opts.gateway, owner, this.opts.share?.id, this.opts.leaseTtlMs ?? Math.max(2 * this.opts.intervalMs, 60_000));
    if (this.lease.owner !== owner) throw new Error("the owner changed while running; restart the controller");
    const share = this.opts.share;
    if (share && !this.status.holdsLease && this.leaseRetry && Date.now() < this.leaseRetry.at && share.liveReplicas === this.leaseRetry.live) return;
    this.leaseRetry = undefined;
    const decision = share?.decide(this.shareKey);
    if (decision === "release") {
      this.log().info({ ...lifecycle("lease-share-release") }, "over this replica's share: releasing the write lease");
      await this.releaseLease();
      return;
    }
    if (decision === "standby") {
      this.status.holdsLease = false;
      return;
    }
    try {
      if (this.status.holdsLease) await this.lease.renew();
      else await this.lease.acquire();
      this.status.holdsLease = true;
    } catch (err) {
      this.status.holdsLease = false;
      share?.drop(this.shareKey);
      if (err instanceof LeaseHeldError) {
        if (share) {
          const expires = Date.parse(err.record.expiresAt);
          this.leaseRetry = { at: Number.isFinite(expires) ? Math.min(expires, Date.now() + this.lease.ttl) : 0, live: share.liveReplicas };
        }
        this.log().warn({ ...lifecycle("lease-wait"), holder: err.record.holder }, `waiting for the write lease (held by ${err.record.holder})`);
        return;
      }
      throw err;
    }
    // Won while the share filled with others won at the same time: given back before anything is read.
    if (share && !share.admit(this.shareKey)) {
      this.log().info({ ...lifecycle("lease-share-release") }, "this replica's share filled while the lease was taken: releasing it");
      await this.releaseLease();
    }
  }

  /**
   * The scheduled drift report's plan for this deployment-region: the last good commit against the
   * account, from a full read, changing nothing. Undefined before a commit loaded.
   */
  async driftPlan(): Promise<Plan | undefined> {
    if (!this.prepared) return undefined;
    const deleteGuard = { maxDeletePercent: this.opts.maxDeletePercent, allowMassDelete: this.opts.allowMassDelete };
    return (await reconcilePrepared(this.prepared, { gateway: this.opts.gateway, region: this.opts.region, owner: this.owner(), mode: "plan", deleteGuard })).plan;
  }

  /** Delay before the next cycle: the interval, doubled per consecutive failure, capped. */
  nextDelay(): number {
    if (this.failures === 0) return this.opts.intervalMs;
    return Math.min(this.opts.intervalMs * 2 ** this.failures, this.opts.maxBackoffMs ?? 10 * 60_000);
  }

  async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      await this.cycle();
      if (this.abort.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.nextDelay());
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Stops after the in-flight SSM call, and releases the lease. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
  }

  async releaseLease(): Promise<void> {
    if (!this.status.holdsLease || !this.lease) return;
    this.status.holdsLease = false;
    await this.lease.release();
  }
}

function totalCalls(gateway: AwsGateway): number {
  return Object.values(gateway.stats.calls).reduce((a, b) => a + b, 0);
}
