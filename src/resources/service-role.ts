import type { ServiceRoleDoc } from "../model/desired.js";
import type { Json, JsonObject, Resource } from "../model/plan.js";
import type { ResourceHandler, SsmCall } from "./handler.js";
import { canonicalPolicy, SSM_TRUST_POLICY } from "./policy-document.js";
import { asArray, asObject, compact, sortedStrings, tagMap } from "./shape.js";

/**
 * An IAM role for maintenance-window tasks (kind ServiceRole). Normalised spec:
 * roleName, path, description, maxSessionDuration, assumeRolePolicyDocument (canonical,
 * see policy-document.ts), managedPolicyArns (sorted), inlinePolicies (name → canonical
 * document) and tags. Its physical id is the role's ARN, which tasks are given.
 */

export function serviceRoleKey(logical: string): string {
  return `ServiceRole/${logical}`;
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
  // IAM cannot rename a role or move it to another path.
  forceNew: ["roleName", "path"],
  sensitive: [],
  isSensitive: () => false,
  // IAM lists attached policies in its own order; normalize sorts them as well.
  unorderedLists: ["managedPolicyArns"],
  // Role names are unique in the account whatever the path: the old one must go first.
  replaceOrder: "delete-then-create",

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
