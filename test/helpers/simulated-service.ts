import type { Clock } from "../../src/aws/rate-learner.js";
import { Pacer, RateLearner } from "../../src/aws/rate-learner.js";

/**
 * A fake clock: time moves only when `run` fires the next timer, so a simulation of minutes
 * runs in milliseconds and gives the same result every time.
 */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fire: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, fire: resolve });
    });
  }

  /** Lets `ms` pass with nothing to do (timers due meanwhile fire). */
  async idle(ms: number): Promise<void> {
    let over = false;
    void this.sleep(ms).then(() => (over = true));
    await this.run(() => over);
  }

  /** Fires timers in time order, letting promise callbacks run between them, until `done` or no timer is left. */
  async run(done: () => boolean): Promise<void> {
    await settle();
    while (!done() && this.timers.length > 0) {
      let next = 0;
      for (let i = 1; i < this.timers.length; i++) {
        const a = this.timers[i]!;
        const b = this.timers[next]!;
        if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) next = i;
      }
      const [timer] = this.timers.splice(next, 1);
      this.t = Math.max(this.t, timer!.at);
      timer!.fire();
      await settle();
    }
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A deterministic pseudo-random source (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A service that throttles as the local endpoint (and AWS) do: a token bucket of `rate` tokens a
 * second holding at most `burst` (default one second's worth), full at the start.
 */
export class SimulatedService {
  private tokens: number;
  private at: number;
  accepted = 0;
  throttled = 0;

  /** A share (0..1) of attempts throttled at random, whatever the rate (a throttling storm). */
  stormShare = 0;
  private readonly random = seeded(7);

  constructor(
    private readonly clock: FakeClock,
    public rate: number,
    private readonly burst = rate,
    private readonly latencyMs = 20,
  ) {
    this.tokens = burst;
    this.at = clock.now();
  }

  /** One attempt: true if accepted, false if throttled (answered after the latency). */
  async call(): Promise<boolean> {
    await this.clock.sleep(this.latencyMs);
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1 || (this.stormShare > 0 && this.random() < this.stormShare)) {
      this.throttled++;
      return false;
    }
    this.tokens -= 1;
    this.accepted++;
    return true;
  }
}

export interface RunResult {
  /** Virtual milliseconds from the first call to the last answer. */
  wallMs: number;
  accepted: number;
  throttled: number;
}

/**
 * `calls` calls from `workers` concurrent callers through a pacer at the learner's rate; a throttled
 * attempt is retried after the SDK's backoff for throttling (uniform up to 1 s × 2^retry), as the
 * gateway's middleware sees it.
 */
export async function runWorkload(clock: FakeClock, service: SimulatedService, learner: RateLearner, opts: { calls: number; workers?: number; seed?: number }): Promise<RunResult> {
  const random = seeded(opts.seed ?? 1);
  const pacer = new Pacer(() => learner.rate, clock);
  const accepted0 = service.accepted;
  const throttled0 = service.throttled;
  const t0 = clock.now();
  let next = 0;
  let finished = 0;
  const workers = Math.min(opts.workers ?? 32, opts.calls);
  const worker = async (): Promise<void> => {
    while (next < opts.calls) {
      next++;
      for (let retry = 0; ; retry++) {
        const paced = await pacer.take();
        const sentAt = clock.now();
        if (await service.call()) {
          learner.accepted(clock.now(), paced);
          break;
        }
        learner.throttled(clock.now(), sentAt);
        await clock.sleep(Math.floor(random() * Math.min(20_000, 1000 * 2 ** retry)));
      }
    }
    finished++;
  };
  for (let i = 0; i < workers; i++) void worker();
  await clock.run(() => finished === workers);
  return { wallMs: clock.now() - t0, accepted: service.accepted - accepted0, throttled: service.throttled - throttled0 };
}
