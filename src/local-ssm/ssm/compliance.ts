import { createHash } from "node:crypto";
import type { DescribeInstancePatchStatesForPatchGroupRequest, DescribeMaintenanceWindowExecutionsRequest, DescribePatchGroupStateRequest } from "@aws-sdk/client-ssm";
import { AwsError, invalid } from "../errors.js";
import type { FleetInstance, PatchCountField } from "../fleet.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { defineOperation } from "./define.js";
import { findWindow } from "./maintenance-windows.js";
import { paginate } from "./pagination.js";
import { registeredBaseline } from "./patch-groups.js";

/** The counts DescribeInstancePatchStatesForPatchGroup can filter on (its documented filter keys). */
const FILTER_KEYS: readonly PatchCountField[] = [
  "InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount", "InstalledRejectedCount", "MissingCount", "FailedCount", "UnreportedNotApplicableCount", "NotApplicableCount",
];

/** The fleet's instances in a patch group, as this account and region see them. */
function instancesIn(ctx: SsmContext, group: string): FleetInstance[] {
  return ctx.fleet.instances.filter((i) => i.PatchGroup === group && (i.Region === undefined || i.Region === ctx.region) && (i.AccountId === undefined || i.AccountId === ctx.account));
}

/** The baseline an instance is patched with: as recorded, else its group's for its OS, else the OS default. */
function baselineFor(ctx: SsmContext, i: FleetInstance): string {
  if (i.BaselineId) return i.BaselineId;
  return (i.PatchGroup && registeredBaseline(ctx, i.PatchGroup, i.OperatingSystem)?.BaselineId) ?? ctx.state.defaults[i.OperatingSystem] ?? "";
}

function patchState(ctx: SsmContext, i: FleetInstance): Record<string, unknown> {
  return {
    InstanceId: i.InstanceId,
    PatchGroup: i.PatchGroup,
    BaselineId: baselineFor(ctx, i),
    SnapshotId: i.SnapshotId,
    InstallOverrideList: i.InstallOverrideList,
    OwnerInformation: i.OwnerInformation,
    ...i.counts,
    OperationStartTime: i.OperationStartTime,
    OperationEndTime: i.OperationEndTime,
    Operation: i.Operation,
    LastNoRebootInstallOperationTime: i.LastNoRebootInstallOperationTime,
    RebootOption: i.RebootOption,
  };
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  Equal: (a, b) => a === b,
  NotEqual: (a, b) => a !== b,
  LessThan: (a, b) => a < b,
  GreaterThan: (a, b) => a > b,
};

/** A stable execution id (UUID-shaped) for a fleet execution without one. */
function executionId(windowId: string, index: number, start: number): string {
  const h = createHash("sha256").update(`${windowId}/${index}/${start}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const complianceOperations: Record<string, OperationHandler> = {
  DescribePatchGroupState: defineOperation<DescribePatchGroupStateRequest>("DescribePatchGroupState", (input, ctx) => {
    const list = instancesIn(ctx, input.PatchGroup!);
    const withAny = (f: PatchCountField): number => list.filter((i) => i.counts[f] > 0).length;
    return {
      Instances: list.length,
      InstancesWithInstalledPatches: withAny("InstalledCount"),
      InstancesWithInstalledOtherPatches: withAny("InstalledOtherCount"),
      InstancesWithInstalledPendingRebootPatches: withAny("InstalledPendingRebootCount"),
      InstancesWithInstalledRejectedPatches: withAny("InstalledRejectedCount"),
      InstancesWithMissingPatches: withAny("MissingCount"),
      InstancesWithFailedPatches: withAny("FailedCount"),
      InstancesWithNotApplicablePatches: withAny("NotApplicableCount"),
      InstancesWithUnreportedNotApplicablePatches: withAny("UnreportedNotApplicableCount"),
      InstancesWithCriticalNonCompliantPatches: withAny("CriticalNonCompliantCount"),
      InstancesWithSecurityNonCompliantPatches: withAny("SecurityNonCompliantCount"),
      InstancesWithOtherNonCompliantPatches: withAny("OtherNonCompliantCount"),
      InstancesWithAvailableSecurityUpdates: withAny("AvailableSecurityUpdateCount"),
    };
  }),

  DescribeInstancePatchStatesForPatchGroup: defineOperation<DescribeInstancePatchStatesForPatchGroupRequest>("DescribeInstancePatchStatesForPatchGroup", (input, ctx) => {
    let list = instancesIn(ctx, input.PatchGroup!);
    for (const f of input.Filters ?? []) {
      const key = f.Key as PatchCountField;
      if (!FILTER_KEYS.includes(key)) throw new AwsError("InvalidFilter", `The filter key ${String(f.Key)} is not valid. Valid keys are: ${FILTER_KEYS.join(", ")}.`);
      const text = (f.Values ?? [])[0] ?? "";
      if (!/^\d+$/.test(text)) throw new AwsError("InvalidFilter", `The filter value '${text}' of ${key} is not a whole number.`);
      const compare = COMPARE[f.Type!]!;
      const value = Number(text);
      list = list.filter((i) => compare(i.counts[key], value));
    }
    const { page, nextToken } = paginate(list, (i) => i.InstanceId, {
      operation: "DescribeInstancePatchStatesForPatchGroup",
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      defaultSize: 100,
      query: [input.PatchGroup, input.Filters],
    });
    return { InstancePatchStates: page.map((i) => patchState(ctx, i)), NextToken: nextToken };
  }),

  DescribeMaintenanceWindowExecutions: defineOperation<DescribeMaintenanceWindowExecutionsRequest>("DescribeMaintenanceWindowExecutions", (input, ctx) => {
    const w = findWindow(ctx, input.WindowId!);
    let runs = (ctx.fleet.executions[w.Name] ?? []).map((e, i) => ({
      WindowId: w.WindowId,
      WindowExecutionId: e.WindowExecutionId ?? executionId(w.WindowId, i, e.StartTime),
      Status: e.Status,
      StatusDetails: e.StatusDetails,
      StartTime: e.StartTime,
      EndTime: e.EndTime,
    }));
    for (const f of input.Filters ?? []) {
      const values = f.Values ?? [];
      if (f.Key !== "ExecutedBefore" && f.Key !== "ExecutedAfter") throw invalid(`The filter key ${String(f.Key)} is not valid. Valid keys are: ExecutedBefore, ExecutedAfter.`);
      if (values.length !== 1 || Number.isNaN(Date.parse(values[0]!))) throw invalid(`The filter ${f.Key} needs exactly one ISO-8601 date-time value (e.g. 2026-11-01T00:00:00Z).`);
      const t = Date.parse(values[0]!) / 1000;
      runs = runs.filter((r) => (f.Key === "ExecutedBefore" ? r.StartTime < t : r.StartTime > t));
    }
    runs.sort((a, b) => b.StartTime - a.StartTime);
    const { page, nextToken } = paginate(runs, (r) => r.WindowExecutionId, {
      operation: "DescribeMaintenanceWindowExecutions",
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      defaultSize: 100,
      query: [w.WindowId, input.Filters],
    });
    return { WindowExecutions: page, NextToken: nextToken };
  }),
};
