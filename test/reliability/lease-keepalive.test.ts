import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { afterEach, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { prepareState, reconcilePrepared } from "../../src/pipeline/reconcile.js";
import { Lease, LeaseHeldError, LeaseLostError, leaseParameterName } from "../../src/reconciler/lease.js";
import { REGION, startHarness, type LocalHarness } from "../helpers/local.js";
import { relaxedPoliciesDir } from "../helpers/relaxed-policies.js";

/**
 * A run longer than the lease's TTL (a slow apply, a starved replica) must keep its lease: it is
 * renewed every third of the TTL while the run goes on, and a lease taken by someone else stops the
 * apply before its next call. Before, the controller renewed only between cycles, so a cycle longer
 * than the TTL let another replica take the lease mid-apply and both wrote (bench scenario 8).
 */
let h: LocalHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("the write lease is kept while a run goes on", () => {
  it("a run three TTLs long keeps its lease: another holder cannot take it meanwhile", async () => {
    h = await startHarness();
    const a = new Lease(h.gateway(), "keep", "host-a:1:a", 600);
    const b = new Lease(h.gateway(), "keep", "host-b:1:b", 600);
    await a.acquire();
    const attempts: string[] = [];
    const signal = await a.keepWhile(async (lost) => {
      for (let i = 0; i < 3; i++) {
        await sleep(600);
        try {
          await b.acquire();
          attempts.push("taken");
        } catch (err) {
          attempts.push(err instanceof LeaseHeldError ? "held" : String(err));
        }
      }
      return lost;
    });
    expect(attempts).toEqual(["held", "held", "held"]);
    expect(signal.aborted).toBe(false);
    const stored = await h.sdk.send(new GetParameterCommand({ Name: leaseParameterName("keep") }));
    expect(JSON.parse(stored.Parameter!.Value!).holder).toBe("host-a:1:a");
  });

  it("a lease taken by another holder aborts the run's signal with LeaseLostError", async () => {
    h = await startHarness();
    const a = new Lease(h.gateway(), "keep", "host-a:1:a", 600);
    await a.acquire();
    const lostReports: string[] = [];
    const reason = await a.keepWhile(
      async (lost) => {
        const other = { holder: "host-b:1:b", acquiredAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
        await h!.sdk.send(new PutParameterCommand({ Name: leaseParameterName("keep"), Value: JSON.stringify(other), Type: "String", Overwrite: true }));
        for (let i = 0; i < 50 && !lost.aborted; i++) await sleep(50);
        return lost.reason as unknown;
      },
      (err) => lostReports.push(err.message),
    );
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect((reason as Error).message).toMatch(/lost to host-b:1:b/);
    expect(lostReports).toHaveLength(1);
    expect(a.isHeld).toBe(false);
  });

  it("a renewal that races another holder's write (between its read and its overwrite) gives the lease up", async () => {
    h = await startHarness();
    const gw = h.gateway();
    const a = new Lease(gw, "race", "host-a:1:a", 60_000);
    await a.acquire();
    // Parameter Store has no compare-and-set: the other holder writes right after our read.
    const call = gw.call.bind(gw);
    let raced = false;
    gw.call = (async (operation: string, input: Record<string, unknown>, service?: string) => {
      const out = await call(operation, input, service as never);
      if (operation === "GetParameter" && !raced) {
        raced = true;
        const other = { holder: "host-b:1:b", acquiredAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
        await h!.sdk.send(new PutParameterCommand({ Name: leaseParameterName("race"), Value: JSON.stringify(other), Type: "String", Overwrite: true }));
      }
      return out;
    }) as typeof gw.call;
    await expect(a.renew()).rejects.toThrow(/another holder wrote it while it was being renewed \(version 1 read, 3 written\)/);
    expect(a.isHeld).toBe(false);
  });

  it("an apply whose lease is taken mid-way stops before its next call and says why", async () => {
    h = await startHarness({ latencyMs: 150 });
    const loaded = await loadDesiredState("examples/walkthrough");
    const prepared = await prepareState(loaded.state!, relaxedPoliciesDir());
    const ready = prepared.ok ? prepared.prepared : prepared.denied;
    const lease = new Lease(h.gateway(), loaded.state!.config.owner, "host-a:1:a", 450);
    await lease.acquire();
    let stolen = false;
    let leaseSignal: AbortSignal | undefined;
    const outcome = await reconcilePrepared(ready!, {
      gateway: h.gateway(),
      region: REGION,
      mode: "apply",
      deleteGuard: { maxDeletePercent: 100, allowMassDelete: true },
      lease: (fn) =>
        lease.keepWhile((signal) => {
          leaseSignal = signal;
          return fn(signal);
        }),
      // After the first write, another holder takes the lease (and keeps writing it, as a holder
      // renews), and this part waits (at most 10 s) until the keep-alive has noticed: the changes of
      // the later phases must then be stopped. Waiting makes the test independent of how fast the
      // rest of the apply would otherwise run.
      afterWrite: async () => {
        if (stolen) return;
        stolen = true;
        for (let i = 0; i < 100 && !leaseSignal?.aborted; i++) {
          const other = { holder: "host-b:1:b", acquiredAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
          await h!.sdk.send(new PutParameterCommand({ Name: leaseParameterName(loaded.state!.config.owner), Value: JSON.stringify(other), Type: "String", Overwrite: true }));
          await sleep(100);
        }
      },
    });
    expect(leaseSignal?.aborted).toBe(true);
    const outcomes = outcome.result!.outcomes;
    const applied = outcomes.filter((o) => o.status === "applied").length;
    const stopped = outcomes.filter((o) => o.status === "failed" && /interrupted before this call: the write lease was lost/.test(o.error ?? ""));
    expect(applied).toBeGreaterThan(0);
    expect(stopped.length).toBeGreaterThan(0);
    // Nothing was written after the lease was lost: the endpoint holds only what was applied.
  }, 120_000);
});
