import { DescribeMaintenanceWindowsCommand, SSMClient, UpdateMaintenanceWindowCommand } from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { until } from "../helpers/until.js";
import { jsonLinesOf } from "../helpers/json-lines.js";
import { gitIn } from "../helpers/git.js";

const creds = { accessKeyId: "AKIA444444444444TEST", secretAccessKey: "refuse-secret" };


/**
 * A commit that drops a production window is denied by `reconcile --plan` (destructive-production,
 * a plan-level policy). The controller runs the same pipeline: it must not delete the window, and
 * it reports the refusal once (log, /status, metric, one notification), not every cycle.
 * Built-in policies at their shipped severity: no relaxed policies here.
 */
describe("watch refuses what reconcile refuses", () => {
  it("a commit deleting a production window: reconcile --plan exits 1, watch deletes nothing and reports it once", async () => {
    const notes: { kind: string; text: string }[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        notes.push(JSON.parse(body) as { kind: string; text: string });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    const server = await startLocalSsm({ port: 0 });
    const sdk = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-refuse-"));
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    cpSync("examples/walkthrough", path.join(repo, "patching"), { recursive: true });
    git("add", "-A");
    git("commit", "-q", "-m", "walkthrough");
    const env = { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
    const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--listen", "127.0.0.1:0", "--endpoint-url", server.url, "--region", "us-east-1", "--notify-webhook", `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`], { env, stdio: ["ignore", "pipe", "ignore"] });
    const lines = jsonLinesOf(child.stdout!);
    const windows = async (): Promise<string[]> => ((await sdk.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? []).map((w) => w.Name!).sort();
    try {
      const port = await until("listening", () => lines.find((l) => l.event === "listening")?.port as number | undefined);
      const get = async (p: string): Promise<string> => (await fetch(`http://127.0.0.1:${port}${p}`)).text();
      await until("walkthrough applied", () => lines.some((l) => l.event === "cycle" && Number(l.applied) > 0) || undefined);
      expect(await windows()).toEqual(["Production-Saturdays", "Production-Tuesdays"]);

      // Drop the Saturday window: a production deletion.
      const file = path.join(repo, "patching", "windows.yaml");
      const text = readFileSync(file, "utf8");
      writeFileSync(file, text.slice(0, text.indexOf("\n---\n") + 1));
      git("commit", "-q", "-am", "drop the Saturday window");
      const linesBefore = lines.length;
      const commit = git("rev-parse", "HEAD");

      process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
      let err = "";
      const planCode = await runCli(["reconcile", path.join(repo, "patching"), "--plan", "--endpoint-url", server.url, "--region", "us-east-1"], { out: () => {}, err: (t) => (err += `${t}\n`) });
      expect(planCode).toBe(1);
      expect(err).toMatch(/destructive-production/);
      expect(err.trim().split("\n").at(-1)).toMatch(/^error: .*policy denied.*nothing is applied/);

      const status = await until("refusal in /status", async () => {
        const s = JSON.parse(await get("/status")) as { refused?: { commit: string; reasons: { code: string; message: string }[] }; lastGoodCommit?: string };
        return s.refused?.commit === commit ? s : undefined;
      });
      // Both guards hold: the production policy, and the share of owned resources deleted (3 of 9).
      expect(status.refused!.reasons.map((r) => r.code)).toEqual(["policy-denied", "delete-guard"]);
      expect(status.refused!.reasons[0]!.message).toMatch(/destructive-production/);
      expect(await get("/metrics")).toMatch(/^patchctl_plan_refused 1$/m);

      // Several more cycles: still nothing deleted, reported once.
      const cyclesNow = lines.filter((l) => l.event === "cycle").length;
      await until("three more cycles", () => lines.filter((l) => l.event === "cycle").length >= cyclesNow + 3 || undefined);
      expect(await windows()).toEqual(["Production-Saturdays", "Production-Tuesdays"]);
      expect(lines.filter((l) => l.event === "plan-refused")).toHaveLength(1);
      expect(lines.slice(linesBefore).filter((l) => l.event === "change-applied")).toEqual([]);
      expect(notes.filter((n) => /refused, nothing applied/.test(n.text))).toHaveLength(1);
      // A refused plan is no failure to back off from: cycles keep their interval.
      expect(lines.filter((l) => l.event === "cycle" && l.ok === false && l.failures !== undefined).map((l) => l.error)).toEqual([]);

      // The account changes (an operator edits a window): the plan is judged again and its refusal
      // reported once more, then not again while nothing changes.
      const tuesday = ((await sdk.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: ["Production-Tuesdays"] }] }))).WindowIdentities ?? [])[0]!.WindowId!;
      await sdk.send(new UpdateMaintenanceWindowCommand({ WindowId: tuesday, Description: "edited by hand" }));
      await until("the refusal reported again after the account changed", () => lines.filter((l) => l.event === "plan-refused").length >= 2 || undefined);
      const afterEdit = lines.filter((l) => l.event === "cycle").length;
      await until("two more cycles", () => lines.filter((l) => l.event === "cycle").length >= afterEdit + 2 || undefined);
      expect(lines.filter((l) => l.event === "plan-refused")).toHaveLength(2);
      expect(notes.filter((n) => /refused, nothing applied/.test(n.text))).toHaveLength(2);
      expect(lines.slice(linesBefore).filter((l) => l.event === "change-applied")).toEqual([]);

      // The desired state changes back: the refusal clears.
      git("revert", "--no-edit", "HEAD");
      await until("refusal cleared", async () => ((JSON.parse(await get("/status")) as { refused?: unknown }).refused === undefined ? true : undefined));
      expect(await get("/metrics")).toMatch(/^patchctl_plan_refused 0$/m);
      expect(await windows()).toEqual(["Production-Saturdays", "Production-Tuesdays"]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      sdk.destroy();
      hook.close();
      await server.close();
    }
  }, 90_000);
});
