import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { IAM_READ_ACTIONS, IAM_WRITE_ACTIONS, iamPolicy, LEASE_ACTIONS, ROLLOUT_READ_ACTIONS, ROLLOUT_WRITE_ACTIONS, SSM_READ_ACTIONS, SSM_WRITE_ACTIONS } from "../../src/iam/policies.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "local-ssm" ? [] : sources(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}

/**
 * Every operation the client code names, as IAM actions: SSM through gateway.call/paginate("Op")
 * and handler calls { operation: "Op" }; IAM through gateway.callIam/paginateIam("Op") and the
 * ServiceRole handler's iam("Op", …) calls.
 */
function operationsCalled(): { reads: Set<string>; writes: Set<string> } {
  const reads = new Set<string>();
  const writes = new Set<string>();
  const add = (action: string, op: string) => (/^(Get|Describe|List)/.test(op) ? reads : writes).add(action);
  for (const file of sources("src")) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\.(call|paginate)(?:<[^(]*>)?\(\s*"([A-Z][A-Za-z]+)"/g)) add(`ssm:${m[2]!}`, m[2]!);
    for (const m of text.matchAll(/operation:\s*"([A-Z][A-Za-z]+)"/g)) writes.add(`ssm:${m[1]!}`);
    for (const m of text.matchAll(/(?:\.(?:callIam|paginateIam)(?:<[^(]*>)?|\biam)\(\s*"([A-Z][A-Za-z]+)"/g)) add(`iam:${m[1]!}`, m[1]!);
  }
  return { reads, writes };
}

describe("iam-policy", () => {
  const called = operationsCalled();
  it("finds the operations the code calls (sanity)", () => {
    expect(called.reads.has("ssm:GetPatchBaseline")).toBe(true);
    expect(called.writes.has("ssm:CreateMaintenanceWindow")).toBe(true);
    expect(called.reads.has("iam:ListRoles")).toBe(true);
    expect(called.writes.has("iam:CreateRole")).toBe(true);
  });
  it("the apply policy allows every SSM operation the code calls", () => {
    const allowed = new Set(iamPolicy(false).Statement.flatMap((s) => s.Action));
    for (const a of [...called.reads, ...called.writes]) expect(allowed, a).toContain(a);
  });
  it("the read-only policy allows every read and no write", () => {
    const allowed = new Set(iamPolicy(true).Statement.flatMap((s) => s.Action));
    for (const a of called.reads) {
      if (a === "ssm:GetParameter") continue; // the lease: only writers take it
      expect(allowed, a).toContain(a);
    }
    for (const a of [...SSM_WRITE_ACTIONS, ...LEASE_ACTIONS, ...ROLLOUT_WRITE_ACTIONS, ...IAM_WRITE_ACTIONS]) expect(allowed.has(a)).toBe(false);
  });
  it("lists nothing the code never calls", () => {
    const all = new Set([...called.reads, ...called.writes]);
    for (const a of [...SSM_READ_ACTIONS, ...SSM_WRITE_ACTIONS, ...LEASE_ACTIONS, ...ROLLOUT_READ_ACTIONS, ...ROLLOUT_WRITE_ACTIONS, ...IAM_READ_ACTIONS, ...IAM_WRITE_ACTIONS]) expect(all, a).toContain(a);
  });
  it("lets the apply role create only Systems Manager's service-linked role (a task without ServiceRoleArn creates it when missing)", () => {
    const statement = iamPolicy(false).Statement.find((x) => x.Action.includes("iam:CreateServiceLinkedRole"));
    expect(statement?.Resource).toBe("arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM");
    expect(statement?.Condition).toEqual({ StringEquals: { "iam:AWSServiceName": "ssm.amazonaws.com" } });
    expect(iamPolicy(true).Statement.some((x) => x.Action.includes("iam:CreateServiceLinkedRole"))).toBe(false);
  });
});
