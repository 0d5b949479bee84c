/**
 * Bench scenario 8: fan-out over many account-regions with `patchctl watch`, in one process and
 * across 3 replicas sharing the leases (docs/replicas.md), next to the slowest single
 * account-region alone. Every run starts from empty accounts (a fresh local endpoint) and ends when
 * every account-region it covers is reconciled: each of its resources created, by whichever replica
 * held its lease. See docs/performance.md.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments, stringify } from "yaml";

export interface FanOutFleet {
  baselines: number;
  groupsPerBaseline: number;
  windows: number;
  targets: number;
  tasks: number;
}

/** What scenario 8 needs of the bench (bench.ts passes its own helpers). */
export interface FanOutBench {
  cli: string;
  writeFleet: (f: FanOutFleet, owner: string) => string;
  startEndpoint: (args: string[]) => Promise<{ child: ChildProcess; url: string }>;
  endpointStats: (url: string) => Promise<{ calls: Record<string, number>; throttled: number }>;
}

export type FanOutRow = Record<string, string | number>;

/** 200 account-regions at scale 1: 50 accounts (deployments, each its own profile and access key) × 4 regions. */
export const FAN_OUT_REGIONS = ["eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"];
export const FAN_OUT_ACCOUNT_REGIONS = 200;
/** A modest fleet per account-region: 3 baselines × 2 patch groups, 3 windows × 4 targets × 3 tasks (33 resources). */
export const FAN_OUT_FLEET: FanOutFleet = { baselines: 3, groupsPerBaseline: 2, windows: 3, targets: 4, tasks: 3 };
export const FAN_OUT_REPLICAS = 3;
const FAN_OUT_TPS = 10;
const INTERVAL_S = 15;
/** How many single account-regions are measured alone (the slowest is reported). */
const SINGLES = 3;
/** A run that has not reconciled everything by then is reported as such, with what it did reconcile. */
const TIMEOUT_MS = 8 * 60_000;

export function fanOutResources(f: FanOutFleet): number {
  return f.baselines + f.baselines * f.groupsPerBaseline + f.windows * (1 + f.targets + f.tasks);
}

interface WatchProcess {
  child: ChildProcess;
  port?: number;
  /** Deployment-regions (`deployment/region`) where this process applied a change. */
  appliedIn: Set<string>;
  peakRssKb: number;
  cpuTicks: number;
  exited: Promise<void>;
}

interface RunResult {
  /** Until the last account-region was reconciled; the timeout when not all were. */
  wallMs: number;
  reconciled: number;
  covered: number;
  /** Failed cycles and heartbeats over all processes, by message. */
  errors: Map<string, number>;
  processes: WatchProcess[];
  serverCalls: number;
  throttled: number;
  /** /status `replica` of each process once every account-region was reconciled, and once the split settled. */
  atDone: ReplicaStatus[];
  settled?: { afterMs: number; status: ReplicaStatus[] };
  /** SSM calls each process's controllers made (its /metrics patchctl_ssm_calls_total). */
  callsByProcess: number[];
}

interface ReplicaStatus {
  id: string;
  live: number;
  share: number;
  holding: string[];
}

/** VmHWM (peak RSS, kB) and utime+stime (clock ticks) of a process, from /proc; zeros where there is no /proc. */
function procSample(pid: number): { hwmKb: number; ticks: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return { hwmKb: 0, ticks: 0 };
  }
}

/** A --policies directory overriding every built-in policy with severity warn: the bench measures reconciling, not guard rails. */
function relaxedPolicies(dir: string, policiesDir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(policiesDir).filter((n) => n.endsWith(".yaml"))) {
    const docs = parseAllDocuments(readFileSync(path.join(policiesDir, name), "utf8")).map((d) => ({ ...(d.toJS() as object), severity: "warn" }));
    writeFileSync(path.join(dir, name), docs.map((d) => stringify(d)).join("---\n"));
  }
  return dir;
}

export async function fanOutReplicas(bench: FanOutBench, scale: number, work: string, rows: FanOutRow[]): Promise<void> {
  const accounts = Math.max(1, Math.round((FAN_OUT_ACCOUNT_REGIONS * scale) / FAN_OUT_REGIONS.length));
  const keys = Array.from({ length: accounts }, (_, i) => FAN_OUT_REGIONS.map((r) => `a${i}/${r}`)).flat();
  const perRegion = fanOutResources(FAN_OUT_FLEET);
  const dir = mkdtempSync(path.join(work, "fan8-"));

  // Each deployment is one account: its own profile, whose access key names the account at the local endpoint.
  const creds = path.join(dir, "credentials");
  writeFileSync(creds, Array.from({ length: accounts }, (_, i) => `[a${i}]\naws_access_key_id = AKIA${String(200000000000 + i)}BNCH\naws_secret_access_key = bench\n`).join("\n"));
  writeFileSync(path.join(dir, "config"), "");
  const fleetDir = bench.writeFleet(FAN_OUT_FLEET, "fan8");
  writeFileSync(path.join(fleetDir, "patchctl.yaml"), stringify({ apiVersion: "patchctl/v1", kind: "Config", owner: "fan8", deployments: Array.from({ length: accounts }, (_, i) => ({ name: `a${i}`, regions: FAN_OUT_REGIONS, profile: `a${i}` })) }));
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { cwd: fleetDir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "fan-out fleet");
  const policies = relaxedPolicies(path.join(dir, "policies"), path.join(path.dirname(bench.cli), "..", "..", "policies"));
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SHARED_CREDENTIALS_FILE: creds, AWS_CONFIG_FILE: path.join(dir, "config") };
  for (const k of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"]) delete env[k];

  /** Starts `replicas` watch processes on a fresh endpoint and waits until every key in `covered` is reconciled. */
  const run = async (label: string, replicas: number, covered: string[], only: string[] = []): Promise<RunResult> => {
    const endpoint = await bench.startEndpoint(["--latency-ms", "20", "--tps", String(FAN_OUT_TPS)]);
    /** Per account-region, the resources created in it so far (by any process). */
    const created = new Map<string, Set<string>>();
    const reconciledAt = new Map<string, number>();
    const errors = new Map<string, number>();
    const t0 = performance.now();
    let allDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (allDone = resolve));
    const start = (n: number): WatchProcess => {
      const args = [bench.cli, "watch", "--repo", fleetDir, "--path", ".", "--interval", `${INTERVAL_S}s`, "--lease-ttl", `${2 * INTERVAL_S}s`, "--listen", "127.0.0.1:0", "--endpoint-url", endpoint.url, "--max-tps", String(FAN_OUT_TPS), "--policies", policies, "--workdir", path.join(dir, `${label}-${n}`), ...only];
      const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] });
      const p: WatchProcess = { child, appliedIn: new Set(), peakRssKb: 0, cpuTicks: 0, exited: new Promise((resolve) => child.once("exit", () => resolve())) };
      let buf = "";
      // PATCHCTL_BENCH_LOGS=DIR keeps each process's log lines (LABEL-N.log) to look into a run.
      const keep = process.env.PATCHCTL_BENCH_LOGS ? createWriteStream(path.join(process.env.PATCHCTL_BENCH_LOGS, `${label}-${n}.log`)) : undefined;
      child.stdout!.on("data", (d: Buffer) => {
        keep?.write(d);
        buf += d.toString();
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          let l: Record<string, unknown>;
          try {
            l = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          if (l.event === "listening") p.port = l.port as number;
          const failure = l.event === "cycle" && l.ok === false ? `cycle: ${String(l.error)}` : l.event === "replica-heartbeat-failed" ? `heartbeat: ${String(l.error)}` : l.event === "change-failed" ? `change: ${String(l.error ?? l.reason).replace(/\b(mw|mwt|pb)-[0-9a-f]{8,}\b/g, "$1-…").replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "…")}` : undefined;
          if (failure) errors.set(failure, (errors.get(failure) ?? 0) + 1);
          const key = `${String(l.deployment)}/${String(l.region)}`;
          if (l.event !== "change-applied") continue;
          p.appliedIn.add(key);
          const set = created.get(key) ?? new Set<string>();
          created.set(key, set.add(String(l.key)));
          if (!reconciledAt.has(key) && set.size >= perRegion) {
            reconciledAt.set(key, performance.now() - t0);
            if (covered.every((k) => reconciledAt.has(k))) allDone();
          }
        }
      });
      return p;
    };
    const processes = Array.from({ length: replicas }, (_, n) => start(n));
    const sampler = setInterval(() => {
      for (const p of processes) {
        if (p.child.pid === undefined || p.child.exitCode !== null) continue;
        const s = procSample(p.child.pid);
        p.peakRssKb = Math.max(p.peakRssKb, s.hwmKb);
        p.cpuTicks = Math.max(p.cpuTicks, s.ticks);
      }
    }, 200);
    const status = async (p: WatchProcess): Promise<ReplicaStatus> => ((await (await fetch(`http://127.0.0.1:${p.port}/status`)).json()) as { replica: ReplicaStatus }).replica;
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, TIMEOUT_MS)))]);
      clearTimeout(timer);
      const reconciled = covered.filter((k) => reconciledAt.has(k)).length;
      const wallMs = reconciled === covered.length ? Math.max(...covered.map((k) => reconciledAt.get(k)!)) : TIMEOUT_MS;
      const atDone = await Promise.all(processes.map(status));
      // Replicas: how long until the split settles (each within its share, together every key, held once).
      let settled: RunResult["settled"];
      if (replicas > 1 && reconciled === covered.length) {
        const deadline = performance.now() + 6 * INTERVAL_S * 1000;
        while (performance.now() < deadline) {
          const s = await Promise.all(processes.map(status));
          const held = s.flatMap((x) => x.holding);
          if (held.length === covered.length && new Set(held).size === covered.length && s.every((x) => x.live === replicas && x.holding.length <= x.share)) {
            settled = { afterMs: performance.now() - t0, status: s };
            break;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      const callsByProcess = await Promise.all(
        processes.map(async (p) => {
          const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
          return text.split("\n").filter((l) => l.startsWith("patchctl_ssm_calls_total{")).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
        }),
      );
      const stats = await bench.endpointStats(endpoint.url);
      return { wallMs, reconciled, covered: covered.length, errors, processes, serverCalls: Object.values(stats.calls).reduce((a, b) => a + b, 0), throttled: stats.throttled, atDone, settled, callsByProcess };
    } finally {
      clearInterval(sampler);
      for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
      await Promise.all(processes.map((p) => p.exited));
      endpoint.child.kill();
    }
  };

  const mb = (kb: number): number => Math.round(kb / 1024);
  const wall = (r: RunResult): string => (r.reconciled === r.covered ? (r.wallMs / 1000).toFixed(1) : `NOT all reconciled: ${r.reconciled} of ${r.covered} after ${(r.wallMs / 1000).toFixed(0)} s`);
  const ratio = (a: RunResult, b: RunResult): string | number => (a.reconciled === a.covered && b.reconciled === b.covered ? +(a.wallMs / b.wallMs).toFixed(2) : "— (not all reconciled)");
  const failures = (r: RunResult): string => {
    const top = [...r.errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    return top.length ? top.map(([m, n]) => `${n}× ${m.slice(0, 120)}`).join("; ") : "none";
  };
  const cpu = (ticks: number): number => +(ticks / 100).toFixed(1);

  // (c) The slowest single account-region alone: a watch process for it only, from empty.
  const singles: { key: string; r: RunResult }[] = [];
  for (const key of [keys[0]!, keys[Math.floor(keys.length / 2)]!, keys[keys.length - 1]!].slice(0, SINGLES)) {
    const [deployment, region] = key.split("/") as [string, string];
    singles.push({ key, r: await run(`single-${deployment}-${region}`, 1, [key], ["--deployment", deployment, "--region", region]) });
  }
  const slowest = singles.reduce((a, b) => (b.r.wallMs > a.r.wallMs ? b : a));

  // (a) One process over every account-region.
  const one = await run("one", 1, keys);
  // (b) Three replicas sharing the leases.
  const three = await run("replicas", FAN_OUT_REPLICAS, keys);

  const s = slowest.r;
  rows.push({
    scenario: `8 fan-out with watch: slowest single account-region alone (of ${singles.length}, ${perRegion} resources, ${FAN_OUT_TPS} TPS)`,
    "account-region": slowest.key,
    "wall s (start to reconciled)": wall(s),
    "wall s of each single": singles.map((x) => `${x.key} ${(x.r.wallMs / 1000).toFixed(1)}`).join(", "),
    calls: s.serverCalls,
    "peak RSS MB": mb(s.processes[0]!.peakRssKb),
    "cpu s": cpu(s.processes[0]!.cpuTicks),
  });
  rows.push({
    scenario: `8 fan-out with watch: ${keys.length} account-regions (${accounts} accounts × ${FAN_OUT_REGIONS.length} regions) in one process`,
    "resources applied": keys.length * perRegion,
    "wall s (start to all reconciled)": wall(one),
    "× slowest single": ratio(one, s),
    calls: one.serverCalls,
    "calls per account-region": +(one.serverCalls / keys.length).toFixed(1),
    "single's calls": s.serverCalls,
    "throttled (server)": one.throttled,
    "peak RSS MB": mb(one.processes[0]!.peakRssKb),
    "× single's peak RSS": +(one.processes[0]!.peakRssKb / s.processes[0]!.peakRssKb).toFixed(1),
    "cpu s": cpu(one.processes[0]!.cpuTicks),
    "failed cycles, changes and heartbeats": failures(one),
    holding: `${one.atDone[0]?.holding.length ?? 0} of ${keys.length} (share ${one.atDone[0]?.share ?? "?"}, live ${one.atDone[0]?.live ?? "?"})`,
  });
  const row: FanOutRow = {
    scenario: `8 fan-out with watch: ${keys.length} account-regions across ${FAN_OUT_REPLICAS} replicas`,
    "wall s (start to all reconciled)": wall(three),
    "× slowest single": ratio(three, s),
    "× one process": ratio(three, one),
    calls: three.serverCalls,
    "calls per account-region": +(three.serverCalls / keys.length).toFixed(1),
    "throttled (server)": three.throttled,
    "applied in (per replica)": three.processes.map((p) => p.appliedIn.size).join(" + ") + ` = ${three.processes.reduce((a, p) => a + p.appliedIn.size, 0)} (each account-region by one replica: ${new Set(three.processes.flatMap((p) => [...p.appliedIn])).size === three.processes.reduce((a, p) => a + p.appliedIn.size, 0) ? "yes" : "NO"})`,
    "holding at the end (all reconciled, or the timeout)": three.atDone.map((x) => `${x.holding.length} (share ${x.share}, live ${x.live})`).join(", "),
    "split settled": three.settled ? `after ${(three.settled.afterMs / 1000).toFixed(1)} s: ${three.settled.status.map((x) => x.holding.length).join(" + ")} (share ${three.settled.status[0]!.share}), every account-region held once` : `not within ${6 * INTERVAL_S} s`,
    "peak RSS MB (per replica)": three.processes.map((p) => mb(p.peakRssKb)).join(", "),
    "cpu s (per replica)": three.processes.map((p) => cpu(p.cpuTicks)).join(", "),
    "controllers' calls (per replica)": three.callsByProcess.join(", "),
    "failed cycles, changes and heartbeats": failures(three),
  };
  rows.push(row);
}
