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
  readonly ssmCalls = new Gauge({ name: "patchctl_ssm_calls_total", help: "SSM calls made, by operation", labelNames: ["operation"], registers: [this.registry] });
  readonly ssmErrors = new Gauge({ name: "patchctl_ssm_errors_total", help: "SSM call errors, by operation and error code", labelNames: ["operation", "code"], registers: [this.registry] });

  /** Copies the gateway's counters (monotonic) into the gauges. */
  syncCalls(stats: { calls: Record<string, number>; errors: Record<string, number> }): void {
    for (const [op, n] of Object.entries(stats.calls)) this.ssmCalls.set({ operation: op }, n);
    for (const [key, n] of Object.entries(stats.errors)) {
      const [op, code] = key.split(":");
      this.ssmErrors.set({ operation: op ?? "", code: code ?? "" }, n);
    }
  }
}
