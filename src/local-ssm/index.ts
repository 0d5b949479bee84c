import type { AddressInfo } from "node:net";
import type { Fleet } from "./fleet.js";
import { EMPTY_FLEET, loadFleet } from "./fleet.js";
import type { LocalStats } from "./server.js";
import { createLocalServer } from "./server.js";
import { Store } from "./store.js";

export type { LocalStats };

export interface LocalSsmOptions {
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** Persist every acknowledged mutation here (atomic write-and-rename). */
  dataFile?: string;
  /** Simulated managed instances and window executions (YAML or JSON). */
  fleetFile?: string;
  latencyMs?: number;
  tps?: number;
  failRate?: number;
  /** Fraction of calls throttled at random (a throttling storm), on top of tps. */
  throttleRate?: number;
  accountId?: string;
}

export interface LocalSsm {
  url: string;
  port: number;
  stats(): LocalStats;
  resetStats(): void;
  close(): Promise<void>;
}

/** Starts a local SSM endpoint (AWS JSON 1.1 over HTTP) in this process. */
export async function startLocalSsm(opts: LocalSsmOptions = {}): Promise<LocalSsm> {
  const store = new Store(opts.dataFile);
  const fleet: Fleet = opts.fleetFile ? loadFleet(opts.fleetFile) : EMPTY_FLEET;
  const { server, stats, resetStats } = createLocalServer({
    store,
    fleet,
    latencyMs: opts.latencyMs ?? 0,
    tps: opts.tps ?? 0,
    failRate: opts.failRate ?? 0,
    throttleRate: opts.throttleRate ?? 0,
    defaultAccount: opts.accountId ?? "000000000000",
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  server.keepAliveTimeout = 5000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
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
