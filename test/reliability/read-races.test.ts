import { CreateMaintenanceWindowCommand, DeleteMaintenanceWindowCommand, DeregisterTaskFromMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsGateway } from "../../src/aws/gateway.js";
import type { LocalSsm as LocalSsmServer } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { maintenanceWindowHandler } from "../../src/resources/maintenance-window.js";

/**
 * An operator deletes by hand while a cycle is reading. The read lists a window, its targets and
 * its tasks, then a task's GetMaintenanceWindowTask answers DoesNotExist: either that task was
 * deregistered (the window lost a task: restore the task) or the whole window was deleted
 * meanwhile (the window is gone: restore the window). Reading the second as the first planned a
 * task for a window that no longer exists, and the cycle failed (seen in CI's watch-restores).
 */
const creds = { accessKeyId: "AKIA444444444444TEST", secretAccessKey: "race-secret" };
let server: LocalSsmServer;
let ssm: SSMClient;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  ssm = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
});
afterAll(async () => {
  ssm.destroy();
  await server.close();
});

async function windowWithTask(name: string): Promise<{ windowId: string; taskId: string }> {
  const { WindowId } = await ssm.send(new CreateMaintenanceWindowCommand({ Name: name, Schedule: "cron(0 2 ? * SUN *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false }));
  const { WindowTargetId } = await ssm.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, Name: "the-target", ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["g"] }] }));
  const { WindowTaskId } = await ssm.send(
    new RegisterTaskWithMaintenanceWindowCommand({ WindowId, Name: "scan", TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [WindowTargetId!] }], MaxConcurrency: "1", MaxErrors: "1", Priority: 1, TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Scan"] } } } }),
  );
  return { windowId: WindowId!, taskId: WindowTaskId! };
}

/** A gateway that runs `before` once, just before its first GetMaintenanceWindowTask is sent. */
function gatewayDeletingOnTaskRead(before: () => Promise<unknown>): AwsGateway {
  const gw = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
  let done = false;
  gw.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!done && context.commandName === "GetMaintenanceWindowTaskCommand") {
        done = true;
        await before();
      }
      return next(args);
    },
    { step: "initialize", name: "raceInjector" },
  );
  return gw;
}

const readCtx = (names: string[]) => ({ owner: "race", desiredNames: new Set(names), concurrency: 4, emit: () => undefined });

describe("reading while an operator deletes", () => {
  it("a window deleted after its tasks were listed is read as gone, not as a window without its task", async () => {
    const { windowId } = await windowWithTask("race-window-deleted");
    const gw = gatewayDeletingOnTaskRead(() => ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: windowId })));
    const { resources } = await maintenanceWindowHandler.read!(gw, readCtx(["race-window-deleted"]));
    gw.client.destroy();
    expect(resources.filter((r) => r.id === windowId || r.parentKey?.includes("race-window-deleted"))).toEqual([]);
  });

  it("a task deregistered alone after the list is read as missing, its window and target still there", async () => {
    const { windowId, taskId } = await windowWithTask("race-task-deregistered");
    const gw = gatewayDeletingOnTaskRead(() => ssm.send(new DeregisterTaskFromMaintenanceWindowCommand({ WindowId: windowId, WindowTaskId: taskId })));
    const { resources } = await maintenanceWindowHandler.read!(gw, readCtx(["race-task-deregistered"]));
    gw.client.destroy();
    const mine = resources.filter((r) => r.id === windowId || r.key.includes("race-task-deregistered"));
    expect(mine.map((r) => r.type).sort()).toEqual(["MaintenanceWindow", "WindowTarget"]);
  });
});
