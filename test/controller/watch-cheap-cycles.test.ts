import { DescribeMaintenanceWindowsCommand, DescribeMaintenanceWindowTasksCommand, GetMaintenanceWindowTaskCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { AwsGateway } from "../../src/aws/gateway.js";
import { Controller } from "../../src/controller/controller.js";
import { GitSource } from "../../src/controller/git-source.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";
import { OOB_FILES } from "../helpers/oob-fixture.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { gitIn } from "../helpers/git.js";

const creds = { accessKeyId: "AKIA252525252525TEST", secretAccessKey: "cheap-cycle-secret" };

/**
 * watch --resync-every: between full reads a cycle makes only the list calls. Driven cycle by cycle
 * (Controller.cycle) against local-ssm over HTTP; out-of-band changes with Debian's AWS CLI.
 */
describe("watch: cheap cycles between full reads", () => {
  it("restores a deleted window within one cheap cycle, changed invocation parameters within --resync-every cycles, and a cheap cycle makes only list calls", async () => {
    const server = await startLocalSsm({ port: 0 });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-cheap-"));
    mkdirSync(path.join(repo, "patching"));
    for (const [name, text] of Object.entries(OOB_FILES)) writeFileSync(path.join(repo, "patching", name), text);
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "desired");
    const cli = (...args: string[]) => awsCli({ url: server.url, ...creds, region: "us-east-1" }, "ssm", ...args);
    const gateway = new AwsGateway({ region: "us-east-1", endpointUrl: server.url, credentials: creds });
    const metrics = new ControllerMetrics();
    const resyncEvery = 4;
    const controller = new Controller({
      source: new GitSource(repo, "main", mkdtempSync(path.join(tmpdir(), "patchctl-cheap-work-"))),
      path: "patching",
      region: "us-east-1",
      gateway,
      apply: true,
      intervalMs: 1000,
      maxDeletePercent: 30,
      allowMassDelete: false,
      logger: pino({ level: "silent" }),
      metrics,
      notifiers: [],
      policiesDir: relaxedPoliciesDir(),
      resyncEvery,
    });
    /** The calls a full read makes beyond the lists: tags, and each window, task and baseline in full. */
    const BEYOND_LISTS = ["ListTagsForResource", "GetMaintenanceWindow", "GetMaintenanceWindowTask", "GetPatchBaseline"];
    const beyondLists = () => BEYOND_LISTS.reduce((n, op) => n + (gateway.stats.calls[op] ?? 0), 0);
    /** One cycle: its result, the read it made, its calls, and those of them beyond the list calls. */
    const cycle = async () => {
      const before = beyondLists();
      const r = await controller.cycle();
      expect(r.ok, JSON.stringify(r)).toBe(true);
      return { applied: r.applied ?? 0, read: controller.status.reads!.lastRead, calls: controller.status.reads!.callsLastCycle, beyondLists: beyondLists() - before };
    };
    // What is there, read with raw SDK calls; the out-of-band changes are made with the AWS CLI.
    const sdk = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
    const windowId = async () => (await sdk.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities?.[0]?.WindowId;
    const task = async () => {
      const id = (await windowId())!;
      const t = (await sdk.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: id }))).Tasks![0]!;
      return { windowId: id, taskId: t.WindowTaskId!, full: await sdk.send(new GetMaintenanceWindowTaskCommand({ WindowId: id, WindowTaskId: t.WindowTaskId })) };
    };
    const operation = async () => ((await task()).full.TaskInvocationParameters?.RunCommand?.Parameters?.Operation ?? []).join(",");
    try {
      // The first cycle creates everything (a full read); the one after an apply reads in full again; then cheap ones.
      expect((await cycle()).applied).toBeGreaterThan(0);
      const full = await cycle();
      expect(full).toMatchObject({ applied: 0, read: "full" });
      const cheap = await cycle();
      expect(full.beyondLists).toBeGreaterThan(0);
      expect(cheap).toMatchObject({ applied: 0, read: "cheap", beyondLists: 0 });
      expect(cheap.calls).toBeLessThan(full.calls);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(new RegExp(`patchctl_cycle_calls\\{deployment="",region="us-east-1",read="cheap"\\} ${cheap.calls}\\n`));
      expect(text).toMatch(/patchctl_last_full_read_timestamp_seconds\{deployment="",region="us-east-1"\} \d+/);

      // A window deleted out of band: the next cycle's cheap read shows it gone, a full read follows and the window is back.
      await cli("delete-maintenance-window", "--window-id", (await windowId())!);
      expect(await windowId()).toBeUndefined();
      const restoring = await cycle();
      expect(restoring.applied).toBeGreaterThan(0);
      expect(restoring.read).toBe("full");
      const back = await task();
      expect(back.full.Name).toBe("install");
      expect(await operation()).toBe("Install");

      // Invocation parameters are not in DescribeMaintenanceWindowTasks: changed out of band, the cheap
      // cycles do not see them, and the full read at most --resync-every cycles later restores them.
      expect((await cycle()).read).toBe("full"); // after the restore
      const t = await task();
      await cli("update-maintenance-window-task", "--window-id", t.windowId, "--window-task-id", t.taskId, "--task-invocation-parameters", JSON.stringify({ RunCommand: { Parameters: { Operation: ["Scan"] }, OutputS3BucketName: "oob-logs" } }));
      expect(await operation()).toBe("Scan");
      const after: Awaited<ReturnType<typeof cycle>>[] = [];
      while (after.length < resyncEvery && !after.some((c) => c.applied > 0)) after.push(await cycle());
      expect(after.some((c) => c.applied > 0), JSON.stringify(after)).toBe(true);
      expect(await operation()).toBe("Install");
      // It took the scheduled full read, not a cheap one: the cheap ones before it applied nothing and read no task in full.
      const restoredBy = after.findIndex((c) => c.applied > 0);
      expect(after[restoredBy]!.read).toBe("full");
      expect(after.slice(0, restoredBy).every((c) => c.read === "cheap" && c.applied === 0 && c.beyondLists === 0), JSON.stringify(after)).toBe(true);
      expect(restoredBy).toBe(resyncEvery - 1);
    } finally {
      await controller.stop();
      gateway.destroy();
      sdk.destroy();
      await server.close();
    }
  }, 120_000);
});
