import { describe, expect, it } from "vitest";
import { canonicalPolicy, parsePolicyDocument, PolicyDocumentError, SSM_TRUST_POLICY, trustsService } from "../../src/resources/policy-document.js";
import { decodePolicy, serviceRoleFromDesired, serviceRoleFromIam, serviceRoleHandler } from "../../src/resources/service-role.js";
import type { ServiceRoleDoc } from "../../src/model/desired.js";
import type { Change } from "../../src/model/plan.js";

const doc = (spec: ServiceRoleDoc["spec"], name = "mw-role"): ServiceRoleDoc => ({ apiVersion: "patchctl/v1", kind: "ServiceRole", metadata: { name }, spec });
const ownership = { "patchctl:owner": "team", "patchctl:name": "mw-role" };

describe("policy documents compare by meaning", () => {
  it("key order, a single value vs a one-element list, value order and a JSON string are all the same document", () => {
    const a = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const b = { Statement: { Action: ["sts:AssumeRole"], Principal: { Service: ["ssm.amazonaws.com"] }, Effect: "Allow" }, Version: "2012-10-17" };
    const c = JSON.stringify({ Version: "2012-10-17", Statement: [{ Principal: { Service: "ssm.amazonaws.com" }, Effect: "Allow", Action: ["sts:AssumeRole"] }] });
    expect(canonicalPolicy(b)).toEqual(canonicalPolicy(a));
    expect(canonicalPolicy(c)).toEqual(canonicalPolicy(a));
    const actions1 = { Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" }] };
    const actions2 = { Statement: [{ Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: ["*"] }] };
    expect(canonicalPolicy(actions1)).toEqual(canonicalPolicy(actions2));
    const cond1 = { Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }] };
    const cond2 = { Statement: [{ Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": ["123456789012"] } }, Action: "sns:Publish", Effect: "Allow" }] };
    expect(canonicalPolicy(cond1)).toEqual(canonicalPolicy(cond2));
  });

  it("different meanings stay different", () => {
    const allow = { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
    expect(canonicalPolicy(allow)).not.toEqual(canonicalPolicy({ Statement: [{ Effect: "Deny", Action: "s3:GetObject", Resource: "*" }] }));
    expect(canonicalPolicy(allow)).not.toEqual(canonicalPolicy({ Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" }] }));
  });

  it("malformed documents are refused with a reason", () => {
    expect(() => parsePolicyDocument("{not json")).toThrow(PolicyDocumentError);
    expect(() => parsePolicyDocument({ Version: "2012-10-17" })).toThrow(/needs a Statement/);
    expect(() => parsePolicyDocument({ Statement: [{ Effect: "Maybe" }] })).toThrow(/Effect must be Allow or Deny/);
    expect(() => parsePolicyDocument([1])).toThrow(/JSON object/);
  });

  it("recognises a trust policy for Systems Manager", () => {
    expect(trustsService(SSM_TRUST_POLICY, "ssm.amazonaws.com")).toBe(true);
    expect(trustsService({ Statement: [{ Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com", "ssm.amazonaws.com"] }, Action: "sts:AssumeRole" }] }, "ssm.amazonaws.com")).toBe(true);
    expect(trustsService({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }, "ssm.amazonaws.com")).toBe(false);
    expect(trustsService("garbage", "ssm.amazonaws.com")).toBe(false);
  });
});

describe("ServiceRole handler", () => {
  it("fills IAM's defaults on the desired side: role name, path, session duration, SSM trust", () => {
    const spec = serviceRoleFromDesired(doc({ managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole"] }), ownership);
    expect(spec).toMatchObject({ roleName: "mw-role", path: "/", maxSessionDuration: 3600, assumeRolePolicyDocument: canonicalPolicy(SSM_TRUST_POLICY) });
    expect(spec.tags).toEqual(ownership);
  });

  it("the actual side read from IAM (URL-encoded documents) equals the desired side when they mean the same", () => {
    const desired = serviceRoleFromDesired(
      doc({
        description: "runs patching",
        managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole", "arn:aws:iam::aws:policy/AmazonSNSFullAccess"],
        inlinePolicies: [{ policyName: "pass", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }] } }],
      }),
      ownership,
    );
    const encoded = (o: unknown) => encodeURIComponent(JSON.stringify(o));
    const actual = serviceRoleFromIam(
      { RoleName: "mw-role", Path: "/", Arn: "arn:aws:iam::123456789012:role/mw-role", Description: "runs patching", MaxSessionDuration: 3600, AssumeRolePolicyDocument: encoded({ Statement: [{ Action: ["sts:AssumeRole"], Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" } }], Version: "2012-10-17" }) },
      [{ Key: "patchctl:name", Value: "mw-role" }, { Key: "patchctl:owner", Value: "team" }],
      ["arn:aws:iam::aws:policy/AmazonSNSFullAccess", "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole"],
      { pass: encoded({ Statement: { Resource: ["*"], Action: "iam:PassRole", Effect: "Allow" }, Version: "2012-10-17" }) },
    );
    expect(actual).toEqual(desired);
    expect(decodePolicy(encoded({ a: 1 }))).toEqual({ a: 1 });
  });

  it("an update makes only the calls for what changed", () => {
    const before = serviceRoleFromDesired(doc({ managedPolicyArns: ["arn:aws:iam::aws:policy/A"], inlinePolicies: [{ policyName: "old", policyDocument: { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } }] }), ownership);
    const after = serviceRoleFromDesired(doc({ description: "new", managedPolicyArns: ["arn:aws:iam::aws:policy/B"], inlinePolicies: [{ policyName: "new", policyDocument: { Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }] } }] }), ownership);
    const change: Change = { key: "ServiceRole/mw-role", type: "ServiceRole", name: "mw-role", action: "update", before: { type: "ServiceRole", key: "ServiceRole/mw-role", name: "mw-role", spec: before, id: "arn:aws:iam::1:role/mw-role" }, after: { type: "ServiceRole", key: "ServiceRole/mw-role", name: "mw-role", spec: after }, fields: [], dependsOn: [] };
    const calls = serviceRoleHandler.updateCalls(change, { owner: "team", idOf: () => "x", clientToken: () => "t", awsBaseline: () => undefined });
    expect(calls.map((c) => `${c.operation} ${String(c.input.PolicyArn ?? c.input.PolicyName ?? "")}`.trim())).toEqual([
      "UpdateRole",
      "AttachRolePolicy arn:aws:iam::aws:policy/B",
      "DetachRolePolicy arn:aws:iam::aws:policy/A",
      "PutRolePolicy new",
      "DeleteRolePolicy old",
    ]);
    expect(calls.every((c) => c.service === "iam")).toBe(true);
  });

  it("delete detaches and deletes policies before the role; create tags the role in the same call", () => {
    const spec = serviceRoleFromDesired(doc({ managedPolicyArns: ["arn:aws:iam::aws:policy/A"], inlinePolicies: [{ policyName: "p", policyDocument: { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } }] }), ownership);
    const r = { type: "ServiceRole" as const, key: "ServiceRole/mw-role", name: "mw-role", spec, id: "arn" };
    const ctx = { owner: "team", idOf: () => "x", clientToken: () => "t", awsBaseline: () => undefined };
    expect(serviceRoleHandler.deleteCalls(r, ctx).map((c) => c.operation)).toEqual(["DetachRolePolicy", "DeleteRolePolicy", "DeleteRole"]);
    const create = serviceRoleHandler.createCalls(r, ctx);
    expect(create.map((c) => c.operation)).toEqual(["CreateRole", "AttachRolePolicy", "PutRolePolicy"]);
    expect(create[0]!.input.Tags).toEqual([{ Key: "patchctl:name", Value: "mw-role" }, { Key: "patchctl:owner", Value: "team" }]);
    expect(create[0]!.yieldsId).toEqual({ key: "ServiceRole/mw-role", field: "Role.Arn" });
  });
});
