import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";

/**
 * Wire compatibility with a client no one here wrote: Debian's AWS CLI v2
 * (/usr/bin/aws, installed by .ci/run). It validates requests against the real
 * service model and parses responses with it.
 */
const run = promisify(execFile);
const AWS = "/usr/bin/aws";
let server: LocalSsm;

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS, ["--endpoint-url", server.url, "--output", "json", "ssm", ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: "AKIA333333333333TEST", AWS_SECRET_ACCESS_KEY: "cli-secret", AWS_DEFAULT_REGION: "eu-central-1", AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

async function awsFails(args: string[], code: string): Promise<void> {
  const err = await aws(...args).then(() => undefined, (e: { stderr?: string }) => e);
  expect(err, `expected ${code}`).toBeDefined();
  expect(String(err!.stderr)).toContain(`(${code})`);
}

beforeAll(async () => {
  server = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
});
afterAll(async () => {
  await server.close();
});

describe("local SSM driven by Debian's AWS CLI v2", () => {
  it("runs the seed walkthrough end to end, every operation at least once", async () => {
    const { BaselineId } = (await aws("create-patch-baseline", "--name", "Production-Baseline", "--operating-system", "WINDOWS", "--tags", "Key=Environment,Value=Production",
      "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=MSRC_SEVERITY,Values=[Critical,Important]},{Key=CLASSIFICATION,Values=[SecurityUpdates,Updates]}]},ApproveAfterDays=7}]",
      "--description", "Baseline containing all updates approved for production systems")) as { BaselineId: string };
    expect(BaselineId).toMatch(/^pb-[0-9a-f]{17}$/);
    expect(((await aws("get-patch-baseline", "--baseline-id", BaselineId)) as { ApprovalRules: { PatchRules: { ApproveAfterDays: number }[] } }).ApprovalRules.PatchRules[0]!.ApproveAfterDays).toBe(7);
    await aws("update-patch-baseline", "--baseline-id", BaselineId, "--approved-patches", "KB123456", "--replace");
    expect(((await aws("describe-patch-baselines", "--filters", "Key=OWNER,Values=Self")) as { BaselineIdentities: unknown[] }).BaselineIdentities).toHaveLength(1);
    expect(await aws("register-patch-baseline-for-patch-group", "--baseline-id", BaselineId, "--patch-group", "Database Servers")).toEqual({ BaselineId, PatchGroup: "Database Servers" });
    expect(((await aws("describe-patch-groups")) as { Mappings: { PatchGroup: string }[] }).Mappings.map((m) => m.PatchGroup)).toEqual(["Database Servers"]);
    expect(((await aws("get-patch-baseline-for-patch-group", "--patch-group", "Database Servers")) as { BaselineId: string }).BaselineId).toBe(BaselineId);
    await aws("register-default-patch-baseline", "--baseline-id", BaselineId);
    expect(((await aws("get-default-patch-baseline")) as { BaselineId: string }).BaselineId).toBe(BaselineId);

    const { WindowId } = (await aws("create-maintenance-window", "--name", "Production-Tuesdays", "--tags", "Key=Environment,Value=Production", "--schedule", "cron(0 0 22 ? * TUE *)", "--duration", "1", "--cutoff", "0", "--no-allow-unassociated-targets")) as { WindowId: string };
    expect(WindowId).toMatch(/^mw-[0-9a-f]{17}$/);
    const window = (await aws("get-maintenance-window", "--window-id", WindowId)) as { Enabled: boolean; NextExecutionTime: string; AllowUnassociatedTargets: boolean };
    expect(window.Enabled).toBe(true);
    expect(window.AllowUnassociatedTargets).toBe(false);
    expect(window.NextExecutionTime).toMatch(/T22:00Z$/);
    await aws("update-maintenance-window", "--window-id", WindowId, "--duration", "2");
    expect(((await aws("describe-maintenance-windows", "--filters", "Key=Name,Values=Production-Tuesdays")) as { WindowIdentities: { Duration: number }[] }).WindowIdentities[0]!.Duration).toBe(2);

    const { WindowTargetId } = (await aws("register-target-with-maintenance-window", "--window-id", WindowId, "--targets", "Key=tag:Patch Group,Values=Database Servers", "--owner-information", "Database Servers", "--resource-type", "INSTANCE")) as { WindowTargetId: string };
    await aws("update-maintenance-window-target", "--window-id", WindowId, "--window-target-id", WindowTargetId, "--name", "db-servers");
    expect(((await aws("describe-maintenance-window-targets", "--window-id", WindowId)) as { Targets: { Name: string }[] }).Targets[0]!.Name).toBe("db-servers");

    const { WindowTaskId } = (await aws("register-task-with-maintenance-window", "--window-id", WindowId, "--targets", `Key=WindowTargetIds,Values=${WindowTargetId}`, "--task-arn", "AWS-RunPatchBaseline",
      "--service-role-arn", "arn:aws:iam::12345678:role/MW-Role", "--task-type", "RUN_COMMAND", "--max-concurrency", "2", "--max-errors", "1", "--priority", "1",
      "--task-invocation-parameters", "RunCommand={Parameters={Operation=Install}}")) as { WindowTaskId: string };
    const task = (await aws("get-maintenance-window-task", "--window-id", WindowId, "--window-task-id", WindowTaskId)) as { TaskInvocationParameters: { RunCommand: { Parameters: Record<string, string[]> } } };
    expect(task.TaskInvocationParameters.RunCommand.Parameters).toEqual({ Operation: ["Install"] });
    await aws("update-maintenance-window-task", "--window-id", WindowId, "--window-task-id", WindowTaskId, "--priority", "2");
    expect(((await aws("describe-maintenance-window-tasks", "--window-id", WindowId)) as { Tasks: { Priority: number; Type: string }[] }).Tasks[0]).toMatchObject({ Priority: 2, Type: "RUN_COMMAND" });
    await awsFails(["deregister-target-from-maintenance-window", "--window-id", WindowId, "--window-target-id", WindowTargetId, "--safe"], "TargetInUseException");

    await aws("add-tags-to-resource", "--resource-type", "MaintenanceWindow", "--resource-id", WindowId, "--tags", "Key=Team,Value=Ops");
    await aws("remove-tags-from-resource", "--resource-type", "MaintenanceWindow", "--resource-id", WindowId, "--tag-keys", "Environment");
    expect(((await aws("list-tags-for-resource", "--resource-type", "MaintenanceWindow", "--resource-id", WindowId)) as { TagList: unknown[] }).TagList).toEqual([{ Key: "Team", Value: "Ops" }]);

    expect(((await aws("describe-patch-group-state", "--patch-group", "Database Servers")) as { Instances: number }).Instances).toBe(3);
    expect(((await aws("describe-instance-patch-states-for-patch-group", "--patch-group", "Database Servers")) as { InstancePatchStates: unknown[] }).InstancePatchStates).toHaveLength(3);
    expect(((await aws("describe-maintenance-window-executions", "--window-id", WindowId)) as { WindowExecutions: { Status: string }[] }).WindowExecutions[0]!.Status).toBe("SUCCESS");

    await aws("put-parameter", "--name", "/patchctl/lease/cli", "--value", "{}", "--type", "String");
    await awsFails(["put-parameter", "--name", "/patchctl/lease/cli", "--value", "{}", "--type", "String"], "ParameterAlreadyExists");
    expect(((await aws("get-parameter", "--name", "/patchctl/lease/cli")) as { Parameter: { Value: string } }).Parameter.Value).toBe("{}");
    await aws("delete-parameter", "--name", "/patchctl/lease/cli");

    await aws("deregister-task-from-maintenance-window", "--window-id", WindowId, "--window-task-id", WindowTaskId);
    await aws("deregister-target-from-maintenance-window", "--window-id", WindowId, "--window-target-id", WindowTargetId, "--safe");
    await aws("delete-maintenance-window", "--window-id", WindowId);
    await awsFails(["get-maintenance-window", "--window-id", WindowId], "DoesNotExistException");
    await awsFails(["delete-patch-baseline", "--baseline-id", BaselineId], "ResourceInUseException");
    await aws("deregister-patch-baseline-for-patch-group", "--baseline-id", BaselineId, "--patch-group", "Database Servers");
  }, 120_000);

  it("returns the real error codes to the CLI", async () => {
    await awsFails(["create-patch-baseline", "--name", "has a space"], "ValidationException");
    await awsFails(["get-patch-baseline", "--baseline-id", "pb-0123456789abcdef0"], "DoesNotExistException");
    await aws("create-patch-baseline", "--name", "tokened", "--client-token", "cli-token");
    await awsFails(["create-patch-baseline", "--name", "tokened-2", "--client-token", "cli-token"], "IdempotentParameterMismatch");
  }, 60_000);
});
