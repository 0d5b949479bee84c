import { DescribeMaintenanceWindowsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { until as waitUntil } from "../helpers/until.js";
import { jsonLinesOf } from "../helpers/json-lines.js";
import { gitIn } from "../helpers/git.js";

const creds = { accessKeyId: "AKIA666666666666TEST", secretAccessKey: "freeze-secret" };

/** This file waits up to 30,000 ms by default. */
const until = <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> => waitUntil(what, fn, ms);

interface Status {
  frozen?: { since: string; freezes: { kind: string; name: string; reason?: string; until?: string }[] };
  drifted: { key: string }[];
  lastResult?: { ok: boolean; frozen?: boolean };
}

/**
 * watch during a change freeze: every cycle reads, plans and reports (drift in /status), applies
 * nothing, shows `frozen` in /status and the patchctl_frozen gauge, and notifies once when the freeze
 * begins and once when it ends; the first cycle after its end applies.
 */
describe("watch during a change freeze", () => {
  it("applies nothing while frozen, notifies once at its begin and its end, and resumes after it", async () => {
    const notes: { kind: string; text: string; details: { state?: string } }[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        notes.push(JSON.parse(body) as (typeof notes)[number]);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    const server = await startLocalSsm({ port: 0 });
    const sdk = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-watch-freeze-"));
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    cpSync("examples/walkthrough", path.join(repo, "patching"), { recursive: true });
    // Frozen from a minute ago until 12 s from now.
    const end = new Date(Math.ceil((Date.now() + 12_000) / 1000) * 1000);
    appendFileSync(path.join(repo, "patching", "patchctl.yaml"), `freezes:\n  - name: release-day\n    start: ${new Date(Date.now() - 60_000).toISOString()}\n    end: ${end.toISOString()}\n    reason: release day\n`);
    git("add", "-A");
    git("commit", "-q", "-m", "walkthrough, frozen for release day");
    const env = { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
    const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--listen", "127.0.0.1:0", "--endpoint-url", server.url, "--region", "us-east-1", "--notify-webhook", `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`], { env, stdio: ["ignore", "pipe", "ignore"] });
    const lines = jsonLinesOf(child.stdout!);
    const windows = async (): Promise<string[]> => ((await sdk.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? []).map((w) => w.Name!).sort();
    try {
      const port = await until("listening", () => lines.find((l) => l.event === "listening")?.port as number | undefined);
      const get = async (p: string): Promise<string> => (await fetch(`http://127.0.0.1:${port}${p}`)).text();
      const status = async (): Promise<Status> => JSON.parse(await get("/status")) as Status;

      const frozen = await until("frozen in /status", async () => ((await status()).frozen ? status() : undefined));
      expect(frozen.frozen!.freezes).toEqual([expect.objectContaining({ kind: "freeze", name: "release-day", reason: "release day", until: end.toISOString() })]);
      // It still plans and reports: the whole walkthrough is missing.
      expect(frozen.drifted.length).toBeGreaterThan(0);
      expect(await get("/metrics")).toMatch(/^patchctl_frozen 1$/m);
      const cycles = lines.filter((l) => l.event === "cycle").length;
      await until("three frozen cycles", () => lines.filter((l) => l.event === "cycle" && l.frozen === true).length >= 3 || undefined);
      expect(lines.filter((l) => l.event === "cycle").length).toBeGreaterThan(cycles);
      // Frozen cycles are not failures, and nothing is applied.
      expect(lines.filter((l) => l.event === "cycle" && l.frozen === true && l.ok !== true)).toEqual([]);
      expect(lines.filter((l) => l.event === "change-applied")).toEqual([]);
      expect(await windows()).toEqual([]);
      expect(lines.filter((l) => l.event === "freeze-began")).toHaveLength(1);
      expect(Date.now()).toBeLessThan(end.getTime());

      // The freeze ends: the first cycle after it applies.
      await until("walkthrough applied after the freeze", async () => ((await windows()).length === 2 ? true : undefined), 40_000);
      const firstApplied = await until("the apply logged", () => lines.find((l) => l.event === "change-applied"));
      expect(firstApplied.time as number).toBeGreaterThanOrEqual(end.getTime());
      await until("frozen cleared", async () => ((await status()).frozen === undefined ? true : undefined));
      expect(await get("/metrics")).toMatch(/^patchctl_frozen 0$/m);
      await until("freeze-ended logged", () => lines.some((l) => l.event === "freeze-ended") || undefined);
      expect(lines.filter((l) => l.event === "freeze-ended")).toHaveLength(1);
      await until("the end notified", () => notes.some((n) => n.kind === "freeze" && n.details.state === "ended") || undefined);
      const freezeNotes = notes.filter((n) => n.kind === "freeze");
      expect(freezeNotes.map((n) => n.details.state)).toEqual(["began", "ended"]);
      expect(freezeNotes[0]!.text).toMatch(/change freeze began .*freeze 'release-day' \(release day\) until/);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      sdk.destroy();
      hook.close();
      await server.close();
    }
  }, 90_000);
});
