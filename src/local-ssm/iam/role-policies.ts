import type {
  AttachRolePolicyRequest,
  DeleteRolePolicyRequest,
  DetachRolePolicyRequest,
  GetRolePolicyRequest,
  ListAttachedRolePoliciesRequest,
  ListRolePoliciesRequest,
  PutRolePolicyRequest,
} from "@aws-sdk/client-iam";
import type { IamOperation } from "./context.js";
import { defineOperation, limitExceeded, noSuchEntity } from "./context.js";
import { attachablePolicy, parsePolicyArn } from "./managed-policies.js";
import { paginate } from "./pagination.js";
import { checkPolicyDocument, encodeDocument, nonWhitespaceLength } from "./policy-documents.js";
import type { InlinePolicyRecord, RoleRecord } from "./records.js";
import { findRole } from "./role-lookup.js";

/** Managed policies per role (IAM's default quota). */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;
/** All of a role's inline policies together, in characters without whitespace (IAM quota). */
export const MAX_INLINE_POLICY_CHARS = 10240;

function inlinePolicy(role: RoleRecord, name: string): InlinePolicyRecord {
  const p = role.InlinePolicies.find((x) => x.PolicyName === name);
  if (!p) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
  return p;
}

export const rolePolicyOperations: Record<string, IamOperation> = {
  /** Attaching a policy already attached changes nothing, as in IAM. */
  ...defineOperation<AttachRolePolicyRequest>("AttachRolePolicy", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const policy = attachablePolicy(input.PolicyArn!, ctx.account);
    if (role.AttachedPolicyArns.includes(policy.arn)) return undefined;
    if (role.AttachedPolicyArns.length >= MAX_MANAGED_POLICIES_PER_ROLE) throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${MAX_MANAGED_POLICIES_PER_ROLE}`);
    role.AttachedPolicyArns.push(policy.arn);
    ctx.mutated = true;
    return undefined;
  }),

  ...defineOperation<DetachRolePolicyRequest>("DetachRolePolicy", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const arn = parsePolicyArn(input.PolicyArn!).arn;
    const at = role.AttachedPolicyArns.indexOf(arn);
    if (at < 0) throw noSuchEntity(`Policy ${arn} was not found.`);
    role.AttachedPolicyArns.splice(at, 1);
    ctx.mutated = true;
    return undefined;
  }),

  ...defineOperation<ListAttachedRolePoliciesRequest>("ListAttachedRolePolicies", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const prefix = input.PathPrefix ?? "/";
    const attached = role.AttachedPolicyArns.map(parsePolicyArn).filter((p) => p.path.startsWith(prefix));
    const page = paginate(attached, (p) => p.arn, input.Marker, input.MaxItems);
    return { AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })), IsTruncated: page.IsTruncated, Marker: page.Marker };
  }),

  /** Creates or replaces the named inline policy. */
  ...defineOperation<PutRolePolicyRequest>("PutRolePolicy", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const name = input.PolicyName!;
    const document = input.PolicyDocument!;
    checkPolicyDocument(document);
    const others = role.InlinePolicies.filter((p) => p.PolicyName !== name);
    const total = others.reduce((n, p) => n + nonWhitespaceLength(p.PolicyDocument), nonWhitespaceLength(document));
    if (total > MAX_INLINE_POLICY_CHARS) throw limitExceeded(`Maximum policy size of ${MAX_INLINE_POLICY_CHARS} bytes exceeded for role ${role.RoleName}`);
    const existing = role.InlinePolicies.find((p) => p.PolicyName === name);
    if (existing) existing.PolicyDocument = document;
    else role.InlinePolicies.push({ PolicyName: name, PolicyDocument: document });
    ctx.mutated = true;
    return undefined;
  }),

  ...defineOperation<GetRolePolicyRequest>("GetRolePolicy", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const p = inlinePolicy(role, input.PolicyName!);
    return { RoleName: role.RoleName, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.PolicyDocument) };
  }),

  ...defineOperation<DeleteRolePolicyRequest>("DeleteRolePolicy", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const p = inlinePolicy(role, input.PolicyName!);
    role.InlinePolicies.splice(role.InlinePolicies.indexOf(p), 1);
    ctx.mutated = true;
    return undefined;
  }),

  /** Inline policy names, in alphabetical order. */
  ...defineOperation<ListRolePoliciesRequest>("ListRolePolicies", (input, ctx) => {
    const role = findRole(ctx, input.RoleName!);
    const names = role.InlinePolicies.map((p) => p.PolicyName).sort();
    const page = paginate(names, (n) => n, input.Marker, input.MaxItems);
    return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  }),
};
