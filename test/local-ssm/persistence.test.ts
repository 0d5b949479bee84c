import { CreateMaintenanceWindowCommand, CreatePatchBaselineCommand, DescribeMaintenanceWindowsCommand, DescribePatchBaselinesCommand, DescribePatchGroupsCommand, GetMaintenanceWindowCommand, GetPatchBaselineCommand, ListTagsForResourceCommand, RegisterPatchBaselineForPatchGroupCommand, RegisterTargetWithMaintenanceWindowCommand, SSMClient, DescribeMaintenanceWindowTargetsCommand } from "@aws-sdk/client-ssm";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { killHard, spawnLocalSsm } from "../helpers/spawn-local.js";

const creds = { accessKeyId: "AKIA444444444444TEST", secretAccessKey: "x" };

async function fullState(url: string): Promise<unknown> {
  const c = new SSMClient({ region: "us-west-2", endpoint: url, credentials: creds });
  const baselines = (await c.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["Self"] }] }))).BaselineIdentities ?? [];
  const windows = (await c.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? [];
  const out = {
    baselines: await Promise.all(baselines.map(async (b) => ({ ...(await c.send(new GetPatchBaselineCommand({ BaselineId: b.BaselineId }))), $metadata: undefined, tags: (await c.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: b.BaselineId }))).TagList }))),
    groups: (await c.send(new DescribePatchGroupsCommand({}))).Mappings,
    windows: await Promise.all(windows.map(async (w) => ({ ...(await c.send(new GetMaintenanceWindowCommand({ WindowId: w.WindowId }))), $metadata: undefined, targets: (await c.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId: w.WindowId }))).Targets }))),
  };
  c.destroy();
  return out;
}

describe("persistence: acknowledged mutations survive kill -9", () => {
  it("mutate, kill -9, restart on the same data file: identical state", async () => {
    const data = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-data-")), "state.json");
    const first = await spawnLocalSsm(["--data", data]);
    const c = new SSMClient({ region: "us-west-2", endpoint: first.url, credentials: creds });
    const { BaselineId } = await c.send(new CreatePatchBaselineCommand({ Name: "durable", Tags: [{ Key: "k", Value: "v" }], ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["SecurityUpdates"] }] }, ApproveAfterDays: 3 }] } }));
    await c.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "durable-group" }));
    const { WindowId } = await c.send(new CreateMaintenanceWindowCommand({ Name: "durable-window", Schedule: "cron(0 3 ? * MON *)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    await c.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Role", Values: ["db"] }], Name: "dbs" }));
    const before = await fullState(first.url);
    c.destroy();
    await killHard(first.child);

    const second = await spawnLocalSsm(["--data", data]);
    try {
      const after = await fullState(second.url);
      expect(after).toEqual(before);
      expect((after as { baselines: unknown[] }).baselines).toHaveLength(1);
    } finally {
      await killHard(second.child);
    }
  });

  it("kill -9 during a burst of writes loses nothing that was acknowledged", async () => {
    const data = path.join(mkdtempSync(path.join(tmpdir(), "patchctl-data-")), "state.json");
    const first = await spawnLocalSsm(["--data", data]);
    const c = new SSMClient({ region: "us-west-2", endpoint: first.url, credentials: creds, maxAttempts: 1 });
    const acknowledged: string[] = [];
    const writes = Array.from({ length: 40 }, (_, i) =>
      c.send(new CreateMaintenanceWindowCommand({ Name: `burst-${i}`, Schedule: "rate(1 day)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true })).then((r) => acknowledged.push(r.WindowId!), () => undefined),
    );
    await new Promise((r) => setTimeout(r, 30));
    await killHard(first.child);
    await Promise.all(writes);
    c.destroy();
    const second = await spawnLocalSsm(["--data", data]);
    try {
      const c2 = new SSMClient({ region: "us-west-2", endpoint: second.url, credentials: creds });
      const ids = new Set<string>();
      let token: string | undefined;
      do {
        const page = await c2.send(new DescribeMaintenanceWindowsCommand({ NextToken: token, MaxResults: 100 }));
        page.WindowIdentities!.forEach((w) => ids.add(w.WindowId!));
        token = page.NextToken;
      } while (token);
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      c2.destroy();
    } finally {
      await killHard(second.child);
    }
  });
});
