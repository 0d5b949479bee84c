import * as ssm from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { killHard, sdkClient, spawnEndpoint, WINDOWS_RULE } from "./helpers.js";

/**
 * The endpoint as a separate process (node dist/src/local-ssm/main.js, built by
 * `npm run build`), killed with SIGKILL: what it acknowledged must survive.
 */
const {
  CreatePatchBaselineCommand, GetPatchBaselineCommand, DescribePatchBaselinesCommand, DescribePatchGroupsCommand, RegisterPatchBaselineForPatchGroupCommand,
  RegisterDefaultPatchBaselineCommand, GetDefaultPatchBaselineCommand, CreateMaintenanceWindowCommand, GetMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand,
  RegisterTargetWithMaintenanceWindowCommand, DescribeMaintenanceWindowTargetsCommand, RegisterTaskWithMaintenanceWindowCommand, GetMaintenanceWindowTaskCommand,
  DescribeMaintenanceWindowTasksCommand, ListTagsForResourceCommand, PutParameterCommand, GetParameterCommand, UpdateMaintenanceWindowCommand,
} = ssm;

const PARTITIONS: [string, string][] = [
  ["us-west-2", "111111111111"],
  ["eu-west-1", "222222222222"],
];

function dataFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "local-ssm-data-")), "state.json");
}

function strip<T extends { $metadata?: unknown }>(out: T): Omit<T, "$metadata"> {
  const { $metadata: _m, ...rest } = out;
  return rest;
}

/** Everything a reconciler can read, in every partition used. */
async function fullState(url: string): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const [region, account] of PARTITIONS) {
    const c = sdkClient(url, region, account);
    const identities = (await c.send(new DescribePatchBaselinesCommand({ MaxResults: 100 }))).BaselineIdentities!;
    const baselines = [];
    for (const b of identities) {
      const tags = b.BaselineId!.startsWith("pb-") ? (await c.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: b.BaselineId }))).TagList : undefined;
      baselines.push({ identity: b, full: strip(await c.send(new GetPatchBaselineCommand({ BaselineId: b.BaselineId }))), tags });
    }
    const defaults = [];
    for (const os of Object.values(ssm.OperatingSystem)) defaults.push(strip(await c.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: os }))));
    const windows = [];
    for (const w of (await c.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 100 }))).WindowIdentities!) {
      const tasks = [];
      for (const t of (await c.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: w.WindowId }))).Tasks!) tasks.push(strip(await c.send(new GetMaintenanceWindowTaskCommand({ WindowId: w.WindowId, WindowTaskId: t.WindowTaskId }))));
      windows.push({
        window: strip(await c.send(new GetMaintenanceWindowCommand({ WindowId: w.WindowId }))),
        tags: (await c.send(new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: w.WindowId }))).TagList,
        targets: (await c.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: w.WindowId }))).Targets,
        tasks,
      });
    }
    const groups = (await c.send(new DescribePatchGroupsCommand({ MaxResults: 100 }))).Mappings;
    const lease = await c.send(new GetParameterCommand({ Name: "/patchctl/lease/demo" })).then((p) => p.Parameter, () => undefined);
    out[`${account}/${region}`] = { baselines, defaults, windows, groups, lease };
    c.destroy();
  }
  return out;
}

async function mutateEverything(url: string): Promise<{ tokens: { region: string; account: string; windowId: string } }> {
  let first: { region: string; account: string; windowId: string } | undefined;
  for (const [region, account] of PARTITIONS) {
    const c = sdkClient(url, region, account);
    const { BaselineId } = await c.send(new CreatePatchBaselineCommand({ Name: "durable", Description: "survives kill -9", Tags: [{ Key: "k", Value: "v" }], ApprovalRules: { PatchRules: [WINDOWS_RULE] }, ClientToken: "baseline-token" }));
    await c.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "durable-group" }));
    await c.send(new RegisterDefaultPatchBaselineCommand({ BaselineId }));
    const { WindowId } = await c.send(new CreateMaintenanceWindowCommand({ Name: "durable-window", Schedule: "cron(0 3 ? * MON *)", ScheduleTimezone: "Europe/Berlin", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false, Tags: [{ Key: "Environment", Value: "Production" }], ClientToken: "window-token" }));
    await c.send(new UpdateMaintenanceWindowCommand({ WindowId, Description: "updated" }));
    const { WindowTargetId } = await c.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["durable-group"] }], Name: "dbs" }));
    await c.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [WindowTargetId!] }], MaxConcurrency: "1", MaxErrors: "0", TaskInvocationParameters: { RunCommand: { Parameters: { Operation: ["Install"] } } } }));
    await c.send(new PutParameterCommand({ Name: "/patchctl/lease/demo", Value: JSON.stringify({ holder: "h" }), Type: "String" }));
    first ??= { region, account, windowId: WindowId! };
    c.destroy();
  }
  return { tokens: first! };
}

describe("persistence: what was acknowledged survives kill -9", () => {
  it("mutate everything, kill -9, restart on the same file: identical state, and ClientTokens still remembered", async () => {
    const data = dataFile();
    const first = await spawnEndpoint(["--data", data]);
    const { tokens } = await mutateEverything(first.url);
    const before = await fullState(first.url);
    await killHard(first.child);

    const second = await spawnEndpoint(["--data", data]);
    try {
      const after = await fullState(second.url);
      expect(after).toEqual(before);
      const part = (after as Record<string, { baselines: unknown[]; windows: unknown[] }>)["111111111111/us-west-2"]!;
      expect(part.windows).toHaveLength(1);
      // The idempotency token outlived the process: the same request returns the same window, a different one is refused.
      const c = sdkClient(second.url, tokens.region, tokens.account);
      const replay = await c.send(new CreateMaintenanceWindowCommand({ Name: "durable-window", Schedule: "cron(0 3 ? * MON *)", ScheduleTimezone: "Europe/Berlin", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false, Tags: [{ Key: "Environment", Value: "Production" }], ClientToken: "window-token" }));
      expect(replay.WindowId).toBe(tokens.windowId);
      await expect(c.send(new CreateMaintenanceWindowCommand({ Name: "other", Schedule: "rate(1 day)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false, ClientToken: "window-token" }))).rejects.toThrow(ssm.IdempotentParameterMismatch);
      c.destroy();
      expect(readdirSync(path.dirname(data))).toEqual(["state.json"]);
    } finally {
      await killHard(second.child);
    }
  });

  it("kill -9 during a burst of concurrent writes: every acknowledged write is there after restart", async () => {
    const data = dataFile();
    const first = await spawnEndpoint(["--data", data]);
    const c = sdkClient(first.url, "us-west-2");
    const acknowledged: string[] = [];
    const writes = Array.from({ length: 40 }, (_, i) =>
      c.send(new CreateMaintenanceWindowCommand({ Name: `burst-${i}`, Schedule: "rate(1 day)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true })).then(
        (r) => acknowledged.push(r.WindowId!),
        () => undefined,
      ),
    );
    // Kill as soon as a few are acknowledged, with the rest still in flight.
    for (let i = 0; i < 500 && acknowledged.length < 5; i++) await new Promise((r) => setTimeout(r, 2));
    await killHard(first.child);
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);
    await Promise.all(writes);
    c.destroy();
    const second = await spawnEndpoint(["--data", data]);
    try {
      const c2 = sdkClient(second.url, "us-west-2");
      const ids = new Set<string>();
      for await (const page of ssm.paginateDescribeMaintenanceWindows({ client: c2, pageSize: 10 }, {})) for (const w of page.WindowIdentities!) ids.add(w.WindowId!);
      for (const id of acknowledged) expect(ids.has(id), id).toBe(true);
      c2.destroy();
    } finally {
      await killHard(second.child);
    }
  });

  it("reads a data file written by the first version (patch groups on baselines, Type on tasks)", async () => {
    const data = dataFile();
    const v1 = {
      version: 1,
      regions: {
        "111111111111/us-west-2": {
          baselines: { "pb-0123456789abcdef0": { BaselineId: "pb-0123456789abcdef0", Name: "old", OperatingSystem: "WINDOWS", GlobalFilters: { PatchFilters: [] }, ApprovalRules: { PatchRules: [] }, ApprovedPatches: [], ApprovedPatchesComplianceLevel: "UNSPECIFIED", ApprovedPatchesEnableNonSecurity: false, RejectedPatches: [], RejectedPatchesAction: "ALLOW_AS_DEPENDENCY", Sources: [], PatchGroups: ["old-group"], CreatedDate: 1700000000, ModifiedDate: 1700000000, Tags: [] } },
          defaults: {},
          windows: { "mw-0123456789abcdef0": { WindowId: "mw-0123456789abcdef0", Name: "old-window", Schedule: "rate(1 day)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true, Enabled: true, CreatedDate: 1700000000, ModifiedDate: 1700000000, Tags: [] } },
          targets: {},
          tasks: { "00000000-0000-4000-8000-000000000001": { WindowId: "mw-0123456789abcdef0", WindowTaskId: "00000000-0000-4000-8000-000000000001", TaskArn: "AWS-RestartEC2Instance", Type: "AUTOMATION", Targets: [], Priority: 1, ServiceRoleArn: "arn:aws:iam::111111111111:role/r", CutoffBehavior: "CONTINUE_TASK" } },
          parameters: {},
          tokens: { "CreatePatchBaseline/t": { operation: "CreatePatchBaseline", hash: "x", id: "pb-0123456789abcdef0" } },
        },
      },
    };
    writeFileSync(data, JSON.stringify(v1));
    const ep = await spawnEndpoint(["--data", data]);
    try {
      const c = sdkClient(ep.url, "us-west-2");
      expect((await c.send(new GetPatchBaselineCommand({ BaselineId: "pb-0123456789abcdef0" }))).PatchGroups).toEqual(["old-group"]);
      expect((await c.send(new GetMaintenanceWindowTaskCommand({ WindowId: "mw-0123456789abcdef0", WindowTaskId: "00000000-0000-4000-8000-000000000001" }))).TaskType).toBe("AUTOMATION");
      c.destroy();
    } finally {
      await killHard(ep.child);
    }
  });
});

function runCli(args: string[], signalAfterListening?: NodeJS.Signals): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["dist/src/local-ssm/main.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (signalAfterListening && out.includes("listening on")) child.kill(signalAfterListening);
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => resolve({ code, out, err }));
  });
}

describe("the local-ssm command", () => {
  it("prints its URL, stops on SIGTERM and SIGINT with exit 0", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const r = await runCli(["--port", "0", "--host", "127.0.0.1"], signal);
      expect(r.out).toMatch(/^local SSM endpoint listening on http:\/\/127\.0\.0\.1:\d+\n$/);
      expect(r.code).toBe(0);
    }
  });

  it("refuses bad flags (exit 2) and a corrupt data file or bad fleet (exit 1), saying why", async () => {
    const bad = await runCli(["--tps", "lots"]);
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/--tps must be a number/)]);
    expect((await runCli(["--fail-rate", "1.5"])).code).toBe(2);
    expect((await runCli(["--bogus"])).code).toBe(2);
    const data = dataFile();
    writeFileSync(data, "{ half a file");
    const corrupt = await runCli(["--port", "0", "--data", data]);
    expect([corrupt.code, corrupt.err]).toEqual([1, expect.stringMatching(/not a local-ssm data file/)]);
    const fleet = await runCli(["--port", "0", "--fleet", "/nonexistent/fleet.yaml"]);
    expect([fleet.code, fleet.err]).toEqual([1, expect.stringMatching(/fleet file/)]);
  });
});
