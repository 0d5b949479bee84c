import { describe, expect, it } from "vitest";
import { diffSpecs } from "../../src/diff/field-diff.js";
import { redactCallInput } from "../../src/diff/redact.js";
import { renderPlanText } from "../../src/diff/render-plan.js";
import type { Change, JsonObject, Plan } from "../../src/model/plan.js";
import { maskValue } from "../../src/resources/field-paths.js";
import { patchBaselineHandler } from "../../src/resources/patch-baseline.js";
import { taskFieldIsSensitive, windowTaskHandler } from "../../src/resources/window-children.js";

/** The handlers' declarations (what is masked, which lists are sets) and the pure functions using them. */

describe("which task fields are masked", () => {
  const run = (taskArn: string, taskType = "RUN_COMMAND"): JsonObject => ({ taskType, taskArn });
  it("shows the deciding parameters of AWS's patching documents, by name or ARN, and nothing else", () => {
    for (const arn of ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks", "arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaseline"]) {
      for (const p of ["Operation", "RebootOption", "SnapshotId", "InstallOverrideList", "BaselineOverride"]) {
        expect(taskFieldIsSensitive(`runCommand.parameters.${p}`, run(arn)), `${arn} ${p}`).toBe(false);
        expect(taskFieldIsSensitive(`taskParameters.${p}.values[0]`, run(arn))).toBe(false);
      }
      expect(taskFieldIsSensitive("runCommand.parameters.PreInstallHookDocName", run(arn))).toBe(true);
      expect(taskFieldIsSensitive("runCommand.parameters", run(arn))).toBe(true);
    }
    expect(taskFieldIsSensitive("runCommand.parameters.Operation", run("AWS-RunShellScript"))).toBe(true);
    expect(taskFieldIsSensitive("runCommand.parameters.Operation", run("My-RunPatchBaseline"))).toBe(true);
    expect(taskFieldIsSensitive("runCommand.parameters.Operation", run("AWS-RunPatchBaseline", "AUTOMATION"))).toBe(true);
    expect(taskFieldIsSensitive("runCommand.parameters.Operation", undefined)).toBe(true);
    for (const f of ["description", "lambda.payload", "stepFunctions.input"]) expect(taskFieldIsSensitive(f, run("AWS-RunPatchBaseline"))).toBe(true);
    expect(taskFieldIsSensitive("automation.parameters.InstanceId", run("AWS-PatchInstanceWithRollback", "AUTOMATION"))).toBe(false);
  });

  it("masks a parameters map member by member when some are shown, whole when none are", () => {
    const patching = { Operation: ["Install"], Secret: ["x"] };
    expect(maskValue(patching, "runCommand.parameters", run("AWS-RunPatchBaseline"), taskFieldIsSensitive)).toEqual({ value: { Operation: ["Install"], Secret: "(sensitive)" }, masked: true });
    expect(maskValue(patching, "runCommand.parameters", run("AWS-RunShellScript"), taskFieldIsSensitive)).toEqual({ value: "(sensitive)", masked: true });
    const sources = [{ name: "repo", products: ["AmazonLinux2"], configuration: "[repo]\nbaseurl=x" }];
    expect(maskValue(sources, "sources", {}, patchBaselineHandler.isSensitive).value).toEqual([{ name: "repo", products: ["AmazonLinux2"], configuration: "(sensitive)" }]);
  });
});

describe("redactCallInput asks the handler", () => {
  const task = (TaskArn: string, extra: Record<string, unknown> = {}) => ({
    WindowId: "mw-0123456789abcdef0",
    TaskArn,
    TaskType: "RUN_COMMAND",
    Description: "secret description",
    TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Install"], Token: ["secret"] }, OutputS3BucketName: "logs" } },
    ...extra,
  });
  it("shows a patching document's Operation and masks the rest", () => {
    expect(redactCallInput("RegisterTaskWithMaintenanceWindow", task("AWS-RunPatchBaseline"))).toEqual({
      WindowId: "mw-0123456789abcdef0",
      TaskArn: "AWS-RunPatchBaseline",
      TaskType: "RUN_COMMAND",
      Description: "(sensitive)",
      TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Install"], Token: "(sensitive)" }, OutputS3BucketName: "logs" } },
    });
    const custom = redactCallInput("UpdateMaintenanceWindowTask", task("Custom-Doc", { TaskType: undefined })) as { TaskInvocationParameters: { RunCommand: { Parameters: unknown } } };
    expect(custom.TaskInvocationParameters.RunCommand.Parameters).toBe("(sensitive)");
    const legacy = redactCallInput("RegisterTaskWithMaintenanceWindow", { TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", TaskParameters: { Operation: { Values: ["Scan"] }, Other: { Values: ["s"] } } });
    expect(legacy.TaskParameters).toEqual({ Operation: { Values: ["Scan"] }, Other: "(sensitive)" });
  });
  it("masks payloads, inputs, source configurations, window and target texts; not a baseline's description", () => {
    const lambda = redactCallInput("RegisterTaskWithMaintenanceWindow", { TaskArn: "f", TaskType: "LAMBDA", TaskInvocationParameters: { Lambda: { Payload: new TextEncoder().encode("secret"), Qualifier: "1" } } });
    expect(lambda.TaskInvocationParameters).toEqual({ Lambda: { Payload: "(sensitive)", Qualifier: "1" } });
    const sfn = redactCallInput("UpdateMaintenanceWindowTask", { TaskArn: "m", TaskInvocationParameters: { StepFunctions: { Input: "secret", Name: "n" } } });
    expect(sfn.TaskInvocationParameters).toEqual({ StepFunctions: { Input: "(sensitive)", Name: "n" } });
    const baseline = redactCallInput("CreatePatchBaseline", { Name: "b", Description: "shown", Sources: [{ Name: "repo", Products: ["AmazonLinux2"], Configuration: "secret" }] });
    expect(baseline).toEqual({ Name: "b", Description: "shown", Sources: [{ Name: "repo", Products: ["AmazonLinux2"], Configuration: "(sensitive)" }] });
    expect(redactCallInput("UpdateMaintenanceWindow", { WindowId: "mw-1", Description: "secret", Duration: 3 })).toEqual({ WindowId: "mw-1", Description: "(sensitive)", Duration: 3 });
    expect(redactCallInput("RegisterTargetWithMaintenanceWindow", { WindowId: "mw-1", OwnerInformation: "secret", Name: "t" })).toEqual({ WindowId: "mw-1", OwnerInformation: "(sensitive)", Name: "t" });
    expect(redactCallInput("SomeOtherCall", { A: "secret" })).toEqual({ A: "(sensitive)" });
  });
});

describe("diffSpecs pairs list entries", () => {
  const rule = (days: number, level: string, values: string[]) => ({ patchFilterGroup: { patchFilters: [{ key: "CLASSIFICATION", values }] }, complianceLevel: level, approveAfterDays: days, enableNonSecurity: false });
  const spec = (rules: JsonObject[], extra: JsonObject = {}): JsonObject => ({ name: "b", approvalRules: { patchRules: rules }, ...extra });

  it("reorderings of rules, filters and values are no change", () => {
    const a = spec([rule(7, "CRITICAL", ["A", "B"]), rule(14, "HIGH", ["C"])], { approvedPatches: ["KB1", "KB2"] });
    const b = spec([rule(14, "HIGH", ["C"]), rule(7, "CRITICAL", ["B", "A"])], { approvedPatches: ["KB2", "KB1"] });
    expect(diffSpecs(a, b, patchBaselineHandler)).toEqual([]);
  });

  it("one changed field is one change, at the desired index; a removed entry is numbered after the desired list", () => {
    const actual = spec([rule(7, "CRITICAL", ["A"]), rule(14, "HIGH", ["C"]), rule(30, "LOW", ["D"])]);
    const desired = spec([rule(21, "HIGH", ["C"]), rule(7, "CRITICAL", ["A"])]);
    expect(diffSpecs(actual, desired, patchBaselineHandler)).toEqual([
      { path: "approvalRules.patchRules[0].approveAfterDays", before: 14, after: 21 },
      { path: "approvalRules.patchRules[2]", before: rule(30, "LOW", ["D"]) },
    ]);
  });

  it("an order-insensitive list of strings changes as a whole; an ordered one (document parameters) is compared in order", () => {
    expect(diffSpecs({ approvedPatches: ["KB1", "KB2"] }, { approvedPatches: ["KB3", "KB1"] }, patchBaselineHandler)).toEqual([{ path: "approvedPatches", before: ["KB1", "KB2"], after: ["KB3", "KB1"] }]);
    const cmd = (commands: string[]): JsonObject => ({ taskArn: "AWS-RunShellScript", runCommand: { parameters: { commands } } });
    expect(diffSpecs(cmd(["a", "b"]), cmd(["b", "a"]), windowTaskHandler)).toEqual([{ path: "runCommand.parameters.commands", before: ["a", "b"], after: ["b", "a"], sensitive: true }]);
  });
});

describe("the text renderer", () => {
  const planOf = (change: Change): Plan => ({
    formatVersion: 2,
    patchctlVersion: "0",
    createdAt: "2026-01-01T00:00:00.000Z",
    owner: "o",
    region: "r",
    stateFingerprint: "f",
    changes: [change],
    conflicts: [],
    unmanaged: [],
    summary: { create: 0, update: 1, replace: 0, delete: 0, noop: 0 },
    ids: {},
    awsBaselines: {},
    adopt: false,
    readScope: { baselines: [], windows: [] },
  });
  it("masks each side by its own task: a switch from a custom document to AWS-RunPatchBaseline shows the new Operation only", () => {
    const before = { taskType: "RUN_COMMAND", taskArn: "Custom-Doc", runCommand: { parameters: { Operation: ["secret-op"] } } };
    const after = { taskType: "RUN_COMMAND", taskArn: "AWS-RunPatchBaseline", runCommand: { parameters: { Operation: ["Install"] } } };
    const fields = diffSpecs(before, after, windowTaskHandler);
    const text = renderPlanText(planOf({ key: "WindowTask/w/t", type: "WindowTask", name: "w/t", action: "update", before: { type: "WindowTask", key: "WindowTask/w/t", name: "w/t", spec: before }, after: { type: "WindowTask", key: "WindowTask/w/t", name: "w/t", spec: after }, fields, dependsOn: [] }));
    expect(text).toContain(`runCommand.parameters.Operation: (sensitive) → ["Install"]`);
    expect(text).toContain(`taskArn: "Custom-Doc" → "AWS-RunPatchBaseline"`);
    expect(text).not.toContain("secret-op");
  });

  it("drift framing marks the actual side - and the desired side +", () => {
    const before = { approvedPatches: Array.from({ length: 8 }, (_, i) => `KB10000${i}`) };
    const after = { approvedPatches: [...before.approvedPatches.slice(1), "KB2000000"] };
    const fields = diffSpecs(before, after, patchBaselineHandler);
    const change: Change = { key: "PatchBaseline/b", type: "PatchBaseline", name: "b", action: "update", before: { type: "PatchBaseline", key: "PatchBaseline/b", name: "b", spec: before }, after: { type: "PatchBaseline", key: "PatchBaseline/b", name: "b", spec: after }, fields, dependsOn: [] };
    const text = renderPlanText(planOf(change), { mode: "drift" });
    expect(text).toContain(["        approvedPatches: (- actual, + desired)", '            - "KB100001"'].join("\n"));
    expect(text).toContain(['          + - "KB2000000"', '          - - "KB100000"'].join("\n"));
  });
});
