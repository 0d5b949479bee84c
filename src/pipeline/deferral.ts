/**
 * Windows that are running: a change to a maintenance window, its targets or its tasks while one of
 * its executions has not ended (DescribeMaintenanceWindowExecutions) could pull a target or a task
 * from under a running patch job. Such changes are deferred: taken out of what is applied this run,
 * with everything that depends on them, and applied by a later run (watch: the first cycle after the
 * execution ends). Computed at the pipeline/apply boundary, over the plan as data: the engine and
 * the handlers only declare which kinds a running window holds back (heldWhileWindowRuns).
 */
import type { AwsGateway } from "../aws/gateway.js";
import type { Change, Plan } from "../model/plan.js";
import { summarize } from "../model/plan.js";
import { handlerFor } from "../resources/registry.js";

/**
 * Execution statuses of an execution that has not ended (SSM's MaintenanceWindowExecutionStatus):
 * PENDING (about to run its tasks), IN_PROGRESS, CANCELLING (its tasks are still being stopped).
 */
export const RUNNING_STATUSES: readonly string[] = ["PENDING", "IN_PROGRESS", "CANCELLING"];

export interface RunningExecution {
  /** "MaintenanceWindow/<name>" */
  window: string;
  windowId: string;
  executionId: string;
  status: string;
  /** ISO-8601 UTC */
  since: string;
}

export interface DeferredChange {
  key: string;
  action: Change["action"];
  /** The window whose execution holds it back (for a dependent change: the window of what it depends on). */
  window: string;
  executionId: string;
  since: string;
  /** "deferred: window executing since …", or "deferred: depends on <key>, deferred". */
  reason: string;
}

/** The window key a change belongs to, as its kind's handler declares (heldWhileWindowRuns); undefined: none. */
function windowKeyOf(c: Change): string | undefined {
  const held = handlerFor(c.type).heldWhileWindowRuns;
  if (held === "self") return c.key;
  if (held === "parent") return c.after?.parentKey ?? c.before?.parentKey;
  return undefined;
}

function describe(e: RunningExecution): string {
  return `deferred: window executing since ${e.since} (execution ${e.executionId}, ${e.status})`;
}

/** The running execution of every window that the plan changes and that exists in the account. */
export async function runningExecutions(plan: Plan, gateway: AwsGateway): Promise<Map<string, RunningExecution>> {
  const windows = new Map<string, string>();
  for (const c of plan.changes) {
    if (c.action === "noop") continue;
    const key = windowKeyOf(c);
    const id = key ? plan.ids[key] : undefined;
    if (key && id) windows.set(key, id);
  }
  const running = new Map<string, RunningExecution>();
  await Promise.all(
    [...windows].map(async ([window, windowId]) => {
      const executions = await gateway.paginate<{ WindowExecutionId?: string; Status?: string; StartTime?: Date | string }>("DescribeMaintenanceWindowExecutions", { WindowId: windowId }, "WindowExecutions", 100);
      const open = executions.filter((e) => e.Status !== undefined && RUNNING_STATUSES.includes(e.Status));
      if (open.length === 0) return;
      const start = (e: (typeof open)[number]): number => (e.StartTime === undefined ? 0 : new Date(e.StartTime).getTime());
      const earliest = open.reduce((a, b) => (start(b) < start(a) ? b : a));
      running.set(window, { window, windowId, executionId: earliest.WindowExecutionId ?? "?", status: earliest.Status!, since: new Date(start(earliest)).toISOString() });
    }),
  );
  return running;
}

/**
 * The changes to hold back: those of a running window, then (transitively) every change that
 * depends on a held-back one, since apply would otherwise run it without what it depends on.
 */
export function deferredChanges(plan: Plan, running: ReadonlyMap<string, RunningExecution>): DeferredChange[] {
  const deferred = new Map<string, DeferredChange>();
  for (const c of plan.changes) {
    if (c.action === "noop") continue;
    const key = windowKeyOf(c);
    const e = key ? running.get(key) : undefined;
    if (e) deferred.set(c.key, { key: c.key, action: c.action, window: e.window, executionId: e.executionId, since: e.since, reason: describe(e) });
  }
  for (let grew = deferred.size > 0; grew; ) {
    grew = false;
    for (const c of plan.changes) {
      if (c.action === "noop" || deferred.has(c.key)) continue;
      const on = c.dependsOn.map((d) => deferred.get(d)).find((d) => d !== undefined);
      if (!on) continue;
      deferred.set(c.key, { key: c.key, action: c.action, window: on.window, executionId: on.executionId, since: on.since, reason: `deferred: depends on ${on.key}, deferred` });
      grew = true;
    }
  }
  return plan.changes.filter((c) => deferred.has(c.key)).map((c) => deferred.get(c.key)!);
}

/** The plan without the deferred changes: what is applied this run. */
export function withoutDeferred(plan: Plan, deferred: readonly DeferredChange[]): Plan {
  if (deferred.length === 0) return plan;
  const held = new Set(deferred.map((d) => d.key));
  const changes = plan.changes.filter((c) => !held.has(c.key));
  return { ...plan, changes, summary: summarize(changes) };
}
