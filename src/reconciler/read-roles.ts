import type { IamRole } from "../resources/service-role.js";
import { serviceRoleFromIam, serviceRoleKey } from "../resources/service-role.js";
import { trustsService } from "../resources/policy-document.js";
import { mapLimit } from "../util/limit.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import { IAM_NOT_FOUND, unlessGone } from "./not-found.js";
import type { ActualResource } from "../model/plan.js";
import type { AwsGateway } from "../aws/gateway.js";

export interface RoleReadOptions {
  owner: string;
  /** IAM role names in the desired state (compared case-insensitively, as IAM does). */
  desiredNames: Set<string>;
  concurrency: number;
  onProgress?: (message: string) => void;
}

type Tag = { Key?: string; Value?: string };

export const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

/**
 * The ServiceRole side of the actual state, with the fewest IAM calls: one ListRoles walk
 * (it carries trust policies, descriptions and session durations, not tags), then
 * ListRoleTags only for candidates — roles the desired state names, and roles Systems
 * Manager may assume (where patchctl's own roles are, and what is worth reporting as
 * unmanaged) — and the policies (ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy)
 * only of roles that are ours or carry a desired name. Service-linked roles are skipped.
 *
 * Without IAM read access and with no ServiceRole desired, roles are left out (patchctl
 * then manages SSM only) instead of failing the run.
 */
export async function readServiceRoles(gw: AwsGateway, opts: RoleReadOptions): Promise<ActualResource[]> {
  const wanted = new Set([...opts.desiredNames].map((n) => n.toLowerCase()));
  let roles: IamRole[];
  try {
    roles = await gw.paginateIam<IamRole>("ListRoles", {}, "Roles", 1000);
  } catch (err) {
    if (wanted.size === 0 && err instanceof Error && ACCESS_DENIED.has(err.name)) {
      opts.onProgress?.("IAM roles not readable (access denied): ServiceRole resources are not managed in this run");
      return [];
    }
    throw err;
  }
  const candidates = roles.filter((r) => {
    if (!r.RoleName || !r.Arn || (r.Path ?? "/").startsWith("/aws-service-role/")) return false;
    return wanted.has(r.RoleName.toLowerCase()) || trustsService(decodeSafely(r.AssumeRolePolicyDocument), "ssm.amazonaws.com");
  });
  if (candidates.length) opts.onProgress?.(`reading ${candidates.length} IAM roles`);
  const read = await mapLimit(candidates, opts.concurrency, async (role): Promise<ActualResource | undefined> => {
    const name = role.RoleName!;
    const tags = await unlessGone(() => gw.paginateIam<Tag>("ListRoleTags", { RoleName: name }, "Tags", 100), IAM_NOT_FOUND);
    if (!tags) return undefined;
    const ownerTag = tags.find((t) => t.Key === OWNER_TAG)?.Value;
    const owned = ownerTag === opts.owner;
    const logical = owned ? tags.find((t) => t.Key === NAME_TAG)?.Value ?? name : name;
    const base = { type: "ServiceRole" as const, key: serviceRoleKey(logical), name: logical, id: role.Arn!, owned, ownerTag, ssmName: name };
    if (!owned && !wanted.has(name.toLowerCase())) return { ...base, spec: { roleName: name } };
    const policies = await unlessGone(() => readRolePolicies(gw, name), IAM_NOT_FOUND);
    if (!policies) return undefined;
    return { ...base, spec: serviceRoleFromIam(role, tags, policies.managed, policies.inline) };
  });
  return read.filter((r): r is ActualResource => r !== undefined);
}

/** A role's attached managed policy ARNs and inline policy documents (as IAM returns them). */
export async function readRolePolicies(gw: AwsGateway, name: string): Promise<{ managed: string[]; inline: Record<string, string> }> {
  const [attached, inlineNames] = await Promise.all([
    gw.paginateIam<{ PolicyArn?: string }>("ListAttachedRolePolicies", { RoleName: name }, "AttachedPolicies", 1000),
    gw.paginateIam<string>("ListRolePolicies", { RoleName: name }, "PolicyNames", 1000),
  ]);
  const inline: Record<string, string> = {};
  for (const p of inlineNames) {
    const out = await gw.callIam<{ PolicyDocument?: string }>("GetRolePolicy", { RoleName: name, PolicyName: p });
    inline[p] = out.PolicyDocument ?? "{}";
  }
  return { managed: attached.map((a) => a.PolicyArn ?? "").filter(Boolean), inline };
}

function decodeSafely(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(decodeURIComponent(text));
  } catch {
    return undefined;
  }
}

