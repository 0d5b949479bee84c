/**
 * Client-side pacing that learns the rate a service allows.
 *
 * AWS publishes no rate limits for Systems Manager's APIs, and they differ per account and
 * region (and shrink when other tools use the same account). A `RateLearner` finds the rate from
 * the service's answers: every attempt that is not throttled took one of the service's tokens,
 * and a throttled attempt means the service's bucket was empty at that moment. Between two moments
 * the bucket was empty, the attempts the service accepted are what it refilled: their count over
 * the time between is the service's rate (a lower bound if the bucket overflowed in between, which
 * only happens when patchctl sent less than it could). The learner then paces just under that
 * rate, creeps back up to it, and measures again at the next throttle.
 *
 * The learner is pure logic over timestamps (milliseconds on any monotonic clock); the `Pacer`
 * makes callers wait their turn at the learner's current rate. Both take a `Clock` so tests run
 * them on a fake one.
 */

/** Time for the pacer: the real one in the gateway, a fake one in tests. */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket that makes callers wait their turn: `rate` calls a second (a number, or read
 * from a function before every wait, so a learner can change it). It starts empty and saves up at
 * most a tenth of a second, so a fresh client never bursts into a server-side bucket that other
 * clients of the same account have already drained.
 */
export class Pacer {
  private tokens = 0;
  private last: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly rateOf: () => number;

  constructor(rate: number | (() => number), private readonly clock: Clock = systemClock) {
    this.rateOf = typeof rate === "number" ? () => rate : rate;
    this.last = clock.now();
  }

  /** Resolves when the caller may send; to `true` if it had to wait for a token (the pacer, not the caller, set the pace). */
  take(): Promise<boolean> {
    const turn = this.queue.then(async () => {
      let waited = false;
      for (;;) {
        const rate = this.rateOf();
        const now = this.clock.now();
        this.tokens = Math.min(Math.max(1, rate / 10), this.tokens + ((now - this.last) / 1000) * rate);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return waited;
        }
        waited = true;
        await this.clock.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / rate) * 1000)));
      }
    });
    this.queue = turn;
    return turn;
  }
}

export interface RateLearnerOptions {
  /** --max-tps: never faster than this. The learner starts here and only goes below it when throttled. */
  ceiling?: number;
  /** Where a learner without a ceiling starts, in calls a second. */
  initialRate?: number;
}

/**
 * What the learner is doing: `search` grows fast until the first throttle, `settle` grows more slowly after
 * a throttle that measured nothing, `probe` paces just under a measured limit and creeps back up to it and
 * past it, `ceiling` sends at --max-tps and has not been throttled.
 */
export type RatePhase = "search" | "settle" | "probe" | "ceiling";

export interface RateSnapshot {
  /** The rate calls are paced at now, in calls a second. */
  rate: number;
  /** The service's rate as last measured between throttled attempts (undefined until measured). */
  limit?: number;
  phase: RatePhase;
  /** Attempts the service accepted (answered with anything but throttling). */
  accepted: number;
  /** Attempts the service throttled (each one retried by the SDK, or surfaced when retries ran out). */
  throttled: number;
  /** Times the learner lowered its rate. */
  decreases: number;
}

/** Where a learner without --max-tps starts: SSM's lowest API quotas are in this range. */
export const INITIAL_RATE = 20;
/** No learner goes below this (a call every two seconds). */
export const MIN_RATE = 0.5;
/**
 * Before the first throttle, the rate doubles every second of saturated sending (it grows by ln 2 per
 * accepted call): exponential in time, so a service's burst allowance is overrun by a bounded factor.
 */
const SEARCH_STEP = Math.log(2);
/**
 * After a throttle that measured nothing: × 1.5 a second of saturated sending, but at most × 1.5 per SETTLE_CALLS
 * accepted calls (at low rates), until the next throttle measures the rate with enough calls before it.
 */
const SETTLE_STEP = Math.log(1.5);
const SETTLE_CALLS = 50;
/** On a throttle that measured nothing: rate × this, or × KNOWN_BACKOFF (and under the limit) once one was measured. */
const BACKOFF = 0.5;
const KNOWN_BACKOFF = 0.8;
/**
 * At most this many decreases in a row that measured nothing (÷ 8 from the search's overshoot, × 0.5 from a
 * known limit). Then the rate holds, without growing, until a measurement or MIN_SAMPLE_CALLS accepted calls in a row.
 */
const MAX_BLIND_CUTS = 3;
/** A throttle past the limit at more than this × the window's measurement means the window measured an overflowing bucket. */
const STALE_GAP = 1.5;
/** After a measurement, pace this far under it. */
export const MARGIN = 0.05;
/**
 * Accepted calls to creep from (1 − MARGIN) × limit back to the limit; past it the step doubles every
 * quarter of this, so a larger quota is found again. About one throttle per 2 × this many calls.
 */
export const PROBE_CALLS = 400;
/** A measurement needs this many accepted calls between two throttles ... */
export const MIN_SAMPLE_CALLS = 30;
/** ... over at least this long (ms). */
const MIN_SAMPLE_MS = 500;
/** A pause in answers this long (ms; or four calls' time at the current rate, if longer) lets the service's bucket refill: earlier throttles no longer measure anything. */
const IDLE_MS = 1_000;
const MAX_ANCHORS = 64;

/** A throttled attempt: the service's bucket was empty at `at`. */
interface Anchor {
  at: number;
  /** Accepted attempts counted when it was answered. */
  accepted: number;
}

/**
 * Learns the rate a service allows one client, from its answers (see the module comment): a measurement and a
 * decrease on throttling, additive increase back to the measured limit and past it, so a larger quota is found
 * again. Lives as long as its client: a controller's later cycles start at the rate learnt.
 */
export class RateLearner {
  private current: number;
  private limit?: number;
  private phase: RatePhase;
  private readonly ceiling?: number;
  private acceptedCount = 0;
  private throttledCount = 0;
  private decreases = 0;
  /** Throttled attempts, newest last. */
  private anchors: Anchor[] = [];
  /** Attempts sent before this moment were in flight when the rate last went down: their throttles are the same event. */
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private lastAnswerAt = Number.NEGATIVE_INFINITY;
  /** Accepted count at the last throttle. */
  private acceptedAtThrottle = 0;
  /** Decreases in a row without a measurement. */
  private blindCuts = 0;
  /** Accepted paced calls since the probe passed the measured limit. */
  private callsPastLimit = 0;

  constructor(options: RateLearnerOptions = {}) {
    if (options.ceiling !== undefined && !(options.ceiling > 0)) throw new Error(`ceiling must be positive (got ${options.ceiling})`);
    this.ceiling = options.ceiling;
    this.current = this.cap(options.ceiling ?? options.initialRate ?? INITIAL_RATE);
    this.phase = options.ceiling !== undefined ? "ceiling" : "search";
  }

  /** The rate to pace at now, in calls a second. */
  get rate(): number {
    return this.current;
  }

  /**
   * The service answered an attempt with anything but throttling (it took one of its tokens).
   * `paced`: the attempt had waited for the pacer, so the pacer, not the caller, was the limit and
   * a faster rate would have been used.
   */
  accepted(at: number, paced: boolean): void {
    this.noteAnswer(at);
    this.acceptedCount++;
    if (this.blindCuts >= MAX_BLIND_CUTS) {
      // Holding after blind decreases: only a run of accepted calls (or a measurement) lets the rate grow again.
      if (this.acceptedCount - this.acceptedAtThrottle < MIN_SAMPLE_CALLS) return;
      this.blindCuts = 0;
    }
    if (!paced) return;
    const r = this.current;
    switch (this.phase) {
      case "ceiling":
        return;
      case "search":
        this.current = this.cap(r + SEARCH_STEP);
        return;
      case "settle":
        this.current = this.cap(r + SETTLE_STEP * Math.min(1, r / SETTLE_CALLS));
        return;
      case "probe": {
        const limit = this.limit!;
        const step = (MARGIN * limit) / PROBE_CALLS;
        if (r < limit) {
          this.current = this.cap(r + step);
        } else {
          // Past the limit without a throttle: the quota may have grown. The step doubles every PROBE_CALLS / 4 calls
          // (twice the limit after about 1.5 × PROBE_CALLS), and a burst allowance of a second's worth is used up
          // before the rate is about a third past the limit.
          this.callsPastLimit++;
          this.current = this.cap(r + step * 2 ** ((4 * this.callsPastLimit) / PROBE_CALLS));
        }
        return;
      }
    }
  }

  /** The service throttled an attempt sent at `sentAt`, answered at `at`. */
  throttled(at: number, sentAt: number): void {
    this.noteAnswer(at);
    this.throttledCount++;
    // Attempts sent before the last decrease are the same event: they were in flight at the old rate.
    if (sentAt >= this.lastCutAt) this.react(at);
    this.anchors.push({ at, accepted: this.acceptedCount });
    if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
    this.acceptedAtThrottle = this.acceptedCount;
  }

  snapshot(): RateSnapshot {
    return { rate: this.current, limit: this.limit, phase: this.phase, accepted: this.acceptedCount, throttled: this.throttledCount, decreases: this.decreases };
  }

  private react(at: number): void {
    const measured = this.measure(at);
    if (measured !== undefined && this.phase === "probe" && this.callsPastLimit > 0 && this.current > STALE_GAP * measured) {
      // Throttled far above what the window measured: the service's bucket overflowed in the window (the rate
      // was well under the service's for a while, as when a quota grows), so it measured too little. This
      // throttle starts a fresh window; back off from here as on a first throttle.
      this.anchors = [];
      this.blindCuts = 0;
      this.limit = undefined;
      this.phase = "settle";
      this.lower(at, this.current * BACKOFF);
      return;
    }
    if (measured !== undefined) {
      this.blindCuts = 0;
      this.limit = measured;
      this.phase = "probe";
      this.callsPastLimit = 0;
      this.lower(at, (1 - MARGIN) * measured);
      return;
    }
    if (this.blindCuts >= MAX_BLIND_CUTS) return;
    this.blindCuts++;
    if (this.limit !== undefined) {
      // Nothing measured (the first throttle after a pause: the service's bucket had refilled and the probe ran
      // past the limit on it; or a quota that shrank), but a limit was measured before: back under it, and creep up again.
      this.phase = "probe";
      this.callsPastLimit = 0;
      this.lower(at, Math.min(this.current * KNOWN_BACKOFF, (1 - MARGIN) * this.limit));
    } else {
      // Nothing measured yet (the first throttle): halve, then grow until the next throttle measures the rate.
      this.phase = "settle";
      this.lower(at, this.current * BACKOFF);
    }
  }

  private lower(at: number, rate: number): void {
    this.current = this.cap(Math.max(MIN_RATE, rate));
    this.decreases++;
    this.lastCutAt = at;
  }

  /** The service's rate between the newest earlier throttle with enough accepted calls since, and now. */
  private measure(at: number): number | undefined {
    for (let i = this.anchors.length - 1; i >= 0; i--) {
      const a = this.anchors[i]!;
      const calls = this.acceptedCount - a.accepted;
      if (calls >= MIN_SAMPLE_CALLS && at - a.at >= MIN_SAMPLE_MS) return (calls * 1000) / (at - a.at);
    }
    return undefined;
  }

  private noteAnswer(at: number): void {
    if (at - this.lastAnswerAt > Math.max(IDLE_MS, 4000 / this.current)) {
      // The service's bucket has refilled meanwhile: earlier throttles measure nothing now, and blind decreases start over.
      this.anchors = [];
      this.blindCuts = 0;
    }
    this.lastAnswerAt = at;
  }

  private cap(rate: number): number {
    return this.ceiling !== undefined ? Math.min(this.ceiling, rate) : rate;
  }
}
