import { driftedChanges, planToJson, renderPlanMarkdown, renderPlanText } from "../diff/render-plan.js";
import type { Plan } from "../model/plan.js";

export type DriftReportFormat = "text" | "json" | "markdown";

/** One deployment-region's part of the scheduled drift report. */
export interface DriftReportPart {
  /** Absent without deployments (one account-region). */
  deployment?: string;
  region: string;
  /** The plan of the last good commit against this account-region; absent when it failed (with `error`). */
  plan?: Plan;
  error?: string;
}

/** What the scheduled drift report needs of a controller (Controller has it). */
export interface DriftReportSource {
  readonly status: { deployment?: string; region?: string; holdsLease: boolean };
  driftPlan(): Promise<Plan | undefined>;
}

/**
 * The deployment-regions one watch process reports on: with replicas sharing the deployment-regions
 * (docs/replicas.md), only those whose write lease it holds, so that across replicas each is reported
 * by exactly one (the lease has one holder); without sharing (one account-region, --no-apply), all.
 */
export function driftReportScope<T extends DriftReportSource>(controllers: readonly T[], shared: boolean): T[] {
  return shared ? controllers.filter((c) => c.status.holdsLease) : [...controllers];
}

/**
 * Plans each deployment-region in scope (driftReportScope) against its account, concurrently; a
 * deployment-region whose plan fails or has no valid desired state yet is a part with `error`.
 */
export async function driftReportParts(controllers: readonly DriftReportSource[], opts: { shared: boolean; region: string }): Promise<DriftReportPart[]> {
  return Promise.all(
    driftReportScope(controllers, opts.shared).map(async (c) => {
      const where = { deployment: c.status.deployment, region: c.status.region ?? opts.region };
      try {
        const plan = await c.driftPlan();
        return plan ? { ...where, plan } : { ...where, error: "no valid desired state yet" };
      } catch (err) {
        return { ...where, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/**
 * The scheduled drift report (watch --drift-schedule) over every deployment-region a watch
 * process reconciles. One part without deployments renders exactly as a single plan's drift
 * report; several render one after the other, each under its deployment and region (JSON:
 * `{ reports: [{ deployment, region, report | error }] }`).
 */
export function renderDriftReport(parts: readonly DriftReportPart[], format: DriftReportFormat): string {
  const single = parts.length === 1 && parts[0]!.deployment === undefined && parts[0]!.plan ? parts[0]!.plan : undefined;
  if (single) return renderOne(single, format);
  if (format === "json") {
    return JSON.stringify({ reports: parts.map((p) => ({ deployment: p.deployment ?? null, region: p.region, ...(p.plan ? { report: planToJson(p.plan, "drift") } : { error: p.error ?? "no plan" }) })) }, null, 2);
  }
  return parts
    .map((p) => {
      const where = p.deployment === undefined ? p.region : `${p.deployment} ${p.region}`;
      const heading = format === "markdown" ? `## deployment-region \`${where}\`` : `== deployment-region ${where} ==`;
      return `${heading}\n\n${p.plan ? renderOne(p.plan, format) : `drift report failed: ${p.error ?? "no plan"}`}`;
    })
    .join("\n\n");
}

function renderOne(plan: Plan, format: DriftReportFormat): string {
  if (format === "json") return JSON.stringify(planToJson(plan, "drift"), null, 2);
  return format === "markdown" ? renderPlanMarkdown(plan, { mode: "drift" }) : renderPlanText(plan, { mode: "drift" });
}

/** Resources drifted (pending promotions are planned, not drift) and unmanaged, over every part that was planned. */
export function driftTotals(parts: readonly DriftReportPart[]): { drifted: number; unmanaged: number; failed: number } {
  let drifted = 0;
  let unmanaged = 0;
  for (const p of parts) {
    drifted += p.plan ? driftedChanges(p.plan.changes).length : 0;
    unmanaged += p.plan?.unmanaged.length ?? 0;
  }
  return { drifted, unmanaged, failed: parts.filter((p) => !p.plan).length };
}
