import { describe, expect, it } from "vitest";
import { INITIAL_RATE, MARGIN, MIN_SAMPLE_CALLS, Pacer, RateLearner } from "../../src/aws/rate-learner.js";
import { FakeClock, SimulatedService, runWorkload } from "../helpers/simulated-service.js";

// The rate learner's logic, on explicit timestamps and a fake clock: deterministic, no real time.
// Rates and counts are asserted, never durations.

/** `n` accepted, paced calls spread evenly from `from` over `ms`; returns the time of the last. */
function accept(l: RateLearner, n: number, from: number, ms: number, paced = true): number {
  let at = from;
  for (let i = 1; i <= n; i++) {
    at = from + (ms * i) / n;
    l.accepted(at, paced);
  }
  return at;
}

describe("RateLearner", () => {
  it("starts at INITIAL_RATE and grows only while the pacer sets the pace", () => {
    const l = new RateLearner();
    expect(l.rate).toBe(INITIAL_RATE);
    accept(l, 100, 0, 5000, false);
    expect(l.rate).toBe(INITIAL_RATE); // the caller, not the pacer, was the limit: nothing learnt
    accept(l, 20, 5000, 1000);
    expect(l.rate).toBeGreaterThan(INITIAL_RATE * 1.5); // about × 2 per second of saturated sending
    expect(l.snapshot().phase).toBe("search");
  });

  it("halves on the first throttle; throttles of attempts already in flight are the same event", () => {
    const l = new RateLearner({ initialRate: 40 });
    l.throttled(1000, 990);
    expect(l.rate).toBe(20);
    l.throttled(1005, 995); // sent before the decrease
    l.throttled(1010, 999);
    expect(l.rate).toBe(20);
    expect(l.snapshot()).toMatchObject({ phase: "settle", throttled: 3, decreases: 1 });
  });

  it("measures the service's rate between two throttles and paces just under it", () => {
    const l = new RateLearner({ initialRate: 60 });
    l.throttled(1000, 990); // the service's bucket is empty now
    // 100 calls accepted over the next 2 s, then another throttle: the bucket refilled 100 tokens in 2 s.
    const last = accept(l, 100, 1000, 2000);
    l.throttled(last, last - 10);
    const s = l.snapshot();
    expect(s.limit).toBeCloseTo(50, 5);
    expect(s.rate).toBeCloseTo((1 - MARGIN) * 50, 5);
    expect(s.phase).toBe("probe");
  });

  it("creeps back up to the measured limit, and past it when nothing throttles", () => {
    const l = new RateLearner({ initialRate: 60 });
    l.throttled(0, 0);
    let at = accept(l, 100, 0, 2000);
    l.throttled(at, at);
    const start = l.rate;
    at = accept(l, 200, at, 4000);
    expect(l.rate).toBeGreaterThan(start);
    expect(l.rate).toBeLessThan(50);
    at = accept(l, 2000, at, 40_000);
    expect(l.rate).toBeGreaterThan(50 * 1.5); // a larger quota is looked for
  });

  it("decreases at most three times in a row without a measurement, then holds until calls go through", () => {
    const l = new RateLearner({ initialRate: 80 });
    let at = 0;
    for (let i = 0; i < 10; i++) {
      at += 50;
      l.throttled(at, at); // each one sent after the previous decrease: a throttle every 50 ms, nothing to measure
    }
    expect(l.rate).toBe(10); // 80 → 40 → 20 → 10, then held
    expect(l.snapshot().decreases).toBe(3);
    accept(l, MIN_SAMPLE_CALLS - 5, at + 1, 1000);
    expect(l.rate).toBe(10); // held: no growth while throttles keep coming
    accept(l, 10, at + 1001, 500);
    expect(l.rate).toBeGreaterThan(10); // a run of calls without a throttle: growing again
  });

  it("a pause in calls forgets earlier throttles: no measurement across it", () => {
    const l = new RateLearner({ initialRate: 60 });
    l.throttled(0, 0);
    const at = accept(l, 100, 0, 2000);
    l.throttled(at, at);
    const limit = l.snapshot().limit!;
    // A controller's interval: the service's bucket refills. The next cycle's first throttle cannot be measured
    // against the last cycle's: back under the known limit instead.
    const next = accept(l, 50, at + 60_000, 1000);
    l.throttled(next, next);
    expect(l.snapshot().limit).toBe(limit);
    expect(l.rate).toBeLessThanOrEqual((1 - MARGIN) * limit);
  });

  it("with a ceiling (--max-tps): starts there, never goes above, and comes back to it after throttling", () => {
    const l = new RateLearner({ ceiling: 30 });
    expect(l.rate).toBe(30);
    accept(l, 500, 0, 20_000);
    expect(l.rate).toBe(30);
    l.throttled(20_000, 20_000);
    expect(l.rate).toBe(15);
    accept(l, 3000, 20_001, 120_000);
    expect(l.rate).toBe(30);
    expect(() => new RateLearner({ ceiling: 0 })).toThrow(/ceiling must be positive/);
  });

  it("is remembered: a learner keeps its rate between runs", () => {
    const clock = new FakeClock();
    const svc = new SimulatedService(clock, 40);
    const l = new RateLearner();
    return runWorkload(clock, svc, l, { calls: 600 }).then(async () => {
      const after = l.snapshot();
      await clock.idle(60_000);
      expect(l.snapshot()).toEqual(after); // nothing decays while idle
    });
  });
});

describe("RateLearner against a simulated token-bucket service", () => {
  for (const rate of [10, 50, 100]) {
    it(`${rate} TPS: learns the rate within 5%, throttles ≤ 1% of attempts, fewer on the next run`, async () => {
      const clock = new FakeClock();
      const svc = new SimulatedService(clock, rate);
      const l = new RateLearner();
      const first = await runWorkload(clock, svc, l, { calls: 1308 });
      expect(first.accepted).toBe(1308);
      expect(first.throttled).toBeLessThanOrEqual(0.01 * (first.accepted + first.throttled));
      expect(l.snapshot().limit! / rate).toBeGreaterThan(0.95);
      expect(l.snapshot().limit! / rate).toBeLessThan(1.05);
      await clock.idle(30_000);
      const next = await runWorkload(clock, svc, l, { calls: 1308, seed: 2 });
      expect(next.throttled).toBeLessThanOrEqual(first.throttled);
      expect(next.throttled).toBeLessThanOrEqual(3);
    });
  }

  it("follows a quota that shrinks and one that grows", async () => {
    const clock = new FakeClock();
    const svc = new SimulatedService(clock, 50);
    const l = new RateLearner();
    await runWorkload(clock, svc, l, { calls: 1000 });
    svc.rate = 10; // another tool now takes most of the account's quota
    const shrunk = await runWorkload(clock, svc, l, { calls: 1000 });
    expect(shrunk.throttled).toBeLessThan(0.1 * shrunk.accepted);
    expect(l.snapshot().limit! / 10).toBeGreaterThan(0.9);
    expect(l.snapshot().limit! / 10).toBeLessThan(1.1);
    const settled = await runWorkload(clock, svc, l, { calls: 1000 });
    expect(settled.throttled).toBeLessThanOrEqual(3);
    svc.rate = 50; // and gives it back
    await runWorkload(clock, svc, l, { calls: 2000 });
    expect(l.rate / 50).toBeGreaterThan(0.85);
  });

  it("a service with almost no burst allowance: still ≤ 1% throttled (the rate measured is a lower bound)", async () => {
    const clock = new FakeClock();
    const svc = new SimulatedService(clock, 50, 2);
    const l = new RateLearner();
    const run = await runWorkload(clock, svc, l, { calls: 1308 });
    expect(run.throttled).toBeLessThanOrEqual(0.01 * (run.accepted + run.throttled));
    expect(l.snapshot().limit!).toBeLessThanOrEqual(50 * 1.02);
  });
});

describe("Pacer", () => {
  it("admits calls at the rate read before every wait, and says whether a caller waited", async () => {
    const clock = new FakeClock();
    let rate = 10;
    const pacer = new Pacer(() => rate, clock);
    const admitted: { at: number; waited: boolean }[] = [];
    const take = () => pacer.take().then((waited) => admitted.push({ at: clock.now(), waited }));
    for (let i = 0; i < 30; i++) void take();
    await clock.run(() => admitted.length === 30 || clock.now() > 1000);
    // Starts empty: about 10 in the first second, every one of them having waited.
    expect(admitted.filter((a) => a.at <= 1000).length).toBeGreaterThanOrEqual(9);
    expect(admitted.filter((a) => a.at <= 1000).length).toBeLessThanOrEqual(11);
    expect(admitted.every((a) => a.waited)).toBe(true);
    rate = 40;
    await clock.run(() => admitted.length === 30);
    // 20 in half a second at 40 (the caller asleep when the rate changed wakes at the old rate's time).
    expect(admitted.filter((a) => a.at > 1000 && a.at <= 1500).length).toBeGreaterThanOrEqual(16);
    // After a pause the bucket holds a tenth of a second's worth: those callers do not wait.
    await clock.idle(5000);
    const later: boolean[] = [];
    for (let i = 0; i < 6; i++) void pacer.take().then((w) => later.push(w));
    await clock.run(() => later.length === 6);
    expect(later.filter((w) => !w)).toHaveLength(4);
  });
});
