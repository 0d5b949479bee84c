import type { DeploymentState, DesiredState } from "../desired/load.js";
import { stateForDeployment } from "../desired/load.js";
import { mapLimit } from "../util/limit.js";
import type { Connection, ConnectionFlags } from "./connection.js";
import { connectDeployment } from "./connection.js";
import type { Io, OutputFormat } from "./output.js";
import { EXIT, UsageError } from "./output.js";

/** Combined exit code: 1 if any failed, else 2 if any changed or drifted, else 0. */
export function combineExitCodes(codes: number[]): number {
  if (codes.some((c) => c === EXIT.ERROR)) return EXIT.ERROR;
  if (codes.some((c) => c === EXIT.CHANGES)) return EXIT.CHANGES;
  return EXIT.OK;
}

interface TargetResult {
  deployment: string;
  region: string;
  code: number;
  out: string[];
  err: string[];
}

/** Every deployment-region the run covers, narrowed by --deployment and --region. */
export function deploymentTargets(state: DesiredState, only: string[] | undefined, region: string | undefined): { deployment: DeploymentState; region: string }[] {
  for (const name of only ?? []) {
    if (!state.deployments.some((d) => d.spec.name === name)) throw new UsageError(`--deployment ${name}: no such deployment (deployments: ${state.deployments.map((d) => d.spec.name).join(", ")})`);
  }
  const targets = state.deployments
    .filter((d) => !only?.length || only.includes(d.spec.name))
    .flatMap((d) => d.spec.regions.filter((r) => !region || r === region).map((r) => ({ deployment: d, region: r })));
  if (targets.length === 0) throw new UsageError("no deployment-region matches --deployment/--region");
  return targets;
}

/** Runs one command body per deployment-region, concurrently within --parallel, each with its own client. */
export async function forEachDeployment(
  state: DesiredState,
  values: { deployment?: string[]; region?: string; parallel?: string } & ConnectionFlags,
  body: (state: DesiredState, conn: Connection, io: Io) => Promise<number>,
): Promise<TargetResult[]> {
  const parallel = values.parallel === undefined ? 4 : Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a positive integer (got '${values.parallel}')`);
  const targets = deploymentTargets(state, values.deployment, values.region);
  return mapLimit(targets, parallel, async ({ deployment, region }) => {
    const result: TargetResult = { deployment: deployment.spec.name, region, code: EXIT.ERROR, out: [], err: [] };
    const io: Io = { out: (t) => result.out.push(t), err: (t) => result.err.push(t) };
    let conn: Connection | undefined;
    try {
      conn = await connectDeployment(values, deployment.spec, region);
      result.code = await body(stateForDeployment(state, deployment), conn, io);
    } catch (err) {
      result.err.push(`error: ${err instanceof Error ? err.message : String(err)}`);
      result.code = EXIT.ERROR;
    } finally {
      await conn?.close().catch(() => {});
    }
    return result;
  });
}

/** Prints per-deployment-region results and a combined summary; returns the combined exit code. */
export function reportDeployments(results: TargetResult[], format: OutputFormat, io: Io, what: string): number {
  const code = combineExitCodes(results.map((r) => r.code));
  const word = (c: number): string => (c === EXIT.OK ? "in sync" : c === EXIT.CHANGES ? "changes" : "failed");
  if (format === "json") {
    io.out(JSON.stringify({
      formatVersion: 1,
      kind: "deployments",
      exitCode: code,
      results: results.map((r) => ({ deployment: r.deployment, region: r.region, exitCode: r.code, status: word(r.code), documents: r.out.map((t) => { try { return JSON.parse(t) as unknown; } catch { return t; } }), errors: r.err })),
    }, null, 2));
    return code;
  }
  for (const r of results) {
    io.out(format === "markdown" ? `\n## ${r.deployment} / ${r.region}\n` : `\n=== ${r.deployment} / ${r.region} ===`);
    for (const t of r.out) io.out(t);
    for (const t of r.err) io.err(`[${r.deployment}/${r.region}] ${t}`);
  }
  const lines = results.map((r) => `  ${r.deployment}/${r.region}: ${word(r.code)}`);
  io.out(`${format === "markdown" ? "\n### " : "\n"}${what}: ${results.length} deployment-region(s), ${results.filter((r) => r.code === EXIT.ERROR).length} failed, ${results.filter((r) => r.code === EXIT.CHANGES).length} with changes${format === "markdown" ? "\n" : ""}\n${lines.join("\n")}`);
  return code;
}
