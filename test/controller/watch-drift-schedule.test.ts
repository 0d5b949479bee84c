import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { until } from "../helpers/until.js";
import { gitIn } from "../helpers/git.js";

interface Report {
  reports: { deployment: string; region: string; report?: { region: string; changes: { key: string; action: string }[] }; error?: string }[];
}

describe("watch --drift-schedule with deployments", () => {
  it("reports the drift of every deployment-region, each against its own account and values", async () => {
    const a = await startLocalSsm({ port: 0 });
    const b = await startLocalSsm({ port: 0 });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-drift-repo-"));
    mkdirSync(path.join(repo, "patching"));
    writeFileSync(path.join(repo, "patching", "patchctl.yaml"), `apiVersion: patchctl/v1\nkind: Config\nowner: fleet\ndeployments:\n  - {name: eu, regions: [eu-west-1], endpointUrl: "${a.url}", values: {hours: 3}}\n  - {name: us, regions: [us-east-1, us-west-2], endpointUrl: "${b.url}", values: {hours: 4}}\n`);
    writeFileSync(path.join(repo, "patching", "w.yaml"), "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: weekly}\nspec: {schedule: \"cron(0 3 ? * SUN *)\", scheduleTimezone: UTC, duration: \"${values.hours}\", cutoff: 1}\n");
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "fleet");
    const report = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-drift-report-")), "drift.json");
    // --no-apply: every account lacks the window, and stays so; the report must say so for each deployment-region.
    const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--no-apply", "--repo", repo, "--path", "patching", "--interval", "1s", "--policies", relaxedPoliciesDir(), "--drift-schedule", "*/2 * * * * *", "--drift-report-file", report, "--output", "json"], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: "AKIA777777777777TEST", AWS_SECRET_ACCESS_KEY: "x" },
      stdio: "ignore",
    });
    try {
      // The first schedule may fire before every controller loaded its commit: wait for a report with all three planned.
      const parsed = await until(
        "a drift report over every deployment-region",
        () => {
          if (!existsSync(report)) return undefined;
          try {
            const r = JSON.parse(readFileSync(report, "utf8")) as Report;
            return r.reports.length === 3 && r.reports.every((p) => p.report) ? r : undefined;
          } catch {
            return undefined; // being written
          }
        },
        60_000,
      );
      const where = parsed.reports.map((p) => `${p.deployment}/${p.region}`).sort();
      expect(where).toEqual(["eu/eu-west-1", "us/us-east-1", "us/us-west-2"]);
      for (const p of parsed.reports) {
        expect(p.report!.region).toBe(p.region);
        expect(p.report!.changes.map((c) => `${c.action} ${c.key}`)).toEqual(["create MaintenanceWindow/weekly"]);
      }
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await a.close();
      await b.close();
    }
  }, 90_000);
});
