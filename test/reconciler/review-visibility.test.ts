import { DescribeMaintenanceWindowsCommand, DescribePatchBaselinesCommand, DescribeMaintenanceWindowTargetsCommand, GetMaintenanceWindowTaskCommand, DescribeMaintenanceWindowTasksCommand, GetPatchBaselineCommand } from "@aws-sdk/client-ssm";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/**
 * What a reviewer sees in a plan (issue 17, section 5 and the approval-rule pairing of
 * section 6), end to end over HTTP against the local endpoint: a patching task's Operation is
 * shown, a masked value says that it changed, one changed field of one approval rule is one
 * change, a reordered list is no change, and nested values are indented blocks.
 */

interface JsonPlan {
  stateFingerprint: string;
  changes: { key: string; action: string; fields: { path: string; before?: unknown; after?: unknown; sensitive?: boolean }[] }[];
}

const WINDOW = (task: string, target = "values: [app-servers]") => `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata: {name: app-window}
spec:
  schedule: cron(0 22 ? * TUE *)
  duration: 3
  cutoff: 1
  targets:
    - name: app
      targets:
        - key: tag:Patch Group
          ${target}
  tasks:
${task}`;

const PATCH_TASK = (operation: string, extra = "") => `    - name: patch
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [app]}]
      maxConcurrency: "1"
      maxErrors: "1"
      runCommand:
        parameters: {Operation: [${operation}], RebootOption: [NoReboot]${extra}}
`;

const RULE_A = (days: number) => `      - patchFilterGroup:
          patchFilters:
            - {key: MSRC_SEVERITY, values: [Critical, Important]}
            - {key: CLASSIFICATION, values: [SecurityUpdates, CriticalUpdates]}
        approveAfterDays: ${days}
        complianceLevel: CRITICAL
`;
const RULE_B = (days: number) => `      - patchFilterGroup:
          patchFilters:
            - {key: CLASSIFICATION, values: [Updates, UpdateRollups]}
        approveAfterDays: ${days}
        complianceLevel: HIGH
`;
const BASELINE = (rules: string, extra = "") => `apiVersion: patchctl/v1
kind: PatchBaseline
metadata: {name: app-baseline}
spec:
  operatingSystem: WINDOWS
  approvalRules:
    patchRules:
${rules}${extra}`;

let h: LocalHarness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function tree(files: Record<string, string>): string {
  return writeTree({ "patchctl.yaml": CONFIG, ...files });
}

async function apply(dir: string): Promise<void> {
  const r = await h.cli(["reconcile", dir, "--auto-approve"]);
  expect(r.code, r.out + r.err).toBe(0);
}

async function planJson(dir: string): Promise<{ code: number; plan: JsonPlan }> {
  const r = await h.cli(["reconcile", dir, "--plan", "--output", "json"]);
  return { code: r.code, plan: JSON.parse(r.out) as JsonPlan };
}

async function taskOf(): Promise<Record<string, unknown>> {
  const windows = await h.sdk.send(new DescribeMaintenanceWindowsCommand({}));
  const WindowId = windows.WindowIdentities![0]!.WindowId!;
  const tasks = await h.sdk.send(new DescribeMaintenanceWindowTasksCommand({ WindowId }));
  return (await h.sdk.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId: tasks.Tasks![0]!.WindowTaskId! }))) as unknown as Record<string, unknown>;
}

describe("a patching task's parameters are shown", () => {
  it("Scan → Install reads as such in text, markdown, json and the --dry-run calls", async () => {
    const dir = tree({ "w.yaml": WINDOW(PATCH_TASK("Scan")) });
    await apply(dir);
    writeFileSync(path.join(dir, "w.yaml"), WINDOW(PATCH_TASK("Install")));

    const text = await h.cli(["reconcile", dir, "--plan"]);
    expect(text.code).toBe(2);
    expect(text.out).toContain(`runCommand.parameters.Operation: ["Scan"] → ["Install"]`);
    expect(text.out).not.toContain("(sensitive)");

    const md = await h.cli(["reconcile", dir, "--plan", "--output", "markdown"]);
    expect(md.out).toContain('| `runCommand.parameters.Operation` | `["Scan"]` | `["Install"]` |');

    const { plan } = await planJson(dir);
    const task = plan.changes.find((c) => c.key === "WindowTask/app-window/patch")!;
    expect(task.fields).toEqual([{ path: "runCommand.parameters.Operation", before: ["Scan"], after: ["Install"] }]);

    const dry = await h.cli(["reconcile", dir, "--dry-run"]);
    const update = dry.out.split("\n").find((l) => l.includes("UpdateMaintenanceWindowTask"))!;
    expect(update).toContain(`"Parameters":{"Operation":["Install"],"RebootOption":["NoReboot"]}`);
    const dryJson = await h.cli(["reconcile", dir, "--dry-run", "--output", "json"]);
    const calls = (JSON.parse(dryJson.out.slice(dryJson.out.indexOf('{\n  "formatVersion": 2,\n  "kind": "dry-run"'))) as { calls: { operation: string; input: { TaskInvocationParameters: { RunCommand: { Parameters: unknown } } } }[] }).calls;
    expect(calls.find((c) => c.operation === "UpdateMaintenanceWindowTask")!.input.TaskInvocationParameters.RunCommand.Parameters).toEqual({ Operation: ["Install"], RebootOption: ["NoReboot"] });
  });

  it("the legacy taskParameters form is shown the same way; other parameters stay masked", async () => {
    const legacy = (op: string) => `    - name: patch
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaselineWithHooks
      targets: [{key: WindowTargetIds, values: [app]}]
      maxConcurrency: "1"
      maxErrors: "1"
      taskParameters:
        Operation: {values: [${op}]}
        PreInstallHookDocName: {values: [SECRET-hook-${op}]}
`;
    const dir = tree({ "w.yaml": WINDOW(legacy("Scan")) });
    await apply(dir);
    writeFileSync(path.join(dir, "w.yaml"), WINDOW(legacy("Install")));
    const text = await h.cli(["reconcile", dir, "--plan"]);
    expect(text.out).toContain(`runCommand.parameters.Operation: ["Scan"] → ["Install"]`);
    expect(text.out).toContain("runCommand.parameters.PreInstallHookDocName: (sensitive, changed)");
    const dry = await h.cli(["reconcile", dir, "--dry-run"]);
    expect(dry.out).toContain(`"Operation":["Install"]`);
    expect(dry.out + text.out).not.toContain("SECRET-hook");
  });
});

describe("masked values say that they changed", () => {
  it("a Lambda payload and a non-patching document's parameters: (sensitive, changed), never the value", async () => {
    const tasks = (n: number, extra = "") => `    - name: lambda-fn
      taskType: LAMBDA
      taskArn: arn:aws:lambda:us-east-1:123456789012:function:f
      lambda: {payload: '{"token": "SECRET-payload-${n}"}'}
    - name: shell
      taskType: RUN_COMMAND
      taskArn: AWS-RunShellScript
      targets: [{key: WindowTargetIds, values: [app]}]
      maxConcurrency: "1"
      maxErrors: "1"
      runCommand:
        parameters: {commands: [echo SECRET-command-${n}]${extra}}
`;
    const dir = tree({ "w.yaml": WINDOW(tasks(1)) });
    await apply(dir);
    writeFileSync(path.join(dir, "w.yaml"), WINDOW(tasks(2, ", workingDirectory: [SECRET-dir]")));
    let everything = "";
    const text = await h.cli(["reconcile", dir, "--plan"]);
    everything += text.out;
    expect(text.out).toContain("lambda.payload: (sensitive, changed)");
    expect(text.out).toContain("runCommand.parameters.commands: (sensitive, changed)");
    expect(text.out).toContain("runCommand.parameters.workingDirectory: (sensitive, added)");
    const md = await h.cli(["reconcile", dir, "--plan", "--output", "markdown"]);
    everything += md.out;
    expect(md.out).toContain("| `lambda.payload` | (sensitive) | (sensitive, changed) |");
    expect(md.out).toContain("| `runCommand.parameters.workingDirectory` | `(absent)` | (sensitive, added) |");
    const { plan } = await planJson(dir);
    everything += JSON.stringify(plan);
    expect(plan.changes.find((c) => c.key === "WindowTask/app-window/lambda-fn")!.fields).toEqual([{ path: "lambda.payload", before: "(sensitive)", after: "(sensitive)", sensitive: true }]);
    for (const output of ["text", "json", "markdown"]) everything += (await h.cli(["reconcile", dir, "--dry-run", "--output", output])).out;
    everything += (await h.cli(["drift", dir])).out;
    expect(everything).not.toContain("SECRET");
  });
});

describe("approval rules are paired by content", () => {
  it("one changed approveAfterDays in a two-rule baseline is exactly one field change, and sent in the order written", async () => {
    const dir = tree({ "b.yaml": BASELINE(RULE_A(7) + RULE_B(14)) });
    await apply(dir);
    writeFileSync(path.join(dir, "b.yaml"), BASELINE(RULE_A(7) + RULE_B(8)));
    const { code, plan } = await planJson(dir);
    expect(code).toBe(2);
    const baseline = plan.changes.find((c) => c.key === "PatchBaseline/app-baseline")!;
    expect(baseline.fields).toEqual([{ path: "approvalRules.patchRules[1].approveAfterDays", before: 14, after: 8 }]);
    const text = await h.cli(["reconcile", dir, "--plan"]);
    expect(text.out).toContain("approvalRules.patchRules[1].approveAfterDays: 14 → 8");
    expect(text.out.split("\n").filter((l) => l.startsWith("        ")).length).toBe(1);

    await apply(dir);
    const ids = await h.sdk.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["Self"] }] }));
    const got = await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: ids.BaselineIdentities![0]!.BaselineId! }));
    expect(got.ApprovalRules!.PatchRules!.map((r) => [r.ComplianceLevel, r.ApproveAfterDays])).toEqual([["CRITICAL", 7], ["HIGH", 8]]);
    expect(got.ApprovalRules!.PatchRules![0]!.PatchFilterGroup!.PatchFilters!.map((f) => [f.Key, f.Values])).toEqual([
      ["MSRC_SEVERITY", ["Critical", "Important"]],
      ["CLASSIFICATION", ["SecurityUpdates", "CriticalUpdates"]],
    ]);
    expect((await planJson(dir)).code).toBe(0);
  });

  it("a reordered rule list (and reordered filters, values, patches, targets, notification events) plans empty", async () => {
    const task = `    - name: patch
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [app]}]
      maxConcurrency: "1"
      maxErrors: "1"
      runCommand:
        parameters: {Operation: [Install]}
        notificationConfig: {notificationArn: "arn:aws:sns:us-east-1:123456789012:t", notificationEvents: [Failed, TimedOut, Success]}
`;
    const dir = tree({
      "b.yaml": BASELINE(RULE_A(7) + RULE_B(14), "  approvedPatches: [KB3, KB1, KB2]\n"),
      "w.yaml": WINDOW(task, "values: [web, app-servers, db]"),
    });
    await apply(dir);
    const first = await planJson(dir);
    expect(first.code).toBe(0);

    const reordered = BASELINE(
      RULE_B(14).replace("[Updates, UpdateRollups]", "[UpdateRollups, Updates]") +
        RULE_A(7).replace(/( {12}- \{key: MSRC_SEVERITY.*\n)( {12}- \{key: CLASSIFICATION.*\n)/, "$2$1"),
      "  approvedPatches: [KB1, KB2, KB3]\n",
    );
    expect(reordered).not.toBe(BASELINE(RULE_A(7) + RULE_B(14), "  approvedPatches: [KB3, KB1, KB2]\n"));
    writeFileSync(path.join(dir, "b.yaml"), reordered);
    writeFileSync(path.join(dir, "w.yaml"), WINDOW(task.replace("[Failed, TimedOut, Success]", "[Success, Failed, TimedOut]"), "values: [db, web, app-servers]"));
    const again = await planJson(dir);
    expect(again.code).toBe(0);
    expect(again.plan.changes).toEqual([]);
    // The account did not move: the fingerprint of what was read is the same.
    expect(again.plan.stateFingerprint).toBe(first.plan.stateFingerprint);
    const text = await h.cli(["reconcile", dir, "--plan"]);
    expect(text.out).toContain("No changes.");

    // The local endpoint keeps what was first written, in that order (as SSM does).
    const windows = await h.sdk.send(new DescribeMaintenanceWindowsCommand({}));
    const targets = await h.sdk.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: windows.WindowIdentities![0]!.WindowId! }));
    expect(targets.Targets![0]!.Targets![0]!.Values).toEqual(["web", "app-servers", "db"]);
    const run = (await taskOf()).TaskInvocationParameters as { RunCommand: { NotificationConfig: { NotificationEvents: string[] } } };
    expect(run.RunCommand.NotificationConfig.NotificationEvents).toEqual(["Failed", "TimedOut", "Success"]);
  });
});

describe("nested values are indented blocks", () => {
  it("an added approval rule and a long target list: YAML-like lines with the changes marked, never truncated JSON", async () => {
    const many = Array.from({ length: 12 }, (_, i) => `group-with-a-long-name-${i}`);
    const dir = tree({ "b.yaml": BASELINE(RULE_A(7)), "w.yaml": WINDOW(PATCH_TASK("Scan"), `values: [${many.slice(0, 10).join(", ")}]`) });
    await apply(dir);
    const rule3 = `      - patchFilterGroup:
          patchFilters:
            - {key: PRODUCT, values: [WindowsServer2019, WindowsServer2022, WindowsServer2025]}
            - {key: CLASSIFICATION, values: [ServicePacks, FeaturePacks, Drivers, Tools]}
        approveAfterDays: 30
`;
    writeFileSync(path.join(dir, "b.yaml"), BASELINE(RULE_A(7) + rule3));
    writeFileSync(path.join(dir, "w.yaml"), WINDOW(PATCH_TASK("Scan"), `values: [${[...many.slice(0, 9), many[10], many[11]].join(", ")}]`));
    const text = await h.cli(["reconcile", dir, "--plan"]);
    expect(text.out).not.toMatch(/\.\.\.$/m);
    expect(text.out).toContain(
      [
        "        approvalRules.patchRules[1]: (added)",
        "          + patchFilterGroup:",
        "          +   patchFilters:",
        '          +     - key: "PRODUCT"',
        '          +       values: ["WindowsServer2019","WindowsServer2022","WindowsServer2025"]',
        '          +     - key: "CLASSIFICATION"',
        '          +       values: ["ServicePacks","FeaturePacks","Drivers","Tools"]',
        '          + complianceLevel: "UNSPECIFIED"',
        "          + approveAfterDays: 30",
        "          + enableNonSecurity: false",
      ].join("\n"),
    );
    expect(text.out).toContain(
      [
        "        targets[0].values:",
        ...many.slice(0, 9).map((g) => `            - "${g}"`),
        '          + - "group-with-a-long-name-10"',
        '          + - "group-with-a-long-name-11"',
        '          - - "group-with-a-long-name-9"',
      ].join("\n"),
    );
    const md = await h.cli(["reconcile", dir, "--plan", "--output", "markdown"]);
    expect(md.out).toContain("`approvalRules.patchRules[1]` (added):\n\n```diff\n+ patchFilterGroup:\n");
    // JSON keeps the full values.
    const { plan } = await planJson(dir);
    const added = plan.changes.find((c) => c.key === "PatchBaseline/app-baseline")!.fields[0]!;
    expect(added.path).toBe("approvalRules.patchRules[1]");
    expect((added.after as { patchFilterGroup: { patchFilters: unknown[] } }).patchFilterGroup.patchFilters).toHaveLength(2);
  });
});
