import { DescribePatchBaselinesCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fleet } from "../../bench/bench.js";
import { minimumReadCalls, removeWrittenFleets, sum, terraformStyleCalls, writeFleet } from "../../bench/bench.js";
import { loadDesiredState } from "../../src/desired/load.js";
import { applyPlan } from "../../src/reconciler/apply.js";
import { planReconcile } from "../../src/reconciler/engine.js";
import { AwsGateway } from "../../src/aws/gateway.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";

// The benchmark's call-count claim, at a size CI can afford: a no-change plan makes exactly
// the minimum number of SSM calls the bench computes for the fleet (including list pages past
// 100 items), a drift plan makes the same calls, and both are several times fewer than a
// read-one-resource-at-a-time provider. Timing is left to `npm run bench`.
const fleet: Fleet = { baselines: 6, groupsPerBaseline: 20, windows: 2, targets: 100, tasks: 6 };
const credentials = { accessKeyId: "AKIA000000000001TEST", secretAccessKey: "test" };

describe("bench call counts over HTTP", () => {
  let ssm: LocalSsm;
  let gw: AwsGateway;
  let awsOwned = 0;
  beforeAll(async () => {
    ssm = await startLocalSsm();
    const client = new SSMClient({ region: "eu-west-1", endpoint: ssm.url, credentials });
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["AWS"] }], MaxResults: 100, NextToken: token }));
      awsOwned += page.BaselineIdentities?.length ?? 0;
      token = page.NextToken;
    }
    client.destroy();
    gw = new AwsGateway({ region: "eu-west-1", endpointUrl: ssm.url, credentials });
  });
  afterAll(async () => {
    gw.destroy();
    await ssm.close();
    removeWrittenFleets();
  });

  it("a no-change plan and a drift plan make exactly the minimum calls for the fleet, by operation", async () => {
    const loaded = await loadDesiredState(writeFleet(fleet, "bench-test"));
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const state = loaded.state!;
    const first = await planReconcile({ state, gateway: gw, region: "eu-west-1" });
    const applied = await applyPlan(first.plan, gw, { owner: first.plan.owner, dryRun: false, concurrency: 8 });
    expect(applied.outcomes.filter((o) => o.status === "failed")).toEqual([]);

    // The bench's fleet has no PatchAssociations and no Rollouts: one empty ListAssociations page and
    // one empty GetParametersByPath page (minimumReadCalls counts both).
    const minimum = minimumReadCalls(fleet, awsOwned);
    // This fleet crosses a page boundary for patch groups (120); 100 targets (the quota) fit one page.
    expect(minimum.DescribePatchGroups).toBe(2);
    expect(minimum.DescribeMaintenanceWindowTargets).toBe(2);

    ssm.resetStats();
    const noChange = await planReconcile({ state, gateway: gw, region: "eu-west-1" });
    expect(noChange.plan.changes.filter((c) => c.action !== "noop")).toEqual([]);
    expect(ssm.stats().calls).toEqual(minimum);

    const task = noChange.plan.changes.find((c) => c.type === "WindowTask")!;
    await gw.call("UpdateMaintenanceWindowTask", { WindowId: noChange.plan.ids[task.after!.parentKey!], WindowTaskId: task.before!.id, Priority: 42 });
    ssm.resetStats();
    const drift = await planReconcile({ state, gateway: gw, region: "eu-west-1" });
    expect(drift.plan.changes.filter((c) => c.action !== "noop").map((c) => c.key)).toEqual([task.key]);
    expect(ssm.stats().calls).toEqual(minimum);

    expect(terraformStyleCalls(fleet)).toBeGreaterThanOrEqual(5 * sum(minimum));
  });
});
