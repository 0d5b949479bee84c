import { parseArgs } from "node:util";
import { startLocalSsm } from "./index.js";

function num(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} must be a number from ${min} to ${max} (got '${value}')`);
  return n;
}

/** patchctl local-ssm [--host 127.0.0.1] [--port 4566] [--data FILE] [--fleet FILE] [--latency-ms N] [--tps N] [--fail-rate F] [--throttle-rate F] */
export async function runLocalSsmCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "4566" },
      data: { type: "string" },
      fleet: { type: "string" },
      "latency-ms": { type: "string" },
      tps: { type: "string" },
      "fail-rate": { type: "string" },
      "throttle-rate": { type: "string" },
      "account-id": { type: "string" },
    },
  });
  const server = await startLocalSsm({
    host: values.host,
    port: num("--port", values.port, 0, 65535),
    dataFile: values.data,
    fleetFile: values.fleet,
    latencyMs: num("--latency-ms", values["latency-ms"], 0, 60_000),
    tps: num("--tps", values.tps, 0, 1_000_000),
    failRate: num("--fail-rate", values["fail-rate"], 0, 1),
    throttleRate: num("--throttle-rate", values["throttle-rate"], 0, 1),
    accountId: values["account-id"],
  });
  process.stdout.write(`local SSM endpoint listening on ${server.url}${values.data ? ` (state in ${values.data})` : ""}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
  return 0;
}
