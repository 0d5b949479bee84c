import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  paginateListRoles,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from "@aws-sdk/client-iam";
import type { Role } from "@aws-sdk/client-iam";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { rawCall, sdkClient } from "./helpers.js";

/**
 * IAM over the AWS Query protocol, driven by @aws-sdk/client-iam: every role
 * operation, paging, the error codes with their HTTP statuses, URL-encoded policy
 * documents, per-account state and persistence.
 */
const ACCOUNT_1 = "111111111111";
const ACCOUNT_2 = "222222222222";
const KEY_1 = "AKIA111111111111XXXX";
const KEY_2 = "AKIA222222222222XXXX";
const MW_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole";
const CORE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
const AWS_POLICIES = [
  MW_POLICY,
  CORE_POLICY,
  "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
  "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
  "arn:aws:iam::aws:policy/AmazonSNSFullAccess",
];

const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const TRUST_EC2 = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const INLINE = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sns:Publish"], Resource: "arn:aws:sns:us-east-1:111111111111:patch-events" }] });

function iam(url: string, accessKeyId = KEY_1, region = "us-east-1"): IAMClient {
  return new IAMClient({ region, endpoint: url, credentials: { accessKeyId, secretAccessKey: "local-secret" }, maxAttempts: 1 });
}

interface IamErrorShape extends Error {
  Code?: string;
  Type?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** Rejects with the IAM error `code` (the wire code: the SDK names modeled errors <Code>Exception) and HTTP `status`. */
async function expectIamError(p: Promise<unknown>, code: string, status: number, message?: RegExp | string): Promise<IamErrorShape> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as IamErrorShape,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(Error);
  expect(err!.Code ?? err!.name, err!.message).toBe(code);
  expect([code, `${code}Exception`]).toContain(err!.name);
  expect(err!.Type).toBe("Sender");
  expect(err!.$metadata?.httpStatusCode).toBe(status);
  if (message !== undefined) expect(err!.message).toMatch(message);
  return err!;
}

function recent(d: Date | undefined): void {
  expect(d).toBeInstanceOf(Date);
  expect(Math.abs(d!.getTime() - Date.now())).toBeLessThan(5 * 60_000);
}

/** A raw Query call (no SDK): status, content type and body text. */
async function rawQuery(url: string, body: string, accessKey = KEY_1): Promise<{ status: number; type: string | null; text: string }> {
  const authorization = `AWS4-HMAC-SHA256 Credential=${accessKey}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`;
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", authorization }, body });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

let server: LocalSsm;
let c1: IAMClient;
let c2: IAMClient;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  c1 = iam(server.url, KEY_1);
  c2 = iam(server.url, KEY_2);
});
afterAll(async () => {
  await server.close();
});

describe("IAM roles through @aws-sdk/client-iam", () => {
  it("CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole", async () => {
    const created = (await c1.send(new CreateRoleCommand({
      RoleName: "PatchMW-Role",
      Path: "/patchctl/",
      AssumeRolePolicyDocument: TRUST,
      Description: "Maintenance window service role",
      MaxSessionDuration: 7200,
      Tags: [{ Key: "managed-by", Value: "patchctl" }, { Key: "empty", Value: "" }],
    }))).Role!;
    expect(created).toMatchObject({
      Path: "/patchctl/",
      RoleName: "PatchMW-Role",
      Arn: `arn:aws:iam::${ACCOUNT_1}:role/patchctl/PatchMW-Role`,
      Description: "Maintenance window service role",
      MaxSessionDuration: 7200,
      Tags: [{ Key: "managed-by", Value: "patchctl" }, { Key: "empty", Value: "" }],
    });
    expect(created.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(created.RoleId).toHaveLength(21);
    recent(created.CreateDate);
    expect(decodeURIComponent(created.AssumeRolePolicyDocument!)).toBe(TRUST);

    // Names are found without regard to case; the stored spelling comes back.
    const got = (await c1.send(new GetRoleCommand({ RoleName: "patchmw-role" }))).Role!;
    expect(got).toEqual({ ...created, RoleLastUsed: {} });

    const defaults = (await c1.send(new CreateRoleCommand({ RoleName: "defaults", AssumeRolePolicyDocument: TRUST }))).Role!;
    expect(defaults).toMatchObject({ Path: "/", Arn: `arn:aws:iam::${ACCOUNT_1}:role/defaults`, MaxSessionDuration: 3600 });
    expect(defaults).not.toHaveProperty("Description");
    expect(defaults).not.toHaveProperty("Tags");

    const updated = await c1.send(new UpdateRoleCommand({ RoleName: "PatchMW-Role", Description: "updated", MaxSessionDuration: 43200 }));
    expect(updated.$metadata.httpStatusCode).toBe(200);
    expect((await c1.send(new GetRoleCommand({ RoleName: "PatchMW-Role" }))).Role).toMatchObject({ Description: "updated", MaxSessionDuration: 43200 });

    const described = (await c1.send(new UpdateRoleDescriptionCommand({ RoleName: "PatchMW-Role", Description: "with <xml> & \"quotes\"" }))).Role!;
    expect(described).toMatchObject({ RoleName: "PatchMW-Role", Description: "with <xml> & \"quotes\"", MaxSessionDuration: 43200, RoleId: created.RoleId });

    await c1.send(new UpdateAssumeRolePolicyCommand({ RoleName: "PatchMW-Role", PolicyDocument: TRUST_EC2 }));
    expect(decodeURIComponent((await c1.send(new GetRoleCommand({ RoleName: "PatchMW-Role" }))).Role!.AssumeRolePolicyDocument!)).toBe(TRUST_EC2);

    await c1.send(new DeleteRoleCommand({ RoleName: "PatchMW-Role" }));
    await c1.send(new DeleteRoleCommand({ RoleName: "defaults" }));
    await expectIamError(c1.send(new GetRoleCommand({ RoleName: "PatchMW-Role" })), "NoSuchEntity", 404, "The role with name PatchMW-Role cannot be found.");
  });

  it("managed policies: Attach, ListAttached (PathPrefix, paging), Detach, GetPolicy with its AttachmentCount; DeleteRole refused while attached", async () => {
    await c1.send(new CreateRoleCommand({ RoleName: "attach-role", AssumeRolePolicyDocument: TRUST }));
    for (const arn of AWS_POLICIES) await c1.send(new AttachRolePolicyCommand({ RoleName: "attach-role", PolicyArn: arn }));
    // Attaching again changes nothing.
    await c1.send(new AttachRolePolicyCommand({ RoleName: "attach-role", PolicyArn: MW_POLICY }));

    const all = await c1.send(new ListAttachedRolePoliciesCommand({ RoleName: "attach-role" }));
    expect(all.AttachedPolicies!.map((p) => p.PolicyArn)).toEqual(AWS_POLICIES);
    expect(all.AttachedPolicies![0]).toEqual({ PolicyName: "AmazonSSMMaintenanceWindowRole", PolicyArn: MW_POLICY });
    expect(all.IsTruncated).toBe(false);
    expect(all.Marker).toBeUndefined();

    const serviceRole = await c1.send(new ListAttachedRolePoliciesCommand({ RoleName: "attach-role", PathPrefix: "/service-role/" }));
    expect(serviceRole.AttachedPolicies).toEqual([{ PolicyName: "AmazonSSMMaintenanceWindowRole", PolicyArn: MW_POLICY }]);

    const first = await c1.send(new ListAttachedRolePoliciesCommand({ RoleName: "attach-role", MaxItems: 2 }));
    expect(first.AttachedPolicies).toHaveLength(2);
    expect(first.IsTruncated).toBe(true);
    const rest = await c1.send(new ListAttachedRolePoliciesCommand({ RoleName: "attach-role", MaxItems: 10, Marker: first.Marker }));
    expect([...first.AttachedPolicies!, ...rest.AttachedPolicies!].map((p) => p.PolicyArn)).toEqual(AWS_POLICIES);
    expect(rest.IsTruncated).toBe(false);

    const policy = (await c1.send(new GetPolicyCommand({ PolicyArn: MW_POLICY }))).Policy!;
    expect(policy).toMatchObject({ PolicyName: "AmazonSSMMaintenanceWindowRole", Arn: MW_POLICY, Path: "/service-role/", AttachmentCount: 1, IsAttachable: true, DefaultVersionId: expect.stringMatching(/^v\d+$/) });
    expect(policy.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(policy.CreateDate).toBeInstanceOf(Date);
    for (const arn of AWS_POLICIES) expect((await c1.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.Arn).toBe(arn);
    // Counts are per account.
    expect((await c2.send(new GetPolicyCommand({ PolicyArn: MW_POLICY }))).Policy!.AttachmentCount).toBe(0);

    await expectIamError(c1.send(new DeleteRoleCommand({ RoleName: "attach-role" })), "DeleteConflict", 409, "must detach all policies first");
    for (const arn of AWS_POLICIES) await c1.send(new DetachRolePolicyCommand({ RoleName: "attach-role", PolicyArn: arn }));
    expect((await c1.send(new ListAttachedRolePoliciesCommand({ RoleName: "attach-role" }))).AttachedPolicies).toEqual([]);
    await expectIamError(c1.send(new DetachRolePolicyCommand({ RoleName: "attach-role", PolicyArn: MW_POLICY })), "NoSuchEntity", 404, `Policy ${MW_POLICY} was not found.`);
    await c1.send(new DeleteRoleCommand({ RoleName: "attach-role" }));
  });

  it("inline policies: Put (create and replace), Get (URL-encoded), List (paging), Delete; DeleteRole refused while any exists", async () => {
    await c1.send(new CreateRoleCommand({ RoleName: "inline-role", AssumeRolePolicyDocument: TRUST }));
    await c1.send(new PutRolePolicyCommand({ RoleName: "inline-role", PolicyName: "publish", PolicyDocument: INLINE }));
    await c1.send(new PutRolePolicyCommand({ RoleName: "inline-role", PolicyName: "another", PolicyDocument: INLINE }));

    const got = await c1.send(new GetRolePolicyCommand({ RoleName: "inline-role", PolicyName: "publish" }));
    expect(got.RoleName).toBe("inline-role");
    expect(got.PolicyName).toBe("publish");
    expect(got.PolicyDocument).toMatch(/^%7B%22Version%22%3A%222012-10-17%22/);
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(INLINE);

    const replaced = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Deny", Action: "*", Resource: "*" } });
    await c1.send(new PutRolePolicyCommand({ RoleName: "inline-role", PolicyName: "publish", PolicyDocument: replaced }));
    expect(decodeURIComponent((await c1.send(new GetRolePolicyCommand({ RoleName: "inline-role", PolicyName: "publish" }))).PolicyDocument!)).toBe(replaced);

    const names = await c1.send(new ListRolePoliciesCommand({ RoleName: "inline-role" }));
    expect(names).toMatchObject({ PolicyNames: ["another", "publish"], IsTruncated: false });
    const page1 = await c1.send(new ListRolePoliciesCommand({ RoleName: "inline-role", MaxItems: 1 }));
    expect(page1).toMatchObject({ PolicyNames: ["another"], IsTruncated: true });
    const page2 = await c1.send(new ListRolePoliciesCommand({ RoleName: "inline-role", MaxItems: 1, Marker: page1.Marker }));
    expect(page2).toMatchObject({ PolicyNames: ["publish"], IsTruncated: false });

    await expectIamError(c1.send(new DeleteRoleCommand({ RoleName: "inline-role" })), "DeleteConflict", 409, "must delete policies first");
    await c1.send(new DeleteRolePolicyCommand({ RoleName: "inline-role", PolicyName: "publish" }));
    await c1.send(new DeleteRolePolicyCommand({ RoleName: "inline-role", PolicyName: "another" }));
    await expectIamError(c1.send(new GetRolePolicyCommand({ RoleName: "inline-role", PolicyName: "publish" })), "NoSuchEntity", 404, "The role policy with name publish cannot be found.");
    await expectIamError(c1.send(new DeleteRolePolicyCommand({ RoleName: "inline-role", PolicyName: "publish" })), "NoSuchEntity", 404);
    expect((await c1.send(new ListRolePoliciesCommand({ RoleName: "inline-role" }))).PolicyNames).toEqual([]);
    await c1.send(new DeleteRoleCommand({ RoleName: "inline-role" }));
  });

  it("tags: TagRole (merge, case-insensitive keys), UntagRole, ListRoleTags (paging)", async () => {
    await c1.send(new CreateRoleCommand({ RoleName: "tag-role", AssumeRolePolicyDocument: TRUST, Tags: [{ Key: "Env", Value: "prod" }] }));
    await c1.send(new TagRoleCommand({ RoleName: "tag-role", Tags: [{ Key: "team", Value: "ops" }, { Key: "env", Value: "staging" }] }));
    expect((await c1.send(new ListRoleTagsCommand({ RoleName: "tag-role" })))).toMatchObject({ Tags: [{ Key: "env", Value: "staging" }, { Key: "team", Value: "ops" }], IsTruncated: false });
    expect((await c1.send(new GetRoleCommand({ RoleName: "tag-role" }))).Role!.Tags).toEqual([{ Key: "env", Value: "staging" }, { Key: "team", Value: "ops" }]);

    const p1 = await c1.send(new ListRoleTagsCommand({ RoleName: "tag-role", MaxItems: 1 }));
    expect(p1).toMatchObject({ Tags: [{ Key: "env", Value: "staging" }], IsTruncated: true });
    const p2 = await c1.send(new ListRoleTagsCommand({ RoleName: "tag-role", Marker: p1.Marker }));
    expect(p2).toMatchObject({ Tags: [{ Key: "team", Value: "ops" }], IsTruncated: false });

    await c1.send(new UntagRoleCommand({ RoleName: "tag-role", TagKeys: ["ENV", "absent"] }));
    expect((await c1.send(new ListRoleTagsCommand({ RoleName: "tag-role" }))).Tags).toEqual([{ Key: "team", Value: "ops" }]);
    await c1.send(new UntagRoleCommand({ RoleName: "tag-role", TagKeys: ["team"] }));
    expect((await c1.send(new ListRoleTagsCommand({ RoleName: "tag-role" }))).Tags).toEqual([]);
    expect((await c1.send(new GetRoleCommand({ RoleName: "tag-role" }))).Role).not.toHaveProperty("Tags");
    await c1.send(new DeleteRoleCommand({ RoleName: "tag-role" }));
  });

  it("ListRoles: by name, PathPrefix, MaxItems/Marker/IsTruncated, no tags; the SDK's paginator walks it", async () => {
    const c = iam(server.url, "AKIA333333333333XXXX");
    const names = ["delta", "Alpha", "charlie", "bravo", "echo"];
    for (const n of names) {
      await c.send(new CreateRoleCommand({ RoleName: n, Path: n === "echo" ? "/other/" : "/list/", AssumeRolePolicyDocument: TRUST, Tags: [{ Key: "k", Value: n }] }));
    }
    const all = await c.send(new ListRolesCommand({}));
    expect(all.Roles!.map((r) => r.RoleName)).toEqual(["Alpha", "bravo", "charlie", "delta", "echo"]);
    expect(all.IsTruncated).toBe(false);
    for (const r of all.Roles!) {
      expect(r).not.toHaveProperty("Tags");
      expect(r).not.toHaveProperty("RoleLastUsed");
      expect(decodeURIComponent(r.AssumeRolePolicyDocument!)).toBe(TRUST);
      expect(r.MaxSessionDuration).toBe(3600);
    }

    const pages: Role[][] = [];
    let marker: string | undefined;
    do {
      const out = await c.send(new ListRolesCommand({ MaxItems: 2, Marker: marker }));
      pages.push(out.Roles!);
      expect(out.IsTruncated).toBe(out.Marker !== undefined);
      marker = out.Marker;
    } while (marker);
    expect(pages.map((p) => p.map((r) => r.RoleName))).toEqual([["Alpha", "bravo"], ["charlie", "delta"], ["echo"]]);

    // A page stays right when the role its Marker names is deleted meanwhile.
    const first = await c.send(new ListRolesCommand({ MaxItems: 2 }));
    await c.send(new DeleteRoleCommand({ RoleName: "bravo" }));
    expect((await c.send(new ListRolesCommand({ Marker: first.Marker }))).Roles!.map((r) => r.RoleName)).toEqual(["charlie", "delta", "echo"]);

    expect((await c.send(new ListRolesCommand({ PathPrefix: "/list/" }))).Roles!.map((r) => r.RoleName)).toEqual(["Alpha", "charlie", "delta"]);
    expect((await c.send(new ListRolesCommand({ PathPrefix: "/nothing/" }))).Roles).toEqual([]);

    const walked: string[] = [];
    for await (const page of paginateListRoles({ client: c, pageSize: 1 }, {})) walked.push(...page.Roles!.map((r) => r.RoleName!));
    expect(walked).toEqual(["Alpha", "charlie", "delta", "echo"]);

    await expectIamError(c.send(new ListRolesCommand({ Marker: "not-a-marker" })), "ValidationError", 400);
    for (const n of ["Alpha", "charlie", "delta", "echo"]) await c.send(new DeleteRoleCommand({ RoleName: n }));
  });
});

describe("IAM errors: codes, statuses and messages", () => {
  beforeAll(async () => {
    await c1.send(new CreateRoleCommand({ RoleName: "err-role", AssumeRolePolicyDocument: TRUST }));
  });

  it("NoSuchEntity (404): unknown roles, unknown AWS policies, another account's customer policy", async () => {
    await expectIamError(c1.send(new GetRoleCommand({ RoleName: "nobody" })), "NoSuchEntity", 404, "The role with name nobody cannot be found.");
    for (const send of [
      () => c1.send(new DeleteRoleCommand({ RoleName: "nobody" })),
      () => c1.send(new UpdateRoleCommand({ RoleName: "nobody", MaxSessionDuration: 3600 })),
      () => c1.send(new TagRoleCommand({ RoleName: "nobody", Tags: [{ Key: "a", Value: "b" }] })),
      () => c1.send(new ListAttachedRolePoliciesCommand({ RoleName: "nobody" })),
      () => c1.send(new PutRolePolicyCommand({ RoleName: "nobody", PolicyName: "p", PolicyDocument: INLINE })),
    ]) {
      await expectIamError(send(), "NoSuchEntity", 404);
    }
    await expectIamError(c1.send(new AttachRolePolicyCommand({ RoleName: "err-role", PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" })), "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.");
    // The right name under the wrong path is another policy.
    await expectIamError(c1.send(new AttachRolePolicyCommand({ RoleName: "err-role", PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMMaintenanceWindowRole" })), "NoSuchEntity", 404);
    await expectIamError(c1.send(new AttachRolePolicyCommand({ RoleName: "err-role", PolicyArn: `arn:aws:iam::${ACCOUNT_2}:policy/Theirs` })), "NoSuchEntity", 404);
    await expectIamError(c1.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" })), "NoSuchEntity", 404);
  });

  it("EntityAlreadyExists (409): the same name in any case", async () => {
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "err-role", AssumeRolePolicyDocument: TRUST })), "EntityAlreadyExists", 409, "Role with name err-role already exists.");
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "ERR-ROLE", AssumeRolePolicyDocument: TRUST })), "EntityAlreadyExists", 409);
  });

  it("MalformedPolicyDocument (400): not JSON, not an object, no Statement, a trust policy without Principal or with Resource", async () => {
    for (const doc of ["{not json", "[1,2]", "\"text\"", JSON.stringify({ Version: "2012-10-17" }), JSON.stringify({ Statement: [] }), JSON.stringify({ Statement: ["x"] })]) {
      await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "malformed", AssumeRolePolicyDocument: doc })), "MalformedPolicyDocument", 400);
      await expectIamError(c1.send(new PutRolePolicyCommand({ RoleName: "err-role", PolicyName: "p", PolicyDocument: doc })), "MalformedPolicyDocument", 400);
      await expectIamError(c1.send(new UpdateAssumeRolePolicyCommand({ RoleName: "err-role", PolicyDocument: doc })), "MalformedPolicyDocument", 400);
    }
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "malformed", AssumeRolePolicyDocument: "{not json" })), "MalformedPolicyDocument", 400, "This policy contains invalid Json");
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "malformed", AssumeRolePolicyDocument: INLINE })), "MalformedPolicyDocument", 400);
    const noPrincipal = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] });
    await expectIamError(c1.send(new UpdateAssumeRolePolicyCommand({ RoleName: "err-role", PolicyDocument: noPrincipal })), "MalformedPolicyDocument", 400, "Missing required field Principal");
    await expectIamError(c1.send(new GetRoleCommand({ RoleName: "malformed" })), "NoSuchEntity", 404);
  });

  it("ValidationError (400): names, paths, descriptions, durations, tags and policy names against the model, in AWS's words", async () => {
    const err = await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "has space", AssumeRolePolicyDocument: TRUST })), "ValidationError", 400);
    expect(err.message).toBe("1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "x".repeat(65), AssumeRolePolicyDocument: TRUST })), "ValidationError", 400, "Member must have length less than or equal to 64");
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "p", Path: "no-slashes", AssumeRolePolicyDocument: TRUST })), "ValidationError", 400, "at 'path' failed to satisfy constraint");
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "p", Path: `/${"a".repeat(511)}/`, AssumeRolePolicyDocument: TRUST })), "ValidationError", 400, "less than or equal to 512");
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "p", Description: "d".repeat(1001), AssumeRolePolicyDocument: TRUST })), "ValidationError", 400, "at 'description'");
    await expectIamError(c1.send(new UpdateRoleCommand({ RoleName: "err-role", MaxSessionDuration: 3599 })), "ValidationError", 400, "Member must have value greater than or equal to 3600");
    await expectIamError(c1.send(new UpdateRoleCommand({ RoleName: "err-role", MaxSessionDuration: 43201 })), "ValidationError", 400, "Member must have value less than or equal to 43200");
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "p", AssumeRolePolicyDocument: TRUST, Tags: tooMany })), "ValidationError", 400, "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    await expectIamError(c1.send(new TagRoleCommand({ RoleName: "err-role", Tags: [{ Key: "k".repeat(129), Value: "v" }] })), "ValidationError", 400, "at 'tags.1.member.key'");
    await expectIamError(c1.send(new TagRoleCommand({ RoleName: "err-role", Tags: [{ Key: "k", Value: "v".repeat(257) }] })), "ValidationError", 400, "at 'tags.1.member.value'");
    await expectIamError(c1.send(new PutRolePolicyCommand({ RoleName: "err-role", PolicyName: "n".repeat(129), PolicyDocument: INLINE })), "ValidationError", 400, "at 'policyName'");
    await expectIamError(c1.send(new ListRolesCommand({ MaxItems: 0 })), "ValidationError", 400, "at 'maxItems'");
    // Every violation at once.
    const two = await expectIamError(c1.send(new CreateRoleCommand({ RoleName: "bad name", Path: "bad", AssumeRolePolicyDocument: TRUST })), "ValidationError", 400);
    expect(two.message).toMatch(/^2 validation errors detected: /);
    await expectIamError(c1.send(new GetRoleCommand({ RoleName: "p" })), "NoSuchEntity", 404);
  });

  it("LimitExceeded (409): more than 10 managed policies, a trust policy over 2048 characters, more than 50 tags", async () => {
    await c1.send(new CreateRoleCommand({ RoleName: "limit-role", AssumeRolePolicyDocument: TRUST }));
    for (let i = 0; i < 10; i++) await c1.send(new AttachRolePolicyCommand({ RoleName: "limit-role", PolicyArn: `arn:aws:iam::${ACCOUNT_1}:policy/custom-${i}` }));
    await expectIamError(c1.send(new AttachRolePolicyCommand({ RoleName: "limit-role", PolicyArn: MW_POLICY })), "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10");
    const big = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: Array.from({ length: 60 }, (_, i) => `arn:aws:iam::${String(i).padStart(12, "0")}:root`) }, Action: "sts:AssumeRole" }] });
    await expectIamError(c1.send(new UpdateAssumeRolePolicyCommand({ RoleName: "limit-role", PolicyDocument: big })), "LimitExceeded", 409, "ACLSizePerRole: 2048");
    await c1.send(new TagRoleCommand({ RoleName: "limit-role", Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) }));
    await expectIamError(c1.send(new TagRoleCommand({ RoleName: "limit-role", Tags: [{ Key: "one-more", Value: "v" }] })), "LimitExceeded", 409);
  });

  it("InvalidInput (400): a malformed policy ARN, duplicate tag keys, reserved aws: tag keys", async () => {
    await expectIamError(c1.send(new AttachRolePolicyCommand({ RoleName: "err-role", PolicyArn: "arn:aws:iam::aws:role/NotAPolicy" })), "InvalidInput", 400, "ARN arn:aws:iam::aws:role/NotAPolicy is not valid.");
    await expectIamError(c1.send(new GetPolicyCommand({ PolicyArn: "not-an-arn-at-all-really" })), "InvalidInput", 400);
    await expectIamError(c1.send(new TagRoleCommand({ RoleName: "err-role", Tags: [{ Key: "a", Value: "1" }, { Key: "A", Value: "2" }] })), "InvalidInput", 400, "Duplicate tag keys");
    await expectIamError(c1.send(new TagRoleCommand({ RoleName: "err-role", Tags: [{ Key: "aws:reserved", Value: "1" }] })), "InvalidInput", 400);
  });

  it("an unknown Action is InvalidAction (400) as XML; SSM-style requests keep their JSON errors", async () => {
    const unknown = await rawQuery(server.url, "Action=CreateUser&Version=2010-05-08&UserName=bob");
    expect(unknown.status).toBe(400);
    expect(unknown.type).toBe("text/xml");
    expect(unknown.text).toMatch(/^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation CreateUser for version 2010-05-08<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
    const wrongVersion = await rawQuery(server.url, "Action=GetRole&Version=2009-01-01&RoleName=err-role");
    expect([wrongVersion.status, /<Code>InvalidAction<\/Code>/.test(wrongVersion.text)]).toEqual([400, true]);
    const missing = await rawQuery(server.url, "Version=2010-05-08");
    expect([missing.status, /<Code>MissingAction<\/Code>/.test(missing.text)]).toEqual([400, true]);

    const ssm = await rawCall(server.url, "AmazonSSM.LaunchRocket", "{}");
    expect(ssm.status).toBe(400);
    expect(ssm.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(ssm.json).toEqual({ __type: "UnknownOperationException", message: expect.stringContaining("AmazonSSM.LaunchRocket") });
    const none = await fetch(server.url, { method: "POST", body: "{}" });
    expect([none.status, ((await none.json()) as { __type: string }).__type]).toEqual([400, "UnknownOperationException"]);
    // SSM is untouched by IAM.
    expect((await sdkClient(server.url, "us-east-1", ACCOUNT_1).send(new (await import("@aws-sdk/client-ssm")).GetDefaultPatchBaselineCommand({}))).OperatingSystem).toBe("WINDOWS");
  });
});

describe("the Query wire format", () => {
  it("answers XML in the Result wrapper with ResponseMetadata; operations without output have no Result", async () => {
    const trust = encodeURIComponent(TRUST);
    const created = await rawQuery(server.url, `Action=CreateRole&Version=2010-05-08&RoleName=wire-role&AssumeRolePolicyDocument=${trust}&Description=a%20%3Cb%3E%20%26&Tags.member.1.Key=k&Tags.member.1.Value=v`);
    expect(created.status).toBe(200);
    expect(created.type).toBe("text/xml");
    expect(created.text).toMatch(/^<CreateRoleResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><CreateRoleResult><Role><Path>\/<\/Path><RoleName>wire-role<\/RoleName><RoleId>AROA[A-Z2-7]{17}<\/RoleId><Arn>arn:aws:iam::111111111111:role\/wire-role<\/Arn><CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/CreateDate>/);
    expect(created.text).toContain(`<AssumeRolePolicyDocument>${encodeURIComponent(TRUST)}</AssumeRolePolicyDocument>`);
    expect(created.text).toContain("<Description>a &lt;b&gt; &amp;</Description>");
    expect(created.text).toContain("<Tags><member><Key>k</Key><Value>v</Value></member></Tags>");
    expect(created.text).toMatch(/<\/CreateRoleResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/CreateRoleResponse>$/);

    const updated = await rawQuery(server.url, "Action=UpdateRole&Version=2010-05-08&RoleName=wire-role&MaxSessionDuration=3600");
    expect(updated.text).toMatch(/^<UpdateRoleResponse xmlns="[^"]+"><UpdateRoleResult\/><ResponseMetadata>/);
    const tagged = await rawQuery(server.url, "Action=UntagRole&Version=2010-05-08&RoleName=wire-role&TagKeys.member.1=k");
    expect(tagged.text).toMatch(/^<UntagRoleResponse xmlns="[^"]+"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/UntagRoleResponse>$/);
    const listed = await rawQuery(server.url, "Action=ListRoleTags&Version=2010-05-08&RoleName=wire-role");
    expect(listed.text).toContain("<ListRoleTagsResult><Tags/><IsTruncated>false</IsTruncated></ListRoleTagsResult>");

    const bad = await rawQuery(server.url, "Action=ListRoles&Version=2010-05-08&MaxItems=ten");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("<Code>ValidationError</Code>");
    await rawQuery(server.url, "Action=DeleteRole&Version=2010-05-08&RoleName=wire-role");
  });

  it("counts IAM calls in the stats, and the fault knobs apply to IAM too", async () => {
    const s = await startLocalSsm({ port: 0, failRate: 1 });
    try {
      const failed = await rawQuery(s.url, "Action=ListRoles&Version=2010-05-08");
      expect(failed.status).toBe(500);
      expect(failed.text).toMatch(/<Error><Type>Receiver<\/Type><Code>InternalServerError<\/Code>/);
      await expectIamErrorAny(iam(s.url).send(new ListRolesCommand({})), 500);
      expect(s.stats()).toEqual({ calls: { ListRoles: 2 }, errors: { InternalServerError: 2 }, throttled: 0, total: 2 });
    } finally {
      await s.close();
    }
  });
});

async function expectIamErrorAny(p: Promise<unknown>, status: number): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as IamErrorShape,
  );
  expect(err?.$metadata?.httpStatusCode).toBe(status);
}

describe("IAM state per account, and on disk", () => {
  it("each access key's account has its own roles, whatever the region; customer policies of one's own account attach", async () => {
    await c1.send(new CreateRoleCommand({ RoleName: "shared-name", AssumeRolePolicyDocument: TRUST, Description: "one" }));
    await expectIamError(c2.send(new GetRoleCommand({ RoleName: "shared-name" })), "NoSuchEntity", 404);
    const r2 = (await c2.send(new CreateRoleCommand({ RoleName: "shared-name", AssumeRolePolicyDocument: TRUST, Description: "two" }))).Role!;
    expect(r2.Arn).toBe(`arn:aws:iam::${ACCOUNT_2}:role/shared-name`);
    // IAM is global: a client signing for another region sees the same account's roles.
    const r1 = (await iam(server.url, KEY_1, "eu-west-1").send(new GetRoleCommand({ RoleName: "shared-name" }))).Role!;
    expect(r1).toMatchObject({ Arn: `arn:aws:iam::${ACCOUNT_1}:role/shared-name`, Description: "one" });
    expect(r1.RoleId).not.toBe(r2.RoleId);

    await c2.send(new AttachRolePolicyCommand({ RoleName: "shared-name", PolicyArn: `arn:aws:iam::${ACCOUNT_2}:policy/team/Custom` }));
    expect((await c2.send(new ListAttachedRolePoliciesCommand({ RoleName: "shared-name" }))).AttachedPolicies).toEqual([{ PolicyName: "Custom", PolicyArn: `arn:aws:iam::${ACCOUNT_2}:policy/team/Custom` }]);
    expect((await c2.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT_2}:policy/team/Custom` }))).Policy).toMatchObject({ PolicyName: "Custom", Path: "/team/", AttachmentCount: 1 });
    await expectIamError(c1.send(new AttachRolePolicyCommand({ RoleName: "shared-name", PolicyArn: `arn:aws:iam::${ACCOUNT_2}:policy/team/Custom` })), "NoSuchEntity", 404);
    await expectIamError(c1.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT_2}:policy/team/Custom` })), "NoSuchEntity", 404);

    expect((await c1.send(new ListRolesCommand({}))).Roles!.map((r) => r.Arn)).not.toContain(r2.Arn);
    expect((await c2.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).toEqual(["shared-name"]);
  });

  it("survives a restart with a data file, in the store's iam section by account", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "local-iam-data-")), "state.json");
    const first = await startLocalSsm({ port: 0, dataFile: file });
    const a = iam(first.url, KEY_1);
    const b = iam(first.url, KEY_2);
    const made = (await a.send(new CreateRoleCommand({ RoleName: "durable", Path: "/keep/", AssumeRolePolicyDocument: TRUST, Description: "kept", MaxSessionDuration: 10800, Tags: [{ Key: "t", Value: "1" }] }))).Role!;
    await a.send(new AttachRolePolicyCommand({ RoleName: "durable", PolicyArn: CORE_POLICY }));
    await a.send(new PutRolePolicyCommand({ RoleName: "durable", PolicyName: "inline", PolicyDocument: INLINE }));
    await b.send(new CreateRoleCommand({ RoleName: "other-account", AssumeRolePolicyDocument: TRUST }));
    const before = (await a.send(new GetRoleCommand({ RoleName: "durable" }))).Role!;
    await first.close();

    const onDisk = JSON.parse(readFileSync(file, "utf8")) as { sections: { iam: Record<string, { roles: { RoleName: string }[] }> } };
    expect(Object.keys(onDisk.sections.iam).sort()).toEqual([ACCOUNT_1, ACCOUNT_2]);
    expect(onDisk.sections.iam[ACCOUNT_1]!.roles.map((r) => r.RoleName)).toEqual(["durable"]);

    const second = await startLocalSsm({ port: 0, dataFile: file });
    try {
      const a2 = iam(second.url, KEY_1);
      const after = (await a2.send(new GetRoleCommand({ RoleName: "durable" }))).Role!;
      expect(after).toEqual(before);
      expect(after.RoleId).toBe(made.RoleId);
      expect((await a2.send(new ListAttachedRolePoliciesCommand({ RoleName: "durable" }))).AttachedPolicies).toEqual([{ PolicyName: "AmazonSSMManagedInstanceCore", PolicyArn: CORE_POLICY }]);
      expect(decodeURIComponent((await a2.send(new GetRolePolicyCommand({ RoleName: "durable", PolicyName: "inline" }))).PolicyDocument!)).toBe(INLINE);
      expect((await iam(second.url, KEY_2).send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).toEqual(["other-account"]);
    } finally {
      await second.close();
    }
  });
});
