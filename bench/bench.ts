/**
 * npm run bench [-- --json] [-- --scale 0.2] [-- --scenario 1,2,3,4,5,6,7,8]
 *
 * Runs patchctl against local SSM endpoints started as child processes (so the CPU time
 * and peak RSS measured here are patchctl's own) and prints, per scenario, the SSM calls
 * made next to the minimum for the fleet and a Terraform-style count, wall time next to
 * the bound calls / tps, CPU time and peak RSS, and for learning the rate (6) each figure
 * next to its target. See docs/performance.md.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadAll } from "js-yaml";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import type { DesiredState } from "../src/desired/load.js";
import { loadDesiredState } from "../src/desired/load.js";
import { applyPlan } from "../src/reconciler/apply.js";
import { planReconcile } from "../src/reconciler/engine.js";
import { expandDesired } from "../src/reconciler/expand.js";
import { computePlan } from "../src/reconciler/plan.js";
import type { ActualResource } from "../src/reconciler/read-actual.js";
import { AwsGateway } from "../src/aws/gateway.js";
import { ReadCadence } from "../src/controller/read-cadence.js";
import { fanOutReplicas } from "./fan-out-replicas.js";

export interface Fleet {
  baselines: number;
  groupsPerBaseline: number;
  windows: number;
  targets: number;
  tasks: number;
}

const AWS_OWNED_BASELINES = 15;
const TPS = 50;
const LATENCY_MS = 20;

/** The fewest calls that read the full state of a fleet (ssm-api-notes §9). */
export function minimumReadCalls(f: Fleet, awsOwnedBaselines = AWS_OWNED_BASELINES): Record<string, number> {
  const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
  return {
    DescribePatchBaselines: pages(f.baselines + awsOwnedBaselines, 100),
    DescribePatchGroups: pages(f.baselines * f.groupsPerBaseline, 100),
    DescribeMaintenanceWindows: pages(f.windows, 100),
    ListTagsForResource: f.baselines + f.windows,
    GetPatchBaseline: f.baselines,
    GetMaintenanceWindow: f.windows,
    DescribeMaintenanceWindowTargets: f.windows * pages(f.targets, 100),
    DescribeMaintenanceWindowTasks: f.windows * pages(f.tasks, 100),
    GetMaintenanceWindowTask: f.windows * f.tasks,
    // PatchAssociations: one ListAssociations walk (50 a page); the bench fleet has none, so one empty page.
    ListAssociations: 1,
    // Rollouts: one GetParametersByPath walk of the owner's rollout states (10 a page); the bench has none.
    GetParametersByPath: 1,
    // IAM (ServiceRoles): one ListRoles walk; the bench account has no roles Systems Manager may assume.
    ListRoles: 1,
  };
}

/** What a read-one-resource-at-a-time provider (Terraform's) spends on the same fleet. */
export function terraformStyleCalls(f: Fleet): number {
  const groups = f.baselines * f.groupsPerBaseline;
  const groupPages = Math.max(1, Math.ceil(groups / 100));
  return 2 * f.baselines + groups * groupPages + 2 * f.windows + f.windows * f.targets + f.windows * f.tasks;
}

export function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

const writtenFleets: string[] = [];

/** Removes the directories writeFleet made in this process (the bench and tests call it when done). */
export function removeWrittenFleets(): void {
  for (const dir of writtenFleets.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes a desired-state directory for the fleet; `copy` varies names so copies can coexist. */
export function writeFleet(f: Fleet, owner: string, copy = 0): string {
  const dir = mkdtempSync(path.join(tmpdir(), "patchctl-bench-"));
  writtenFleets.push(dir);
  writeFileSync(path.join(dir, "patchctl.yaml"), stringify({ apiVersion: "patchctl/v1", kind: "Config", owner }));
  mkdirSync(path.join(dir, "baselines"));
  mkdirSync(path.join(dir, "windows"));
  for (let b = 0; b < f.baselines; b++) {
    const doc = {
      apiVersion: "patchctl/v1",
      kind: "PatchBaseline",
      metadata: { name: `c${copy}-baseline-${b}`, tags: { Team: `t${b % 5}` } },
      spec: {
        operatingSystem: "WINDOWS",
        approvalRules: {
          patchRules: [
            { patchFilterGroup: { patchFilters: [{ key: "CLASSIFICATION", values: ["SecurityUpdates", "CriticalUpdates"] }, { key: "MSRC_SEVERITY", values: ["Critical", "Important"] }] }, approveAfterDays: 7 },
            { patchFilterGroup: { patchFilters: [{ key: "CLASSIFICATION", values: ["Updates"] }] }, approveAfterDays: 14, complianceLevel: "MEDIUM" },
          ],
        },
        patchGroups: Array.from({ length: f.groupsPerBaseline }, (_, g) => `c${copy}-group-${b}-${g}`),
      },
    };
    writeFileSync(path.join(dir, "baselines", `b${b}.yaml`), stringify(doc));
  }
  for (let w = 0; w < f.windows; w++) {
    const targets = Array.from({ length: f.targets }, (_, t) => ({ name: `target-${t}`, targets: [{ key: "tag:Patch Group", values: [`c${copy}-group-${w % f.baselines}-${t % f.groupsPerBaseline}`] }] }));
    const tasks = Array.from({ length: f.tasks }, (_, k) => ({
      name: `task-${k}`,
      taskType: "RUN_COMMAND",
      taskArn: "AWS-RunPatchBaseline",
      targets: [{ key: "WindowTargetIds", values: [`target-${k % f.targets}`] }],
      priority: k % 5,
      maxConcurrency: "10%",
      maxErrors: "1",
      runCommand: { parameters: { Operation: [k % 2 ? "Scan" : "Install"] }, outputS3BucketName: "patch-logs" },
    }));
    const doc = { apiVersion: "patchctl/v1", kind: "MaintenanceWindow", metadata: { name: `c${copy}-window-${w}` }, spec: { schedule: "cron(0 22 ? * TUE *)", scheduleTimezone: "UTC", duration: 4, cutoff: 1, targets, tasks } };
    writeFileSync(path.join(dir, "windows", `w${w}.yaml`), stringify(doc));
  }
  return dir;
}

const BENCH_JS = new URL(import.meta.url).pathname;

export function startEndpoint(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(path.dirname(BENCH_JS), "..", "cmd", "patchctl.js"), "local-ssm", "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once("exit", (code) => reject(new Error(`local-ssm exited ${code}`)));
  });
}

export async function endpointStats(url: string): Promise<{ calls: Record<string, number>; throttled: number }> {
  return (await (await fetch(`${url}/_local/stats`)).json()) as { calls: Record<string, number>; throttled: number };
}
async function resetStats(url: string): Promise<void> {
  await fetch(`${url}/_local/stats/reset`, { method: "POST" });
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number; peakRssMb: number }> {
  // Start each measurement from a collected heap, so garbage of the previous one is not counted
  // (npm run bench passes --expose-gc; without it the figures include that garbage).
  (globalThis as { gc?: () => void }).gc?.();
  peakRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: peakRss / 1024 / 1024 };
}

function gatewayFor(url: string, account = "000000000001", region = "eu-west-1", tps = TPS): AwsGateway {
  return new AwsGateway({ region, endpointUrl: url, credentials: { accessKeyId: `AKIA${account}BNCH`, secretAccessKey: "bench" }, maxTps: tps });
}

async function load(dir: string): Promise<DesiredState> {
  const loaded = await loadDesiredState(dir);
  if (!loaded.state) throw new Error(`bench fleet invalid: ${loaded.diagnostics.slice(0, 3).map((d) => d.message).join("; ")}`);
  return loaded.state;
}

type Row = Record<string, string | number>;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" }, scale: { type: "string", default: "1" }, scenario: { type: "string", default: "1,2,3,4,5,6,7,8" }, "seed-into": { type: "string" } } });
  if (values.help) {
    process.stdout.write("usage: npm run bench -- [--json] [--scale F] [--scenario 1,2,3,4,5,6,7,8]\n  --scale F     fleet size relative to the SSM quota fleet (50 baselines, 50 windows x 100 targets x 20 tasks)\n  --scenario L  which scenarios to run (see docs/performance.md); scenarios 1-3 and 7 share one apply from empty;\n                8 runs patchctl watch processes (--scale scales its 200 account-regions)\n");
    return;
  }
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`--scale must be a positive number (got '${values.scale}')`);
  const fleet: Fleet = { baselines: Math.max(1, Math.round(50 * scale)), groupsPerBaseline: 10, windows: Math.max(1, Math.round(50 * scale)), targets: 100, tasks: 20 };
  // Internal: the child process that writes the fleet into an endpoint's data file for scenario 6.
  if (values["seed-into"]) {
    await seedFleet(fleet, values["seed-into"]);
    removeWrittenFleets();
    return;
  }
  const scenarios = new Set(values.scenario!.split(",").map(Number));
  const unknown = [...scenarios].filter((n) => ![1, 2, 3, 4, 5, 6, 7, 8].includes(n));
  if (unknown.length > 0) throw new Error(`--scenario takes numbers 1-8 (got '${values.scenario}')`);
  const rows: Row[] = [];
  const work = mkdtempSync(path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "patchctl-bench-"));
  // 6 needs the fleet in endpoints throttling at other rates: a child process writes it into a data file
  // meanwhile (while 1-3 wait on their endpoint's rate; never during 4, which measures CPU).
  const seed = scenarios.has(6) ? seedInChild(fleet, scale, path.join(work, "seed.json")) : undefined;
  seed?.catch(() => {});
  try {
    if ([1, 2, 3, 7].some((n) => scenarios.has(n))) await accountScenarios(fleet, scenarios, rows);
    if (seed && scenarios.has(4)) await seed;
    // 4: CPU path: load, validate and diff N copies against an in-memory actual state.
    if (scenarios.has(4)) await cpuPath(fleet, rows);
    // 5: fan-out: 20 account-regions (each its own rate bucket) planned in one run.
    if (scenarios.has(5)) await fanOut(rows);
    // 6: learn the rate: no-change plans with no --max-tps against services throttling at 10, 50 and 100 TPS.
    if (seed) await learnTheRate(fleet, await seed, work, rows);
    // 8: fan-out with watch: 200 account-regions (× --scale) in one process and across 3 replicas, next to the slowest single one.
    if (scenarios.has(8)) await fanOutReplicas({ cli: path.join(path.dirname(BENCH_JS), "..", "cmd", "patchctl.js"), writeFleet: (f, owner) => writeFleet({ ...f }, owner), startEndpoint, endpointStats }, scale, work, rows);
  } finally {
    removeWrittenFleets();
    rmSync(work, { recursive: true, force: true });
  }
  print(rows, fleet, values.json === true);
}

/** Scenarios 1-3 on one endpoint: the apply from empty builds the fleet the plans then read. */
async function accountScenarios(fleet: Fleet, scenarios: Set<number>, rows: Row[]): Promise<void> {
  const minimum = minimumReadCalls(fleet);
  const endpoint = await startEndpoint(["--latency-ms", String(LATENCY_MS), "--tps", String(TPS)]);
  const dir = writeFleet(fleet, "bench");
  const state = await load(dir);
  const gw = gatewayFor(endpoint.url);
  try {
    // 2: apply from empty (run first: it builds the fleet the others read).
    await resetStats(endpoint.url);
    const apply = await measure(async () => {
      const { plan } = await planReconcile({ state, gateway: gw, region: "eu-west-1" });
      return { plan, result: await applyPlan(plan, gw, { owner: plan.owner, dryRun: false, concurrency: 16 }) };
    });
    const applyStats = await endpointStats(endpoint.url);
    const writes = Object.entries(applyStats.calls).filter(([op]) => !/^(Get|Describe|List)/.test(op)).reduce((a, [, n]) => a + n, 0);
    const created = apply.value.plan.summary.create;
    const allCalls = sum(applyStats.calls);
    if (scenarios.has(2)) {
      rows.push({ scenario: "2 apply from empty", resources: created, writes, calls: allCalls, "bound s (calls/tps)": +(allCalls / TPS).toFixed(1), "wall s": +(apply.wallMs / 1000).toFixed(1), "wall/bound": +((apply.wallMs / 1000) / (allCalls / TPS)).toFixed(2), "cpu s": +(apply.cpuMs / 1000).toFixed(1), "peak RSS MB": Math.round(apply.peakRssMb), "throttled (server)": applyStats.throttled, "failed changes": apply.value.result.outcomes.filter((o) => o.status !== "applied" && o.status !== "noop").length });
    }

    // 1: no-change plan.
    await resetStats(endpoint.url);
    const noChange = await measure(() => planReconcile({ state, gateway: gw, region: "eu-west-1" }));
    const readStats = await endpointStats(endpoint.url);
    const calls = sum(readStats.calls);
    if (scenarios.has(1)) {
      rows.push({ scenario: "1 no-change plan", changes: noChange.value.plan.changes.filter((c) => c.action !== "noop").length, calls, "minimum calls": sum(minimum), "terraform-style calls": terraformStyleCalls(fleet), "x fewer": +(terraformStyleCalls(fleet) / calls).toFixed(1), "bound s (calls/tps)": +(calls / TPS).toFixed(1), "wall s": +(noChange.wallMs / 1000).toFixed(1), "wall/bound": +((noChange.wallMs / 1000) / (calls / TPS)).toFixed(2), "cpu s": +(noChange.cpuMs / 1000).toFixed(1), "peak RSS MB": Math.round(noChange.peakRssMb) });
      rows.push({ scenario: "1 calls by operation", ...Object.fromEntries(Object.entries(readStats.calls).map(([op, n]) => [op, `${n} (min ${minimum[op] ?? 0})`])) });
    }

    // 7: watch's steady state: a cycle between full reads makes only the list calls (ReadCadence).
    if (scenarios.has(7)) {
      const cadence = new ReadCadence(10);
      await resetStats(endpoint.url);
      const fullCycle = await measure(() => planReconcile({ state, gateway: gw, region: "eu-west-1", snapshots: cadence }));
      const fullCalls = sum((await endpointStats(endpoint.url)).calls);
      await resetStats(endpoint.url);
      const cheapCycle = await measure(() => planReconcile({ state, gateway: gw, region: "eu-west-1", snapshots: cadence }));
      const cheapStats = await endpointStats(endpoint.url);
      const cheapCalls = sum(cheapStats.calls);
      const share = cheapCalls / fullCalls;
      rows.push({ scenario: "7 watch steady state (--resync-every 10)", "full read calls": fullCalls, "cheap cycle calls": cheapCalls, "cheap / full": `${(share * 100).toFixed(1)}%`, target: "≤ 10%", met: share <= 0.1 && cadence.lastReadKind === "cheap" && cheapCycle.value.plan.summary.noop === fullCycle.value.plan.summary.noop ? "yes" : "NO", "cheap cycle wall s": +(cheapCycle.wallMs / 1000).toFixed(1), "full cycle wall s": +(fullCycle.wallMs / 1000).toFixed(1), "cheap calls by operation": Object.entries(cheapStats.calls).map(([op, n]) => `${op} ${n}`).join(", ") });
    }

    // 3: drift plan with 1% of resources changed out of band.
    if (scenarios.has(3)) {
      const resources = noChange.value.plan.changes.length;
      const toChange = Math.max(1, Math.round(resources / 100));
      const tasks = noChange.value.plan.changes.filter((c) => c.type === "WindowTask").slice(0, toChange);
      const raw = new AwsGateway({ region: "eu-west-1", endpointUrl: endpoint.url, credentials: { accessKeyId: "AKIA000000000001BNCH", secretAccessKey: "bench" }, maxTps: TPS });
      for (const t of tasks) await raw.call("UpdateMaintenanceWindowTask", { WindowId: noChange.value.plan.ids[t.after!.parentKey!], WindowTaskId: t.before!.id, Priority: 42 });
      raw.destroy();
      await resetStats(endpoint.url);
      const drift = await measure(() => planReconcile({ state, gateway: gw, region: "eu-west-1" }));
      const driftCalls = sum((await endpointStats(endpoint.url)).calls);
      rows.push({ scenario: "3 drift plan (1%)", changed: tasks.length, drifted: drift.value.plan.changes.filter((c) => c.action !== "noop").length, calls: driftCalls, "no-change calls": calls, "wall s": +(drift.wallMs / 1000).toFixed(1), "wall/bound": +((drift.wallMs / 1000) / (driftCalls / TPS)).toFixed(2) });
    }
  } finally {
    gw.destroy();
    endpoint.child.kill();
  }
}

/** How many times each CPU-path size is measured (the median is reported, with min and max). */
const CPU_PATH_RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The YAML files under a fleet directory. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f));
}

/** Targets of scenario 4: the whole CPU path within 2× only parsing the same files, peak RSS ≤ 500 MB, linear in size. */
const CPU_PATH_RATIO = 2;
const CPU_PATH_RSS_MB = 500;
const CPU_PATH_LINEAR = 1.5;

async function cpuPath(fleet: Fleet, rows: Row[]): Promise<void> {
  let firstUsPerResource: number | undefined;
  for (const copies of [1, 5, 10]) {
    const dirs = Array.from({ length: copies }, (_, c) => writeFleet(fleet, "bench", c + 1));
    // The in-memory actual state is the input the diff runs against (as a read would give it):
    // built before the measurement, from the same fleet, with 1% of tasks changed.
    const actual: ActualResource[] = (await Promise.all(dirs.map(load)))
      .flatMap((s) => expandDesired(s, "bench"))
      .map(({ source: _source, notes: _notes, ...d }, i) => ({ ...d, spec: i % 100 === 0 ? { ...d.spec, priority: 99 } : d.spec, id: `id-${i}`, owned: true, ssmName: String(d.spec.name ?? d.name) }));
    // Repeated, and the median reported: on a shared machine one run can be off by a quarter.
    type PathRun = Awaited<ReturnType<typeof measure<{ resources: number; changed: number; phases: Record<"load" | "expand" | "plan", number> }>>>;
    const runs: PathRun[] = [];
    for (let r = 0; r < CPU_PATH_RUNS; r++) {
      runs.push(
        await measure(async () => {
          const t0 = performance.now();
          const states = await Promise.all(dirs.map(load));
          const t1 = performance.now();
          const desired = states.flatMap((s) => expandDesired(s, "bench"));
          const t2 = performance.now();
          const plan = computePlan(desired, { resources: actual, awsBaselines: {}, fingerprint: "x" }, { owner: "bench", region: "eu-west-1", adopt: false, patchctlVersion: "bench" });
          // Where the time goes (load: read, parse, validate; expand: normalise; plan: pair and diff).
          return { resources: desired.length, changed: plan.summary.update, phases: { load: t1 - t0, expand: t2 - t1, plan: performance.now() - t2 } };
        }),
      );
    }
    // The same files, only read and parsed with js-yaml, in the same run: the yardstick the whole path is held to.
    const files = dirs.flatMap(yamlFiles);
    const parses = [];
    for (let r = 0; r < CPU_PATH_RUNS; r++) parses.push(await measure(async () => files.reduce((n, f) => n + loadAll(readFileSync(f, "utf8")).length, 0)));
    const walls = runs.map((r) => r.wallMs);
    const wall = median(walls);
    const parseOnly = median(parses.map((r) => r.wallMs));
    const { resources, changed } = runs[0]!.value;
    const peak = Math.round(Math.max(...runs.map((r) => r.peakRssMb)));
    const usPerResource = (wall * 1000) / resources;
    firstUsPerResource ??= usPerResource;
    const ratio = wall / parseOnly;
    const linear = usPerResource <= CPU_PATH_LINEAR * firstUsPerResource;
    rows.push({ scenario: `4 CPU path ×${copies}`, resources, changed, runs: CPU_PATH_RUNS, "wall s": +(wall / 1000).toFixed(2), "wall s min": +(Math.min(...walls) / 1000).toFixed(2), "wall s max": +(Math.max(...walls) / 1000).toFixed(2), "cpu s": +(median(runs.map((r) => r.cpuMs)) / 1000).toFixed(2), "parse-only s (js-yaml)": +(parseOnly / 1000).toFixed(2), "whole / parse-only": +ratio.toFixed(2), "target whole / parse-only": `≤ ${CPU_PATH_RATIO}`, "peak RSS MB": peak, "target peak RSS MB": `≤ ${CPU_PATH_RSS_MB}`, "load / expand / plan s (medians)": (["load", "expand", "plan"] as const).map((k) => (median(runs.map((r) => r.value.phases[k])) / 1000).toFixed(2)).join(" / "), "µs per resource": +usPerResource.toFixed(1), "linear (µs/resource ≤ 1.5× the ×1's)": linear ? "yes" : "NO", met: ratio <= CPU_PATH_RATIO && peak <= CPU_PATH_RSS_MB && linear ? "yes" : "NO" });
  }
}

async function fanOut(rows: Row[]): Promise<void> {
  // Each account-region is rate-limited (10 TPS here, so a single plan is bound by its own
  // quota, as in real accounts); the question is whether 20 of them overlap.
  const small: Fleet = { baselines: 5, groupsPerBaseline: 2, windows: 5, targets: 10, tasks: 5 };
  const fanTps = 10;
  const fan = await startEndpoint(["--latency-ms", String(LATENCY_MS), "--tps", String(fanTps)]);
  try {
    const fanState = await load(writeFleet(small, "fan"));
    const targets = Array.from({ length: 20 }, (_, i) => ({ account: String(100000000000 + i), region: ["eu-west-1", "us-east-1"][i % 2]! }));
    for (const t of targets) {
      const g = gatewayFor(fan.url, t.account, t.region, fanTps);
      const { plan } = await planReconcile({ state: fanState, gateway: g, region: t.region });
      await applyPlan(plan, g, { owner: plan.owner, dryRun: false });
      g.destroy();
    }
    const singles: number[] = [];
    for (const t of targets.slice(0, 3)) {
      const g = gatewayFor(fan.url, t.account, t.region, fanTps);
      singles.push((await measure(() => planReconcile({ state: fanState, gateway: g, region: t.region }))).wallMs);
      g.destroy();
    }
    const all = await measure(() => Promise.all(targets.map(async (t) => {
      const g = gatewayFor(fan.url, t.account, t.region, fanTps);
      try {
        return await planReconcile({ state: fanState, gateway: g, region: t.region });
      } finally {
        g.destroy();
      }
    })));
    const slowest = Math.max(...singles);
    rows.push({ scenario: `5 fan-out (20 account-regions at ${fanTps} TPS each)`, "calls per plan": sum(minimumReadCalls(small)), "single wall s": +(slowest / 1000).toFixed(2), "20 at once wall s": +(all.wallMs / 1000).toFixed(2), "ratio": +(all.wallMs / slowest).toFixed(2) });
  } finally {
    fan.child.kill();
  }
}

/** Service rates scenario 6 learns, and its targets: wall ≤ 1.15 × calls / rate, ≤ 1% of attempts throttled. */
export const LEARN_RATES = [10, 50, 100];
export const LEARN_WALL_TARGET = 1.15;
export const LEARN_THROTTLED_TARGET = 0.01;

/** Applies the fleet into an endpoint keeping its state in `dataFile` (no latency, no rate limit), then stops it. */
async function seedFleet(fleet: Fleet, dataFile: string): Promise<void> {
  const endpoint = await startEndpoint(["--data", dataFile]);
  const gw = new AwsGateway({ region: "eu-west-1", endpointUrl: endpoint.url, credentials: { accessKeyId: "AKIA000000000001BNCH", secretAccessKey: "bench" } });
  try {
    const { plan } = await planReconcile({ state: await load(writeFleet(fleet, "bench")), gateway: gw, region: "eu-west-1" });
    const result = await applyPlan(plan, gw, { owner: plan.owner, dryRun: false, concurrency: 16 });
    const failed = result.outcomes.filter((o) => o.status === "failed");
    if (failed.length > 0) throw new Error(`seeding the fleet failed: ${failed.slice(0, 3).map((o) => `${o.key}: ${o.error}`).join("; ")}`);
  } finally {
    gw.destroy();
    const exited = new Promise((resolve) => endpoint.child.once("exit", resolve));
    endpoint.child.kill("SIGTERM");
    await exited;
  }
}

/** Runs `bench.js --seed-into FILE` as a child process (its CPU is not the bench's); resolves to FILE. */
function seedInChild(fleet: Fleet, scale: number, dataFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_JS, "--seed-into", dataFile, "--scale", String(scale)], { stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(dataFile) : reject(new Error(`seeding the fleet (${sum(minimumReadCalls(fleet))} calls to read) exited ${code}`))));
  });
}

/**
 * 6: without --max-tps, a fresh gateway per service rate plans the fleet: the first plan (a cold
 * start: the learner knows nothing) and, but at the slowest rate, the next one (a controller's next
 * cycle on the same gateway, after a pause in which the service's bucket refills). Each endpoint
 * starts from the same data file. The slowest rate runs alongside the others, which run one after
 * the other.
 */
async function learnTheRate(fleet: Fleet, seedFile: string, work: string, rows: Row[]): Promise<void> {
  const state = await load(writeFleet(fleet, "bench"));
  const minimum = sum(minimumReadCalls(fleet));
  const runOne = async (tps: number, cycles: number): Promise<Row> => {
    const data = path.join(work, `learn-${tps}.json`);
    copyFileSync(seedFile, data);
    const endpoint = await startEndpoint(["--data", data, "--latency-ms", String(LATENCY_MS), "--tps", String(tps)]);
    const gw = new AwsGateway({ region: "eu-west-1", endpointUrl: endpoint.url, credentials: { accessKeyId: "AKIA000000000001BNCH", secretAccessKey: "bench" } });
    const row: Row = { scenario: `6 learn the rate: ${tps} TPS service, no --max-tps`, calls: minimum, "bound s (calls/tps)": +(minimum / tps).toFixed(1) };
    try {
      for (let cycle = 1; cycle <= cycles; cycle++) {
        if (cycle === 2) await new Promise((r) => setTimeout(r, 2000)); // the controller's interval: the service's bucket refills
        await resetStats(endpoint.url);
        const throttledBefore = sum(gw.stats.throttled);
        const t0 = performance.now();
        const { plan } = await planReconcile({ state, gateway: gw, region: "eu-west-1" });
        const wall = (performance.now() - t0) / 1000;
        const server = await endpointStats(endpoint.url);
        const attempts = sum(server.calls);
        const ratio = wall / ((attempts - server.throttled) / tps);
        const share = server.throttled / attempts;
        const label = cycle === 1 ? "first plan" : "next cycle";
        row[`${label}: changes`] = plan.changes.filter((c) => c.action !== "noop").length;
        row[`${label}: wall s`] = +wall.toFixed(1);
        row[`${label}: wall/bound`] = `${ratio.toFixed(2)} (target ≤ ${LEARN_WALL_TARGET}) ${ratio <= LEARN_WALL_TARGET ? "✔" : "✘"}`;
        row[`${label}: throttled`] = `${server.throttled} of ${attempts} attempts, ${(share * 100).toFixed(2)}% (target ≤ ${LEARN_THROTTLED_TARGET * 100}%) ${share <= LEARN_THROTTLED_TARGET ? "✔" : "✘"}`;
        row[`${label}: throttled (patchctl)`] = sum(gw.stats.throttled) - throttledBefore;
      }
      const ssm = gw.rates().ssm!;
      row["learned rate"] = `${ssm.rate.toFixed(1)} calls/s (measured limit ${ssm.limit?.toFixed(1) ?? "none"}, ${ssm.phase})`;
      return row;
    } finally {
      gw.destroy();
      endpoint.child.kill();
    }
  };
  // The slowest rate plans once (a second plan would add calls/rate again, 131 s at 10 TPS), alongside the others.
  const [slowest, ...others] = [...LEARN_RATES].sort((a, b) => a - b);
  const slow = runOne(slowest!, 1);
  const rest: Row[] = [];
  for (const tps of others.reverse()) rest.push(await runOne(tps, 2));
  rows.push(await slow, ...rest.reverse());
}

function print(rows: Row[], fleet: Fleet, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ formatVersion: 1, fleet, tps: TPS, latencyMs: LATENCY_MS, rows }, null, 2)}\n`);
  } else {
    process.stdout.write(`patchctl bench: fleet ${JSON.stringify(fleet)}, endpoint --latency-ms ${LATENCY_MS} --tps ${TPS}\n\n`);
    for (const r of rows) {
      process.stdout.write(`${r.scenario}\n`);
      for (const [k, v] of Object.entries(r)) if (k !== "scenario") process.stdout.write(`  ${k.padEnd(34)} ${v}\n`);
      process.stdout.write("\n");
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
