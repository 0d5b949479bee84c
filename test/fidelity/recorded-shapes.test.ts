import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliJson } from "../helpers/aws-cli.js";
import { awsCli } from "../helpers/aws-cli.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { recordedOutputs } from "../helpers/recorded-examples.js";

/**
 * Issue 19: the AWS CLI's recorded examples of the read operations patchctl makes, served from
 * the endpoint's read path. Each resource an example shows is made again in local-ssm with the
 * AWS CLI, as a user would, and read back with the same command: the answer must have the
 * recorded answer's shape (the same keys at every depth, each with the same JSON type). Where
 * they differ, the example wins (docs/ssm-fidelity.md, "Recorded examples served").
 */

type Shape = Map<string, string>;

/** Dates: the CLI prints epoch seconds or ISO-8601 text depending on the example's age. */
const TIMESTAMP = /(Date|Time)$/;

/** Every path of a JSON value with its type; list items share the path `[]` (their shapes merged). */
function shapeOf(value: unknown, path = "", out: Shape = new Map()): Shape {
  const leaf = path.split(".").pop() ?? "";
  if (TIMESTAMP.test(leaf) && (typeof value === "number" || typeof value === "string")) out.set(path, "timestamp");
  else if (Array.isArray(value)) {
    out.set(path, "array");
    for (const item of value) shapeOf(item, `${path}[]`, out);
  } else if (value !== null && typeof value === "object") {
    out.set(path, "object");
    // Free-form maps (a task's Parameters, its TaskParameters): their keys are the user's, only the type counts.
    if (leaf === "Parameters" || leaf === "TaskParameters") return out;
    for (const [k, v] of Object.entries(value)) shapeOf(v, path ? `${path}.${k}` : k, out);
  } else out.set(path, value === null ? "null" : typeof value);
  return out;
}

function shapeLines(value: unknown): string[] {
  return [...shapeOf(value)].map(([p, t]) => `${p}: ${t}`).sort();
}

describe("recorded AWS CLI examples served from the endpoint's read path have the recorded shape", () => {
  let server: LocalSsm;
  const cli = (...args: string[]): Promise<CliJson> => awsCli({ url: server.url, accessKeyId: "AKIA111222333444TEST", secretAccessKey: "cli-secret", region: "us-east-2" }, "ssm", ...args);
  let baselineId = "";
  let windowId = "";

  beforeAll(async () => {
    server = await startLocalSsm({ port: 0 });
    // Made with the SDK (the AWS CLI is slow to start); read with the AWS CLI, which prints what the examples recorded.
    const sdk = new ssm.SSMClient({ region: "us-east-2", endpoint: server.url, credentials: { accessKeyId: "AKIA111222333444TEST", secretAccessKey: "cli-secret" } });
    try {
      // get-patch-baseline.rst, describe-patch-groups.rst, list-tags-for-resource.rst
      baselineId = (
        await sdk.send(
          new ssm.CreatePatchBaselineCommand({
            Name: "WindowsPatching", OperatingSystem: "WINDOWS", Description: "Patches for Windows Servers",
            ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRODUCT", Values: ["WindowsServer2016"] }] }, ComplianceLevel: "CRITICAL", ApproveAfterDays: 0 }] },
          }),
        )
      ).BaselineId!;
      for (const g of ["QA", "DEV"]) await sdk.send(new ssm.RegisterPatchBaselineForPatchGroupCommand({ BaselineId: baselineId, PatchGroup: g }));
      await sdk.send(new ssm.AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: baselineId, Tags: [{ Key: "Environment", Value: "Production" }, { Key: "Region", Value: "EMEA" }] }));
      // get-maintenance-window.rst, describe-maintenance-windows.rst
      windowId = (await sdk.send(new ssm.CreateMaintenanceWindowCommand({ Name: "My-Maintenance-Window", Schedule: "rate(3 days)", Duration: 6, Cutoff: 1, AllowUnassociatedTargets: true }))).WindowId!;
      // describe-maintenance-window-targets.rst
      await sdk.send(new ssm.RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: "INSTANCE", OwnerInformation: "Single instance", Targets: [{ Key: "InstanceIds", Values: ["i-0000293ffdEXAMPLE"] }] }));
      await sdk.send(new ssm.RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: "INSTANCE", OwnerInformation: "Two instances in a list", Targets: [{ Key: "InstanceIds", Values: ["i-0000293ffdEXAMPLE", "i-0cb2b964d3EXAMPLE"] }] }));
      // get-maintenance-window-task.rst: a RUN_COMMAND task without a service role, its comment unset
      const target = (await sdk.send(new ssm.RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: "INSTANCE", Targets: [{ Key: "InstanceIds", Values: ["i-0cb2b964d3EXAMPLE"] }] }))).WindowTargetId!;
      await sdk.send(
        new ssm.RegisterTaskWithMaintenanceWindowCommand({
          WindowId: windowId, Name: "ExampleTask", TaskArn: "AWS-RunPowerShellScript", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [target] }],
          MaxConcurrency: "1", MaxErrors: "1", Priority: 1,
          TaskInvocationParameters: { RunCommand: { TimeoutSeconds: 600, Parameters: { commands: ["echo Hello"], executionTimeout: ["3600"], workingDirectory: [""] } } },
        }),
      );
    } finally {
      sdk.destroy();
    }
  });
  afterAll(async () => server.close());

  const taskId = async (): Promise<string> => String(((await cli("describe-maintenance-window-tasks", "--window-id", windowId)).Tasks as { WindowTaskId: string }[])[0]!.WindowTaskId);

  const cases: { page: string; read: () => Promise<CliJson> }[] = [
    { page: "get-patch-baseline.rst", read: () => cli("get-patch-baseline", "--baseline-id", baselineId) },
    { page: "describe-patch-baselines.rst", read: () => cli("describe-patch-baselines") },
    { page: "describe-patch-groups.rst", read: () => cli("describe-patch-groups") },
    { page: "get-patch-baseline-for-patch-group.rst", read: () => cli("get-patch-baseline-for-patch-group", "--patch-group", "QA") },
    { page: "list-tags-for-resource.rst", read: () => cli("list-tags-for-resource", "--resource-type", "PatchBaseline", "--resource-id", baselineId) },
    { page: "get-maintenance-window.rst", read: () => cli("get-maintenance-window", "--window-id", windowId) },
    { page: "describe-maintenance-windows.rst", read: () => cli("describe-maintenance-windows") },
    { page: "describe-maintenance-window-targets.rst", read: () => cli("describe-maintenance-window-targets", "--window-id", windowId) },
    { page: "get-maintenance-window-task.rst", read: async () => cli("get-maintenance-window-task", "--window-id", windowId, "--window-task-id", await taskId()) },
  ];

  for (const c of cases) {
    it(c.page, async () => {
      const [recorded] = recordedOutputs(c.page);
      expect(shapeLines(await c.read())).toEqual(shapeLines(recorded));
    }, 60_000);
  }
});
