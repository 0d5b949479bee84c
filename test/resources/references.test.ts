import { describe, expect, it } from "vitest";
import type { Resource } from "../../src/model/plan.js";
import { duplicateKey, formatRefText, isDuplicateKey, isIdRefText, parseRefText } from "../../src/model/reference.js";
import { logicalReferences } from "../../src/reconciler/references.js";
import { handlerFor } from "../../src/resources/registry.js";

const registration = (baseline: string): Resource => ({ type: "PatchGroupRegistration", key: "PatchGroupRegistration/AMAZON_LINUX_2/web", name: "AMAZON_LINUX_2/web", spec: { patchGroup: "web", operatingSystem: "AMAZON_LINUX_2", baseline } });
const task = (values: string[], role: { serviceRole?: string; serviceRoleArn?: string } = {}): Resource => ({
  type: "WindowTask",
  key: "WindowTask/w/t",
  name: "w/t",
  parentKey: "MaintenanceWindow/w",
  spec: { name: "t", taskType: "RUN_COMMAND", targets: [{ key: "WindowTargetIds", values }], ...role },
});

describe("typed references", () => {
  it("parse and format the text forms of specs and SSM names", () => {
    expect(parseRefText("prod-al2")).toEqual({ logical: "prod-al2" });
    expect(parseRefText("id:pb-0123")).toEqual({ id: "pb-0123" });
    expect(parseRefText("id:arn:aws:ssm:us-east-1:123456789012:patchbaseline/pb-1")).toEqual({ id: "arn:aws:ssm:us-east-1:123456789012:patchbaseline/pb-1" });
    for (const text of ["prod-al2", "id:pb-0123", "id:arn:aws:iam::1:role/r"]) expect(formatRefText(parseRefText(text))).toBe(text);
    expect(isIdRefText("id:e2a1")).toBe(true);
    expect(isIdRefText("web-servers")).toBe(false);
    expect(duplicateKey("MaintenanceWindow/w", "mw-1")).toBe("MaintenanceWindow/w#mw-1");
    expect(isDuplicateKey("MaintenanceWindow/w#mw-1")).toBe(true);
    expect(isDuplicateKey("MaintenanceWindow/w")).toBe(false);
  });

  it("handlers declare references by key or by id; the engine follows only the logical ones", () => {
    const ours = handlerFor("PatchGroupRegistration").references(registration("prod-al2"));
    expect(ours).toEqual([{ to: { logical: "PatchBaseline/prod-al2" }, role: "uses", blocksDelete: true, ownedThrough: true }]);
    const foreign = registration("id:arn:aws:ssm:us-east-1::patchbaseline/pb-aws");
    expect(handlerFor("PatchGroupRegistration").references(foreign).map((r) => r.to)).toEqual([{ id: "arn:aws:ssm:us-east-1::patchbaseline/pb-aws" }]);
    expect(logicalReferences(foreign)).toEqual([]);

    const t = task(["web", "id:e2a1"], { serviceRoleArn: "arn:aws:iam::123456789012:role/Other" });
    expect(handlerFor("WindowTask").references(t).map((r) => r.to)).toEqual([{ logical: "MaintenanceWindow/w" }, { logical: "WindowTarget/w/web" }, { id: "e2a1" }, { id: "arn:aws:iam::123456789012:role/Other" }]);
    expect(logicalReferences(t).map((r) => [r.key, r.role])).toEqual([
      ["MaintenanceWindow/w", "parent"],
      ["WindowTarget/w/web", "uses"],
    ]);
    expect(logicalReferences(task([], { serviceRole: "mw-role" })).map((r) => r.key)).toEqual(["MaintenanceWindow/w", "ServiceRole/mw-role"]);
  });

  it("calls name what is referenced by id with that id, and logical references by the id the apply knows", () => {
    const calls = handlerFor("WindowTask").createCalls(task(["web", "id:e2a1"], { serviceRoleArn: "arn:aws:iam::1:role/r" }), {
      owner: "o",
      idOf: (key) => ({ $ref: key }),
      clientToken: () => "token",
      awsBaseline: () => undefined,
    });
    const targets = calls[0]!.input.Targets as { Key: string; Values: unknown[] }[];
    expect(targets[0]!.Values).toEqual([{ $ref: "WindowTarget/w/web" }, "e2a1"]);
  });
});
