import type { CreatePatchBaselineRequest, DeletePatchBaselineRequest, DescribePatchBaselinesRequest, GetPatchBaselineRequest, UpdatePatchBaselineRequest } from "@aws-sdk/client-ssm";
import { AwsError, doesNotExist } from "../errors.js";
import { requireMembers } from "../validation.js";
import { checkBaselineContent } from "./baseline-rules.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { copy, epochSeconds, hexId } from "./context.js";
import { defineOperation } from "./define.js";
import { applyFilters } from "./filters.js";
import { idempotentCreate } from "./idempotency.js";
import { paginate } from "./pagination.js";
import type { BaselineRecord, PatchFilterGroup, PatchRule, Wire } from "./records.js";
import { REPLACE_REQUIRES } from "./shapes.js";
import { tagsAtCreate } from "./tags.js";

/** Custom patch baselines per account and region. */
export const MAX_BASELINES = 50;

const BARE_ID = /^pb-[0-9a-f]{17}$/;
const ARN_ID = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):patchbaseline\/(pb-[0-9a-f]{17})$/;

/**
 * A baseline by id. Custom baselines by their pb- id (or their ARN); AWS's
 * predefined ones only by their full ARN, as the service requires.
 */
export function findBaseline(ctx: SsmContext, id: string): BaselineRecord {
  const direct = ctx.state.baselines[id];
  if (direct) return direct;
  const arn = ARN_ID.exec(id);
  if (arn && arn[1] === ctx.region && arn[2] === ctx.account) {
    const own = ctx.state.baselines[arn[3]!];
    if (own) return own;
  }
  if (!arn && !BARE_ID.test(id)) throw new AwsError("InvalidResourceId", `The baseline ID "${id}" is not valid. Verify the ID and try again.`);
  throw doesNotExist(`Patch Baseline ${id} does not exist.`);
}

export function baselineIdentity(ctx: SsmContext, b: BaselineRecord): Record<string, unknown> {
  return {
    BaselineId: b.BaselineId,
    BaselineName: b.Name,
    OperatingSystem: b.OperatingSystem,
    BaselineDescription: b.Description,
    DefaultBaseline: ctx.state.defaults[b.OperatingSystem] === b.BaselineId,
  };
}

type BaselineInput = Omit<Wire<UpdatePatchBaselineRequest>, "BaselineId" | "Replace">;

function normaliseFilterGroup(g: { PatchFilters?: { Key?: string; Values?: string[] }[] } | undefined): PatchFilterGroup {
  return { PatchFilters: (g?.PatchFilters ?? []).map((f) => ({ Key: f.Key!, Values: [...(f.Values ?? [])] })) };
}

function normaliseRules(group: BaselineInput["ApprovalRules"]): { PatchRules: PatchRule[] } {
  return {
    PatchRules: (group?.PatchRules ?? []).map((r) => {
      const rule: PatchRule = { PatchFilterGroup: normaliseFilterGroup(r.PatchFilterGroup), ComplianceLevel: r.ComplianceLevel ?? "UNSPECIFIED", EnableNonSecurity: r.EnableNonSecurity ?? false };
      if (r.ApproveAfterDays !== undefined) rule.ApproveAfterDays = r.ApproveAfterDays;
      if (r.ApproveUntilDate !== undefined) rule.ApproveUntilDate = r.ApproveUntilDate;
      return rule;
    }),
  };
}

/**
 * Applies the updatable fields. Given fields replace what is there; omitted
 * ones stay, or with `replace` go back to their defaults (optional ones removed).
 */
function applyBaselineFields(b: BaselineRecord, input: BaselineInput, replace: boolean): void {
  if (input.Name !== undefined) b.Name = input.Name;
  const set = <K extends keyof BaselineRecord>(key: K, value: BaselineRecord[K] | undefined, reset: BaselineRecord[K] | undefined): void => {
    if (value !== undefined) b[key] = value;
    else if (replace) {
      if (reset === undefined) delete b[key];
      else b[key] = reset;
    }
  };
  set("Description", input.Description, undefined);
  set("GlobalFilters", input.GlobalFilters && normaliseFilterGroup(input.GlobalFilters), { PatchFilters: [] });
  set("ApprovalRules", input.ApprovalRules && normaliseRules(input.ApprovalRules), { PatchRules: [] });
  set("ApprovedPatches", input.ApprovedPatches && [...input.ApprovedPatches], []);
  set("ApprovedPatchesComplianceLevel", input.ApprovedPatchesComplianceLevel, "UNSPECIFIED");
  set("ApprovedPatchesEnableNonSecurity", input.ApprovedPatchesEnableNonSecurity, false);
  set("RejectedPatches", input.RejectedPatches && [...input.RejectedPatches], []);
  set("RejectedPatchesAction", input.RejectedPatchesAction, "ALLOW_AS_DEPENDENCY");
  set("Sources", input.Sources && input.Sources.map((s) => ({ Name: s.Name!, Products: [...(s.Products ?? [])], Configuration: s.Configuration! })), []);
  set("AvailableSecurityUpdatesComplianceStatus", input.AvailableSecurityUpdatesComplianceStatus, undefined);
}

/** The baseline as Update/Get return it (no tags, no internal flags). */
function baselineOut(b: BaselineRecord): Record<string, unknown> {
  const { Tags: _tags, AwsOwned: _aws, ...rest } = copy(b);
  return rest;
}

export function patchGroupsOf(ctx: SsmContext, baselineId: string): string[] {
  return ctx.state.patchGroups.filter((r) => r.BaselineId === baselineId).map((r) => r.PatchGroup);
}

function readOnly(b: BaselineRecord): AwsError {
  return new AwsError("AccessDeniedException", `The patch baseline ${b.BaselineId} is owned by AWS and cannot be modified or deleted.`);
}

const BASELINE_FILTERS: Record<string, (b: BaselineRecord, value: string) => boolean> = {
  NAME_PREFIX: (b, v) => b.Name.startsWith(v),
  OWNER: (b, v) => (v === "AWS" ? b.AwsOwned === true : v === "Self" ? !b.AwsOwned : false),
  OPERATING_SYSTEM: (b, v) => b.OperatingSystem === v,
};

export const patchBaselineOperations: Record<string, OperationHandler> = {
  CreatePatchBaseline: defineOperation<CreatePatchBaselineRequest>("CreatePatchBaseline", (input, ctx) => {
    const now = epochSeconds(ctx.now);
    const b: BaselineRecord = {
      BaselineId: "",
      Name: input.Name!,
      OperatingSystem: input.OperatingSystem ?? "WINDOWS",
      GlobalFilters: { PatchFilters: [] },
      ApprovalRules: { PatchRules: [] },
      ApprovedPatches: [],
      ApprovedPatchesComplianceLevel: "UNSPECIFIED",
      ApprovedPatchesEnableNonSecurity: false,
      RejectedPatches: [],
      RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
      Sources: [],
      CreatedDate: now,
      ModifiedDate: now,
      Tags: tagsAtCreate(input.Tags),
    };
    applyBaselineFields(b, input, false);
    checkBaselineContent(b, ctx.extraPatchProperties);
    const id = idempotentCreate(ctx, "CreatePatchBaseline", input, () => {
      const custom = Object.values(ctx.state.baselines).filter((x) => !x.AwsOwned).length;
      if (custom >= MAX_BASELINES) throw new AwsError("ResourceLimitExceededException", `You have reached the maximum number of patch baselines (${MAX_BASELINES}) in this account and region.`);
      b.BaselineId = hexId("pb");
      ctx.state.baselines[b.BaselineId] = b;
      ctx.mutated = true;
      return b.BaselineId;
    });
    return { BaselineId: id };
  }),

  UpdatePatchBaseline: defineOperation<UpdatePatchBaselineRequest>("UpdatePatchBaseline", (input, ctx) => {
    const { BaselineId, Replace, ...fields } = input;
    const current = findBaseline(ctx, BaselineId!);
    if (current.AwsOwned) throw readOnly(current);
    if (Replace) requireMembers(input, REPLACE_REQUIRES.UpdatePatchBaseline!);
    const next = copy(current);
    applyBaselineFields(next, fields, Replace === true);
    checkBaselineContent(next, ctx.extraPatchProperties);
    next.ModifiedDate = epochSeconds(ctx.now);
    ctx.state.baselines[next.BaselineId] = next;
    ctx.mutated = true;
    return baselineOut(next);
  }),

  GetPatchBaseline: defineOperation<GetPatchBaselineRequest>("GetPatchBaseline", (input, ctx) => {
    const b = findBaseline(ctx, input.BaselineId!);
    return { ...baselineOut(b), PatchGroups: patchGroupsOf(ctx, b.BaselineId) };
  }),

  DeletePatchBaseline: defineOperation<DeletePatchBaselineRequest>("DeletePatchBaseline", (input, ctx) => {
    const id = input.BaselineId!;
    let b: BaselineRecord;
    try {
      b = findBaseline(ctx, id);
    } catch (err) {
      // The model gives DeletePatchBaseline no DoesNotExistException: deleting what is not there succeeds.
      if (err instanceof AwsError && err.code === "DoesNotExistException") return { BaselineId: id };
      throw err;
    }
    if (b.AwsOwned) throw readOnly(b);
    const groups = patchGroupsOf(ctx, b.BaselineId);
    if (groups.length > 0) throw new AwsError("ResourceInUseException", `Patch baseline ${b.BaselineId} is registered with patch groups (${groups.join(", ")}); deregister them before deleting it.`);
    if (ctx.state.defaults[b.OperatingSystem] === b.BaselineId) throw new AwsError("ResourceInUseException", `Patch baseline ${b.BaselineId} is the default patch baseline for ${b.OperatingSystem}; register another default before deleting it.`);
    delete ctx.state.baselines[b.BaselineId];
    ctx.mutated = true;
    return { BaselineId: b.BaselineId };
  }),

  DescribePatchBaselines: defineOperation<DescribePatchBaselinesRequest>("DescribePatchBaselines", (input, ctx) => {
    const list = applyFilters(Object.values(ctx.state.baselines), input.Filters, BASELINE_FILTERS);
    const { page, nextToken } = paginate(list, (b) => b.BaselineId, { operation: "DescribePatchBaselines", MaxResults: input.MaxResults, NextToken: input.NextToken, defaultSize: 100, query: input.Filters });
    return { BaselineIdentities: page.map((b) => baselineIdentity(ctx, b)), NextToken: nextToken };
  }),
};
