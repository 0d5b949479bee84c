/** What the endpoint has served, for tests and benchmarks (GET /_local/stats). */
export interface LocalStats {
  /** Calls by operation name, counted as they arrive (throttled and failed ones included). */
  calls: Record<string, number>;
  /** Error responses by error code. */
  errors: Record<string, number>;
  /** Calls answered ThrottlingException. */
  throttled: number;
  /** All calls. */
  total: number;
}

export class StatsCounter {
  private stats: LocalStats = StatsCounter.empty();

  private static empty(): LocalStats {
    return { calls: {}, errors: {}, throttled: 0, total: 0 };
  }

  call(operation: string): void {
    this.stats.total++;
    this.stats.calls[operation] = (this.stats.calls[operation] ?? 0) + 1;
  }

  error(code: string): void {
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
    if (code === "ThrottlingException") this.stats.throttled++;
  }

  snapshot(): LocalStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.stats = StatsCounter.empty();
  }
}
