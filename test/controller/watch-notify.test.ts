import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { gitIn } from "../helpers/git.js";

async function until(what: string, fn: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("watch notifications and the scheduled drift report", () => {
  it("posts Slack-compatible webhooks on applied changes, failures and drift; writes the drift report on schedule", async () => {
    const received: { kind: string; text: string; owner: string }[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push(JSON.parse(body) as { kind: string; text: string; owner: string });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const server = await startLocalSsm({ port: 0 });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-repo-"));
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    cpSync("examples/recipe", path.join(repo, "patching"), { recursive: true });
    git("add", "-A");
    git("commit", "-q", "-m", "recipe");
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "AKIA999999999999TEST", AWS_SECRET_ACCESS_KEY: "x" };
    const args = ["--repo", repo, "--branch", "main", "--path", "patching", "--interval", "1s", "--endpoint-url", server.url, "--region", "us-east-1", "--notify-webhook", hookUrl, "--policies", relaxedPoliciesDir()];

    const applying = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", ...args], { env, stdio: "ignore" });
    await until("applied notification", () => received.some((n) => n.kind === "applied"));
    const file = path.join(repo, "patching", "windows.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("duration: 4", "duration: 40"));
    git("commit", "-q", "-am", "broken");
    await until("failure notification", () => received.some((n) => n.kind === "failure" && /refused/.test(n.text)));
    applying.kill("SIGTERM");
    await new Promise((r) => applying.once("exit", r));

    // Report-only: drift is notified, and the scheduled report is written.
    git("revert", "--no-edit", "HEAD");
    writeFileSync(file, readFileSync(file, "utf8").replace("duration: 4", "duration: 5"));
    git("commit", "-q", "-am", "drift against the account");
    const report = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-report-")), "drift.md");
    const reporting = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", ...args, "--no-apply", "--drift-schedule", "*/2 * * * * *", "--drift-report-file", report, "--output", "markdown"], { env, stdio: "ignore" });
    await until("drift notification", () => received.some((n) => n.kind === "drift"));
    await until("scheduled drift report", () => existsSync(report));
    expect(readFileSync(report, "utf8")).toMatch(/patchctl drift report/);
    reporting.kill("SIGTERM");
    await new Promise((r) => reporting.once("exit", r));
    for (const n of received) {
      expect(n.owner).toBe("recipe");
      expect(typeof n.text).toBe("string");
    }
    hook.close();
    await server.close();
  }, 90_000);
});
