import { parseArgs } from "node:util";
import { startLocalSsm } from "./index.js";

const USAGE = "usage: patchctl local-ssm [--host 127.0.0.1] [--port 4566] [--data FILE] [--fleet FILE] [--latency-ms N] [--tps N] [--fail-rate F] [--throttle-rate F] [--account-id 000000000000]";

class UsageError extends Error {}

function num(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} must be a number from ${min} to ${max} (got '${value}')`);
  return n;
}

/**
 * patchctl local-ssm: serves a local Systems Manager until SIGINT or SIGTERM.
 * Prints "local SSM endpoint listening on <url>" once it accepts calls.
 * Exit codes: 0 after a signal, 2 for bad flags, 1 when it cannot start.
 */
export async function runLocalSsmCommand(argv: string[]): Promise<number> {
  let options: Parameters<typeof startLocalSsm>[0];
  let dataFile: string | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
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
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    dataFile = values.data;
    options = {
      host: values.host,
      port: num("--port", values.port, 0, 65535),
      dataFile,
      fleetFile: values.fleet,
      latencyMs: num("--latency-ms", values["latency-ms"], 0, 600_000),
      tps: num("--tps", values.tps, 0, 1_000_000),
      failRate: num("--fail-rate", values["fail-rate"], 0, 1),
      throttleRate: num("--throttle-rate", values["throttle-rate"], 0, 1),
      accountId: values["account-id"],
    };
  } catch (err) {
    process.stderr.write(`patchctl local-ssm: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  let server;
  try {
    server = await startLocalSsm(options);
  } catch (err) {
    process.stderr.write(`patchctl local-ssm: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  // Handlers first: whoever reads the line below may signal at once.
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  process.stdout.write(`local SSM endpoint listening on ${server.url}${dataFile ? ` (state in ${dataFile})` : ""}\n`);
  await stopped;
  await server.close();
  return 0;
}
