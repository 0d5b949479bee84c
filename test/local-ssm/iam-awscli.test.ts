import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";

/**
 * IAM over the AWS Query protocol as Debian's AWS CLI v2 (/usr/bin/aws; apt-get
 * install -y awscli, as CI does) sees it: it serialises the form parameters from
 * its copy of the model, parses the XML with it, and URL-decodes and JSON-parses
 * policy documents, so a wrong element, list encoding or error shape shows here.
 */
const ACCOUNT = "123456789012";
const MW_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole";
let server: LocalSsm;
let dir: string;

type Json = Record<string, unknown>;

async function aws(...args: string[]): Promise<Json> {
  return awsCli({ url: server.url, accessKeyId: `AKIA${ACCOUNT}TEST`, secretAccessKey: "cli-secret", region: "us-east-1" }, "iam", ...args);
}

/** The CLI exits non-zero (254 for a service error) and names the error code: "An error occurred (Code) when calling ...". */
async function awsFails(code: string, ...args: string[]): Promise<{ exitCode: number; stderr: string }> {
  const err = await aws(...args).then(
    () => undefined,
    (e: { code?: number; stderr?: string }) => e,
  );
  expect(err, `expected ${code} from ${args.join(" ")}`).toBeDefined();
  expect(String(err!.stderr)).toContain(`An error occurred (${code})`);
  return { exitCode: Number(err!.code), stderr: String(err!.stderr) };
}

const TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }] };
const INLINE = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sns:Publish"], Resource: "arn:aws:sns:us-east-1:123456789012:patch-events" }] };

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), "local-iam-cli-"));
  writeFileSync(path.join(dir, "trust.json"), JSON.stringify(TRUST, null, 2));
  writeFileSync(path.join(dir, "inline.json"), JSON.stringify(INLINE));
});
afterAll(async () => {
  await server.close();
});

describe("IAM roles on the local endpoint driven by Debian's AWS CLI v2 (/usr/bin/aws)", () => {
  it("a maintenance window service role's life: create, read, attach, inline policy, tags, refused delete, detach, delete", async () => {
    const created = await aws("create-role", "--role-name", "PatchMW-Role", "--path", "/patchctl/", "--assume-role-policy-document", `file://${path.join(dir, "trust.json")}`,
      "--description", "Maintenance window role", "--max-session-duration", "7200", "--tags", "Key=managed-by,Value=patchctl");
    const role = created.Role as Json;
    expect(role).toMatchObject({ Path: "/patchctl/", RoleName: "PatchMW-Role", Arn: `arn:aws:iam::${ACCOUNT}:role/patchctl/PatchMW-Role`, Description: "Maintenance window role", MaxSessionDuration: 7200, Tags: [{ Key: "managed-by", Value: "patchctl" }] });
    expect(role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Math.abs(Date.parse(role.CreateDate as string) - Date.now())).toBeLessThan(5 * 60_000);
    // The CLI URL-decodes and parses the document: it shows an object.
    expect(role.AssumeRolePolicyDocument).toEqual(TRUST);

    const got = (await aws("get-role", "--role-name", "PatchMW-Role")).Role as Json;
    expect(got).toEqual({ ...role, RoleLastUsed: {} });
    expect(got.AssumeRolePolicyDocument).toEqual(TRUST);

    // Independent changes at once (the CLI takes a while to start).
    const [attached, put, tagged] = await Promise.all([
      aws("attach-role-policy", "--role-name", "PatchMW-Role", "--policy-arn", MW_POLICY),
      aws("put-role-policy", "--role-name", "PatchMW-Role", "--policy-name", "publish-events", "--policy-document", `file://${path.join(dir, "inline.json")}`),
      aws("tag-role", "--role-name", "PatchMW-Role", "--tags", "Key=team,Value=ops", "Key=env,Value=prod"),
    ]);
    expect([attached, put, tagged]).toEqual([{}, {}, {}]);
    const [attachedList, policy, inline, inlineNames, untagged] = await Promise.all([
      aws("list-attached-role-policies", "--role-name", "PatchMW-Role"),
      aws("get-policy", "--policy-arn", MW_POLICY),
      aws("get-role-policy", "--role-name", "PatchMW-Role", "--policy-name", "publish-events"),
      aws("list-role-policies", "--role-name", "PatchMW-Role"),
      aws("untag-role", "--role-name", "PatchMW-Role", "--tag-keys", "env"),
    ]);
    expect(attachedList).toEqual({ AttachedPolicies: [{ PolicyName: "AmazonSSMMaintenanceWindowRole", PolicyArn: MW_POLICY }] });
    expect(policy.Policy).toMatchObject({ PolicyName: "AmazonSSMMaintenanceWindowRole", Path: "/service-role/", AttachmentCount: 1, IsAttachable: true });
    expect(inline).toEqual({ RoleName: "PatchMW-Role", PolicyName: "publish-events", PolicyDocument: INLINE });
    expect(inlineNames).toEqual({ PolicyNames: ["publish-events"] });
    expect(untagged).toEqual({});
    expect(await aws("list-role-tags", "--role-name", "PatchMW-Role")).toEqual({ Tags: [{ Key: "managed-by", Value: "patchctl" }, { Key: "team", Value: "ops" }], IsTruncated: false });

    expect(await aws("update-role", "--role-name", "PatchMW-Role", "--max-session-duration", "3600")).toEqual({});
    expect(((await aws("update-role-description", "--role-name", "PatchMW-Role", "--description", "Patching")).Role as Json)).toMatchObject({ Description: "Patching", MaxSessionDuration: 3600 });
    const listed = (await aws("list-roles", "--path-prefix", "/patchctl/")).Roles as Json[];
    expect(listed.map((r) => r.RoleName)).toEqual(["PatchMW-Role"]);
    expect(listed[0]).not.toHaveProperty("Tags");
    expect(listed[0]!.AssumeRolePolicyDocument).toEqual(TRUST);

    // Refused while a managed policy is attached, then while the inline policy is there.
    const conflict = await awsFails("DeleteConflict", "delete-role", "--role-name", "PatchMW-Role");
    expect(conflict.exitCode).toBe(254);
    expect(conflict.stderr).toContain("when calling the DeleteRole operation: Cannot delete entity, must detach all policies first.");
    expect(await aws("detach-role-policy", "--role-name", "PatchMW-Role", "--policy-arn", MW_POLICY)).toEqual({});
    await awsFails("DeleteConflict", "delete-role", "--role-name", "PatchMW-Role");
    expect(await aws("delete-role-policy", "--role-name", "PatchMW-Role", "--policy-name", "publish-events")).toEqual({});
    expect(await aws("delete-role", "--role-name", "PatchMW-Role")).toEqual({});

    const gone = await awsFails("NoSuchEntity", "get-role", "--role-name", "PatchMW-Role");
    expect(gone.exitCode).toBe(254);
    expect(gone.stderr).toContain("An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name PatchMW-Role cannot be found.");
  }, 120_000);

  it("errors by their real codes: exists, malformed document, validation, unknown policy; list-roles paged by the CLI", async () => {
    await Promise.all(["cli-a", "cli-b", "cli-c"].map((n) => aws("create-role", "--role-name", n, "--assume-role-policy-document", JSON.stringify(TRUST))));
    const [, , invalid] = await Promise.all([
      awsFails("EntityAlreadyExists", "create-role", "--role-name", "CLI-A", "--assume-role-policy-document", JSON.stringify(TRUST)),
      awsFails("MalformedPolicyDocument", "create-role", "--role-name", "cli-bad", "--assume-role-policy-document", "{\"Version\":\"2012-10-17\"}"),
      // The CLI checks lengths and ranges itself, not patterns: this one reaches the endpoint.
      awsFails("ValidationError", "get-role", "--role-name", "has space"),
      awsFails("NoSuchEntity", "attach-role-policy", "--role-name", "cli-a", "--policy-arn", "arn:aws:iam::aws:policy/NotARealPolicy"),
      awsFails("InvalidInput", "attach-role-policy", "--role-name", "cli-a", "--policy-arn", "arn:aws:s3:::some-bucket-name"),
    ]);
    expect(invalid.stderr).toContain("An error occurred (ValidationError) when calling the GetRole operation: 1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");

    // The CLI's own paginator follows Marker/IsTruncated.
    const [all, first] = await Promise.all([aws("list-roles", "--page-size", "1"), aws("list-roles", "--max-items", "2")]);
    expect((all.Roles as Json[]).map((r) => r.RoleName)).toEqual(["cli-a", "cli-b", "cli-c"]);
    expect((first.Roles as Json[]).map((r) => r.RoleName)).toEqual(["cli-a", "cli-b"]);
    expect(typeof first.NextToken).toBe("string");
    await Promise.all(["cli-a", "cli-b", "cli-c"].map((n) => aws("delete-role", "--role-name", n)));
  }, 120_000);
});
