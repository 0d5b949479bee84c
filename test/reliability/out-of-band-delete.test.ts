import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliJson } from "../helpers/aws-cli.js";
import { awsCli } from "../helpers/aws-cli.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";
import { OOB_FILES } from "../helpers/oob-fixture.js";
import { writeTree } from "../helpers/tmpdir.js";

/**
 * Everything patchctl manages, deleted behind its back with Debian's AWS CLI the way an operator
 * would (the account's own tools, not patchctl's SDK), must come back on the next reconcile, and
 * the plan after that must be empty. The owner has exactly one window, target and task: with a
 * ClientToken repeated across runs, the re-create was answered with the deleted resource's id
 * (AWS returns the first call's result for a repeated token) and nothing was restored.
 */
let h: LocalHarness;
let dir: string;

const cli = (service: "ssm" | "iam", ...args: string[]): Promise<CliJson> =>
  awsCli({ url: h.url, accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey, region: REGION }, service, ...args);

async function windowId(): Promise<string> {
  const out = await cli("ssm", "describe-maintenance-windows", "--filters", "Key=Name,Values=oob-window");
  const ids = (out.WindowIdentities as { WindowId: string }[]).map((w) => w.WindowId);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

async function baselineId(): Promise<string> {
  const out = await cli("ssm", "describe-patch-baselines", "--filters", "Key=NAME_PREFIX,Values=oob-al2", "Key=OWNER,Values=Self");
  const ids = (out.BaselineIdentities as { BaselineId: string }[]).map((b) => b.BaselineId);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** What the account holds of the desired state, as the AWS CLI sees it. */
async function inventory(): Promise<{ targets: string[]; tasks: { name: string; targets: string[]; role: string }[]; group?: string; defaultBaseline: string; baseline: string; role: string }> {
  const wid = await windowId();
  const targets = (await cli("ssm", "describe-maintenance-window-targets", "--window-id", wid)).Targets as { WindowTargetId: string; Name: string }[];
  const tasks = (await cli("ssm", "describe-maintenance-window-tasks", "--window-id", wid)).Tasks as { Name: string; Targets: { Values: string[] }[]; ServiceRoleArn: string }[];
  const groups = (await cli("ssm", "describe-patch-groups")).Mappings as { PatchGroup: string; BaselineIdentity: { BaselineName: string } }[];
  const def = await cli("ssm", "get-default-patch-baseline", "--operating-system", "AMAZON_LINUX_2");
  const baseline = await baselineId();
  const role = ((await cli("iam", "get-role", "--role-name", "OobMaintenanceWindowRole")).Role as { Arn: string }).Arn;
  return {
    targets: targets.map((t) => t.Name),
    // Tasks must point at targets that exist: a dangling WindowTargetId is the symptom of a restore that did not happen.
    tasks: tasks.map((t) => ({ name: t.Name, targets: t.Targets.flatMap((x) => x.Values).map((id) => targets.find((tt) => tt.WindowTargetId === id)?.Name ?? `missing:${id}`), role: t.ServiceRoleArn })),
    group: groups.find((g) => g.PatchGroup === "oob-group")?.BaselineIdentity.BaselineName,
    defaultBaseline: String(def.BaselineId),
    baseline,
    role,
  };
}

async function expectRestored(): Promise<void> {
  const rec = await h.cli(["reconcile", dir, "--auto-approve"]);
  expect(rec.code, rec.out + rec.err).toBe(0);
  const plan = await h.cli(["reconcile", dir, "--plan"]);
  expect(plan.code, plan.out + plan.err).toBe(0);
  const inv = await inventory();
  expect(inv.targets).toEqual(["fleet"]);
  expect(inv.tasks).toEqual([{ name: "install", targets: ["fleet"], role: inv.role }]);
  expect(inv.group).toBe("oob-al2");
  expect(inv.defaultBaseline).toBe(inv.baseline);
}

beforeAll(async () => {
  h = await startHarness();
  dir = writeTree(OOB_FILES);
  const first = await h.cli(["reconcile", dir, "--auto-approve"]);
  expect(first.code, first.out + first.err).toBe(0);
  await expectRestored();
});

afterAll(async () => {
  await h.close();
});

describe("a resource deleted outside patchctl is restored by the next reconcile, whose next plan is empty", () => {
  it("the owner's only maintenance window (with its target and task)", async () => {
    const before = await windowId();
    await cli("ssm", "delete-maintenance-window", "--window-id", before);
    await expectRestored();
    expect(await windowId()).not.toBe(before);
  });

  it("a window target (deregistered without --safe, as the console does)", async () => {
    const wid = await windowId();
    const targets = (await cli("ssm", "describe-maintenance-window-targets", "--window-id", wid)).Targets as { WindowTargetId: string }[];
    await cli("ssm", "deregister-target-from-maintenance-window", "--window-id", wid, "--window-target-id", targets[0]!.WindowTargetId);
    await expectRestored();
  });

  it("a window task", async () => {
    const wid = await windowId();
    const tasks = (await cli("ssm", "describe-maintenance-window-tasks", "--window-id", wid)).Tasks as { WindowTaskId: string }[];
    await cli("ssm", "deregister-task-from-maintenance-window", "--window-id", wid, "--window-task-id", tasks[0]!.WindowTaskId);
    await expectRestored();
  });

  it("a patch-group registration", async () => {
    await cli("ssm", "deregister-patch-baseline-for-patch-group", "--baseline-id", await baselineId(), "--patch-group", "oob-group");
    await expectRestored();
  });

  it("the default baseline (moved back to AWS's own)", async () => {
    const aws = (await cli("ssm", "describe-patch-baselines", "--filters", "Key=OWNER,Values=AWS", "Key=OPERATING_SYSTEM,Values=AMAZON_LINUX_2")).BaselineIdentities as { BaselineId: string; DefaultBaseline: boolean }[];
    await cli("ssm", "register-default-patch-baseline", "--baseline-id", aws[0]!.BaselineId);
    expect((await inventory()).defaultBaseline).not.toBe(await baselineId());
    await expectRestored();
  });

  it("the patch baseline (after moving its group and default off it, which SSM requires)", async () => {
    const id = await baselineId();
    const aws = (await cli("ssm", "describe-patch-baselines", "--filters", "Key=OWNER,Values=AWS", "Key=OPERATING_SYSTEM,Values=AMAZON_LINUX_2")).BaselineIdentities as { BaselineId: string }[];
    await cli("ssm", "register-default-patch-baseline", "--baseline-id", aws[0]!.BaselineId);
    await cli("ssm", "deregister-patch-baseline-for-patch-group", "--baseline-id", id, "--patch-group", "oob-group");
    await cli("ssm", "delete-patch-baseline", "--baseline-id", id);
    await expectRestored();
    expect(await baselineId()).not.toBe(id);
  });

  it("the service role the task runs as", async () => {
    await cli("iam", "detach-role-policy", "--role-name", "OobMaintenanceWindowRole", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole");
    await cli("iam", "delete-role", "--role-name", "OobMaintenanceWindowRole");
    await expectRestored();
  });

  it("everything at once, twice in a row", async () => {
    for (let round = 0; round < 2; round++) {
      const wid = await windowId();
      const id = await baselineId();
      const aws = (await cli("ssm", "describe-patch-baselines", "--filters", "Key=OWNER,Values=AWS", "Key=OPERATING_SYSTEM,Values=AMAZON_LINUX_2")).BaselineIdentities as { BaselineId: string }[];
      await cli("ssm", "delete-maintenance-window", "--window-id", wid);
      await cli("ssm", "register-default-patch-baseline", "--baseline-id", aws[0]!.BaselineId);
      await cli("ssm", "deregister-patch-baseline-for-patch-group", "--baseline-id", id, "--patch-group", "oob-group");
      await cli("ssm", "delete-patch-baseline", "--baseline-id", id);
      await expectRestored();
    }
  });
});
