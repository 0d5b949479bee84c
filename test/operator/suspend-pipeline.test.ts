import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareDesired, reconcilePrepared } from "../../src/pipeline/reconcile.js";
import type { LocalHarness } from "../helpers/local.js";
import { REGION, startHarness } from "../helpers/local.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";
import { writeWalkthrough } from "./fixture.js";

/**
 * patchctl.yaml `suspend:` in the one pipeline every watch cycle goes through (controller.ts calls
 * reconcilePrepared): the plan is made and shown, the apply refused with the code `suspended` and
 * the reason, and nothing is written to the account.
 */
let h: LocalHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe("suspend: in patchctl.yaml, in the pipeline watch uses", () => {
  it("plans, refuses applying with code suspended and the reason, and writes nothing", async () => {
    const dir = writeWalkthrough((f) => (f["patchctl.yaml"] += 'suspend: "account migration"\n'));
    const prepared = await prepareDesired(dir, relaxedPoliciesDir());
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
    const writes: string[] = [];
    let reviewed = 0;
    const outcome = await reconcilePrepared(prepared.prepared, {
      gateway: h.gateway(),
      region: REGION,
      deleteGuard: { maxDeletePercent: 30, allowMassDelete: false },
      mode: "apply",
      lease: (fn) => fn(),
      afterWrite: (c) => {
        writes.push(c.operation);
      },
      review: async (plan, _policy, refusals) => {
        reviewed = plan.summary.create;
        expect(refusals.map((r) => r.code)).toContain("suspended");
        return true;
      },
    });
    expect(reviewed).toBeGreaterThan(0);
    expect(outcome.refusals).toEqual([{ code: "suspended", message: expect.stringContaining('applying is suspended (patchctl.yaml suspend: "account migration")') }]);
    expect(outcome.result).toBeUndefined();
    expect(writes).toEqual([]);
    const windows = await h.gateway().paginate<{ Name?: string }>("DescribeMaintenanceWindows", {}, "WindowIdentities", 100);
    expect(windows).toEqual([]);
  }, 120_000);
});
