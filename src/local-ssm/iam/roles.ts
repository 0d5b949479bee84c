import type {
  CreateRoleRequest,
  DeleteRoleRequest,
  GetRoleRequest,
  ListRolesRequest,
  UpdateAssumeRolePolicyRequest,
  UpdateRoleDescriptionRequest,
  UpdateRoleRequest,
} from "@aws-sdk/client-iam";
import type { IamOperation } from "./context.js";
import { defineOperation, deleteConflict, entityAlreadyExists, iamId, isoSeconds, limitExceeded } from "./context.js";
import { attachablePolicy } from "./managed-policies.js";
import { paginate } from "./pagination.js";
import { checkTrustPolicy } from "./policy-documents.js";
import type { RoleRecord } from "./records.js";
import { findRole, lookupRole, roleKey, roleView } from "./role-lookup.js";
import { mergeTags } from "./role-tags.js";

/** Roles per account (IAM's default quota). */
export const MAX_ROLES_PER_ACCOUNT = 1000;

export const roleOperations: Record<string, IamOperation> = {
  ...defineOperation<CreateRoleRequest>("CreateRole", (input, ctx) => {
    const name = input.RoleName!;
    const existing = lookupRole(ctx, name);
    if (existing) throw entityAlreadyExists(`Role with name ${existing.RoleName} already exists.`);
    if (ctx.state.roles.length >= MAX_ROLES_PER_ACCOUNT) throw limitExceeded(`Cannot exceed quota for RolesPerAccount: ${MAX_ROLES_PER_ACCOUNT}`);
    checkTrustPolicy(input.AssumeRolePolicyDocument!);
    const tags = mergeTags([], input.Tags ?? []);
    const boundary = input.PermissionsBoundary === undefined ? undefined : attachablePolicy(input.PermissionsBoundary, ctx.account).arn;
    const path = input.Path ?? "/";
    const role: RoleRecord = {
      Path: path,
      RoleName: name,
      RoleId: iamId("AROA"),
      Arn: `arn:aws:iam::${ctx.account}:role${path}${name}`,
      CreateDate: isoSeconds(ctx.now),
      AssumeRolePolicyDocument: input.AssumeRolePolicyDocument!,
      MaxSessionDuration: input.MaxSessionDuration ?? 3600,
      Tags: tags,
      AttachedPolicyArns: [],
      InlinePolicies: [],
    };
    if (input.Description) role.Description = input.Description;
    if (boundary) role.PermissionsBoundaryArn = boundary;
    ctx.state.roles.push(role);
    ctx.mutated = true;
    return { Role: roleView(role, "create") };
  }),

  ...defineOperation<GetRoleRequest>("GetRole", (input, ctx) => ({ Role: roleView(findRole(ctx, input.RoleName!), "full") })),

  /** Roles by name (case-insensitively), those under PathPrefix only; no tags, as in IAM. */
  ...defineOperation<ListRolesRequest>("ListRoles", (input, ctx) => {
    const prefix = input.PathPrefix ?? "/";
    const roles = ctx.state.roles.filter((r) => r.Path.startsWith(prefix)).sort((a, b) => compare(roleKey(a.RoleName), roleKey(b.RoleName)));
    const page = paginate(roles, (r) => roleKey(r.RoleName), input.Marker, input.MaxItems);
    return { Roles: page.items.map((r) => roleView(r, "list")), IsTruncated: page.IsTruncated, Marker: page.Marker };
  }),

  ...defineOperation<UpdateRoleRequest>("UpdateRole", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    if (input.Description !== undefined) setDescription(role, input.Description);
    if (input.MaxSessionDuration !== undefined) role.MaxSessionDuration = input.MaxSessionDuration;
    ctx.mutated = true;
    return {};
  }),

  ...defineOperation<UpdateRoleDescriptionRequest>("UpdateRoleDescription", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    setDescription(role, input.Description!);
    ctx.mutated = true;
    return { Role: roleView(role, "full") };
  }),

  ...defineOperation<UpdateAssumeRolePolicyRequest>("UpdateAssumeRolePolicy", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    checkTrustPolicy(input.PolicyDocument!);
    role.AssumeRolePolicyDocument = input.PolicyDocument!;
    ctx.mutated = true;
    return undefined;
  }),

  /** Refused while the role has managed policies attached or inline policies, as in IAM. */
  ...defineOperation<DeleteRoleRequest>("DeleteRole", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    if (role.AttachedPolicyArns.length > 0) throw deleteConflict("Cannot delete entity, must detach all policies first.");
    if (role.InlinePolicies.length > 0) throw deleteConflict("Cannot delete entity, must delete policies first.");
    ctx.state.roles.splice(ctx.state.roles.indexOf(role), 1);
    ctx.mutated = true;
    return undefined;
  }),
};

/** An empty description removes it. */
function setDescription(role: RoleRecord, description: string): void {
  if (description === "") delete role.Description;
  else role.Description = description;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
