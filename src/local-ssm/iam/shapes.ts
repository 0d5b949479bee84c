import type { StructureShape } from "../validation.js";
import { int, list, str, struct } from "../validation.js";

/**
 * The input shapes of the IAM operations served, from botocore's model of IAM
 * 2010-05-08 (the member names, lengths and patterns; the newer copy's patterns
 * where Debian's awscli has an older one: Path and Description).
 */
const roleName = str({ min: 1, max: 64, pattern: "[\\w+=,.@-]+" });
const path = str({ min: 1, max: 512, pattern: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)" });
const pathPrefix = str({ min: 1, max: 512, pattern: "\\u002F[\\u0021-\\u007F]*" });
const policyPath = str({ min: 1, max: 512, pattern: "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/" });
const policyDocument = str({ min: 1, max: 131072, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" });
const description = str({ max: 1000, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*" });
const maxSessionDuration = int({ min: 3600, max: 43200 });
const arn = str({ min: 20, max: 2048 });
const tagKey = str({ min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" });
const tagValue = str({ min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" });
const tags = list(struct("Tag", { Key: tagKey, Value: tagValue }, ["Key", "Value"]), { max: 50 });
const policyName = str({ min: 1, max: 128, pattern: "[\\w+=,.@-]+" });
const marker = str({ min: 1, max: 320, pattern: "[\\u0020-\\u00FF]+" });
const maxItems = int({ min: 1, max: 1000 });

export const IAM_INPUT_SHAPES: Readonly<Record<string, StructureShape>> = {
  CreateRole: struct(
    "CreateRoleRequest",
    { Path: path, RoleName: roleName, AssumeRolePolicyDocument: policyDocument, Description: description, MaxSessionDuration: maxSessionDuration, PermissionsBoundary: arn, Tags: tags },
    ["RoleName", "AssumeRolePolicyDocument"],
  ),
  GetRole: struct("GetRoleRequest", { RoleName: roleName }, ["RoleName"]),
  ListRoles: struct("ListRolesRequest", { PathPrefix: pathPrefix, Marker: marker, MaxItems: maxItems }),
  UpdateRole: struct("UpdateRoleRequest", { RoleName: roleName, Description: description, MaxSessionDuration: maxSessionDuration }, ["RoleName"]),
  UpdateRoleDescription: struct("UpdateRoleDescriptionRequest", { RoleName: roleName, Description: description }, ["RoleName", "Description"]),
  UpdateAssumeRolePolicy: struct("UpdateAssumeRolePolicyRequest", { RoleName: roleName, PolicyDocument: policyDocument }, ["RoleName", "PolicyDocument"]),
  DeleteRole: struct("DeleteRoleRequest", { RoleName: roleName }, ["RoleName"]),
  AttachRolePolicy: struct("AttachRolePolicyRequest", { RoleName: roleName, PolicyArn: arn }, ["RoleName", "PolicyArn"]),
  DetachRolePolicy: struct("DetachRolePolicyRequest", { RoleName: roleName, PolicyArn: arn }, ["RoleName", "PolicyArn"]),
  ListAttachedRolePolicies: struct("ListAttachedRolePoliciesRequest", { RoleName: roleName, PathPrefix: policyPath, Marker: marker, MaxItems: maxItems }, ["RoleName"]),
  PutRolePolicy: struct("PutRolePolicyRequest", { RoleName: roleName, PolicyName: policyName, PolicyDocument: policyDocument }, ["RoleName", "PolicyName", "PolicyDocument"]),
  GetRolePolicy: struct("GetRolePolicyRequest", { RoleName: roleName, PolicyName: policyName }, ["RoleName", "PolicyName"]),
  DeleteRolePolicy: struct("DeleteRolePolicyRequest", { RoleName: roleName, PolicyName: policyName }, ["RoleName", "PolicyName"]),
  ListRolePolicies: struct("ListRolePoliciesRequest", { RoleName: roleName, Marker: marker, MaxItems: maxItems }, ["RoleName"]),
  TagRole: struct("TagRoleRequest", { RoleName: roleName, Tags: tags }, ["RoleName", "Tags"]),
  UntagRole: struct("UntagRoleRequest", { RoleName: roleName, TagKeys: list(tagKey, { max: 50 }) }, ["RoleName", "TagKeys"]),
  ListRoleTags: struct("ListRoleTagsRequest", { RoleName: roleName, Marker: marker, MaxItems: maxItems }, ["RoleName"]),
  GetPolicy: struct("GetPolicyRequest", { PolicyArn: arn }, ["PolicyArn"]),
};
