import { DescribePatchBaselinesCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterEach, describe, expect, it } from "vitest";
import type { Fleet } from "../../bench/bench.js";
import { removeWrittenFleets, sum, writeFleet } from "../../bench/bench.js";
import { AwsGateway, answerOf } from "../../src/aws/gateway.js";
import { loadDesiredState } from "../../src/desired/load.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { applyPlan } from "../../src/reconciler/apply.js";
import { planReconcile } from "../../src/reconciler/engine.js";

// Without --max-tps, over HTTP against a local endpoint that throttles above its rate: the gateway
// learns the rate, throttled attempts stay a small share, it counts them itself, and a later cycle
// on the same gateway starts at the rate learnt. Counts are asserted, never times.
const TPS = 30;
const credentials = { accessKeyId: "AKIA000000000001TEST", secretAccessKey: "test" };
// 4 + 20 + 4 + 80 + 80 = 188 resources to create, then about 110 calls per plan.
const fleet: Fleet = { baselines: 4, groupsPerBaseline: 5, windows: 4, targets: 20, tasks: 20 };

let ssm: LocalSsm | undefined;
afterEach(async () => {
  await ssm?.close();
  ssm = undefined;
  removeWrittenFleets();
});

describe("learning the rate over HTTP (no --max-tps)", () => {
  it("an apply and three plans against a 30 TPS endpoint: ≤ 2% of attempts throttled, all counted, the rate kept between cycles", async () => {
    ssm = await startLocalSsm({ tps: TPS, latencyMs: 5 });
    const gw = new AwsGateway({ region: "eu-west-1", endpointUrl: ssm.url, credentials });
    try {
      const state = (await loadDesiredState(writeFleet(fleet, "learn-test"))).state!;
      const first = await planReconcile({ state, gateway: gw, region: "eu-west-1" });
      const applied = await applyPlan(first.plan, gw, { owner: first.plan.owner, dryRun: false, concurrency: 8 });
      expect(applied.outcomes.filter((o) => o.status === "failed")).toEqual([]);
      let rateBefore = gw.rates().ssm!;
      for (let cycle = 0; cycle < 3; cycle++) {
        // The gateway lives as long as the controller's connection: what it learnt carries into the next cycle.
        expect(gw.rates().ssm).toEqual(rateBefore);
        const { plan } = await planReconcile({ state, gateway: gw, region: "eu-west-1" });
        expect(plan.changes.filter((c) => c.action !== "noop")).toEqual([]);
        rateBefore = gw.rates().ssm!;
      }
      const server = ssm.stats();
      // Every attempt the endpoint throttled was counted by the gateway, though the SDK retried it and nothing failed.
      expect(sum(gw.stats.throttled)).toBe(server.throttled);
      expect(gw.stats.errors).toEqual({});
      expect(server.throttled).toBeLessThanOrEqual(0.02 * server.total);
      // It found the endpoint's rate.
      const learnt = gw.rates().ssm!;
      expect(learnt.limit).toBeDefined();
      expect(learnt.limit! / TPS).toBeGreaterThan(0.8);
      expect(learnt.limit! / TPS).toBeLessThan(1.25);
    } finally {
      gw.destroy();
    }
  }, 120_000);

  it("the same load from a client that does not pace (the SDK alone) is throttled many times more", async () => {
    ssm = await startLocalSsm({ tps: TPS, latencyMs: 5 });
    const gw = new AwsGateway({ region: "eu-west-1", endpointUrl: ssm.url, credentials });
    const raw = new SSMClient({ region: "eu-west-1", endpoint: ssm.url, credentials, retryMode: "standard", maxAttempts: 10 });
    const burst = (send: () => Promise<unknown>) => Promise.all(Array.from({ length: 150 }, send));
    try {
      ssm.resetStats();
      await burst(() => gw.call("DescribePatchBaselines", {}));
      const paced = ssm.stats().throttled;
      ssm.resetStats();
      await new Promise((r) => setTimeout(r, 1100)); // the endpoint's bucket refills
      await burst(() => raw.send(new DescribePatchBaselinesCommand({})).catch((err: unknown) => err));
      const unpaced = ssm.stats().throttled;
      expect(paced).toBeLessThanOrEqual(15);
      expect(unpaced).toBeGreaterThan(4 * Math.max(paced, 10));
    } finally {
      gw.destroy();
      raw.destroy();
    }
  }, 60_000);
});

describe("answerOf: what an SDK error says about the service's bucket", () => {
  const err = (name: string, httpStatusCode?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
  it("throttling codes and HTTP 429 are throttles; other service errors spent a token; no answer is neither", () => {
    expect(answerOf(err("ThrottlingException", 400))).toBe("throttled");
    expect(answerOf(err("Throttling", 400))).toBe("throttled"); // IAM (AWS Query)
    expect(answerOf(err("SomethingElse", 429))).toBe("throttled");
    expect(answerOf(err("LimitExceededException", 409))).toBe("answered"); // IAM: a quota on roles, not the rate
    expect(answerOf(err("DoesNotExistException", 400))).toBe("answered");
    expect(answerOf(err("InternalServerError", 500))).toBe("answered");
    expect(answerOf(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe("none");
  });
});
