import { GetMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand, GetParameterCommand, SSMClient, UpdateMaintenanceWindowCommand } from "@aws-sdk/client-ssm";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { until } from "../helpers/until.js";
import { jsonLinesOf } from "../helpers/json-lines.js";

const creds = { accessKeyId: "AKIA555555555555TEST", secretAccessKey: "watch-secret" };
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();

interface Watcher {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  port: () => number | undefined;
  exited: Promise<{ code: number | null; ms: number }>;
}

function startWatch(server: LocalSsm, repo: string, extra: string[] = []): Watcher {
  const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--branch", "main", "--path", "patching", "--interval", "1s", "--listen", "127.0.0.1:0", "--endpoint-url", server.url, "--region", "us-east-1", "--policies", relaxedPoliciesDir(), ...extra], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = jsonLinesOf(child.stdout!, { keepRaw: true });
  let killedAt = 0;
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => child.once("exit", (code) => resolve({ code, ms: Date.now() - killedAt })));
  const origKill = child.kill.bind(child);
  child.kill = (sig?: NodeJS.Signals | number) => {
    killedAt = Date.now();
    return origKill(sig);
  };
  return { child, lines, exited, port: () => lines.find((l) => l.event === "listening")?.port as number | undefined };
}


describe("patchctl watch against a local git repository and the local endpoint", () => {
  let server: LocalSsm;
  let sdk: SSMClient;
  let repo: string;
  let first: Watcher;
  beforeAll(async () => {
    server = await startLocalSsm({ port: 0 });
    sdk = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
    repo = mkdtempSync(path.join(tmpdir(), "patchctl-repo-"));
    git(repo, "init", "-q", "-b", "main");
    cpSync("examples/walkthrough", path.join(repo, "patching"), { recursive: true });
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "initial desired state");
  });
  afterAll(async () => {
    first?.child.kill("SIGKILL");
    sdk.destroy();
    await server.close();
  });

  const windowDuration = async (name: string): Promise<number | undefined> => {
    const ids = (await sdk.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: [name] }] }))).WindowIdentities ?? [];
    if (ids.length === 0) return undefined;
    return (await sdk.send(new GetMaintenanceWindowCommand({ WindowId: ids[0]!.WindowId }))).Duration;
  };
  const get = async (p: string) => {
    const res = await fetch(`http://127.0.0.1:${first.port()}${p}`);
    return { status: res.status, text: await res.text() };
  };

  it("applies, follows commits, reverts drift, refuses a bad commit, serves health and metrics, shares the lease, and stops cleanly", async () => {
    first = startWatch(server, repo);
    await until("listening", () => first.port());
    await until("ready", async () => (await get("/readyz")).status === 200 || undefined);
    expect(await windowDuration("Production-Tuesdays")).toBe(1);
    expect((await get("/healthz")).status).toBe(200);

    // A pushed commit is applied within two intervals.
    const file = path.join(repo, "patching", "windows.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("duration: 1\n", "duration: 3\n"));
    git(repo, "commit", "-q", "-am", "longer Tuesday window");
    const goodCommit = git(repo, "rev-parse", "HEAD");
    await until("the new commit applied", async () => (await windowDuration("Production-Tuesdays")) === 3 || undefined, 5000);

    // An out-of-band change is reverted on the next cycle.
    const ids = (await sdk.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: ["Production-Tuesdays"] }] }))).WindowIdentities!;
    await sdk.send(new UpdateMaintenanceWindowCommand({ WindowId: ids[0]!.WindowId, Duration: 7 }));
    await until("drift reverted", async () => (await windowDuration("Production-Tuesdays")) === 3 || undefined, 5000);

    // A broken commit is refused; the last good state stays.
    writeFileSync(file, readFileSync(file, "utf8").replace("duration: 3\n", "duration: 30\n"));
    git(repo, "commit", "-q", "-am", "broken: duration out of range");
    const badCommit = git(repo, "rev-parse", "HEAD");
    const status = await until("bad commit reported", async () => {
      const s = JSON.parse((await get("/status")).text) as { badCommit?: { commit: string; errors: string[] }; lastGoodCommit?: string };
      return s.badCommit?.commit === badCommit ? s : undefined;
    });
    expect(status.lastGoodCommit).toBe(goodCommit);
    expect(status.badCommit!.errors.join("\n")).toMatch(/windows\.yaml:\d+:\d+: error: .*spec\.duration/);
    expect(await windowDuration("Production-Tuesdays")).toBe(3);

    const metrics = (await get("/metrics")).text;
    expect(metrics).toMatch(/patchctl_cycles_total\{result="success"\} \d+/);
    expect(metrics).toMatch(/patchctl_changes_applied_total\{kind="MaintenanceWindow",action="update"\} [1-9]/);
    expect(metrics).toMatch(/patchctl_ssm_calls_total\{deployment="",region="[^"]+",operation="GetMaintenanceWindow"\} \d+/);
    expect(metrics).toContain("patchctl_last_success_timestamp_seconds");
    expect((await fetch(`http://127.0.0.1:${first.port()}/status`, { method: "POST" })).status).toBe(405);
    for (const l of first.lines.filter((x) => x.event === "cycle")) expect(l).toHaveProperty("owner");
    // Every structured line carries a stable code (docs/events.md), the controller's own ones too.
    for (const l of first.lines.filter((x) => x.event !== undefined)) expect(l.code, JSON.stringify(l)).toMatch(/^PATCHCTL_[IWE][1-4]\d{3}$/);
    expect(first.lines.find((l) => l.event === "commit-loaded")?.code).toBe("PATCHCTL_I4003");
    expect(JSON.stringify(first.lines)).not.toContain(creds.secretAccessKey);

    // Fix the branch, then a second controller for the same owner waits for the lease and writes nothing.
    writeFileSync(file, readFileSync(file, "utf8").replace("duration: 30\n", "duration: 3\n"));
    git(repo, "commit", "-q", "-am", "fix duration");
    await until("fixed commit loaded", async () => (JSON.parse((await get("/status")).text) as { badCommit?: unknown }).badCommit === undefined || undefined);
    const second = startWatch(server, repo);
    await until("second controller waiting", () => second.lines.some((l) => l.event === "lease-wait") || undefined, 15_000);
    expect(second.lines.some((l) => l.event === "change-applied")).toBe(false);
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    // SIGTERM: the first stops within 10 s, exit 0, and releases the lease.
    first.child.kill("SIGTERM");
    const { code, ms } = await first.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    const lease = await sdk.send(new GetParameterCommand({ Name: "/patchctl/lease/walkthrough" })).then(() => "present", (e: Error) => e.name);
    expect(lease).toBe("ParameterNotFound");
  }, 90_000);
});
