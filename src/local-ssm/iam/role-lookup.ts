import type { Role } from "@aws-sdk/client-iam";
import type { IamContext } from "./context.js";
import { noSuchEntity } from "./context.js";
import { encodeDocument } from "./policy-documents.js";
import type { RoleRecord } from "./records.js";

/** Role names are unique per account without regard to case, and found the same way. */
export function roleKey(name: string): string {
  return name.toLowerCase();
}

export function lookupRole(ctx: IamContext, name: string): RoleRecord | undefined {
  const key = roleKey(name);
  return ctx.state.roles.find((r) => roleKey(r.RoleName) === key);
}

/** The role, or NoSuchEntity in IAM's words. */
export function findRole(ctx: IamContext, name: string): RoleRecord {
  const role = lookupRole(ctx, name);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

/**
 * A role as responses carry it, documents URL-encoded. ListRoles leaves out Tags,
 * PermissionsBoundary and RoleLastUsed, as IAM does; GetRole has them all
 * (RoleLastUsed empty: no role is ever assumed here).
 */
export function roleView(r: RoleRecord, detail: "list" | "create" | "full"): Role {
  const out: Role = {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: new Date(r.CreateDate),
    AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
    Description: r.Description,
    MaxSessionDuration: r.MaxSessionDuration,
  };
  if (detail === "list") return out;
  if (r.PermissionsBoundaryArn) out.PermissionsBoundary = { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.PermissionsBoundaryArn };
  if (r.Tags.length > 0) out.Tags = r.Tags.map((t) => ({ ...t }));
  if (detail === "full") out.RoleLastUsed = {};
  return out;
}
