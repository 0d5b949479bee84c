import type {
  DeregisterPatchBaselineForPatchGroupRequest,
  DescribePatchGroupsRequest,
  GetDefaultPatchBaselineRequest,
  GetPatchBaselineForPatchGroupRequest,
  RegisterDefaultPatchBaselineRequest,
  RegisterPatchBaselineForPatchGroupRequest,
} from "@aws-sdk/client-ssm";
import { AwsError, doesNotExist } from "../errors.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { defineOperation } from "./define.js";
import { applyFilters } from "./filters.js";
import { paginate } from "./pagination.js";
import { baselineIdentity, findBaseline } from "./patch-baselines.js";
import type { BaselineRecord, PatchGroupRegistration } from "./records.js";

/** Patch groups per baseline. */
export const MAX_GROUPS_PER_BASELINE = 25;

/** The baseline a group is registered with for an operating system (a group has at most one per OS). */
export function registeredBaseline(ctx: SsmContext, group: string, os: string): BaselineRecord | undefined {
  for (const r of ctx.state.patchGroups) {
    const b = ctx.state.baselines[r.BaselineId];
    if (r.PatchGroup === group && b?.OperatingSystem === os) return b;
  }
  return undefined;
}

interface Mapping {
  registration: PatchGroupRegistration;
  baseline: BaselineRecord;
}

const MAPPING_FILTERS: Record<string, (m: Mapping, value: string) => boolean> = {
  NAME_PREFIX: (m, v) => m.registration.PatchGroup.startsWith(v),
  OPERATING_SYSTEM: (m, v) => m.baseline.OperatingSystem === v,
};

export const patchGroupOperations: Record<string, OperationHandler> = {
  RegisterPatchBaselineForPatchGroup: defineOperation<RegisterPatchBaselineForPatchGroupRequest>("RegisterPatchBaselineForPatchGroup", (input, ctx) => {
    const b = findBaseline(ctx, input.BaselineId!);
    const group = input.PatchGroup!;
    const clash = registeredBaseline(ctx, group, b.OperatingSystem);
    if (clash) throw new AwsError("AlreadyExistsException", `Patch Group ${group} is already registered with baseline ${clash.BaselineId} for operating system ${b.OperatingSystem}.`);
    const count = ctx.state.patchGroups.filter((r) => r.BaselineId === b.BaselineId).length;
    if (count >= MAX_GROUPS_PER_BASELINE) throw new AwsError("ResourceLimitExceededException", `Patch baseline ${b.BaselineId} already has the maximum number of patch groups (${MAX_GROUPS_PER_BASELINE}).`);
    ctx.state.patchGroups.push({ PatchGroup: group, BaselineId: b.BaselineId });
    ctx.mutated = true;
    return { BaselineId: b.BaselineId, PatchGroup: group };
  }),

  DeregisterPatchBaselineForPatchGroup: defineOperation<DeregisterPatchBaselineForPatchGroupRequest>("DeregisterPatchBaselineForPatchGroup", (input, ctx) => {
    const b = findBaseline(ctx, input.BaselineId!);
    const group = input.PatchGroup!;
    const at = ctx.state.patchGroups.findIndex((r) => r.BaselineId === b.BaselineId && r.PatchGroup === group);
    if (at < 0) throw doesNotExist(`Patch Group ${group} is not registered with baseline ${b.BaselineId}.`);
    ctx.state.patchGroups.splice(at, 1);
    ctx.mutated = true;
    return { BaselineId: b.BaselineId, PatchGroup: group };
  }),

  DescribePatchGroups: defineOperation<DescribePatchGroupsRequest>("DescribePatchGroups", (input, ctx) => {
    const all: Mapping[] = [];
    for (const registration of ctx.state.patchGroups) {
      const baseline = ctx.state.baselines[registration.BaselineId];
      if (baseline) all.push({ registration, baseline });
    }
    const list = applyFilters(all, input.Filters, MAPPING_FILTERS);
    const { page, nextToken } = paginate(list, (m) => `${m.registration.PatchGroup}\u0000${m.baseline.BaselineId}`, {
      operation: "DescribePatchGroups",
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      defaultSize: 100,
      query: input.Filters,
    });
    return { Mappings: page.map((m) => ({ PatchGroup: m.registration.PatchGroup, BaselineIdentity: baselineIdentity(ctx, m.baseline) })), NextToken: nextToken };
  }),

  /** The baseline the group gets for an OS: the one registered, else that OS's default. */
  GetPatchBaselineForPatchGroup: defineOperation<GetPatchBaselineForPatchGroupRequest>("GetPatchBaselineForPatchGroup", (input, ctx) => {
    const os = input.OperatingSystem ?? "WINDOWS";
    const group = input.PatchGroup!;
    return { BaselineId: registeredBaseline(ctx, group, os)?.BaselineId ?? ctx.state.defaults[os], PatchGroup: group, OperatingSystem: os };
  }),

  RegisterDefaultPatchBaseline: defineOperation<RegisterDefaultPatchBaselineRequest>("RegisterDefaultPatchBaseline", (input, ctx) => {
    const b = findBaseline(ctx, input.BaselineId!);
    ctx.state.defaults[b.OperatingSystem] = b.BaselineId;
    ctx.mutated = true;
    return { BaselineId: b.BaselineId };
  }),

  GetDefaultPatchBaseline: defineOperation<GetDefaultPatchBaselineRequest>("GetDefaultPatchBaseline", (input, ctx) => {
    const os = input.OperatingSystem ?? "WINDOWS";
    return { BaselineId: ctx.state.defaults[os], OperatingSystem: os };
  }),
};
