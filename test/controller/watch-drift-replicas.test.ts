import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { until } from "../helpers/until.js";
import { jsonLinesOf } from "../helpers/json-lines.js";
import { gitIn } from "../helpers/git.js";

interface Replica {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  report: string;
}
interface Status {
  replica?: { id: string; live: number; share: number; holding: string[] };
}
interface Report {
  reports: { deployment: string; region: string; report?: { region: string; changes: unknown[] }; error?: string }[];
}

const creds = { accessKeyId: "AKIA666666666666TEST", secretAccessKey: "x" };

describe("watch --drift-schedule with replicas sharing the deployment-regions", () => {
  it("each replica reports the deployment-regions whose lease it holds: over two replicas, each of four reported exactly once", async () => {
    const endpoints = await Promise.all([0, 1, 2, 3].map(() => startLocalSsm({ port: 0 })));
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-repo-"));
    mkdirSync(path.join(repo, "patching"));
    writeFileSync(path.join(repo, "patching", "patchctl.yaml"), `apiVersion: patchctl/v1\nkind: Config\nowner: fleet\ndeployments:\n${endpoints.map((e, i) => `  - {name: d${i}, regions: [us-east-1], endpointUrl: "${e.url}"}\n`).join("")}`);
    writeFileSync(path.join(repo, "patching", "w.yaml"), 'apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: weekly}\nspec: {schedule: "cron(0 3 ? * SUN *)", scheduleTimezone: UTC, duration: 3, cutoff: 1}\n');
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "fleet");

    const env = { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
    const reports = mkdtempSync(path.join(tmpdir(), "patchctl-drift-reports-"));
    const start = (n: number): Replica => {
      const report = path.join(reports, `replica-${n}.json`);
      const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--lease-ttl", "3s", "--listen", "127.0.0.1:0", "--policies", relaxedPoliciesDir(), "--drift-schedule", "*/2 * * * * *", "--drift-report-file", report, "--output", "json"], { env, stdio: ["ignore", "pipe", "ignore"] });
      const lines = jsonLinesOf(child.stdout!);
      return { child, lines, report };
    };
    const replicas = [start(0), start(1)];
    try {
      const ports = await Promise.all(replicas.map((r) => until("listening", () => r.lines.find((l) => l.event === "listening")?.port as number | undefined)));
      const status = async (port: number): Promise<Status> => (await fetch(`http://127.0.0.1:${port}/status`)).json() as Promise<Status>;
      const all = ["d0/us-east-1", "d1/us-east-1", "d2/us-east-1", "d3/us-east-1"];
      const read = (file: string): Report | undefined => {
        if (!existsSync(file)) return undefined;
        try {
          return JSON.parse(readFileSync(file, "utf8")) as Report;
        } catch {
          return undefined; // being written
        }
      };
      // Once the leases split 2 and 2, the next reports of the two replicas cover what each holds, and together all four once.
      const settled = await until(
        "two reports, each over the replica's own two deployment-regions",
        async () => {
          const s = await Promise.all(ports.map(status));
          const held = s.map((x) => [...(x.replica?.holding ?? [])].sort());
          if (held[0]!.length !== 2 || held[1]!.length !== 2) return undefined;
          const r = replicas.map((x) => read(x.report));
          if (!r[0] || !r[1]) return undefined;
          const where = r.map((x) => x!.reports.map((p) => `${p.deployment}/${p.region}`).sort());
          return where[0]!.join() === held[0]!.join() && where[1]!.join() === held[1]!.join() ? { held, where, r } : undefined;
        },
        60_000,
      );
      expect([...settled.where[0]!, ...settled.where[1]!].sort()).toEqual(all);
      for (const report of settled.r) for (const p of report!.reports) expect(p.report!.region).toBe("us-east-1");
      // Each replica logged its reports with its own id and only its share's count. The log line
      // comes through a pipe and may arrive after the report file is written: wait for it.
      await until(
        "each replica's drift-report log line over its own two",
        () => (replicas.every((r) => r.lines.filter((l) => l.event === "drift-report").at(-1)?.deploymentRegions === 2) ? true : undefined),
        20_000,
      );
      for (const r of replicas) {
        const last = r.lines.filter((l) => l.event === "drift-report").at(-1)!;
        expect(last.deploymentRegions).toBe(2);
        expect(typeof last.replica).toBe("string");
      }
      expect(replicas[0]!.lines.find((l) => l.event === "drift-report")!.replica).not.toBe(replicas[1]!.lines.find((l) => l.event === "drift-report")!.replica);
    } finally {
      for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGTERM");
      await Promise.all(replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null ? new Promise((res) => r.child.once("exit", res)) : undefined)));
      await Promise.all(endpoints.map((e) => e.close()));
    }
  }, 120_000);
});
