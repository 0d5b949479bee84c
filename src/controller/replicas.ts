import type { AwsGateway } from "../aws/gateway.js";
import { holderIsDeadHere } from "../reconciler/lease.js";

/**
 * Replicas of `watch` sharing the deployment-regions (docs/replicas.md).
 *
 * Each replica announces itself with a heartbeat parameter `/patchctl/replicas/<id>` in the
 * account and region of the first deployment-region (value: `{id, expiresAt}`, rewritten every
 * interval), counts the live ones under `/patchctl/replicas/` (GetParametersByPath), and lets its
 * controllers hold at most ⌈deployment-regions / live replicas⌉ write leases. The leases stay the
 * guarantee of one writer per deployment-region; the share only decides who tries to take them.
 */
export interface ReplicaHeartbeat {
  id: string;
  expiresAt: string;
}

/** hold: keep (renew) the lease held; release: give it back (over the share); try: the share has room, ask for the lease; standby: do nothing. */
export type ShareDecision = "hold" | "release" | "try" | "standby";

export function replicaParameterName(id: string): string {
  return `/patchctl/replicas/${id.replace(/[^a-zA-Z0-9_.\-]/g, "_")}`;
}

export function fairShare(deploymentRegions: number, live: number): number {
  return Math.ceil(deploymentRegions / Math.max(1, live));
}

export class ReplicaShare {
  private live = 1;
  /** Deployment-regions (keys) whose controllers hold or are taking their lease, in the order they took them. */
  private readonly claimed = new Set<string>();

  constructor(
    private readonly gw: AwsGateway,
    readonly id: string,
    private readonly keys: string[],
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live replicas counted at the last heartbeat, this one included. */
  get liveReplicas(): number {
    return this.live;
  }

  get share(): number {
    return fairShare(this.keys.length, this.live);
  }

  /** Writes this replica's heartbeat and counts the live replicas (this one included). */
  async heartbeat(): Promise<number> {
    const record: ReplicaHeartbeat = { id: this.id, expiresAt: new Date(this.now() + this.ttlMs).toISOString() };
    await this.gw.call("PutParameter", { Name: replicaParameterName(this.id), Value: JSON.stringify(record), Type: "String", Overwrite: true, Description: "patchctl watch replica heartbeat" });
    const ids = new Set<string>([this.id]);
    const stale: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.gw.call<{ Parameters?: { Name?: string; Value?: string }[]; NextToken?: string }>("GetParametersByPath", { Path: "/patchctl/replicas/", Recursive: false, MaxResults: 10, ...(token ? { NextToken: token } : {}) });
      for (const p of out.Parameters ?? []) {
        const hb = parseHeartbeat(p.Value);
        if (hb && Date.parse(hb.expiresAt) > this.now() && !holderIsDeadHere(hb.id)) ids.add(hb.id);
        else if (hb && p.Name && Date.parse(hb.expiresAt) + this.ttlMs < this.now()) stale.push(p.Name);
      }
      token = out.NextToken;
    } while (token);
    this.live = ids.size;
    // Heartbeats of replicas gone for more than a TTL (kill -9, a replaced task) are removed, so they do not pile up.
    for (const name of stale) await this.deleteIfPresent(name);
    return this.live;
  }

  /** Removes the heartbeat on a clean stop, so the others take the share at once. */
  async leave(): Promise<void> {
    await this.deleteIfPresent(replicaParameterName(this.id));
  }

  private async deleteIfPresent(name: string): Promise<void> {
    try {
      await this.gw.call("DeleteParameter", { Name: name });
    } catch (err) {
      if (!(err instanceof Error && err.name === "ParameterNotFound")) throw err;
    }
  }

  /**
   * At a cycle boundary: may the controller of `key` hold its lease? Synchronous, so two
   * controllers of this replica cannot both take the last place of the share. Only leases won take
   * a place: asking for one held by another replica does not, so the controllers of free leases are
   * not starved by those asking for held ones (bench scenario 8 stalled at 57 of 60 that way).
   */
  decide(key: string): ShareDecision {
    if (this.claimed.has(key)) {
      if (this.claimed.size <= this.share) return "hold";
      this.claimed.delete(key);
      return "release";
    }
    return this.claimed.size >= this.share ? "standby" : "try";
  }

  /** The lease of `key` was won: it takes a place, or false when the share filled meanwhile (the caller gives the lease back). */
  admit(key: string): boolean {
    if (this.claimed.has(key)) return true;
    if (this.claimed.size >= this.share) return false;
    this.claimed.add(key);
    return true;
  }

  /** The lease of `key` was lost or given back: its place in the share is free again. */
  drop(key: string): void {
    this.claimed.delete(key);
  }

  status(holding: string[]): { id: string; live: number; share: number; holding: string[] } {
    return { id: this.id, live: this.live, share: this.share, holding };
  }
}

function parseHeartbeat(value: string | undefined): ReplicaHeartbeat | undefined {
  try {
    const v = JSON.parse(value ?? "") as Partial<ReplicaHeartbeat>;
    return typeof v.id === "string" && typeof v.expiresAt === "string" ? { id: v.id, expiresAt: v.expiresAt } : undefined;
  } catch {
    return undefined;
  }
}
