import { desiredPatchGroups, readCompliance } from "../compliance/report.js";
import type { ComplianceReport } from "../compliance/report.js";
import type { StatusPage, StatusRegion, StatusReplica } from "../status-page/index.js";
import { regionState } from "../status-page/index.js";
import { computeTimeline } from "../timeline/index.js";
import type { Timeline } from "../timeline/index.js";
import type { Controller } from "./controller.js";

export interface StatusPageOptions {
  /** How often the page reloads itself (seconds). */
  refreshSeconds: number;
  /** How long a compliance read is reused: the page may be loaded often, compliance is read at most this often per deployment-region. */
  complianceTtlMs: number;
  title?: string;
  /** With replicas sharing the deployment-regions: this replica's share and what it holds (as /status `replica`). */
  replica?: () => StatusReplica;
}

interface CachedCompliance {
  at: number;
  report?: ComplianceReport;
  error?: string;
  pending?: Promise<void>;
}

/**
 * The controller's status page model: each controller's status and recent cycles, and compliance
 * read on demand (cached for complianceTtlMs, one read in flight per deployment-region).
 */
export class StatusPageSource {
  private readonly compliance = new Map<Controller, CachedCompliance>();

  constructor(
    private readonly controllers: Controller[],
    private readonly opts: StatusPageOptions,
  ) {}

  async page(now = new Date()): Promise<StatusPage> {
    await Promise.all(this.controllers.map((c) => this.refreshCompliance(c, now.getTime())));
    const page: StatusPage = { title: this.opts.title ?? "patchctl status", generatedAt: now.toISOString(), refreshSeconds: this.opts.refreshSeconds, regions: this.controllers.map((c) => this.region(c)) };
    if (this.opts.replica) page.replica = this.opts.replica();
    const timeline = this.timeline(now);
    if (timeline) page.timeline = timeline;
    return page;
  }

  private region(c: Controller): StatusRegion {
    const s = c.status;
    const last = s.lastResult;
    const { state, reason } = regionState({
      failed: last && !last.ok ? (last.error ?? "the last cycle failed") : undefined,
      applying: c.page.applying,
      frozen: s.frozen ? `change freeze: ${s.frozen.freezes.map((f) => f.name + (f.until ? ` until ${f.until}` : "")).join(", ")}` : undefined,
      suspended: s.suspended ? s.suspended.reason : !last ? "waiting for the first cycle" : c.applies && !s.holdsLease ? "waiting for the write lease (another controller applies)" : undefined,
      changes: c.page.changes.length,
    });
    const cached = this.compliance.get(c);
    const r: StatusRegion = {
      region: s.region ?? "",
      state,
      changes: c.page.changes,
      rollouts: c.page.rollouts,
      refused: s.refused?.reasons ?? [],
      findings: c.page.findings,
      exemptions: c.page.exemptions,
      history: c.page.history,
    };
    if (s.deployment !== undefined) r.deployment = s.deployment;
    if (s.owner !== undefined) r.owner = s.owner;
    if (reason !== undefined) r.reason = reason;
    if (s.lastGoodCommit !== undefined) r.commit = s.lastGoodCommit;
    if (s.badCommit) r.badCommit = s.badCommit.commit;
    if (last) r.lastCycle = last.at;
    if (c.page.lastFullRead) r.lastFullRead = c.page.lastFullRead;
    if (c.page.lastApply) r.lastApply = c.page.lastApply;
    if (cached?.report) r.compliance = cached.report;
    if (cached?.error) r.complianceError = cached.error;
    return r;
  }

  private async refreshCompliance(c: Controller, now: number): Promise<void> {
    const state = c.desired;
    if (!state) return;
    const cached = this.compliance.get(c);
    if (cached?.pending) return cached.pending;
    if (cached && now - cached.at < this.opts.complianceTtlMs) return;
    const entry: CachedCompliance = cached ?? { at: now };
    entry.pending = readCompliance(c.gateway, { patchGroups: desiredPatchGroups(state), owner: c.status.owner ?? state.config.owner, instances: false }).then(
      (report) => {
        entry.report = report;
        entry.error = undefined;
      },
      (err: unknown) => {
        entry.error = err instanceof Error ? err.message : String(err);
      },
    ).finally(() => {
      entry.at = Date.now();
      entry.pending = undefined;
    });
    this.compliance.set(c, entry);
    return entry.pending;
  }

  /** The rollout of a patch released now, for the first deployment's desired state in force. */
  private timeline(now: Date): Timeline | undefined {
    const state = this.controllers.find((c) => c.desired)?.desired;
    if (!state) return undefined;
    try {
      return computeTimeline(state, { released: now, now });
    } catch {
      return undefined;
    }
  }
}
