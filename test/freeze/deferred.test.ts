import { DescribeMaintenanceWindowsCommand, DescribeMaintenanceWindowTasksCommand, GetMaintenanceWindowCommand } from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { until as waitUntil } from "../helpers/until.js";
import { jsonLinesOf } from "../helpers/json-lines.js";
import { gitIn } from "../helpers/git.js";

/**
 * Windows that are running: the local endpoint's fleet file declares an execution of
 * Production-Tuesdays IN_PROGRESS (no EndTime). A change to that window and its task is deferred
 * (marked in the plan and the apply output, exit 2) while the Saturday window's change is applied;
 * once the execution ends (the fleet file rewritten with an EndTime), watch applies the deferred
 * changes in its next cycle.
 */
let h: LocalHarness;
let repo: string;
let fleetFile: string;
const started = new Date(Date.now() - 10 * 60_000);

function writeFleet(executions: string): void {
  const tmp = `${fleetFile}.tmp`;
  writeFileSync(tmp, `instances: []\nexecutions:\n  Production-Tuesdays:\n${executions}`);
  renameSync(tmp, fleetFile); // whole, as the fleet file's documentation asks
}

const git = (...args: string[]): string => gitIn(repo)(...args); // repo is set in beforeAll

async function windowByName(name: string): Promise<{ duration: number; maxConcurrency: string }> {
  const id = ((await h.sdk.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: [name] }] }))).WindowIdentities ?? [])[0]!.WindowId!;
  const duration = (await h.sdk.send(new GetMaintenanceWindowCommand({ WindowId: id }))).Duration!;
  const task = ((await h.sdk.send(new DescribeMaintenanceWindowTasksCommand({ WindowId: id }))).Tasks ?? [])[0]!;
  return { duration, maxConcurrency: task.MaxConcurrency! };
}

/** This file waits up to 30,000 ms by default. */
const until = <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> => waitUntil(what, fn, ms);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "patchctl-deferred-"));
  fleetFile = path.join(dir, "fleet.yaml");
  writeFleet(`    - {Status: SUCCESS, StartTime: "2026-01-06T22:00:00Z", EndTime: "2026-01-06T22:40:00Z"}\n    - {WindowExecutionId: 6027b513-64fe-4cf0-be7d-1191a0000001, Status: IN_PROGRESS, StartTime: "${started.toISOString()}"}\n`);
  h = await startHarness({ fleetFile });
  repo = path.join(dir, "repo");
  cpSync("examples/walkthrough", path.join(repo, "patching"), { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "walkthrough");
});
afterAll(async () => {
  await h.close();
});

describe("a change to a window that is executing", () => {
  it("is deferred while another window's change is applied (exit 2), and watch applies it once the execution ends", async () => {
    // New windows have no execution: created as usual.
    expect((await h.cli(["reconcile", path.join(repo, "patching")])).code).toBe(0);

    const file = path.join(repo, "patching", "windows.yaml");
    const text = readFileSync(file, "utf8");
    const cut = text.indexOf("\n---\n");
    const tuesday = text.slice(0, cut).replace("duration: 1\n", "duration: 2\n").replace('maxConcurrency: "2"', 'maxConcurrency: "3"');
    const saturday = text.slice(cut).replace("duration: 2\n", "duration: 3\n");
    writeFileSync(file, tuesday + saturday);
    git("commit", "-q", "-am", "longer windows");

    const since = started.toISOString();
    const plan = await h.cli(["reconcile", path.join(repo, "patching"), "--plan"]);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain(`~ MaintenanceWindow/Production-Tuesdays  [deferred: window executing since ${since} (execution 6027b513-64fe-4cf0-be7d-1191a0000001, IN_PROGRESS)]`);
    expect(plan.out).toMatch(/~ WindowTask\/Production-Tuesdays\/Install-Patches {2}\[deferred: window executing since /);
    expect(plan.out).not.toMatch(/Production-Saturdays.*deferred/);
    expect(plan.out).toMatch(/Deferred: 2 change\(s\) wait for running window executions/);

    const json = JSON.parse((await h.cli(["reconcile", path.join(repo, "patching"), "--plan", "--output", "json"])).out) as { changes: { key: string; deferred?: string }[]; deferred: { key: string; window: string; since: string }[] };
    expect(json.deferred.map((d) => d.key)).toEqual(["MaintenanceWindow/Production-Tuesdays", "WindowTask/Production-Tuesdays/Install-Patches"]);
    expect(json.changes.find((c) => c.key === "MaintenanceWindow/Production-Saturdays")!.deferred).toBeUndefined();

    const applied = await h.cli(["reconcile", path.join(repo, "patching")]);
    expect(applied.code).toBe(2);
    expect(applied.out).toMatch(/applied\s+update\s+MaintenanceWindow\/Production-Saturdays/);
    expect(applied.out).toMatch(/deferred\s+update\s+MaintenanceWindow\/Production-Tuesdays: deferred: window executing since /);
    expect(applied.out).toMatch(/Apply complete: 1 applied, 0 failed, 0 skipped, 2 deferred/);
    expect(applied.err).toMatch(/2 change\(s\) deferred \(their windows are executing\): exit 2/);
    expect(await windowByName("Production-Saturdays")).toEqual({ duration: 3, maxConcurrency: "2" });
    expect(await windowByName("Production-Tuesdays")).toEqual({ duration: 1, maxConcurrency: "2" });

    // watch: the same deferral every cycle, until the execution ends.
    const env = { ...process.env, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };
    const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--listen", "127.0.0.1:0", "--endpoint-url", h.url, "--region", REGION, "--policies", relaxedPoliciesDir()], { env, stdio: ["ignore", "pipe", "ignore"] });
    const lines = jsonLinesOf(child.stdout!);
    try {
      const port = await until("listening", () => lines.find((l) => l.event === "listening")?.port as number | undefined);
      const status = async () => (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { deferred: { key: string; window: string; since: string }[] };
      await until("three cycles deferring", () => lines.filter((l) => l.event === "cycle" && l.deferred === 2 && l.ok === true).length >= 3 || undefined);
      expect((await status()).deferred).toEqual([
        expect.objectContaining({ key: "MaintenanceWindow/Production-Tuesdays", window: "MaintenanceWindow/Production-Tuesdays", since }),
        expect.objectContaining({ key: "WindowTask/Production-Tuesdays/Install-Patches", since }),
      ]);
      expect(lines.filter((l) => l.event === "changes-deferred")).toHaveLength(1);
      expect(await windowByName("Production-Tuesdays")).toEqual({ duration: 1, maxConcurrency: "2" });

      // The execution ends.
      writeFleet(`    - {WindowExecutionId: 6027b513-64fe-4cf0-be7d-1191a0000001, Status: SUCCESS, StartTime: "${started.toISOString()}", EndTime: "${new Date().toISOString()}"}\n`);
      await until("the deferred changes applied", async () => ((await windowByName("Production-Tuesdays")).maxConcurrency === "3" ? true : undefined));
      expect(await windowByName("Production-Tuesdays")).toEqual({ duration: 2, maxConcurrency: "3" });
      await until("both applies logged", () => lines.filter((l) => l.event === "change-applied").length >= 2 || undefined);
      expect(lines.filter((l) => l.event === "change-applied").map((l) => l.key).sort()).toEqual(["MaintenanceWindow/Production-Tuesdays", "WindowTask/Production-Tuesdays/Install-Patches"]);
      await until("nothing deferred", async () => ((await status()).deferred.length === 0 ? true : undefined));
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    expect((await h.cli(["reconcile", path.join(repo, "patching"), "--plan"])).code).toBe(0);
  }, 90_000);
});
