import { DescribeMaintenanceWindowsCommand, GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
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
}
interface Status {
  replica?: { id: string; live: number; share: number; holding: string[] };
}

const creds = { accessKeyId: "AKIA888888888888TEST", secretAccessKey: "x" };

describe("patchctl watch replicas share the deployment-regions", () => {
  it("two replicas split four leases 2 and 2; one SIGKILLed, the other takes all four; a later commit is applied once everywhere", async () => {
    const endpoints = await Promise.all([0, 1, 2, 3].map(() => startLocalSsm({ port: 0 })));
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-repo-"));
    mkdirSync(path.join(repo, "patching"));
    const config = (hours: number): string =>
      `apiVersion: patchctl/v1\nkind: Config\nowner: fleet\ndeployments:\n${endpoints.map((e, i) => `  - {name: d${i}, regions: [us-east-1], endpointUrl: "${e.url}", values: {hours: ${hours}}}\n`).join("")}`;
    writeFileSync(path.join(repo, "patching", "patchctl.yaml"), config(3));
    writeFileSync(path.join(repo, "patching", "w.yaml"), 'apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: weekly}\nspec: {schedule: "cron(0 3 ? * SUN *)", scheduleTimezone: UTC, duration: "${values.hours}", cutoff: 1}\n');
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "fleet");

    const env = { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
    const start = (): Replica => {
      const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--lease-ttl", "3s", "--listen", "127.0.0.1:0", "--policies", relaxedPoliciesDir()], { env, stdio: ["ignore", "pipe", "ignore"] });
      const lines = jsonLinesOf(child.stdout!);
      return { child, lines };
    };
    const replicas = [start(), start()];
    try {
      const ports = await Promise.all(replicas.map((r) => until("listening", () => r.lines.find((l) => l.event === "listening")?.port as number | undefined)));
      const status = async (port: number): Promise<Status> => (await fetch(`http://127.0.0.1:${port}/status`)).json() as Promise<Status>;
      const all = ["d0/us-east-1", "d1/us-east-1", "d2/us-east-1", "d3/us-east-1"];

      // Two live replicas: each holds two leases, together all four.
      const split = await until(
        "the leases split 2 and 2",
        async () => {
          const s = await Promise.all(ports.map(status));
          const held = s.map((x) => x.replica?.holding ?? []);
          return held[0]!.length === 2 && held[1]!.length === 2 && [...held[0]!, ...held[1]!].sort().join() === all.join() ? s : undefined;
        },
        40_000,
      );
      expect(split.map((s) => [s.replica!.live, s.replica!.share])).toEqual([
        [2, 2],
        [2, 2],
      ]);
      expect(split[0]!.replica!.id).not.toBe(split[1]!.replica!.id);
      // The heartbeats are parameters in the first deployment-region's account.
      const home = new SSMClient({ region: "us-east-1", endpoint: endpoints[0]!.url, credentials: creds });
      const beats = (await home.send(new GetParametersByPathCommand({ Path: "/patchctl/replicas/" }))).Parameters ?? [];
      expect(beats.map((p) => (JSON.parse(p.Value!) as { id: string }).id).sort()).toEqual(split.map((s) => s.replica!.id).sort());
      home.destroy();

      // kill -9 the first: the second takes its share.
      replicas[0]!.child.kill("SIGKILL");
      const alone = await until("the survivor holds all four", async () => {
        const s = await status(ports[1]!);
        return s.replica?.holding.length === 4 ? s : undefined;
      });
      expect(alone.replica).toMatchObject({ live: 1, share: 4, holding: all });

      // A change committed now is applied in every deployment-region, once.
      writeFileSync(path.join(repo, "patching", "patchctl.yaml"), config(5));
      git("commit", "-q", "-am", "longer windows");
      const durations = async (): Promise<number[]> =>
        Promise.all(
          endpoints.map(async (e) => {
            const c = new SSMClient({ region: "us-east-1", endpoint: e.url, credentials: creds });
            const w = (await c.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? [];
            c.destroy();
            return w.length === 1 ? w[0]!.Duration! : -w.length;
          }),
        );
      await until("the new duration everywhere", async () => ((await durations()).every((d) => d === 5) ? true : undefined));
      // A few more cycles, so a second apply would show.
      const cycles = replicas[1]!.lines.filter((l) => l.event === "cycle").length;
      await until("more cycles", () => replicas[1]!.lines.filter((l) => l.event === "cycle").length >= cycles + 8 || undefined);
      expect(await durations()).toEqual([5, 5, 5, 5]);
      const applied = replicas.flatMap((r) => r.lines.filter((l) => l.event === "change-applied").map((l) => `${l.deployment as string} ${l.action as string} ${l.key as string}`)).sort();
      // Each deployment-region: created once (by whichever replica held it), updated once (by the survivor).
      expect(applied.filter((a) => a.includes(" create "))).toHaveLength(4);
      expect(applied.filter((a) => a.includes(" update "))).toHaveLength(4);
      for (const d of ["d0", "d1", "d2", "d3"]) expect(applied.filter((a) => a.startsWith(`${d} `)).map((a) => a.split(" ")[1])).toEqual(["create", "update"]);
      const survivorUpdates = replicas[1]!.lines.filter((l) => l.event === "change-applied" && l.action === "update").map((l) => l.deployment).sort();
      expect(survivorUpdates).toEqual(["d0", "d1", "d2", "d3"]);
    } finally {
      for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGTERM");
      await Promise.all(replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null ? new Promise((res) => r.child.once("exit", res)) : undefined)));
      await Promise.all(endpoints.map((e) => e.close()));
    }
  }, 120_000);
});
