import { DescribeMaintenanceWindowsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { until as waitUntil } from "../helpers/until.js";
import { jsonLinesOf } from "../helpers/json-lines.js";
import { gitIn } from "../helpers/git.js";

const creds = { accessKeyId: "AKIA777777777777TEST", secretAccessKey: "suspend-secret" };
const until = <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> => waitUntil(what, fn, ms);

interface Status {
  suspended?: { since: string; reason: string };
  refused?: unknown;
  drifted: { key: string }[];
}

/**
 * patchctl.yaml `suspend: "<reason>"` under watch: cycles read, plan and report the drift, apply
 * nothing, and say why (/status `suspended`, the status page's card); they are not failures nor
 * refused plans. A commit that removes `suspend:` applies on its next cycle.
 */
describe("watch with patchctl.yaml suspend:", () => {
  it("plans and reports but applies nothing, shows suspended with the reason, and applies once a commit removes it", async () => {
    const server = await startLocalSsm({ port: 0 });
    const sdk = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-watch-suspend-"));
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    cpSync("examples/walkthrough", path.join(repo, "patching"), { recursive: true });
    const config = path.join(repo, "patching", "patchctl.yaml");
    const original = readFileSync(config, "utf8");
    appendFileSync(config, `suspend: "incident INC-42: hands off patching"\n`);
    git("add", "-A");
    git("commit", "-q", "-m", "walkthrough, suspended");
    const env = { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
    const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--listen", "127.0.0.1:0", "--endpoint-url", server.url, "--region", "us-east-1"], { env, stdio: ["ignore", "pipe", "ignore"] });
    const lines = jsonLinesOf(child.stdout!);
    const windows = async (): Promise<string[]> => ((await sdk.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? []).map((w) => w.Name!).sort();
    try {
      const port = await until("listening", () => lines.find((l) => l.event === "listening")?.port as number | undefined);
      const get = async (p: string): Promise<string> => (await fetch(`http://127.0.0.1:${port}${p}`)).text();
      const status = async (): Promise<Status> => JSON.parse(await get("/status")) as Status;

      const suspended = await until("suspended in /status", async () => ((await status()).suspended ? status() : undefined));
      expect(suspended.suspended!.reason).toContain("incident INC-42: hands off patching");
      expect(suspended.refused).toBeUndefined();
      expect(suspended.drifted.length).toBeGreaterThan(0);
      await until("three suspended cycles", () => lines.filter((l) => l.event === "cycle").length >= 3 || undefined);
      expect(lines.filter((l) => l.event === "cycle" && l.ok !== true)).toEqual([]);
      expect(lines.filter((l) => l.event === "suspend-begins")).toHaveLength(1);
      expect(lines.filter((l) => l.event === "change-applied")).toEqual([]);
      expect(await windows()).toEqual([]);
      const page = await get("/");
      expect(page).toContain("state-suspended");
      expect(page).toContain("incident INC-42: hands off patching");

      writeFileSync(config, original);
      git("commit", "-q", "-am", "resume patching");
      await until("walkthrough applied after suspend: is removed", async () => ((await windows()).length === 2 ? true : undefined), 40_000);
      await until("suspended cleared", async () => ((await status()).suspended === undefined ? true : undefined));
      expect(lines.filter((l) => l.event === "suspend-ends")).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      sdk.destroy();
      await server.close();
    }
  }, 120_000);
});
