import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../helpers/aws-cli.js";
import { killHard, spawnLocalSsm } from "../helpers/spawn-local.js";

const exec = promisify(execFile);
const creds = { accessKeyId: "AKIA222222222222TEST", secretAccessKey: "first-contact-secret" };
let endpoint: Awaited<ReturnType<typeof spawnLocalSsm>>;

/** Runs the installed CLI (dist/) as a user does, with the user's environment (no SDK switches of ours). */
async function patchctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_REGION: "us-east-1" };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  try {
    const { stdout, stderr } = await exec(process.execPath, ["dist/cmd/patchctl.js", ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  endpoint = await spawnLocalSsm([]);
});
afterAll(async () => {
  await killHard(endpoint.child);
});

describe("first contact", () => {
  it("prints no vendor warning on a supported Node (validate, plan, drift, import: the SDK's NodeVersionSupportWarning included)", async () => {
    const validate = await patchctl("validate", "examples/blog");
    expect(validate.code).toBe(0);
    const plan = await patchctl("reconcile", "examples/blog", "--plan", "--endpoint-url", endpoint.url);
    expect(plan.code).toBe(2);
    const drift = await patchctl("drift", "examples/blog", "--endpoint-url", endpoint.url);
    expect(drift.code).toBe(2);
    const imported = await patchctl("import", "--out", mkdtempSync(path.join(tmpdir(), "patchctl-first-import-")), "--force", "--owner", "first", "--endpoint-url", endpoint.url);
    expect(imported.code, imported.stderr).toBe(0);
    for (const r of [validate, plan, drift, imported]) {
      expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
      expect(r.stdout).not.toMatch(/NodeVersionSupportWarning/);
    }
  }, 120_000);

  it("a plan whose every resource is a conflict never claims the account matches, and its last line says why it exits 1", async () => {
    // The blog's window, made by hand with the AWS CLI as the blog does, before patchctl ever ran.
    await awsCli({ url: endpoint.url, ...creds, region: "us-east-1" }, "ssm", "create-maintenance-window", "--name", "Patch_Front-End-Servers", "--schedule", "cron(0 16 ? * TUE *)", "--duration", "4", "--cutoff", "1", "--no-allow-unassociated-targets");
    for (const name of ["Dev-WindowsServer2016-Critical-0Day", "Prod-WindowsServer2016-Critical-5Day"]) {
      await awsCli({ url: endpoint.url, ...creds, region: "us-east-1" }, "ssm", "create-patch-baseline", "--name", name, "--operating-system", "WINDOWS", "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=MSRC_SEVERITY,Values=[Critical]}]},ApproveAfterDays=0}]");
    }
    const plan = await patchctl("reconcile", "examples/blog", "--plan", "--endpoint-url", endpoint.url);
    expect(plan.code).toBe(1);
    expect(plan.stdout).not.toMatch(/matches the desired state/);
    expect(plan.stdout).toMatch(/conflict/i);
    const last = plan.stderr.trim().split("\n").at(-1)!;
    expect(last).toMatch(/^error: 3 conflict\(s\) with resources patchctl does not own/);
    expect(last).toMatch(/--adopt/);
  });
});
