/**
 * Least-privilege IAM policies for patchctl: a read-only role (plan, drift, compliance,
 * pull-request CI) and an apply role (reconcile, apply, watch). A test checks that
 * every SSM operation the code calls is listed here.
 */
export const SSM_READ_ACTIONS = [
  "ssm:DescribePatchBaselines",
  "ssm:DescribePatchGroups",
  "ssm:DescribeMaintenanceWindows",
  "ssm:DescribeMaintenanceWindowTargets",
  "ssm:DescribeMaintenanceWindowTasks",
  "ssm:DescribeMaintenanceWindowExecutions",
  "ssm:DescribePatchGroupState",
  "ssm:DescribeInstancePatchStatesForPatchGroup",
  "ssm:GetPatchBaseline",
  "ssm:GetMaintenanceWindow",
  "ssm:GetMaintenanceWindowTask",
  "ssm:ListTagsForResource",
  // PatchAssociations: the list, then the full description of the owner's (and name-conflicting) ones.
  "ssm:ListAssociations",
  "ssm:DescribeAssociation",
  // compliance: the owner's associations' last runs.
  "ssm:DescribeAssociationExecutions",
  // Change freezes: patchctl.yaml changeCalendars: are asked for their state before applying.
  "ssm:GetCalendarState",
  // The online pre-flight (reconcile, validate --online): the filter values each OS takes in this account.
  "ssm:DescribePatchProperties",
] as const;

export const SSM_WRITE_ACTIONS = [
  "ssm:CreatePatchBaseline",
  "ssm:UpdatePatchBaseline",
  "ssm:DeletePatchBaseline",
  "ssm:RegisterPatchBaselineForPatchGroup",
  "ssm:DeregisterPatchBaselineForPatchGroup",
  "ssm:RegisterDefaultPatchBaseline",
  "ssm:CreateMaintenanceWindow",
  "ssm:UpdateMaintenanceWindow",
  "ssm:DeleteMaintenanceWindow",
  "ssm:RegisterTargetWithMaintenanceWindow",
  "ssm:UpdateMaintenanceWindowTarget",
  "ssm:DeregisterTargetFromMaintenanceWindow",
  "ssm:RegisterTaskWithMaintenanceWindow",
  "ssm:UpdateMaintenanceWindowTask",
  "ssm:DeregisterTaskFromMaintenanceWindow",
  "ssm:CreateAssociation",
  "ssm:UpdateAssociation",
  "ssm:DeleteAssociation",
  "ssm:AddTagsToResource",
  "ssm:RemoveTagsFromResource",
] as const;

/** ServiceRoles: reading roles (every plan lists them; without these, ServiceRoles are not managed). GetRole: import reads task roles by name. */
export const IAM_READ_ACTIONS = ["iam:ListRoles", "iam:GetRole", "iam:ListRoleTags", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:GetRolePolicy"] as const;

/** ServiceRoles: changing roles (only ones patchctl owns are ever changed). */
export const IAM_WRITE_ACTIONS = [
  "iam:CreateRole",
  "iam:UpdateRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:DeleteRole",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:TagRole",
  "iam:UntagRole",
] as const;

/** Rollouts keep their state in Parameter Store under /patchctl/<owner>/rollouts/: every plan reads it. */
export const ROLLOUT_READ_ACTIONS = ["ssm:GetParametersByPath"] as const;
/** Applying a promotion writes the state (PutParameter with tags at create: AddTagsToResource is in the write statement). */
export const ROLLOUT_WRITE_ACTIONS = ["ssm:PutParameter", "ssm:DeleteParameter"] as const;
const ROLLOUT_PARAMETERS = "arn:aws:ssm:*:*:parameter/patchctl/*/rollouts/*";

/** The write lease lives in Parameter Store under /patchctl/lease/. */
export const LEASE_ACTIONS = ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"] as const;

/** watch replicas announce themselves under /patchctl/replicas/ and count each other (src/controller/replicas.ts). */
export const REPLICA_ACTIONS = ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParametersByPath"] as const;

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: { Sid: string; Effect: "Allow"; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string>> }[];
}

export function iamPolicy(readOnly: boolean): PolicyDocument {
  const statements: PolicyDocument["Statement"] = [
    { Sid: "PatchctlRead", Effect: "Allow", Action: [...SSM_READ_ACTIONS], Resource: "*" },
    { Sid: "PatchctlReadRoles", Effect: "Allow", Action: [...IAM_READ_ACTIONS], Resource: "*" },
    // GetParametersByPath is authorised on the path itself (and what is below it).
    { Sid: "PatchctlReadRollouts", Effect: "Allow", Action: [...ROLLOUT_READ_ACTIONS], Resource: ["arn:aws:ssm:*:*:parameter/patchctl/*/rollouts", ROLLOUT_PARAMETERS] },
  ];
  if (!readOnly) {
    statements.push({ Sid: "PatchctlWrite", Effect: "Allow", Action: [...SSM_WRITE_ACTIONS], Resource: "*" });
    statements.push({ Sid: "PatchctlLease", Effect: "Allow", Action: [...LEASE_ACTIONS], Resource: "arn:aws:ssm:*:*:parameter/patchctl/lease/*" });
    // GetParametersByPath is authorised on the path itself.
    statements.push({ Sid: "PatchctlReplicas", Effect: "Allow", Action: [...REPLICA_ACTIONS], Resource: ["arn:aws:ssm:*:*:parameter/patchctl/replicas", "arn:aws:ssm:*:*:parameter/patchctl/replicas/*"] });
    statements.push({ Sid: "PatchctlWriteRollouts", Effect: "Allow", Action: [...ROLLOUT_WRITE_ACTIONS], Resource: ROLLOUT_PARAMETERS });
    statements.push({ Sid: "PatchctlWriteRoles", Effect: "Allow", Action: [...IAM_WRITE_ACTIONS], Resource: "arn:aws:iam::*:role/*" });
    // Tasks that name a service role (and associations naming an associationDispatchAssumeRole): SSM checks the caller may pass it.
    statements.push({ Sid: "PassMaintenanceWindowRole", Effect: "Allow", Action: ["iam:PassRole"], Resource: "*" });
    // RegisterTaskWithMaintenanceWindow without a ServiceRoleArn creates Systems Manager's
    // service-linked role when the account has none (the API reference of ServiceRoleArn), which
    // the caller must be allowed to do: only that role, only for Systems Manager.
    statements.push({
      Sid: "CreateSsmServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM",
      Condition: { StringEquals: { "iam:AWSServiceName": "ssm.amazonaws.com" } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
