import { afterEach, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { AwsGateway } from "../../src/aws/gateway.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";

// --max-tps: patchctl paces itself below the account's rate instead of bursting and retrying.
// Asserted on what the endpoint saw (throttled calls), never on time.
const BURST = 16;

describe("client-side pacing (--max-tps)", () => {
  let ssm: LocalSsm | undefined;
  afterEach(async () => {
    await ssm?.close();
    ssm = undefined;
  });

  async function burst(maxTps: number | undefined): Promise<number> {
    ssm = await startLocalSsm({ tps: 10 });
    const gw = new AwsGateway({ region: REGION, endpointUrl: ssm.url, credentials: CREDENTIALS, maxTps });
    try {
      const results = await Promise.all(Array.from({ length: BURST }, () => gw.call<{ BaselineIdentities?: unknown[] }>("DescribePatchBaselines", {})));
      expect(results.every((r) => Array.isArray(r.BaselineIdentities))).toBe(true);
      return ssm.stats().throttled;
    } finally {
      gw.destroy();
      await ssm.close();
      ssm = undefined;
    }
  }

  it("a burst paced below the endpoint's rate is never throttled; without --max-tps it completes, paced by the rate learner (test/aws/)", async () => {
    expect(await burst(8)).toBe(0);
    await burst(undefined);
  });

  it("--max-tps must be a positive number", async () => {
    const h = await startHarness();
    try {
      for (const bad of ["0", "-3", "fast"]) {
        const r = await h.cli(["reconcile", "examples/walkthrough", "--plan", `--max-tps=${bad}`]);
        expect(r.code, bad).toBe(1);
        expect(r.err).toContain("--max-tps must be a positive number");
      }
    } finally {
      await h.close();
    }
  });
});
