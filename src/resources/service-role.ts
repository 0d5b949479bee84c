import type { ServiceRoleDoc } from "../model/desired.js";
import type { ReadEvent } from "../model/events.js";
import type { Json, JsonObject, Resource } from "../model/plan.js";
import type { ResourceHandler, SsmCall } from "./handler.js";
import { canonicalPolicy, SSM_TRUST_POLICY } from "./policy-document.js";
import type { AwsGateway } from "../aws/gateway.js";
import { IAM_NOT_FOUND, unlessGone } from "../aws/not-found.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import type { ActualResource } from "../model/plan.js";
import { mapLimit } from "../util/limit.js";
import { trustsService } from "./policy-document.js";
import { dedupe } from "./read-helpers.js";
import { asArray, asObject, compact, sortedStrings, tagMap } from "./shape.js";
import { flatKey } from "../util/flat-key.js";

/**
 * An IAM role for maintenance-window tasks (kind ServiceRole). Normalised spec:
 * roleName, path, description, maxSessionDuration, assumeRolePolicyDocument (canonical,
 * see policy-document.ts), managedPolicyArns (sorted), inlinePolicies (name → canonical
 * document) and tags. Its physical id is the role's ARN, which tasks are given.
 */

export function serviceRoleKey(logical: string): string {
  return flatKey("ServiceRole", logical);
}

function roleNameOf(r: Resource): string {
  return String(r.spec.roleName);
}

function policyJson(doc: Json | undefined): string {
  return JSON.stringify(doc);
}

function iam(operation: string, input: Record<string, unknown>, description: string, extra: Partial<SsmCall> = {}): SsmCall {
  return { operation, input, description, service: "iam", ...extra };
}

function inlineOf(spec: JsonObject): JsonObject {
  return asObject(spec.inlinePolicies) ?? {};
}

function tagsOf(spec: JsonObject | undefined): JsonObject {
  return asObject(spec?.tags) ?? {};
}

export const serviceRoleHandler: ResourceHandler = {
  type: "ServiceRole",
  writes: ["CreateRole", "UpdateRole", "UpdateAssumeRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "TagRole", "UntagRole", "DeleteRole"],
  noun: "service role",
  ownership: "tags",
  documentKind: "ServiceRole",
  expand(doc, ctx) {
    const name = doc.metadata.name;
    return [{ type: "ServiceRole", key: serviceRoleKey(name), name, spec: serviceRoleFromDesired(doc as ServiceRoleDoc, ctx.ownership), source: ctx.source() }];
  },
  async read(gw, ctx) {
    return { resources: dedupe(await readServiceRoles(gw, { owner: ctx.owner, desiredNames: ctx.desiredNames, concurrency: ctx.concurrency, emit: ctx.emit })) };
  },
  awsName: (r) => roleNameOf(r),
  // IAM role names are unique regardless of case.
  caseInsensitiveNames: true,
  readScope: "roles",
  references: () => [],
  key: (name) => serviceRoleKey(name),
  // Roles exist before the tasks that run as them and go after every task moved off them;
  // a replaced role (same name) is deleted just before it is created again.
  phases: { create: 0, update: 0, delete: 11, deleteForReplace: -1 },
  // IAM cannot rename a role or move it to another path.
  forceNew: ["roleName", "path"],
  isSensitive: () => false,
  // IAM lists attached policies in its own order; normalize sorts them as well.
  unorderedLists: ["managedPolicyArns"],
  // Replaced delete-then-create (its phases): role names are unique in the account whatever the path, the old one must go first.

  normalize(spec) {
    const inline = asObject(spec.inlinePolicies) ?? {};
    return compact({
      roleName: spec.roleName,
      path: (spec.path as string | undefined) ?? "/",
      description: spec.description === "" ? undefined : spec.description,
      maxSessionDuration: (spec.maxSessionDuration as number | undefined) ?? 3600,
      assumeRolePolicyDocument: canonicalPolicy(spec.assumeRolePolicyDocument ?? SSM_TRUST_POLICY),
      managedPolicyArns: sortedStrings(asArray(spec.managedPolicyArns)),
      inlinePolicies: Object.fromEntries(Object.keys(inline).sort().map((name) => [name, canonicalPolicy(inline[name])])),
      tags: asObject(spec.tags) ? tagMap(Object.fromEntries(Object.entries(asObject(spec.tags)!).map(([k, v]) => [k, String(v)]))) : undefined,
    });
  },

  createCalls(r) {
    const name = roleNameOf(r);
    const calls: SsmCall[] = [
      iam(
        "CreateRole",
        {
          RoleName: name,
          Path: r.spec.path,
          AssumeRolePolicyDocument: policyJson(r.spec.assumeRolePolicyDocument),
          Description: r.spec.description,
          MaxSessionDuration: r.spec.maxSessionDuration,
          // Ownership tags are written with the role, so a crash right after leaves an owned role (no orphan).
          Tags: Object.entries(tagsOf(r.spec)).map(([Key, Value]) => ({ Key, Value: String(Value) })),
        },
        `create IAM role ${name}`,
        { yieldsId: { key: r.key, field: "Role.Arn" } },
      ),
    ];
    calls.push(...policyCalls(name, {}, r.spec));
    return calls;
  },

  updateCalls(change) {
    const before = change.before!.spec;
    const after = change.after!.spec;
    const name = roleNameOf(change.after!);
    const calls: SsmCall[] = [];
    if (before.description !== after.description || before.maxSessionDuration !== after.maxSessionDuration) {
      calls.push(iam("UpdateRole", { RoleName: name, Description: after.description ?? "", MaxSessionDuration: after.maxSessionDuration }, `update IAM role ${name}`));
    }
    if (JSON.stringify(before.assumeRolePolicyDocument) !== JSON.stringify(after.assumeRolePolicyDocument)) {
      calls.push(iam("UpdateAssumeRolePolicy", { RoleName: name, PolicyDocument: policyJson(after.assumeRolePolicyDocument) }, `update the trust policy of IAM role ${name}`));
    }
    calls.push(...policyCalls(name, before, after));
    const beforeTags = tagsOf(before);
    const afterTags = tagsOf(after);
    const add = Object.entries(afterTags).filter(([k, v]) => beforeTags[k] !== v);
    const remove = Object.keys(beforeTags).filter((k) => !(k in afterTags));
    if (add.length) calls.push(iam("TagRole", { RoleName: name, Tags: add.map(([Key, Value]) => ({ Key, Value: String(Value) })) }, `tag IAM role ${name}: ${add.map(([k]) => k).join(", ")}`));
    if (remove.length) calls.push(iam("UntagRole", { RoleName: name, TagKeys: remove }, `untag IAM role ${name}: ${remove.join(", ")}`));
    return calls;
  },

  deleteCalls(r) {
    const name = roleNameOf(r);
    // IAM refuses to delete a role with policies: detach and delete them first.
    return [
      ...asArray(r.spec.managedPolicyArns).map((arn) => iam("DetachRolePolicy", { RoleName: name, PolicyArn: arn }, `detach ${String(arn)} from IAM role ${name}`, { toleratedErrors: ["NoSuchEntityException"] })),
      ...Object.keys(inlineOf(r.spec)).map((p) => iam("DeleteRolePolicy", { RoleName: name, PolicyName: p }, `delete inline policy ${p} of IAM role ${name}`, { toleratedErrors: ["NoSuchEntityException"] })),
      iam("DeleteRole", { RoleName: name }, `delete IAM role ${name}`, { toleratedErrors: ["NoSuchEntityException"] }),
    ];
  },
};

/** Attach/detach managed policies and put/delete inline policies to go from `before` to `after`. */
function policyCalls(name: string, before: JsonObject, after: JsonObject): SsmCall[] {
  const calls: SsmCall[] = [];
  const had = new Set(asArray(before.managedPolicyArns).map(String));
  const want = new Set(asArray(after.managedPolicyArns).map(String));
  for (const arn of want) if (!had.has(arn)) calls.push(iam("AttachRolePolicy", { RoleName: name, PolicyArn: arn }, `attach ${arn} to IAM role ${name}`));
  for (const arn of had) if (!want.has(arn)) calls.push(iam("DetachRolePolicy", { RoleName: name, PolicyArn: arn }, `detach ${arn} from IAM role ${name}`, { toleratedErrors: ["NoSuchEntityException"] }));
  const oldInline = inlineOf(before);
  const newInline = inlineOf(after);
  for (const [p, doc] of Object.entries(newInline)) {
    if (JSON.stringify(oldInline[p]) !== JSON.stringify(doc)) calls.push(iam("PutRolePolicy", { RoleName: name, PolicyName: p, PolicyDocument: policyJson(doc) }, `put inline policy ${p} on IAM role ${name}`));
  }
  for (const p of Object.keys(oldInline)) if (!(p in newInline)) calls.push(iam("DeleteRolePolicy", { RoleName: name, PolicyName: p }, `delete inline policy ${p} of IAM role ${name}`, { toleratedErrors: ["NoSuchEntityException"] }));
  return calls;
}

/** The desired side: YAML spec with ownership tags, inline policies keyed by name. */
export function serviceRoleFromDesired(doc: ServiceRoleDoc, ownership: Record<string, string>): JsonObject {
  const spec = doc.spec;
  return serviceRoleHandler.normalize({
    roleName: spec.roleName ?? doc.metadata.name,
    path: spec.path ?? "/",
    description: spec.description,
    maxSessionDuration: spec.maxSessionDuration,
    assumeRolePolicyDocument: (spec.assumeRolePolicyDocument ?? SSM_TRUST_POLICY) as Json,
    managedPolicyArns: spec.managedPolicyArns,
    inlinePolicies: Object.fromEntries((spec.inlinePolicies ?? []).map((p) => [p.policyName, p.policyDocument as Json])),
    tags: { ...(doc.metadata.tags ?? {}), ...ownership },
  } as JsonObject);
}

export interface IamRole {
  RoleName?: string;
  Path?: string;
  Arn?: string;
  Description?: string;
  MaxSessionDuration?: number;
  AssumeRolePolicyDocument?: string;
}

/** IAM returns policy documents URL-encoded. */
export function decodePolicy(text: string | undefined): Json {
  if (text === undefined) return null;
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // not encoded
  }
  return JSON.parse(decoded) as Json;
}

/** The actual side, from ListRoles, ListRoleTags, ListAttachedRolePolicies and GetRolePolicy. */
export function serviceRoleFromIam(role: IamRole, tags: { Key?: string; Value?: string }[], managed: string[], inline: Record<string, string>): JsonObject {
  return serviceRoleHandler.normalize({
    roleName: role.RoleName ?? "",
    path: role.Path ?? "/",
    description: role.Description,
    maxSessionDuration: role.MaxSessionDuration,
    assumeRolePolicyDocument: decodePolicy(role.AssumeRolePolicyDocument),
    managedPolicyArns: managed,
    inlinePolicies: Object.fromEntries(Object.entries(inline).map(([k, v]) => [k, decodePolicy(v)])),
    tags: tagMap(tags),
  } as JsonObject);
}

// Reading roles from IAM.

export interface RoleReadOptions {
  owner: string;
  /** IAM role names in the desired state (compared case-insensitively, as IAM does). */
  desiredNames: Set<string>;
  concurrency: number;
  emit?: (e: ReadEvent) => void;
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
      opts.emit?.({ code: "PATCHCTL_W1003", resourceType: "ServiceRole", reason: "access-denied" });
      return [];
    }
    throw err;
  }
  const candidates = roles.filter((r) => {
    if (!r.RoleName || !r.Arn || (r.Path ?? "/").startsWith("/aws-service-role/")) return false;
    return wanted.has(r.RoleName.toLowerCase()) || trustsService(decodeSafely(r.AssumeRolePolicyDocument), "ssm.amazonaws.com");
  });
  if (candidates.length) opts.emit?.({ code: "PATCHCTL_I1002", resourceType: "ServiceRole", count: candidates.length });
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

