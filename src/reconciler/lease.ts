import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { AwsGateway } from "../aws/gateway.js";

/**
 * One writer per owner, account and region: a lease held in SSM Parameter Store.
 * The parameter lives in the account and region the client talks to, so the name
 * only needs the owner.
 *
 * - acquire: PutParameter without Overwrite (create-if-absent). If it exists and has
 *   expired, it is deleted and created again without Overwrite, so of two contenders
 *   exactly one wins.
 * - renew: overwritten with a new expiry while we still hold it.
 * - release: deleted if we still hold it.
 */
export interface LeaseRecord {
  holder: string;
  expiresAt: string;
  acquiredAt: string;
}

export function leaseParameterName(owner: string): string {
  return `/patchctl/lease/${owner.replace(/[^a-zA-Z0-9_.\-/]/g, "_")}`;
}

export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * A holder on this very host whose process is gone (kill -9, crash) cannot renew:
 * its lease is as good as expired. Holders on other hosts are trusted until expiry.
 */
export function holderIsDeadHere(holder: string): boolean {
  const [host, pidText] = holder.split(":");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export class LeaseHeldError extends Error {
  constructor(readonly record: LeaseRecord) {
    super(`another patchctl (${record.holder}) holds the write lease until ${record.expiresAt}`);
    this.name = "LeaseHeldError";
  }
}

/** The lease was taken by another holder (or could not be renewed in time) while this one worked under it. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LeaseLostError";
  }
}

export class Lease {
  private held = false;
  constructor(
    private readonly gw: AwsGateway,
    readonly owner: string,
    readonly holder: string = newHolderId(),
    private readonly ttlMs = 120_000,
    private readonly now: () => number = Date.now,
  ) {}

  get name(): string {
    return leaseParameterName(this.owner);
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** How long a written lease lasts without a renewal. */
  get ttl(): number {
    return this.ttlMs;
  }

  private record(): LeaseRecord {
    const now = this.now();
    return { holder: this.holder, acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + this.ttlMs).toISOString() };
  }

  /** Writes our record; false when it exists and overwrite is off. The version written, when the service names it. */
  private async put(overwrite: boolean): Promise<false | { version?: number }> {
    try {
      const out = await this.gw.call<{ Version?: number }>("PutParameter", { Name: this.name, Value: JSON.stringify(this.record()), Type: "String", Overwrite: overwrite, Description: "patchctl write lease" });
      return { version: out?.Version };
    } catch (err) {
      if (err instanceof Error && err.name === "ParameterAlreadyExists") return false;
      throw err;
    }
  }

  async read(): Promise<LeaseRecord | undefined> {
    return (await this.readVersioned())?.record;
  }

  private async readVersioned(): Promise<{ record: LeaseRecord; version?: number } | undefined> {
    try {
      const out = await this.gw.call<{ Parameter?: { Value?: string; Version?: number } }>("GetParameter", { Name: this.name });
      return { record: JSON.parse(out.Parameter?.Value ?? "{}") as LeaseRecord, version: out.Parameter?.Version };
    } catch (err) {
      if (err instanceof Error && err.name === "ParameterNotFound") return undefined;
      throw err;
    }
  }

  /** Takes the lease, or throws LeaseHeldError naming the current holder. */
  async acquire(): Promise<void> {
    if (await this.put(false)) {
      this.held = true;
      return;
    }
    const current = await this.read();
    if (current && current.holder === this.holder) {
      await this.put(true);
      this.held = true;
      return;
    }
    if (current && Date.parse(current.expiresAt) > this.now() && !holderIsDeadHere(current.holder)) throw new LeaseHeldError(current);
    // Expired, held by a dead process on this host, or unreadable: delete, then create-if-absent, so only one contender wins.
    try {
      await this.gw.call("DeleteParameter", { Name: this.name });
    } catch (err) {
      if (!(err instanceof Error && err.name === "ParameterNotFound")) throw err;
    }
    if (await this.put(false)) {
      this.held = true;
      return;
    }
    const winner = await this.read();
    throw new LeaseHeldError(winner ?? { holder: "unknown", expiresAt: "unknown", acquiredAt: "unknown" });
  }

  /** Waits (polling) until the lease can be taken or `timeoutMs` passes. */
  async acquireWaiting(timeoutMs: number, pollMs = 2000, onWait?: (r: LeaseRecord) => void): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      try {
        await this.acquire();
        return;
      } catch (err) {
        if (!(err instanceof LeaseHeldError) || this.now() + pollMs > deadline) throw err;
        onWait?.(err.record);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  }

  /**
   * Parameter Store has no compare-and-set, so a renewal is a read, then an overwrite. Someone who
   * wrote between the two (a contender taking a lease it saw expired) shows in the version: ours must
   * follow the one we read. If it does not, we cannot know who holds the lease, so we stop as if it
   * were lost: two writers that both stop are safe, two that both go on are not.
   */
  async renew(): Promise<void> {
    const current = await this.readVersioned();
    if (!current || current.record.holder !== this.holder) {
      this.held = false;
      throw new Error(`the write lease was lost${current ? ` to ${current.record.holder}` : ""}`);
    }
    const written = await this.put(true);
    if (written && current.version !== undefined && written.version !== undefined && written.version !== current.version + 1) {
      this.held = false;
      throw new Error(`the write lease was lost: another holder wrote it while it was being renewed (version ${current.version} read, ${written.version} written)`);
    }
  }

  /**
   * Runs `fn` while renewing the held lease every third of its TTL, so that a run longer than the
   * TTL (a slow apply, a starved process) never lets the lease expire under it. When a renewal finds
   * the lease taken by another holder, or renewals keep failing until the last good one is two
   * thirds of a TTL old (it may expire before the next), the signal given to `fn` is aborted with a
   * LeaseLostError: an apply stops before its next call, so two writers never interleave.
   */
  async keepWhile<T>(fn: (signal: AbortSignal) => Promise<T>, onLost?: (err: LeaseLostError) => void): Promise<T> {
    const lost = new AbortController();
    const every = Math.max(1, Math.floor(this.ttlMs / 3));
    let lastRenewed = this.now();
    let renewing = false;
    const timer = setInterval(() => {
      if (renewing || lost.signal.aborted) return;
      renewing = true;
      this.renew()
        .then(() => {
          lastRenewed = this.now();
        })
        .catch((err: unknown) => {
          const taken = !this.held;
          if (!taken && this.now() - lastRenewed < (2 * this.ttlMs) / 3) return; // a transient failure: the next tick retries
          this.held = false;
          const error = new LeaseLostError(taken ? (err instanceof Error ? err.message : String(err)) : `the write lease could not be renewed for ${Math.round((this.now() - lastRenewed) / 1000)} s and may expire: ${err instanceof Error ? err.message : String(err)}`);
          lost.abort(error);
          onLost?.(error);
        })
        .finally(() => {
          renewing = false;
        });
    }, every);
    timer.unref?.();
    try {
      return await fn(lost.signal);
    } finally {
      clearInterval(timer);
    }
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const current = await this.read();
    if (current?.holder !== this.holder) return;
    try {
      await this.gw.call("DeleteParameter", { Name: this.name });
    } catch (err) {
      if (!(err instanceof Error && err.name === "ParameterNotFound")) throw err;
    }
  }
}
