/**
 * IAM state of one account, as persisted in the store's `iam` section (keyed by
 * account: IAM is global, so the caller's region plays no part). Arrays, not
 * objects keyed by name: role and policy names are user input ("__proto__" is a
 * valid role name).
 */
export interface IamAccountState {
  version: 1;
  roles: RoleRecord[];
}

export interface TagRecord {
  Key: string;
  Value: string;
}

export interface InlinePolicyRecord {
  PolicyName: string;
  /** As given (responses URL-encode it). */
  PolicyDocument: string;
}

export interface RoleRecord {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  /** ISO 8601, whole seconds. */
  CreateDate: string;
  /** As given (responses URL-encode it). */
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundaryArn?: string;
  Tags: TagRecord[];
  /** Managed policy ARNs, in the order attached. */
  AttachedPolicyArns: string[];
  InlinePolicies: InlinePolicyRecord[];
}

export function freshAccountState(): IamAccountState {
  return { version: 1, roles: [] };
}
