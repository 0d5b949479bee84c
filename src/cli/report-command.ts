import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { desiredPatchGroups, readCompliance } from "../compliance/report.js";
import type { DesiredState } from "../desired/load.js";
import { loadDesiredState } from "../desired/load.js";
import { describeFreezes } from "../freeze/status.js";
import { DiagnosticsError, formatDiagnostic } from "../model/diagnostics.js";
import { deniedWarning, PatchPropertyCache, preflightBaselines } from "../pipeline/preflight.js";
import { prepareState, reconcilePrepared } from "../pipeline/reconcile.js";
import type { StatusPage, StatusRegion } from "../status-page/index.js";
import { regionState, renderStatusPage, statusChanges, statusFindings, statusRollouts } from "../status-page/index.js";
import { computeTimeline } from "../timeline/index.js";
import type { Connection } from "./connection.js";
import { CONNECTION_FLAGS, CONNECTION_HELP, connect } from "./connection.js";
import { forEachDeployment } from "./deployments.js";
import type { Io } from "./output.js";
import { EXIT, UsageError } from "./output.js";

export const REPORT_FLAGS = {
  ...CONNECTION_FLAGS,
  out: { type: "string" },
  deployment: { type: "string", multiple: true },
  parallel: { type: "string" },
  policies: { type: "string" },
} as const;

export const REPORT_HELP = `usage: patchctl report DIR --output html [--out FILE] [options]

Writes the status page \`watch\` serves at / for the desired state in DIR, as one self-contained HTML
file (no script, no external resources): one card per deployment-region (in sync, drifted, failed,
frozen), the drifted and refused changes field by field (sensitive values masked as in a plan), policy
findings and exemptions, the rollout timeline of a patch released now, patch compliance per patch group
and the last window executions, failing first. Reads only: for a scheduled job to upload for auditors.

  -o, --output FORMAT       html (the page) or json (the page's data: no credentials, no sensitive values)
  --out FILE                write to FILE (default: standard output)
  --owner NAME              the owner whose resources are compared (default: owner: in patchctl.yaml)
  --policies DIR            your own policies, checked besides the built-in ones
  --deployment NAME         only this deployment of patchctl.yaml (repeatable)
  --parallel N              how many deployment-regions run at once (default 4)
  --region R                the region (default: AWS_REGION, AWS_DEFAULT_REGION, then region: in
                            patchctl.yaml); with deployments, only region R
${CONNECTION_HELP}

With deployments, --profile and --endpoint-url apply only where a deployment sets none.

exit codes: 0 the page is written and no deployment-region failed, 1 an error (the page is still
written when a deployment-region failed: its card says why)`;

type ReportFormat = "html" | "json";

const run = promisify(execFile);

/** The commit DIR is checked out at, when it is in a git work tree. */
async function commitOf(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["-C", dir, "rev-parse", "HEAD"], { timeout: 10_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** One deployment-region's card: the drift (plan mode), its findings and refusals, compliance. */
async function readRegion(state: DesiredState, conn: Connection, owner: string | undefined, policiesDir: string | undefined, label: { deployment?: string }, root: string, warn: (text: string) => void): Promise<StatusRegion> {
  const started = Date.now();
  const callsOf = (): number => Object.values(conn.gateway.stats.calls).reduce((a, b) => a + b, 0);
  const callsBefore = callsOf();
  const base = { ...label, region: conn.region, owner: owner ?? state.config.owner, history: [] };
  // The online pre-flight, as drift runs it: filter values against this account's DescribePatchProperties.
  const cache = new PatchPropertyCache(conn.gateway);
  const filterErrors = (await preflightBaselines(state.resources, cache)).diagnostics.filter((d) => d.severity === "error");
  const denied = deniedWarning(cache);
  if (denied) warn(denied);
  if (filterErrors.length > 0) {
    return { ...base, state: "failed", reason: `the desired state is refused: ${filterErrors.map(formatDiagnostic).join("; ")}`, changes: [], refused: [], findings: [], exemptions: [] };
  }
  const prepared = await prepareState(state, policiesDir);
  if (!prepared.ok) {
    const errors = [...prepared.errors.map(formatDiagnostic), ...(prepared.denied?.specPolicy.findings.filter((f) => f.severity === "deny").map((f) => `[${f.policyId}] ${f.resource}: ${f.message}`) ?? [])];
    return { ...base, state: "failed", reason: `the desired state is refused: ${errors.join("; ")}`, changes: [], refused: [], ...(prepared.denied ? statusFindings(prepared.denied.specPolicy, root) : { findings: [], exemptions: [] }) };
  }
  const outcome = await reconcilePrepared(prepared.prepared, { gateway: conn.gateway, region: conn.region, owner, deleteGuard: { maxDeletePercent: 30, allowMassDelete: false }, mode: "plan" });
  const refused = outcome.refusals.filter((r) => r.code !== "frozen" && r.code !== "suspended").map((r) => ({ code: r.code, message: r.message }));
  const changes = statusChanges(outcome.plan, outcome.deferred);
  const { state: cardState, reason } = regionState({
    failed: refused.length ? `plan refused: ${refused.map((r) => r.message).join("; ")}` : undefined,
    frozen: outcome.freeze?.frozen ? describeFreezes(outcome.freeze) : undefined,
    suspended: outcome.refusals.find((r) => r.code === "suspended")?.message,
    changes: changes.length,
  });
  const at = new Date().toISOString();
  const region: StatusRegion = { ...base, state: cardState, lastCycle: at, lastFullRead: at, changes, rollouts: statusRollouts(outcome.plan), refused, ...statusFindings(outcome.policy, root) };
  if (reason !== undefined) region.reason = reason;
  try {
    region.compliance = await readCompliance(conn.gateway, { patchGroups: desiredPatchGroups(state), owner: owner ?? state.config.owner, instances: false });
  } catch (err) {
    region.complianceError = err instanceof Error ? err.message : String(err);
  }
  region.history = [{ at: new Date().toISOString(), ms: Date.now() - started, calls: callsOf() - callsBefore, applied: 0, ok: cardState !== "failed" }];
  return region;
}

/** patchctl report DIR --output html [--out FILE] [--deployment NAME …] [--region R] */
export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: REPORT_FLAGS });
  if (positionals.length !== 1) throw new UsageError("usage: patchctl report DIR --output html [--out FILE]");
  if (values.output !== "html" && values.output !== "json") throw new UsageError(`--output must be html or json (got '${values.output ?? ""}')`);
  const format: ReportFormat = values.output;
  const dir = path.resolve(positionals[0]!);
  // Filter values are checked against each account (the pre-flight in readRegion), as drift checks them.
  const loaded = await loadDesiredState(dir, { filterValues: "account" });
  if (!loaded.state) throw new DiagnosticsError(loaded.diagnostics);
  const state = loaded.state;
  const commit = await commitOf(dir);
  const regions: StatusRegion[] = [];
  if (state.config.deployments === undefined) {
    const conn = await connect(values, state.config.region);
    try {
      regions.push(await readRegion(state, conn, values.owner, values.policies, {}, dir, io.err));
    } finally {
      await conn.close();
    }
  } else {
    const found = new Map<string, StatusRegion>();
    const results = await forEachDeployment(state, values, async (s, conn, tio) => {
      const deployment = s.deployments[0]?.spec.name;
      found.set(`${deployment}/${conn.region}`, await readRegion(s, conn, values.owner, values.policies, deployment !== undefined ? { deployment } : {}, dir, tio.err));
      return EXIT.OK;
    });
    for (const r of results) {
      const card = found.get(`${r.deployment}/${r.region}`);
      regions.push(card ?? { deployment: r.deployment, region: r.region, state: "failed", reason: r.err.join("; ").replace(/^error: /, "") || "failed", changes: [], refused: [], findings: [], exemptions: [], history: [] });
    }
  }
  for (const r of regions) if (commit !== undefined) r.commit = commit;
  const now = new Date();
  const page: StatusPage = { title: `patchctl status: ${values.owner ?? state.config.owner}`, generatedAt: now.toISOString(), regions };
  try {
    page.timeline = computeTimeline(state, { released: now, now });
  } catch {
    // No timeline for a desired state it cannot be computed for; the rest of the page stands.
  }
  const text = format === "html" ? renderStatusPage(page) : `${JSON.stringify(page, null, 2)}\n`;
  if (values.out !== undefined) await writeFile(values.out, text);
  else io.out(text);
  const failed = regions.filter((r) => r.state === "failed");
  for (const r of failed) io.err(`${r.deployment !== undefined ? `${r.deployment}/` : ""}${r.region}: failed: ${r.reason ?? ""}`);
  return failed.length > 0 ? EXIT.ERROR : EXIT.OK;
}
