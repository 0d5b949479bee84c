import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GitSource } from "../../src/controller/git-source.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { startHarness } from "../helpers/local.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

const SECRETS = {
  description: "SECRET-window-description-7f3a",
  ownerInformation: "SECRET-owner-information-91bc",
  parameter: "SECRET-run-command-parameter-55de",
  payload: "SECRET-lambda-payload-a1b2",
  input: "SECRET-step-functions-input-c3d4",
  source: "SECRET-patch-source-config-e5f6",
  taskDescription: "SECRET-task-description-0a0b",
};

describe("nothing secret leaks", () => {
  it("every command, every output format: no credential and no sensitive SSM value in output or logs", async () => {
    const h = await startHarness();
    const secretKey = process.env.AWS_SECRET_ACCESS_KEY!;
    const dir = writeTree({
      "patchctl.yaml": CONFIG,
      "b.yaml": `apiVersion: patchctl/v1\nkind: PatchBaseline\nmetadata: {name: secret-baseline}\nspec:\n  operatingSystem: AMAZON_LINUX_2\n  approvalRules: {patchRules: [{patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [Security]}]}, approveAfterDays: 1}]}\n  sources: [{name: internal-repo, products: [AmazonLinux2], configuration: "${SECRETS.source}"}]\n  patchGroups: [secret-group]\n`,
      "w.yaml": `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: secret-window}
spec:
  schedule: cron(0 4 ? * MON *)
  duration: 3
  cutoff: 1
  description: ${SECRETS.description}
  targets: [{name: servers, targets: [{key: "tag:Patch Group", values: [secret-group]}], ownerInformation: ${SECRETS.ownerInformation}}]
  tasks:
    - {name: run-patch, taskType: RUN_COMMAND, taskArn: AWS-RunPatchBaseline, description: ${SECRETS.taskDescription}, targets: [{key: WindowTargetIds, values: [servers]}], maxConcurrency: "1", maxErrors: "1", runCommand: {parameters: {Operation: [Install], Note: [${SECRETS.parameter}]}}}
    - {name: lambda-fn, taskType: LAMBDA, taskArn: "arn:aws:lambda:us-east-1:123456789012:function:f", lambda: {payload: "${SECRETS.payload}"}}
    - {name: step-fn, taskType: STEP_FUNCTIONS, taskArn: "arn:aws:states:us-east-1:123456789012:stateMachine:m", stepFunctions: {input: "${SECRETS.input}"}}
`,
    });
    let everything = "";
    const run = async (args: string[]) => {
      const r = await h.cli(args);
      everything += r.out + r.err;
      return r;
    };
    for (const output of ["text", "json", "markdown"]) {
      await run(["reconcile", dir, "--plan", "--output", output]);
      await run(["reconcile", dir, "--dry-run", "--output", output]);
    }
    const applied = await run(["reconcile", dir, "--output", "json"]);
    expect(applied.code, applied.err + applied.out.slice(-2000)).toBe(0);
    // Change every sensitive value so updates show them too.
    const changed = writeTree({ "patchctl.yaml": CONFIG });
    const { readFileSync, writeFileSync } = await import("node:fs");
    const path = await import("node:path");
    for (const f of ["b.yaml", "w.yaml"]) writeFileSync(path.join(changed, f), readFileSync(path.join(dir, f), "utf8").replace(/SECRET-/g, "SECRET-2-"));
    for (const output of ["text", "json", "markdown"]) {
      await run(["drift", changed, "--output", output]);
      await run(["reconcile", changed, "--dry-run", "--output", output]);
    }
    await run(["reconcile", changed]);
    await run(["compliance", changed, "--output", "json"]);
    await run(["validate", changed, "--output", "json"]);
    for (const s of Object.values(SECRETS)) {
      expect(everything).not.toContain(s);
      expect(everything).not.toContain(s.replace("SECRET-", "SECRET-2-"));
    }
    expect(everything).not.toContain(secretKey);
    expect(everything).toContain("(sensitive)");
    await h.close();
  }, 60_000);
});

describe("git inputs cannot inject options or commands", () => {
  it.each([
    ["--repo", "--upload-pack=touch /tmp/pwned", "main", "."],
    ["--branch", "https://example.com/repo.git", "-b", "."],
    ["--branch", "https://example.com/repo.git", "--orphan", "."],
    ["--branch", "https://example.com/repo.git", "main;rm -rf /", "."],
    ["--branch", "https://example.com/repo.git", "main branch", "."],
    ["--branch", "https://example.com/repo.git", "../../etc", "."],
    ["--repo", "", "main", "."],
  ])("%s %j is refused", (_flag, repo, branch) => {
    expect(() => new GitSource(repo, branch, "/tmp/x")).toThrow();
  });
  it("paths that start with '-' or leave the repository are refused", () => {
    const src = new GitSource("https://example.com/repo.git", "main", "/tmp/patchctl-work/repo");
    expect(() => src.resolve("--exec=sh")).toThrow(/must not start with '-'/);
    expect(() => src.resolve("../../etc")).toThrow(/leaves the repository/);
    expect(src.resolve("patching/prod")).toBe("/tmp/patchctl-work/repo/patching/prod");
  });
  it("ordinary URLs, branch names and paths with spaces are accepted", () => {
    expect(() => new GitSource("file:///srv/git/patching repo.git", "release/2026-11", "/tmp/x")).not.toThrow();
  });
});

describe("the local endpoint survives malformed requests", () => {
  it("bad JSON, wrong types, oversized bodies, unknown targets: always a well-formed AWS error, never a crash, state unchanged", async () => {
    const server = await startLocalSsm({ port: 0 });
    const before = await (await fetch(`${server.url}/_local/stats`)).json();
    const operations = ["CreatePatchBaseline", "UpdatePatchBaseline", "CreateMaintenanceWindow", "RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow", "AddTagsToResource", "PutParameter", "DescribePatchBaselines", "Bogus"];
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }));
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.dictionary(fc.constantFrom("Name", "BaselineId", "WindowId", "Schedule", "Duration", "Cutoff", "Targets", "Tags", "ResourceType", "ResourceId", "TaskType", "TaskArn", "Value", "MaxResults", "NextToken", "ApprovalRules"), value).map((o) => JSON.stringify(o)),
      fc.constant("x".repeat(1_100_000)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), body, fc.constantFrom("AmazonSSM.", "", "Other."), async (op, text, prefix) => {
        const res = await fetch(server.url, { method: "POST", headers: { "x-amz-target": `${prefix}${op}`, "content-type": "application/x-amz-json-1.1" }, body: text });
        const json = (await res.json()) as Record<string, unknown>;
        if (res.status === 200) return; // a random input that happens to be valid
        expect([400, 413]).toContain(res.status);
        expect(typeof json.__type).toBe("string");
        expect(typeof json.message).toBe("string");
      }),
      { numRuns: 400 },
    );
    const health = await fetch(`${server.url}/_local/health`);
    expect(health.status).toBe(200);
    expect(before).toBeDefined();
    await server.close();
  }, 120_000);
});
