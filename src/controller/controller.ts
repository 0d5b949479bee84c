import type { Logger } from "pino";
import type { DesiredState } from "../desired/load.js";
import { loadDesiredState, stateForDeployment } from "../desired/load.js";
import { formatDiagnostic } from "../model/diagnostics.js";
import { applyPlan } from "../reconciler/apply.js";
import { planReconcile } from "../reconciler/engine.js";
import { checkDeleteGuard } from "../reconciler/guard.js";
import { Lease, LeaseHeldError } from "../reconciler/lease.js";
import type { Plan } from "../reconciler/model.js";
import { hasChanges } from "../reconciler/model.js";
import type { SsmGateway } from "../reconciler/ssm-gateway.js";
import type { GitSource } from "./git-source.js";
import type { ControllerMetrics } from "./metrics.js";
import type { Notification, Notifier } from "./notify.js";
import { notifyAll } from "./notify.js";

export interface ControllerOptions {
  source: GitSource;
  /** Desired-state directory inside the repository. */
  path: string;
  owner?: string;
  region: string;
  gateway: SsmGateway;
  apply: boolean;
  intervalMs: number;
  maxBackoffMs?: number;
  maxDeletePercent: number;
  allowMassDelete: boolean;
  logger: Logger;
  metrics: ControllerMetrics;
  notifiers: Notifier[];
  /** Extra validation of a commit (policies); returns error lines, empty when fine. */
  gate?: (state: DesiredState) => Promise<string[]>;
  /** With deployments in patchctl.yaml: the deployment this controller reconciles. */
  deployment?: string;
}

export interface CycleResult {
  at: string;
  ok: boolean;
  commit?: string;
  summary?: Plan["summary"];
  applied?: number;
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
  holdsLease: boolean;
  drifted: { key: string; action: string; fields: string[] }[];
}

/**
 * The watch loop: level-based, like a Kubernetes controller. Every cycle reconciles
 * the account against the desired state at the newest good commit, whether or not a
 * commit arrived, so drift is corrected (or only reported without --apply). A commit that
 * fails validation is not applied; the last good one stays in force. Errors back off
 * exponentially and recover by themselves.
 */
export class Controller {
  readonly status: ControllerStatus = { ready: false, holdsLease: false, drifted: [] };
  private goodState?: DesiredState;
  private checkedOut?: string;
  private failures = 0;
  private lastDriftSignature = "";
  private lease?: Lease;
  private readonly abort = new AbortController();
  private wake?: () => void;

  constructor(private readonly opts: ControllerOptions) {
    this.status.deployment = opts.deployment;
    this.status.region = opts.region;
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
    await notifyAll(this.opts.notifiers, { kind, owner: this.owner() ?? "unknown", commit: this.status.commit, text, details }, (err) => this.log().warn({ event: "notify-failed", err: String(err) }, "notification failed"));
  }

  /** Fetches, validates the newest commit, and falls back to the last good one when it is bad. */
  private async refreshDesiredState(): Promise<DesiredState | undefined> {
    const commit = await this.opts.source.fetch();
    this.status.commit = commit;
    if (commit === this.checkedOut) return this.goodState;
    await this.opts.source.checkout(commit);
    this.checkedOut = commit;
    const loaded = await loadDesiredState(this.opts.source.resolve(this.opts.path));
    const errors = loaded.state ? (await this.opts.gate?.(loaded.state)) ?? [] : loaded.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
    if (!loaded.state || errors.length > 0) {
      this.status.badCommit = { commit, errors };
      this.log().error({ event: "commit-refused", errors }, `commit ${commit.slice(0, 12)} is invalid; keeping ${this.status.lastGoodCommit?.slice(0, 12) ?? "nothing"}`);
      await this.notify("failure", `patchctl: commit ${commit.slice(0, 12)} refused (${errors.length} error(s)); last good commit stays in force`, { errors: errors.slice(0, 20) });
      return this.goodState;
    }
    const chosen = this.opts.deployment === undefined ? loaded.state : loaded.state.deployments.find((d) => d.spec.name === this.opts.deployment);
    if (!chosen) {
      const errs = [`deployment '${this.opts.deployment}' is not in patchctl.yaml any more`];
      this.status.badCommit = { commit, errors: errs };
      this.log().error({ event: "commit-refused", errors: errs }, errs[0]);
      return this.goodState;
    }
    this.goodState = "spec" in chosen ? stateForDeployment(loaded.state, chosen) : chosen;
    this.status.lastGoodCommit = commit;
    this.status.badCommit = undefined;
    this.status.owner = this.owner();
    this.log().info({ event: "commit-loaded", resources: loaded.state.resources.length }, `desired state at ${commit.slice(0, 12)} loaded`);
    return this.goodState;
  }

  /** One reconcile cycle; never throws. */
  async cycle(): Promise<CycleResult> {
    const started = Date.now();
    const end = this.opts.metrics.duration.startTimer();
    let result: CycleResult;
    try {
      const state = await this.refreshDesiredState();
      if (!state) throw new Error("no valid desired state yet");
      const owner = this.owner()!;
      // An applying controller holds the write lease for as long as it runs; a second one waits.
      if (this.opts.apply) await this.ensureLease(owner);
      const { plan } = await planReconcile({ state, gateway: this.opts.gateway, owner, region: this.opts.region });
      const active = plan.changes.filter((c) => c.action !== "noop");
      this.status.drifted = active.map((c) => ({ key: c.key, action: c.action, fields: c.fields.map((f) => f.path) }));
      this.opts.metrics.drift.reset();
      for (const c of active) this.opts.metrics.drift.inc({ kind: c.type });
      let applied = 0;
      if (this.opts.apply && hasChanges(plan)) {
        const refusal = checkDeleteGuard(plan, { maxDeletePercent: this.opts.maxDeletePercent, allowMassDelete: this.opts.allowMassDelete });
        if (refusal) throw new Error(refusal);
        if (this.status.holdsLease) {
          const res = await applyPlan(plan, this.opts.gateway, { owner, dryRun: false, signal: this.abort.signal });
          for (const o of res.outcomes) {
            if (o.status !== "applied") continue;
            applied++;
            const c = plan.changes.find((x) => x.key === o.key)!;
            this.opts.metrics.changesApplied.inc({ kind: c.type, action: c.action });
            this.log().info({ event: "change-applied", key: o.key, action: o.action }, `${o.action} ${o.key}`);
          }
          for (const o of res.outcomes.filter((x) => x.status === "failed" || x.status === "skipped")) this.log().error({ event: "change-failed", key: o.key, error: o.error }, `${o.key} ${o.status}`);
          if (applied > 0) await this.notify("applied", `patchctl applied ${applied} change(s) for ${owner}`, { applied: res.outcomes.filter((o) => o.status === "applied").map((o) => `${o.action} ${o.key}`) });
          if (!res.ok) throw new Error(`${res.outcomes.filter((o) => o.status === "failed").length} change(s) failed`);
        }
      } else if (active.length > 0) {
        const signature = active.map((c) => `${c.action}:${c.key}`).join(",");
        if (signature !== this.lastDriftSignature) {
          this.lastDriftSignature = signature;
          this.log().warn({ event: "drift", count: active.length }, `${active.length} resource(s) differ from the desired state`);
          await this.notify("drift", `patchctl: ${active.length} resource(s) of ${owner} differ from the desired state`, { drifted: this.status.drifted.slice(0, 50) });
        }
      }
      if (active.length === 0) this.lastDriftSignature = "";
      result = { at: new Date().toISOString(), ok: true, commit: this.status.commit, summary: plan.summary, applied };
      this.failures = 0;
      this.status.ready = true;
      this.opts.metrics.lastSuccess.set(Date.now() / 1000);
      this.opts.metrics.cycles.inc({ result: "success" });
      this.log().info({ event: "cycle", ok: true, ms: Date.now() - started, summary: plan.summary, applied }, "cycle complete");
    } catch (err) {
      this.failures++;
      const message = err instanceof Error ? err.message : String(err);
      result = { at: new Date().toISOString(), ok: false, commit: this.status.commit, error: message };
      this.opts.metrics.cycles.inc({ result: "failure" });
      this.log().error({ event: "cycle", ok: false, error: message, failures: this.failures }, "cycle failed");
      await this.notify("failure", `patchctl cycle failed: ${message}`, { failures: this.failures });
    } finally {
      end();
      this.opts.metrics.syncCalls(this.opts.gateway.stats);
    }
    this.status.lastResult = result;
    return result;
  }

  private async ensureLease(owner: string): Promise<void> {
    this.lease ??= new Lease(this.opts.gateway, owner, undefined, Math.max(2 * this.opts.intervalMs, 60_000));
    if (this.lease.owner !== owner) throw new Error("the owner changed while running; restart the controller");
    try {
      if (this.status.holdsLease) await this.lease.renew();
      else await this.lease.acquire();
      this.status.holdsLease = true;
    } catch (err) {
      this.status.holdsLease = false;
      if (err instanceof LeaseHeldError) {
        this.log().warn({ event: "lease-wait", holder: err.record.holder }, `waiting for the write lease (held by ${err.record.holder})`);
        return;
      }
      throw err;
    }
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
