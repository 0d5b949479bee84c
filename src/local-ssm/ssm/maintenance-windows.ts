import type {
  CreateMaintenanceWindowRequest,
  DeleteMaintenanceWindowRequest,
  DescribeMaintenanceWindowScheduleRequest,
  DescribeMaintenanceWindowsRequest,
  GetMaintenanceWindowRequest,
  UpdateMaintenanceWindowRequest,
} from "@aws-sdk/client-ssm";
import { AwsError, doesNotExist, invalid } from "../errors.js";
import { requireMembers } from "../validation.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { epochSeconds, hexId } from "./context.js";
import { defineOperation } from "./define.js";
import { applyFilters } from "./filters.js";
import { idempotentCreate } from "./idempotency.js";
import { paginate } from "./pagination.js";
import type { Target, WindowRecord, Wire } from "./records.js";
import { REPLACE_REQUIRES } from "./shapes.js";
import { tagsAtCreate } from "./tags.js";
import { checkWindowSchedule, formatExecutionTime, nextExecutionTime, upcomingRuns } from "./window-schedule.js";

/** Maintenance windows per account and region. */
export const MAX_WINDOWS = 50;

export function findWindow(ctx: SsmContext, id: string): WindowRecord {
  const w = ctx.state.windows[id];
  if (!w) throw doesNotExist(`Maintenance window ${id} does not exist`);
  return w;
}

type WindowInput = Omit<Wire<UpdateMaintenanceWindowRequest>, "WindowId" | "Replace">;

/** Given fields replace; omitted ones stay, or with `replace` are removed (Enabled goes back to true). */
function applyWindowFields(w: WindowRecord, input: WindowInput, replace: boolean): void {
  if (input.Name !== undefined) w.Name = input.Name;
  if (input.Schedule !== undefined) w.Schedule = input.Schedule;
  if (input.Duration !== undefined) w.Duration = input.Duration;
  if (input.Cutoff !== undefined) w.Cutoff = input.Cutoff;
  if (input.AllowUnassociatedTargets !== undefined) w.AllowUnassociatedTargets = input.AllowUnassociatedTargets;
  if (input.Enabled !== undefined) w.Enabled = input.Enabled;
  else if (replace) w.Enabled = true;
  const optional = <K extends "Description" | "StartDate" | "EndDate" | "ScheduleTimezone" | "ScheduleOffset">(key: K, value: WindowRecord[K] | undefined): void => {
    if (value !== undefined) w[key] = value;
    else if (replace) delete w[key];
  };
  optional("Description", input.Description);
  optional("StartDate", input.StartDate);
  optional("EndDate", input.EndDate);
  optional("ScheduleTimezone", input.ScheduleTimezone);
  optional("ScheduleOffset", input.ScheduleOffset);
}

function windowFields(w: WindowRecord): Record<string, unknown> {
  return {
    WindowId: w.WindowId,
    Name: w.Name,
    Description: w.Description,
    StartDate: w.StartDate,
    EndDate: w.EndDate,
    Schedule: w.Schedule,
    ScheduleTimezone: w.ScheduleTimezone,
    ScheduleOffset: w.ScheduleOffset,
    Duration: w.Duration,
    Cutoff: w.Cutoff,
    AllowUnassociatedTargets: w.AllowUnassociatedTargets,
    Enabled: w.Enabled,
  };
}

/** Deletes a window with its targets and tasks. */
function deleteWindowCascade(ctx: SsmContext, id: string): void {
  for (const [taskId, t] of Object.entries(ctx.state.tasks)) if (t.WindowId === id) delete ctx.state.tasks[taskId];
  for (const [targetId, t] of Object.entries(ctx.state.targets)) if (t.WindowId === id) delete ctx.state.targets[targetId];
  delete ctx.state.windows[id];
}

const WINDOW_FILTERS: Record<string, (w: WindowRecord, value: string) => boolean> = {
  Name: (w, v) => w.Name === v,
  Enabled: (w, v) => String(w.Enabled) === v.toLowerCase(),
};

function timeFilter(value: string, key: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalid(`The value '${value}' of filter ${key} is not an ISO-8601 date-time.`);
  return t;
}

/** Windows that have a registered target overlapping the given targets (same key, a common value). */
function windowsForTargets(ctx: SsmContext, targets: readonly Target[], resourceType: string): WindowRecord[] {
  const ids = new Set<string>();
  for (const t of Object.values(ctx.state.targets)) {
    if (t.ResourceType !== resourceType) continue;
    if (t.Targets.some((mine) => targets.some((q) => q.Key === mine.Key && q.Values.some((v) => mine.Values.includes(v))))) ids.add(t.WindowId);
  }
  return Object.values(ctx.state.windows).filter((w) => ids.has(w.WindowId));
}

/** How far DescribeMaintenanceWindowSchedule looks ahead per window. */
const SCHEDULE_RUNS_PER_WINDOW = 100;

export const maintenanceWindowOperations: Record<string, OperationHandler> = {
  CreateMaintenanceWindow: defineOperation<CreateMaintenanceWindowRequest>("CreateMaintenanceWindow", (input, ctx) => {
    const now = epochSeconds(ctx.now);
    const w: WindowRecord = {
      WindowId: "",
      Name: input.Name!,
      Schedule: input.Schedule!,
      Duration: input.Duration!,
      Cutoff: input.Cutoff!,
      AllowUnassociatedTargets: input.AllowUnassociatedTargets!,
      Enabled: true,
      CreatedDate: now,
      ModifiedDate: now,
      Tags: tagsAtCreate(input.Tags),
    };
    applyWindowFields(w, input, false);
    checkWindowSchedule(w);
    const id = idempotentCreate(ctx, "CreateMaintenanceWindow", input, () => {
      if (Object.keys(ctx.state.windows).length >= MAX_WINDOWS) throw new AwsError("ResourceLimitExceededException", `You have reached the maximum number of maintenance windows (${MAX_WINDOWS}) in this account and region.`);
      w.WindowId = hexId("mw");
      ctx.state.windows[w.WindowId] = w;
      ctx.mutated = true;
      return w.WindowId;
    });
    return { WindowId: id };
  }),

  UpdateMaintenanceWindow: defineOperation<UpdateMaintenanceWindowRequest>("UpdateMaintenanceWindow", (input, ctx) => {
    const { WindowId, Replace, ...fields } = input;
    const current = findWindow(ctx, WindowId!);
    if (Replace) requireMembers(input, REPLACE_REQUIRES.UpdateMaintenanceWindow!);
    const next = structuredClone(current);
    applyWindowFields(next, fields, Replace === true);
    checkWindowSchedule(next);
    next.ModifiedDate = epochSeconds(ctx.now);
    ctx.state.windows[next.WindowId] = next;
    ctx.mutated = true;
    return windowFields(next);
  }),

  GetMaintenanceWindow: defineOperation<GetMaintenanceWindowRequest>("GetMaintenanceWindow", (input, ctx) => {
    const w = findWindow(ctx, input.WindowId!);
    return { ...windowFields(w), NextExecutionTime: nextExecutionTime(w, ctx.now), CreatedDate: w.CreatedDate, ModifiedDate: w.ModifiedDate };
  }),

  /** The model gives DeleteMaintenanceWindow no DoesNotExistException: deleting what is not there succeeds. */
  DeleteMaintenanceWindow: defineOperation<DeleteMaintenanceWindowRequest>("DeleteMaintenanceWindow", (input, ctx) => {
    const id = input.WindowId!;
    if (ctx.state.windows[id]) {
      deleteWindowCascade(ctx, id);
      ctx.mutated = true;
    }
    return { WindowId: id };
  }),

  DescribeMaintenanceWindows: defineOperation<DescribeMaintenanceWindowsRequest>("DescribeMaintenanceWindows", (input, ctx) => {
    const list = applyFilters(Object.values(ctx.state.windows), input.Filters, WINDOW_FILTERS);
    const { page, nextToken } = paginate(list, (w) => w.WindowId, { operation: "DescribeMaintenanceWindows", MaxResults: input.MaxResults, NextToken: input.NextToken, defaultSize: 100, query: input.Filters });
    return {
      WindowIdentities: page.map((w) => {
        const { AllowUnassociatedTargets: _a, ...identity } = windowFields(w);
        return { ...identity, NextExecutionTime: nextExecutionTime(w, ctx.now) };
      }),
      NextToken: nextToken,
    };
  }),

  DescribeMaintenanceWindowSchedule: defineOperation<DescribeMaintenanceWindowScheduleRequest>("DescribeMaintenanceWindowSchedule", (input, ctx) => {
    let windows: WindowRecord[];
    if (input.WindowId !== undefined) {
      windows = [findWindow(ctx, input.WindowId)];
    } else if (input.Targets !== undefined && input.Targets.length > 0) {
      if (input.ResourceType === undefined) throw invalid("ResourceType must be specified with Targets.");
      windows = windowsForTargets(ctx, input.Targets.map((t) => ({ Key: t.Key ?? "", Values: t.Values ?? [] })), input.ResourceType);
    } else {
      throw invalid("Either WindowId or Targets must be specified.");
    }
    let after = ctx.now.getTime();
    let before = Number.POSITIVE_INFINITY;
    for (const f of input.Filters ?? []) {
      const [value] = f.Values ?? [];
      if (f.Key === "ScheduledAfter" && value !== undefined) after = Math.max(after, timeFilter(value, f.Key));
      else if (f.Key === "ScheduledBefore" && value !== undefined) before = timeFilter(value, f.Key);
      else throw invalid(`The filter key ${String(f.Key)} is not valid. Valid keys are: ScheduledBefore, ScheduledAfter.`);
    }
    const runs = windows
      .flatMap((w) => upcomingRuns(w, new Date(after), SCHEDULE_RUNS_PER_WINDOW).filter((d) => d.getTime() <= before).map((d) => ({ w, d })))
      .sort((a, b) => a.d.getTime() - b.d.getTime() || a.w.WindowId.localeCompare(b.w.WindowId));
    const { page, nextToken } = paginate(runs, (r) => `${r.w.WindowId}@${r.d.getTime()}`, {
      operation: "DescribeMaintenanceWindowSchedule",
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      defaultSize: 50,
      query: [input.WindowId, input.Targets, input.ResourceType, input.Filters],
    });
    return { ScheduledWindowExecutions: page.map((r) => ({ WindowId: r.w.WindowId, Name: r.w.Name, ExecutionTime: formatExecutionTime(r.d) })), NextToken: nextToken };
  }),
};
