import { DescribeMaintenanceWindowsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { gitIn } from "../helpers/git.js";

describe("patchctl watch with deployments", () => {
  it("runs one controller per deployment-region, each against its own account", async () => {
    const a = await startLocalSsm({ port: 0 });
    const b = await startLocalSsm({ port: 0 });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-repo-"));
    mkdirSync(path.join(repo, "patching"));
    writeFileSync(path.join(repo, "patching", "patchctl.yaml"), `apiVersion: patchctl/v1\nkind: Config\nowner: fleet\ndeployments:\n  - {name: eu, regions: [eu-west-1], endpointUrl: "${a.url}", values: {hours: 3}}\n  - {name: us, regions: [us-east-1, us-west-2], endpointUrl: "${b.url}", values: {hours: 4}}\n`);
    writeFileSync(path.join(repo, "patching", "w.yaml"), "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: weekly}\nspec: {schedule: \"cron(0 3 ? * SUN *)\", scheduleTimezone: UTC, duration: \"${values.hours}\", cutoff: 1}\n");
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "fleet");
    // Asynchronously: the endpoints answer from this very process.
    const run = await promisify(execFile)(process.execPath, ["dist/cmd/patchctl.js", "watch", "--once", "--repo", repo, "--branch", "main", "--path", "patching", "--policies", relaxedPoliciesDir()], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: "AKIA888888888888TEST", AWS_SECRET_ACCESS_KEY: "x" },
      timeout: 60_000,
    });
    const deployments = run.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { event?: string; deployment?: string; region?: string }).filter((l) => l.event === "cycle").map((l) => `${l.deployment}/${l.region}`).sort();
    expect(deployments).toEqual(["eu/eu-west-1", "us/us-east-1", "us/us-west-2"]);
    const duration = async (url: string, region: string) => {
      const c = new SSMClient({ region, endpoint: url, credentials: { accessKeyId: "AKIA888888888888TEST", secretAccessKey: "x" } });
      const w = (await c.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? [];
      c.destroy();
      return w.map((x) => x.Duration);
    };
    expect(await duration(a.url, "eu-west-1")).toEqual([3]);
    expect(await duration(b.url, "us-east-1")).toEqual([4]);
    expect(await duration(b.url, "us-west-2")).toEqual([4]);
    await a.close();
    await b.close();
  }, 90_000);
});
