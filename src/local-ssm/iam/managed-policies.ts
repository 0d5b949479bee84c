import type { GetPolicyRequest, Policy } from "@aws-sdk/client-iam";
import { createHash } from "node:crypto";
import type { IamContext, IamOperation } from "./context.js";
import { defineOperation, invalidInput, noSuchEntity } from "./context.js";

/**
 * Managed policies. The endpoint serves no CreatePolicy; it knows:
 *
 * - a small built-in set of AWS managed policies (real ARNs, names, paths and
 *   descriptions; the ids, version ids and dates are representative — midnight of roughly
 *   the right day — not AWS's);
 *   any other `arn:aws:iam::aws:policy/...` does not exist (NoSuchEntity);
 * - customer managed policies of the caller's own account
 *   (`arn:aws:iam::<caller's account>:policy/<path/>name`): accepted as existing
 *   without having been created, so roles can be given the policies a real account
 *   would have. Another account's policy does not exist here (NoSuchEntity).
 */
interface KnownPolicy {
  PolicyName: string;
  Path: string;
  Description: string;
  DefaultVersionId: string;
  CreateDate: string;
  UpdateDate: string;
}

const AWS_MANAGED: readonly KnownPolicy[] = [
  { PolicyName: "AmazonSSMMaintenanceWindowRole", Path: "/service-role/", Description: "Service Role to be used for EC2 Maintenance Window", DefaultVersionId: "v3", CreateDate: "2016-12-01T00:00:00Z", UpdateDate: "2019-02-28T00:00:00Z" },
  { PolicyName: "AmazonSSMManagedInstanceCore", Path: "/", Description: "The policy for Amazon EC2 Role to enable AWS Systems Manager service core functionality.", DefaultVersionId: "v2", CreateDate: "2019-03-15T00:00:00Z", UpdateDate: "2019-05-23T00:00:00Z" },
  { PolicyName: "AmazonS3ReadOnlyAccess", Path: "/", Description: "Provides read only access to all buckets via the AWS Management Console.", DefaultVersionId: "v3", CreateDate: "2015-02-06T00:00:00Z", UpdateDate: "2023-08-10T00:00:00Z" },
  { PolicyName: "CloudWatchAgentServerPolicy", Path: "/", Description: "Permissions required to use AmazonCloudWatchAgent on servers", DefaultVersionId: "v2", CreateDate: "2017-09-13T00:00:00Z", UpdateDate: "2019-03-07T00:00:00Z" },
  { PolicyName: "AmazonSNSFullAccess", Path: "/", Description: "Provides full access to Amazon SNS via the AWS Management Console.", DefaultVersionId: "v1", CreateDate: "2015-02-06T00:00:00Z", UpdateDate: "2015-02-06T00:00:00Z" },
];

export interface PolicyArn {
  arn: string;
  /** "aws" for AWS managed policies, else the 12-digit account. */
  owner: string;
  path: string;
  name: string;
}

const POLICY_ARN = /^arn:aws:iam::(aws|\d{12}):policy((?:\/[A-Za-z0-9.,+@=_-]+)*\/)([\w+=,.@-]{1,128})$/;

/** The parts of a policy ARN; InvalidInput when it is not one. */
export function parsePolicyArn(arn: string): PolicyArn {
  const m = POLICY_ARN.exec(arn);
  if (!m) throw invalidInput(`ARN ${arn} is not valid.`);
  return { arn, owner: m[1]!, path: m[2]!, name: m[3]! };
}

function known(p: PolicyArn): KnownPolicy | undefined {
  return p.owner === "aws" ? AWS_MANAGED.find((k) => k.Path === p.path && k.PolicyName === p.name) : undefined;
}

/** Whether the policy exists for callers in `account` (see above). */
export function policyExists(p: PolicyArn, account: string): boolean {
  return p.owner === account || known(p) !== undefined;
}

/** The policy an attach names; NoSuchEntity when it does not exist, InvalidInput when the ARN is malformed. */
export function attachablePolicy(arn: string, account: string): PolicyArn {
  const p = parsePolicyArn(arn);
  if (!policyExists(p, account)) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return p;
}

/** The AWS managed policies the endpoint knows, by ARN. */
export function awsManagedPolicyArns(): string[] {
  return AWS_MANAGED.map((k) => `arn:aws:iam::aws:policy${k.Path}${k.PolicyName}`);
}

/** A stable policy id (ANPA + 17), derived from the ARN. */
function policyId(arn: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const hash = createHash("sha256").update(arn).digest();
  let id = "ANPA";
  for (let i = 0; id.length < 21; i++) id += alphabet[hash[i]! % alphabet.length];
  return id;
}

function describe(p: PolicyArn, ctx: IamContext): Policy {
  const k = known(p);
  const roles = ctx.state.roles;
  return {
    PolicyName: p.name,
    PolicyId: policyId(p.arn),
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: k?.DefaultVersionId ?? "v1",
    AttachmentCount: roles.filter((r) => r.AttachedPolicyArns.includes(p.arn)).length,
    PermissionsBoundaryUsageCount: roles.filter((r) => r.PermissionsBoundaryArn === p.arn).length,
    IsAttachable: true,
    Description: k?.Description,
    CreateDate: k ? new Date(k.CreateDate) : undefined,
    UpdateDate: k ? new Date(k.UpdateDate) : undefined,
  };
}

export const managedPolicyOperations: Record<string, IamOperation> = {
  ...defineOperation<GetPolicyRequest>("GetPolicy", (input, ctx) => {
    const p = parsePolicyArn(input.PolicyArn!);
    if (!policyExists(p, ctx.account)) throw noSuchEntity(`Policy ${p.arn} was not found.`);
    return { Policy: describe(p, ctx) };
  }),
};
