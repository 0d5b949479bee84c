import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { evaluateSpecPolicies, loadPolicies } from "../../src/policy/index.js";
import { GOOD, ids, policyDir, stateOf, windowDoc } from "./fixtures.js";

const STRICTER = `apiVersion: patchctl/v1
kind: Policy
id: production-approval-delay
description: we test for two weeks before production
severity: deny
match: {kind: PatchBaseline, tags: {Environment: Production}}
rule: {properties: {approvalRules: {properties: {patchRules: {items: {properties: {approveAfterDays: {minimum: 14}}}}}}}}
message: production waits 14 days here
`;

const DESCRIBED = `apiVersion: patchctl/v1
kind: Policy
id: windows-have-descriptions
description: every window says what it is for
severity: warn
match: [{kind: MaintenanceWindow, names: ["win*"]}]
rule: {required: [description]}
message: describe the window
`;

describe("user policy directories", () => {
  it("override a built-in by id and add their own", async () => {
    const dir = policyDir({ "ours.yaml": `${STRICTER}---\n${DESCRIBED}` });
    const { policies, errors } = await loadPolicies(dir);
    expect(errors).toEqual([]);
    const overridden = policies.filter((p) => p.id === "production-approval-delay");
    expect(overridden).toHaveLength(1);
    expect(overridden[0]).toMatchObject({ origin: "user", source: `${path.join(dir, "ours.yaml")}:1` });
    const { state } = await stateOf(GOOD);
    const r = evaluateSpecPolicies(state, policies);
    expect(ids(r)).toEqual(["deny:production-approval-delay", "warn:windows-have-descriptions"]);
    expect(r.findings.find((f) => f.policyId === "production-approval-delay")!.message).toMatch(/^production waits 14 days here \(approvalRules\.patchRules\[0\]\.approveAfterDays is 7: must be >= 14\)$/);
  });

  it("disable a built-in with disabled: true, and may be a single file", async () => {
    const dir = policyDir({ "off.yaml": "apiVersion: patchctl/v1\nkind: Policy\nid: window-timezone\ndisabled: true\ndescription: our windows all run in UTC by convention\n" });
    const { policies, errors } = await loadPolicies(path.join(dir, "off.yaml"));
    expect(errors).toEqual([]);
    expect(policies.map((p) => p.id)).not.toContain("window-timezone");
    const { state } = await stateOf({ ...GOOD, "w.yaml": windowDoc({ timezone: false }) });
    expect(ids(evaluateSpecPolicies(state, policies))).toEqual([]);
  });

  it("a malformed policy is a clear error with file and line", async () => {
    const dir = policyDir({ "bad.yaml": "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: maybe\nmatch: {kind: PatchBaseline}\nrule: {}\nmessage: m\n" });
    const { errors, policies } = await loadPolicies(dir);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ severity: "error", file: path.join(dir, "bad.yaml"), line: 5, column: 11, field: "severity" });
    expect(errors[0]!.message).toBe(`invalid policy 'x-bad': severity must be one of deny, warn (got "maybe")`);
    expect(policies.map((p) => p.id)).not.toContain("x-bad");
  });

  it.each([
    ["an unknown field (at its key)", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nmatch: {kind: PatchBaseline}\nrule: {}\nmesage: m\n", 8, /unknown field 'mesage'/],
    ["a missing field", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nmatch: {kind: PatchBaseline}\nrule: {}\n", 1, /missing 'message'/],
    ["both rule and check", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nmatch: {kind: PatchBaseline}\nrule: {}\ncheck: rejected-not-approved\nmessage: m\n", 1, /either 'rule' .* or 'check'/],
    ["a bad selector in a list", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nmatch:\n  - {kind: PatchBaseline}\n  - {kind: Windows}\nrule: {}\nmessage: m\n", 8, /match\[1\]\.kind must be one of PatchBaseline, /],
    ["a rule that is not a JSON Schema (typo)", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nmatch: {kind: PatchBaseline}\nrule:\n  properties: {cutoff: {minimun: 1}}\nmessage: m\n", 8, /rule is not a valid JSON Schema: strict mode: unknown keyword: "minimun"/],
    ["a check on the wrong kind", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nmatch: {kind: MaintenanceWindow}\ncheck: stage-staggering\nmessage: m\n", 6, /check 'stage-staggering' applies to PatchBaseline, not MaintenanceWindow/],
    ["a plan check in spec scope", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nscope: spec\nmatch: {kind: Any}\ncheck: max-deletions\nparameters: {max: 3}\nmessage: m\n", 6, /check 'max-deletions' is evaluated on the plan: scope must be 'plan'/],
    ["a missing check parameter", "apiVersion: patchctl/v1\nkind: Policy\nid: x-bad\ndescription: d\nseverity: deny\nmatch: {kind: Any}\ncheck: max-deletions\nparameters: {}\nmessage: m\n", 8, /missing 'parameters\.max'/],
    ["a bad id", "apiVersion: patchctl/v1\nkind: Policy\nid: Bad_Id\ndescription: d\nseverity: deny\nmatch: {kind: PatchBaseline}\nrule: {}\nmessage: m\n", 3, /id must be 3-64 lowercase letters/],
    ["another kind of document", "apiVersion: patchctl/v1\nkind: PatchBaseline\nmetadata: {name: x}\nspec: {}\n", 2, /only 'kind: Policy' documents/],
    ["broken YAML (a duplicate key)", "apiVersion: patchctl/v1\nkind: Policy\nid: one\nid: two\n", 4, /duplicate key/],
  ])("%s is reported with its line", async (_what, text, line, message) => {
    const dir = policyDir({ "bad.yaml": text });
    const { errors } = await loadPolicies(dir);
    const error = errors.find((e) => message.test(e.message));
    expect(error, JSON.stringify(errors)).toMatchObject({ severity: "error", file: path.join(dir, "bad.yaml"), line });
  });

  it("a duplicate id within the user directory is an error naming the first", async () => {
    const dir = policyDir({ "a.yaml": DESCRIBED, "b.yaml": DESCRIBED });
    const { errors } = await loadPolicies(dir);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: path.join(dir, "b.yaml"), line: 3 });
    expect(errors[0]!.message).toBe(`duplicate policy id 'windows-have-descriptions': already defined at ${path.join(dir, "a.yaml")}:1`);
  });

  it("a missing directory is an error", async () => {
    const { errors } = await loadPolicies("/nonexistent/patchctl-policies");
    expect(errors).toEqual([expect.objectContaining({ severity: "error", file: "/nonexistent/patchctl-policies", message: "--policies: no such file or directory" })]);
  });
});

describe("selectors and rule findings", () => {
  const policy = (id: string, match: string, rule: string) => `apiVersion: patchctl/v1
kind: Policy
id: ${id}
description: test
severity: warn
match: ${match}
rule: ${rule}
message: ${id} failed
`;
  it("match by names (window name or window/child, with wildcards), targetTags and a spec schema", async () => {
    const dir = policyDir({
      "p.yaml": [
        policy("by-window-name", '{kind: WindowTask, names: ["w?n"]}', "false"),
        policy("by-child-name", '{kind: WindowTask, names: ["*/inst*"]}', "false"),
        policy("by-other-name", '{kind: WindowTask, names: ["other/*"]}', "false"),
        policy("by-target-tags", '{kind: WindowTask, targetTags: {"Patch Group": prod-group}}', "false"),
        policy("by-other-target-tags", '{kind: WindowTarget, targetTags: {"Patch Group": dev-group}}', "false"),
        policy("by-spec", '{kind: MaintenanceWindow, spec: {properties: {duration: {const: 3}}}}', "false"),
        policy("by-other-spec", '{kind: MaintenanceWindow, spec: {properties: {duration: {const: 4}}}}', "false"),
      ].join("---\n"),
    });
    const { policies, errors } = await loadPolicies(dir);
    expect(errors).toEqual([]);
    const { state } = await stateOf(GOOD);
    const r = evaluateSpecPolicies(state, policies.filter((p) => p.origin === "user"));
    expect(r.findings.map((f) => `${f.policyId}:${f.resource}`).sort()).toEqual([
      "by-child-name:WindowTask/win/install",
      "by-spec:MaintenanceWindow/win",
      "by-target-tags:WindowTask/win/install",
      "by-window-name:WindowTask/win/install",
    ]);
  });

  it("never echo a sensitive value (task descriptions, parameters) in a finding", async () => {
    const dir = policyDir({ "p.yaml": policy("short-descriptions", "{kind: WindowTask}", "{properties: {description: {maxLength: 3}}}") });
    const { policies } = await loadPolicies(dir);
    const task = `      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      description: SECRET-TASK-TEXT
      targets: [{key: WindowTargetIds, values: [servers]}]
      maxConcurrency: "10%"
      maxErrors: "1"
      runCommand:
        parameters: {Operation: [Install]}
        outputS3BucketName: patch-logs
`;
    const { state } = await stateOf({ ...GOOD, "w.yaml": windowDoc({ task }) });
    const r = evaluateSpecPolicies(state, policies.filter((p) => p.origin === "user"));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.message).toBe("short-descriptions failed (description: must NOT have more than 3 characters)");
    expect(JSON.stringify(r)).not.toContain("SECRET");
  });
});

describe("schemas/policy.schema.json", () => {
  it("accepts every built-in policy as written (the form editors check)", () => {
    const schema = JSON.parse(readFileSync("schemas/policy.schema.json", "utf8")) as object;
    const validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
    let count = 0;
    for (const name of readdirSync("policies").filter((n) => n.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(readFileSync(path.join("policies", name), "utf8"))) {
        const value = doc.toJS() as unknown;
        expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        count++;
      }
    }
    expect(count).toBe(12);
  });
});
