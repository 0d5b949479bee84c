import { DeleteRoleCommand, DetachRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { DeletePatchBaselineCommand, DeregisterPatchBaselineForPatchGroupCommand, RegisterDefaultPatchBaselineCommand, SSMClient } from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";
import { OOB_FILES } from "../helpers/oob-fixture.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { until as waitUntil } from "../helpers/until.js";
import { jsonLinesOf } from "../helpers/json-lines.js";
import { gitIn } from "../helpers/git.js";

const creds = { accessKeyId: "AKIA333333333333TEST", secretAccessKey: "restore-secret" };

/** This file waits up to 30,000 ms by default, polling every 100 ms. */
const until = <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> => waitUntil(what, fn, ms, 100);

/** watch restores what is deleted behind its back (with Debian's AWS CLI) within two intervals. */
describe("watch restores resources deleted out of band", () => {
  it("the owner's only window, then its only task, the patch-group registration, the service role, the only target, the OS default and the baseline, each within two cycles", async () => {
    const server = await startLocalSsm({ port: 0 });
    const repo = mkdtempSync(path.join(tmpdir(), "patchctl-restore-"));
    for (const [name, text] of Object.entries(OOB_FILES)) {
      mkdirSync(path.join(repo, "patching"), { recursive: true });
      writeFileSync(path.join(repo, "patching", name), text);
    }
    const git = gitIn(repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "oob");
    const cli = (service: "ssm" | "iam", ...args: string[]) => awsCli({ url: server.url, accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, region: "us-east-1" }, service, ...args);
    const env = { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
    const child = spawn(process.execPath, ["dist/cmd/patchctl.js", "watch", "--repo", repo, "--path", "patching", "--interval", "1s", "--endpoint-url", server.url, "--region", "us-east-1", "--policies", relaxedPoliciesDir()], { env, stdio: ["ignore", "pipe", "ignore"] });
    const cycles = jsonLinesOf(child.stdout!, { keep: (l) => l.event === "cycle" });
    const windowId = async (): Promise<string | undefined> => ((await cli("ssm", "describe-maintenance-windows")).WindowIdentities as { WindowId: string }[])[0]?.WindowId;
    /** Waits for a cycle that changed nothing and failed nothing: the account matches the desired state. */
    const inSync = (after: number) => until("a cycle in sync", () => cycles.slice(after).some((c) => c.ok === true && c.applied === 0 && Object.entries(c.summary as Record<string, number>).every(([k, n]) => k === "noop" || n === 0)) || undefined);
    /**
     * Deletes with `remove`; the cycle running when the delete finished may miss it, the next one
     * (at most two intervals later) restores it, and the one after finds nothing to do.
     */
    const restoredWithinTwoCycles = async (what: string, remove: () => Promise<unknown>, present: () => Promise<boolean>, inFlightMayFail = false): Promise<void> => {
      const from = cycles.length;
      await remove();
      const seen = cycles.length;
      await until(`two cycles after deleting ${what}`, () => cycles.length >= seen + 2 || undefined);
      expect(await present(), `${what} restored`).toBe(true);
      const window = cycles.slice(from, seen + 2);
      // A delete made of several calls may pull a resource from under a cycle already applying (it then
      // fails, as any apply racing an operator would); the last of the two cycles must not.
      const mustBeOk = inFlightMayFail ? cycles.slice(seen + 1, seen + 2) : window;
      expect(mustBeOk.every((c) => c.ok === true), JSON.stringify(window)).toBe(true);
      expect(window.some((c) => Number(c.applied) > 0), `${what}: a cycle restored it`).toBe(true);
      await until(`the cycle after restoring ${what}`, () => cycles.length >= seen + 3 || undefined);
      expect(cycles[seen + 2]!.applied, JSON.stringify(cycles.slice(from))).toBe(0);
    };
    try {
      await until("first apply", () => cycles.some((c) => Number(c.applied) > 0) || undefined);
      await inSync(0);

      await restoredWithinTwoCycles("the window", async () => cli("ssm", "delete-maintenance-window", "--window-id", (await windowId())!), async () => {
        const id = await windowId();
        if (!id) return false;
        const tasks = (await cli("ssm", "describe-maintenance-window-tasks", "--window-id", id)).Tasks as unknown[];
        const targets = (await cli("ssm", "describe-maintenance-window-targets", "--window-id", id)).Targets as unknown[];
        return tasks.length === 1 && targets.length === 1;
      });

      const taskIds = async () => ((await cli("ssm", "describe-maintenance-window-tasks", "--window-id", (await windowId())!)).Tasks as { WindowTaskId: string }[]).map((t) => t.WindowTaskId);
      await restoredWithinTwoCycles("the task", async () => cli("ssm", "deregister-task-from-maintenance-window", "--window-id", (await windowId())!, "--window-task-id", (await taskIds())[0]!), async () => (await taskIds()).length === 1);

      const baselineId = async () => ((await cli("ssm", "describe-patch-baselines", "--filters", "Key=OWNER,Values=Self")).BaselineIdentities as { BaselineId: string }[])[0]!.BaselineId;
      const grouped = async () => ((await cli("ssm", "describe-patch-groups")).Mappings as { PatchGroup: string }[]).some((m) => m.PatchGroup === "oob-group");
      await restoredWithinTwoCycles("the patch-group registration", async () => cli("ssm", "deregister-patch-baseline-for-patch-group", "--baseline-id", await baselineId(), "--patch-group", "oob-group"), grouped);

      const roleExists = async () => ((await cli("iam", "list-roles")).Roles as { RoleName: string }[]).some((r) => r.RoleName === "OobMaintenanceWindowRole");
      await restoredWithinTwoCycles("the service role", async () => {
        // IAM wants the policy detached first, and the controller attaches it again whenever a cycle sees
        // it missing (that is drift), so an operator's two CLI commands a second apart can lose that race.
        // Raw SDK calls, back to back, as a script would; retried on DeleteConflict like an operator would.
        const iam = new IAMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
        try {
          for (let attempt = 0; ; attempt++) {
            await iam.send(new DetachRolePolicyCommand({ RoleName: "OobMaintenanceWindowRole", PolicyArn: "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole" })).catch(() => undefined);
            try {
              await iam.send(new DeleteRoleCommand({ RoleName: "OobMaintenanceWindowRole" }));
              return;
            } catch (err) {
              if (attempt >= 20 || (err as Error).name !== "DeleteConflictException") throw err;
            }
          }
        } finally {
          iam.destroy();
        }
      }, roleExists);

      const targetIds = async () => ((await cli("ssm", "describe-maintenance-window-targets", "--window-id", (await windowId())!)).Targets as { WindowTargetId: string }[]).map((t) => t.WindowTargetId);
      await restoredWithinTwoCycles("the target", async () => cli("ssm", "deregister-target-from-maintenance-window", "--window-id", (await windowId())!, "--window-target-id", (await targetIds())[0]!), async () => {
        const ids = await targetIds();
        const tasks = (await cli("ssm", "describe-maintenance-window-tasks", "--window-id", (await windowId())!)).Tasks as { Targets: { Values: string[] }[] }[];
        // Restored means the task points at the target that exists again, not at the deregistered id.
        return ids.length === 1 && tasks.length === 1 && tasks[0]!.Targets.flatMap((t) => t.Values).every((v) => ids.includes(v));
      });

      const awsBaseline = ((await cli("ssm", "describe-patch-baselines", "--filters", "Key=OWNER,Values=AWS", "Key=OPERATING_SYSTEM,Values=AMAZON_LINUX_2")).BaselineIdentities as { BaselineId: string }[])[0]!.BaselineId;
      const defaultIsOurs = async () => String((await cli("ssm", "get-default-patch-baseline", "--operating-system", "AMAZON_LINUX_2")).BaselineId) === (await baselineId());
      await restoredWithinTwoCycles("the OS default", async () => cli("ssm", "register-default-patch-baseline", "--baseline-id", awsBaseline), defaultIsOurs);

      const before = await baselineId();
      await restoredWithinTwoCycles("the baseline", async () => {
        // SSM deletes a baseline only once it is no default and no group's: three calls, which the
        // controller may undo between them (that is drift). Raw SDK calls back to back, retried on ResourceInUse.
        const ssm = new SSMClient({ region: "us-east-1", endpoint: server.url, credentials: creds });
        try {
          for (let attempt = 0; ; attempt++) {
            await ssm.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: awsBaseline }));
            await ssm.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: before, PatchGroup: "oob-group" })).catch(() => undefined);
            try {
              await ssm.send(new DeletePatchBaselineCommand({ BaselineId: before }));
              return;
            } catch (err) {
              if (attempt >= 20 || (err as Error).name !== "ResourceInUseException") throw err;
            }
          }
        } finally {
          ssm.destroy();
        }
      }, async () => {
        const ids = ((await cli("ssm", "describe-patch-baselines", "--filters", "Key=OWNER,Values=Self")).BaselineIdentities as { BaselineId: string }[]).map((b) => b.BaselineId);
        return ids.length === 1 && ids[0] !== before && (await grouped()) && (await defaultIsOurs());
      }, true);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await server.close();
    }
  }, 300_000);
});
