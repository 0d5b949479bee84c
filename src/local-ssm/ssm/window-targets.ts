import type {
  DeregisterTargetFromMaintenanceWindowRequest,
  DescribeMaintenanceWindowTargetsRequest,
  RegisterTargetWithMaintenanceWindowRequest,
  UpdateMaintenanceWindowTargetRequest,
} from "@aws-sdk/client-ssm";
import { AwsError, doesNotExist, invalid } from "../errors.js";
import { requireMembers } from "../validation.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { copy, uuid } from "./context.js";
import { defineOperation } from "./define.js";
import { applyFilters } from "./filters.js";
import { idempotentCreate } from "./idempotency.js";
import { findWindow } from "./maintenance-windows.js";
import { paginate } from "./pagination.js";
import type { Target, TargetRecord, Wire } from "./records.js";
import { REPLACE_REQUIRES } from "./shapes.js";

/** Targets per maintenance window. */
export const MAX_TARGETS_PER_WINDOW = 100;

const INSTANCE_ID = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;

export function toTargets(list: Wire<RegisterTargetWithMaintenanceWindowRequest>["Targets"]): Target[] {
  return (list ?? []).map((t) => ({ Key: t.Key ?? "", Values: [...(t.Values ?? [])] }));
}

/** What a window target may select, by resource type: instances by id or tag, or a resource group. */
function checkWindowTargets(resourceType: string, targets: readonly Target[]): void {
  if (targets.length === 0) throw invalid("Targets must contain at least one target.");
  for (const t of targets) {
    if (t.Key === "") throw invalid("Every target needs a Key.");
    if (t.Values.length === 0) throw invalid(`The target ${t.Key} must have at least one value.`);
    if (resourceType === "INSTANCE") {
      if (t.Key === "InstanceIds") {
        for (const v of t.Values) if (!INSTANCE_ID.test(v)) throw invalid(`Invalid instance id '${v}' in target InstanceIds.`);
      } else if (!(t.Key === "tag-key" || (t.Key.startsWith("tag:") && t.Key.length > 4))) {
        throw invalid(`The target key ${t.Key} is not valid for resource type INSTANCE: use InstanceIds, tag:<key> or tag-key.`);
      }
    } else if (t.Key !== "resource-groups:Name" && t.Key !== "resource-groups:ResourceTypeFilters") {
      throw invalid(`The target key ${t.Key} is not valid for resource type RESOURCE_GROUP: use resource-groups:Name and, optionally, resource-groups:ResourceTypeFilters.`);
    }
  }
  if (resourceType === "RESOURCE_GROUP" && !targets.some((t) => t.Key === "resource-groups:Name")) throw invalid("A RESOURCE_GROUP target needs a resource-groups:Name key.");
}

export function findTarget(ctx: SsmContext, windowId: string, targetId: string): TargetRecord {
  const w = findWindow(ctx, windowId);
  const t = ctx.state.targets[targetId];
  if (!t || t.WindowId !== w.WindowId) throw doesNotExist(`Maintenance window target ${targetId} does not exist in maintenance window ${w.WindowId}`);
  return t;
}

function targetFields(t: TargetRecord): Record<string, unknown> {
  return { WindowId: t.WindowId, WindowTargetId: t.WindowTargetId, Targets: copy(t.Targets), OwnerInformation: t.OwnerInformation, Name: t.Name, Description: t.Description };
}

const TARGET_FILTERS: Record<string, (t: TargetRecord, value: string) => boolean> = {
  WindowTargetId: (t, v) => t.WindowTargetId === v,
  Type: (t, v) => t.ResourceType === v,
  OwnerInformation: (t, v) => t.OwnerInformation === v,
};

export const windowTargetOperations: Record<string, OperationHandler> = {
  RegisterTargetWithMaintenanceWindow: defineOperation<RegisterTargetWithMaintenanceWindowRequest>("RegisterTargetWithMaintenanceWindow", (input, ctx) => {
    const w = findWindow(ctx, input.WindowId!);
    const targets = toTargets(input.Targets);
    checkWindowTargets(input.ResourceType!, targets);
    const id = idempotentCreate(ctx, "RegisterTargetWithMaintenanceWindow", input, () => {
      const count = Object.values(ctx.state.targets).filter((t) => t.WindowId === w.WindowId).length;
      if (count >= MAX_TARGETS_PER_WINDOW) throw new AwsError("ResourceLimitExceededException", `Maintenance window ${w.WindowId} already has the maximum number of targets (${MAX_TARGETS_PER_WINDOW}).`);
      const t: TargetRecord = { WindowId: w.WindowId, WindowTargetId: uuid(), ResourceType: input.ResourceType!, Targets: targets };
      if (input.OwnerInformation !== undefined) t.OwnerInformation = input.OwnerInformation;
      if (input.Name !== undefined) t.Name = input.Name;
      if (input.Description !== undefined) t.Description = input.Description;
      ctx.state.targets[t.WindowTargetId] = t;
      ctx.mutated = true;
      return t.WindowTargetId;
    });
    return { WindowTargetId: id };
  }),

  UpdateMaintenanceWindowTarget: defineOperation<UpdateMaintenanceWindowTargetRequest>("UpdateMaintenanceWindowTarget", (input, ctx) => {
    const current = findTarget(ctx, input.WindowId!, input.WindowTargetId!);
    const replace = input.Replace === true;
    if (replace) requireMembers(input, REPLACE_REQUIRES.UpdateMaintenanceWindowTarget!);
    const next = copy(current);
    if (input.Targets !== undefined) {
      next.Targets = toTargets(input.Targets);
      checkWindowTargets(next.ResourceType, next.Targets);
    }
    for (const key of ["OwnerInformation", "Name", "Description"] as const) {
      const value = input[key];
      if (value !== undefined) next[key] = value;
      else if (replace) delete next[key];
    }
    ctx.state.targets[next.WindowTargetId] = next;
    ctx.mutated = true;
    return targetFields(next);
  }),

  DeregisterTargetFromMaintenanceWindow: defineOperation<DeregisterTargetFromMaintenanceWindowRequest>("DeregisterTargetFromMaintenanceWindow", (input, ctx) => {
    const t = findTarget(ctx, input.WindowId!, input.WindowTargetId!);
    if (input.Safe === true) {
      const users = Object.values(ctx.state.tasks).filter((k) => k.WindowId === t.WindowId && k.Targets.some((x) => x.Key === "WindowTargetIds" && x.Values.includes(t.WindowTargetId)));
      if (users.length > 0) throw new AwsError("TargetInUseException", `Maintenance window target ${t.WindowTargetId} is used by tasks ${users.map((u) => u.WindowTaskId).join(", ")}; deregister or update them first, or deregister without Safe.`);
    }
    delete ctx.state.targets[t.WindowTargetId];
    ctx.mutated = true;
    return { WindowId: t.WindowId, WindowTargetId: t.WindowTargetId };
  }),

  DescribeMaintenanceWindowTargets: defineOperation<DescribeMaintenanceWindowTargetsRequest>("DescribeMaintenanceWindowTargets", (input, ctx) => {
    const w = findWindow(ctx, input.WindowId!);
    const mine = Object.values(ctx.state.targets).filter((t) => t.WindowId === w.WindowId);
    const list = applyFilters(mine, input.Filters, TARGET_FILTERS);
    const { page, nextToken } = paginate(list, (t) => t.WindowTargetId, {
      operation: "DescribeMaintenanceWindowTargets",
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      defaultSize: 100,
      query: [w.WindowId, input.Filters],
    });
    return { Targets: page.map((t) => ({ ...targetFields(t), ResourceType: t.ResourceType })), NextToken: nextToken };
  }),
};
