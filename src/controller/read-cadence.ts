import type { AwsGateway } from "../aws/gateway.js";
import type { ActualState, ReadOptions, SnapshotSource } from "../reconciler/read-actual.js";
import { listingsUnchanged, readActualState } from "../reconciler/read-actual.js";

/** What /status shows of the cadence. */
export interface ReadCadenceStatus {
  resyncEvery: number;
  /** The last cycle's read: "full", or "cheap" (only the list calls; the last full snapshot stood). */
  lastRead?: "full" | "cheap";
  lastFullReadAt?: string;
  /** Cycles since the last full read (0: the last cycle read in full). */
  cyclesSinceFull: number;
}

/**
 * The controller's reads: a full read every `resyncEvery` cycles, and in between cheap reads (the
 * list calls only) that keep the last full snapshot when the lists show nothing moved. A full read
 * is due at the first cycle, after `resyncEvery - 1` cheap ones, when the read's scope changes (a new
 * commit names other resources), after anything was applied or a cycle failed (`invalidate`), and
 * whenever a cheap read shows a change. A reused snapshot only ever concludes "nothing to do": the
 * engine plans changes to apply from a full read (ReconcileRequest.snapshots).
 */
export class ReadCadence implements SnapshotSource {
  private last?: { state: ActualState; scope: string };
  private cyclesSinceFull = 0;
  private lastRead?: "full" | "cheap";
  private lastFullAt?: Date;

  constructor(readonly resyncEvery: number) {
    if (!Number.isInteger(resyncEvery) || resyncEvery < 1) throw new Error("resyncEvery must be a whole number of cycles, at least 1");
  }

  async read(gw: AwsGateway, opts: ReadOptions): Promise<{ state: ActualState; reused: boolean }> {
    const last = this.last;
    const due = !last || last.scope !== scopeOf(opts) || this.cyclesSinceFull + 1 >= this.resyncEvery;
    if (!due && (await listingsUnchanged(gw, opts, last.state))) {
      this.cyclesSinceFull++;
      this.lastRead = "cheap";
      return { state: last.state, reused: true };
    }
    return { state: await this.readFull(gw, opts), reused: false };
  }

  async readFull(gw: AwsGateway, opts: ReadOptions): Promise<ActualState> {
    this.last = undefined; // a full read that fails leaves nothing to reuse
    const state = await readActualState(gw, opts);
    this.last = { state, scope: scopeOf(opts) };
    this.cyclesSinceFull = 0;
    this.lastRead = "full";
    this.lastFullAt = new Date();
    return state;
  }

  /** Something was applied, or the cycle failed: the last snapshot no longer stands, the next read is full. */
  invalidate(): void {
    this.last = undefined;
  }

  get lastReadKind(): "full" | "cheap" | undefined {
    return this.lastRead;
  }

  get lastFullReadAt(): Date | undefined {
    return this.lastFullAt;
  }

  status(): ReadCadenceStatus {
    return { resyncEvery: this.resyncEvery, lastRead: this.lastRead, lastFullReadAt: this.lastFullAt?.toISOString(), cyclesSinceFull: this.cyclesSinceFull };
  }
}

/** What a snapshot was read for: the owner and the desired names (another set, another read). */
function scopeOf(opts: ReadOptions): string {
  const names = Object.entries(opts.desiredNames)
    .map(([k, v]) => [k, [...(v ?? [])].sort()] as const)
    .sort((a, b) => a[0].localeCompare(b[0]));
  return JSON.stringify([opts.owner, names]);
}
