import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The controller's Prometheus metrics (served on /metrics). */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly cycles = new Counter({ name: "patchctl_cycles_total", help: "Reconcile cycles, by result", labelNames: ["result"], registers: [this.registry] });
  readonly duration = new Histogram({ name: "patchctl_cycle_duration_seconds", help: "Duration of reconcile cycles", buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300], registers: [this.registry] });
  readonly changesApplied = new Counter({ name: "patchctl_changes_applied_total", help: "Changes applied, by kind and action", labelNames: ["kind", "action"], registers: [this.registry] });
  readonly drift = new Gauge({ name: "patchctl_drift_resources", help: "Resources differing from the desired state at the last cycle, by kind", labelNames: ["kind"], registers: [this.registry] });
  readonly planRefused = new Gauge({ name: "patchctl_plan_refused", help: "1 while the desired state's plan is refused (policy denial, delete guard) and nothing is applied", registers: [this.registry] });
  readonly frozen = new Gauge({ name: "patchctl_frozen", help: "1 while a change freeze is in force (patchctl.yaml freezes:, a CLOSED change calendar) and nothing is applied", registers: [this.registry] });
  readonly deferred = new Gauge({ name: "patchctl_deferred_changes", help: "Changes held back at the last cycle because their maintenance window is executing", registers: [this.registry] });
  readonly lastSuccess = new Gauge({ name: "patchctl_last_success_timestamp_seconds", help: "Unix time of the last successful cycle", registers: [this.registry] });
  readonly ssmCalls = new Counter({ name: "patchctl_ssm_calls_total", help: "AWS calls made (SSM, and IAM for service roles), by deployment, region and operation; a call the SDK retried counts once", labelNames: ["deployment", "region", "operation"], registers: [this.registry] });
  readonly ssmErrors = new Counter({ name: "patchctl_ssm_errors_total", help: "AWS calls that failed after the SDK's retries, by deployment, region, operation and error code", labelNames: ["deployment", "region", "operation", "code"], registers: [this.registry] });
  readonly ssmThrottled = new Counter({ name: "patchctl_ssm_throttled_total", help: "Attempts the service throttled, whether the SDK's retry then succeeded or not, by deployment, region and operation", labelNames: ["deployment", "region", "operation"], registers: [this.registry] });
  readonly ssmRate = new Gauge({ name: "patchctl_ssm_rate_calls_per_second", help: "The rate each client paces its calls at (learnt from the service, at most --max-tps), by deployment, region and service", labelNames: ["deployment", "region", "service"], registers: [this.registry] });
  readonly cycleCalls = new Gauge({ name: "patchctl_cycle_calls", help: "AWS calls the last cycle made, by deployment, region and read (full, or cheap: the list calls only)", labelNames: ["deployment", "region", "read"], registers: [this.registry] });
  readonly lastFullRead = new Gauge({ name: "patchctl_last_full_read_timestamp_seconds", help: "Unix time of the last full read of the account, by deployment and region", labelNames: ["deployment", "region"], registers: [this.registry] });
  /** What each counter was last synced to, per label set: the gateway's counters only grow, the counters take the difference. */
  private readonly synced = new Map<string, number>();

  /** Adds what one deployment-region's gateway counted since the last sync, and sets its clients' rates. */
  syncCalls(
    stats: { calls: Record<string, number>; errors: Record<string, number>; throttled?: Record<string, number> },
    where: { deployment?: string; region: string },
    rates: Partial<Record<string, { rate: number }>> = {},
  ): void {
    const base = { deployment: where.deployment ?? "", region: where.region };
    const add = (name: string, counter: Counter, labels: Record<string, string>, total: number): void => {
      const key = JSON.stringify([name, labels]);
      const before = this.synced.get(key) ?? 0;
      if (total > before) {
        counter.inc(labels, total - before);
        this.synced.set(key, total);
      }
    };
    for (const [op, n] of Object.entries(stats.calls)) add("calls", this.ssmCalls, { ...base, operation: op }, n);
    for (const [op, n] of Object.entries(stats.throttled ?? {})) add("throttled", this.ssmThrottled, { ...base, operation: op }, n);
    for (const [key, n] of Object.entries(stats.errors)) {
      const [op, code] = key.split(":");
      add("errors", this.ssmErrors, { ...base, operation: op ?? "", code: code ?? "" }, n);
    }
    for (const [service, r] of Object.entries(rates)) if (r) this.ssmRate.set({ ...base, service }, r.rate);
  }

  /** One cycle's calls and read kind, and when the account was last read in full. */
  recordCycleReads(where: { deployment?: string; region: string }, calls: number, read: "full" | "cheap" | undefined, lastFullReadAt: Date | undefined): void {
    const base = { deployment: where.deployment ?? "", region: where.region };
    if (read) {
      this.cycleCalls.remove({ ...base, read: read === "full" ? "cheap" : "full" });
      this.cycleCalls.set({ ...base, read }, calls);
    }
    if (lastFullReadAt) this.lastFullRead.set(base, lastFullReadAt.getTime() / 1000);
  }
}
