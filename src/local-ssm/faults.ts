import { AwsError, internalError } from "./errors.js";

/** Fault and load knobs for tests and benchmarks. */
export interface FaultOptions {
  /** Added to every AWS call, in milliseconds. */
  latencyMs: number;
  /** Calls per second per account and region (token bucket, bursts up to one second's worth); 0 = unlimited. */
  tps: number;
  /** Fraction (0..1) of calls answered InternalServerError (HTTP 500), before they run. */
  failRate: number;
  /** Fraction (0..1) of calls answered ThrottlingException at random, on top of tps (a throttling storm). */
  throttleRate: number;
}

class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly rate: number, now: number) {
    this.tokens = rate;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Faults {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly opts: FaultOptions,
    private readonly random: () => number = Math.random,
  ) {}

  async delay(): Promise<void> {
    if (this.opts.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.opts.latencyMs));
  }

  /** Throws ThrottlingException ("Rate exceeded") or InternalServerError as the knobs say; `partition` is account/region. */
  check(partition: string): void {
    if (this.opts.tps > 0) {
      const now = Date.now();
      let bucket = this.buckets.get(partition);
      if (!bucket) {
        bucket = new TokenBucket(this.opts.tps, now);
        this.buckets.set(partition, bucket);
      }
      if (!bucket.take(now)) throw new AwsError("ThrottlingException", "Rate exceeded");
    }
    if (this.opts.throttleRate > 0 && this.random() < this.opts.throttleRate) throw new AwsError("ThrottlingException", "Rate exceeded");
    if (this.opts.failRate > 0 && this.random() < this.opts.failRate) throw internalError("An internal error occurred (injected by --fail-rate).");
  }
}
