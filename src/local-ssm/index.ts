import type { AddressInfo } from "node:net";
import type { ExtraPropertyValues } from "../catalog/patch-properties.js";
import { FleetSource } from "./fleet.js";
import { createLocalServer } from "./server.js";
import type { LocalStats } from "./stats.js";
import { Store } from "./store.js";

export type { LocalStats };

export interface LocalSsmOptions {
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** Persist every acknowledged mutation here (temp file, fsync, rename). */
  dataFile?: string;
  /** Simulated managed instances and window executions (YAML or JSON); read again whenever the file changes. */
  fleetFile?: string;
  /** Added to every AWS call. */
  latencyMs?: number;
  /** Calls per second per account and region; over it, ThrottlingException. */
  tps?: number;
  /** Fraction (0..1) of calls answered InternalServerError. */
  failRate?: number;
  /** Fraction (0..1) of calls throttled at random (a throttling storm), on top of tps. */
  throttleRate?: number;
  /** The account of callers whose access key names none (default 000000000000). */
  accountId?: string;
  /**
   * Test-only: patch property values this endpoint lists in DescribePatchProperties and accepts in
   * CreatePatchBaseline/UpdatePatchBaseline besides the shipped catalog's, as an account that knows a
   * product added after the catalog was built.
   */
  patchProperties?: readonly ExtraPropertyValues[];
  /** Test-only: SSM operations answered AccessDeniedException (a caller whose policy lacks them). */
  deniedOperations?: readonly string[];
}

export interface LocalSsm {
  url: string;
  port: number;
  stats(): LocalStats;
  resetStats(): void;
  close(): Promise<void>;
}

function fraction(name: string, v: number | undefined): number {
  const n = v ?? 0;
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`${name} must be between 0 and 1 (got ${String(v)})`);
  return n;
}

function nonNegative(name: string, v: number | undefined): number {
  const n = v ?? 0;
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0 (got ${String(v)})`);
  return n;
}

/** Starts a local Systems Manager (AWS JSON 1.1) and IAM (AWS Query) endpoint over HTTP in this process. */
export async function startLocalSsm(opts: LocalSsmOptions = {}): Promise<LocalSsm> {
  const accountId = opts.accountId ?? "000000000000";
  if (!/^\d{12}$/.test(accountId)) throw new Error(`accountId must be 12 digits (got '${accountId}')`);
  const fleet = new FleetSource(opts.fleetFile);
  const store = new Store(opts.dataFile);
  const { server, stats, resetStats } = createLocalServer({
    store,
    fleet,
    latencyMs: nonNegative("latencyMs", opts.latencyMs),
    tps: nonNegative("tps", opts.tps),
    failRate: fraction("failRate", opts.failRate),
    throttleRate: fraction("throttleRate", opts.throttleRate),
    defaultAccount: accountId,
    patchProperties: opts.patchProperties,
    deniedOperations: opts.deniedOperations,
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.keepAliveTimeout = 5000;
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats,
    resetStats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
