import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { until } from "../helpers/until.js";

/**
 * `watch --listen` serves the status page at `/` over HTTP: HTML under a strict
 * Content-Security-Policy, read-only, with the drift the controller sees (sensitive values masked)
 * and no credentials anywhere in it or in /status.
 */
const creds = { accessKeyId: "AKIA777777777777PAGE", secretAccessKey: "status-page-secret-key" };
const SECRET_OWNER_INFO = "db-owner-token-5e1b2d";
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();

let server: LocalSsm;
let child: ReturnType<typeof spawn>;
let port: number;
let commit: string;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  const repo = mkdtempSync(path.join(tmpdir(), "patchctl-page-repo-"));
  cpSync("examples/walkthrough", path.join(repo, "patching"), { recursive: true });
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "walkthrough");
  commit = git(repo, "rev-parse", "HEAD");
  process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
  const io = { out: () => {}, err: () => {} };
  expect(await runCli(["reconcile", path.join(repo, "patching"), "--auto-approve", "--endpoint-url", server.url, "--region", "us-east-1", "--policies", relaxedPoliciesDir()], io)).toBe(0);
  // Someone edits a window target by hand, writing a value SSM treats as sensitive.
  const aws = (...args: string[]) => awsCli({ url: server.url, ...creds, region: "us-east-1" }, "ssm", ...args);
  const windows = (await aws("describe-maintenance-windows")).WindowIdentities as { WindowId: string; Name: string }[];
  const id = windows.find((w) => w.Name === "Production-Tuesdays")!.WindowId;
  const targets = (await aws("describe-maintenance-window-targets", "--window-id", id)).Targets as { WindowTargetId: string }[];
  await aws("update-maintenance-window-target", "--window-id", id, "--window-target-id", targets[0]!.WindowTargetId, "--owner-information", SECRET_OWNER_INFO);

  child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--no-apply", "--listen", "127.0.0.1:0", "--endpoint-url", server.url, "--region", "us-east-1", "--policies", relaxedPoliciesDir()], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let buf = "";
  let listening: number | undefined;
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const m = /"event":"listening"[^\n]*"port":(\d+)/.exec(buf) ?? /"port":(\d+)[^\n]*"event":"listening"/.exec(buf);
    if (m) listening = Number(m[1]);
  });
  port = await until("watch to listen", () => listening, 30_000);
}, 90_000);

afterAll(async () => {
  child?.kill("SIGTERM");
  await new Promise((r) => child?.once("exit", r));
  await server?.close();
});

describe("watch serves the status page at /", () => {
  it("answers HTML under a strict CSP, with the drifted card, its masked field and the last cycles", async () => {
    // Wait for two cycles in the page's history (the ring the controller keeps).
    const { res, body } = await until("two cycles on the page", async () => {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      const b = await r.text();
      const n = Number(/data-cycles="(\d+)"/.exec(b)?.[1] ?? 0);
      return n >= 2 ? { res: r, body: b } : undefined;
    }, 30_000);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
    expect(res.headers.get("content-security-policy")).not.toMatch(/script-src/);
    expect(body).toMatch(/<meta http-equiv="refresh" content="5">/);
    expect(body).not.toMatch(/<script|<form|<iframe/i);
    expect(body).toMatch(new RegExp(`<section class="card state-drifted" data-state="drifted" data-deployment="" data-region="us-east-1">`));
    expect(body).toContain(`<code>${commit.slice(0, 12)}</code>`);
    expect(body).toMatch(/<tr class="field" data-key="WindowTarget\/Production-Tuesdays\/Database-Servers" data-action="update" data-path="ownerInformation">.*<td class="sensitive">\(sensitive\)<\/td>/);
    for (const secret of [SECRET_OWNER_INFO, creds.secretAccessKey, creds.accessKeyId]) expect(body).not.toContain(secret);
  }, 60_000);

  it("is read-only, and /status holds no credentials or sensitive values either", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) expect((await fetch(`http://127.0.0.1:${port}/`, { method })).status).toBe(405);
    const status = await (await fetch(`http://127.0.0.1:${port}/status`)).text();
    expect(status).toContain("ownerInformation");
    for (const secret of [SECRET_OWNER_INFO, creds.secretAccessKey, creds.accessKeyId]) expect(status).not.toContain(secret);
  }, 30_000);
});
