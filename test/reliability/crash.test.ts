import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/output.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { census, duplicates } from "../helpers/account-census.js";
import { killHard, spawnLocalSsm } from "../helpers/spawn-local.js";

const creds = { accessKeyId: "AKIA666666666666TEST", secretAccessKey: "crash-secret" };
const DIR = "examples/walkthrough";
const quiet: Io = { out: () => {}, err: () => {} };

function cliEnv(): NodeJS.ProcessEnv {
  return { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
}

/** Runs patchctl reconcile as a child process; resolves with its exit code or signal. */
function reconcileProcess(url: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "reconcile", DIR, "--endpoint-url", url, "--region", "us-east-1"], { env, stdio: "ignore" });
    child.once("exit", (code, signal) => resolve(signal ?? String(code)));
  });
}

async function inProcessReconcile(url: string, args: string[] = []): Promise<number> {
  process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
  return runCli(["reconcile", DIR, "--endpoint-url", url, "--region", "us-east-1", ...args], quiet);
}

async function expectConverged(url: string): Promise<void> {
  expect(await inProcessReconcile(url, ["--plan"])).toBe(0);
  const sdk = new SSMClient({ region: "us-east-1", endpoint: url, credentials: creds });
  const c = await census(sdk);
  sdk.destroy();
  expect(duplicates(c.baselines.map((b) => b.name))).toEqual([]);
  expect(duplicates(c.windows.map((w) => w.name))).toEqual([]);
  for (const w of c.windows) {
    expect(duplicates(w.targets)).toEqual([]);
    expect(duplicates(w.tasks)).toEqual([]);
    expect(w.owner).toBe("walkthrough");
  }
  // No orphans: everything custom is owned and described by the desired state.
  expect(c.baselines.map((b) => [b.name, b.owner])).toEqual([["Production-Baseline", "walkthrough"]]);
  expect(c.windows.map((w) => w.name).sort()).toEqual(["Production-Saturdays", "Production-Tuesdays"]);
  expect(c.groups.map((g) => g.group).sort()).toEqual(["Database Servers", "Front-End Servers"]);
}

describe("crash safety", () => {
  it("kill -9 after the k-th write, for every k, then rerun: the desired state, no duplicates, no orphans", async () => {
    // N = the writes of a full apply of the example.
    const probe = await startLocalSsm({ port: 0 });
    expect(await inProcessReconcile(probe.url)).toBe(0);
    const stats = probe.stats().calls;
    const n = Object.entries(stats).filter(([op]) => !/^(Get|Describe|List)/.test(op) && !/Parameter$/.test(op)).reduce((a, [, c]) => a + c, 0);
    await probe.close();
    expect(n).toBeGreaterThanOrEqual(9);

    for (let k = 1; k <= n; k++) {
      const server = await startLocalSsm({ port: 0 });
      try {
        const outcome = await reconcileProcess(server.url, { ...cliEnv(), PATCHCTL_FAULT_KILL_AFTER_WRITES: String(k) });
        expect(outcome, `k=${k}`).toBe(k < n ? "SIGKILL" : outcome);
        // The killed run's lease is taken over at once: its holder process on this host is gone.
        expect(await inProcessReconcile(server.url, ["--lock-timeout", "0"]), `rerun after k=${k}`).toBe(0);
        await expectConverged(server.url);
      } finally {
        await server.close();
      }
    }
  }, 300_000);

  it("the local endpoint killed and restarted mid-apply: the rerun converges", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const data = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-crash-")), "state.json");
    let endpoint = await spawnLocalSsm(["--port", String(port), "--data", data, "--latency-ms", "40"]);
    const url = endpoint.url;
    const applying = inProcessReconcile(url);
    const sdk = new SSMClient({ region: "us-east-1", endpoint: url, credentials: creds });
    for (;;) {
      const stats = (await (await fetch(`${url}/_local/stats`)).json()) as { calls: Record<string, number> };
      if ((stats.calls.CreateMaintenanceWindow ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await killHard(endpoint.child);
    endpoint = await spawnLocalSsm(["--port", String(port), "--data", data]);
    try {
      await applying; // may fail or finish through SDK retries; either way nothing is lost
      expect(await inProcessReconcile(url, ["--lock-timeout", "0"])).toBe(0);
      await expectConverged(url);
    } finally {
      sdk.destroy();
      await killHard(endpoint.child);
    }
  }, 300_000);
});
