import { parseArgs } from "node:util";
import type { DesiredState } from "../desired/load.js";
import { loadDesiredState } from "../desired/load.js";
import type { MaintenanceWindowDoc, PatchAssociationDoc } from "../model/desired.js";
import { formatInZone, nextRuns, parseSchedule } from "../schedule/index.js";
import type { PolicyResult } from "../policy/index.js";
import { evaluateSpecPolicies, hasDenials, loadPolicies, policyResultToJson, renderPolicyText } from "../policy/index.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import { upcomingFreezes } from "../freeze/periods.js";
import type { Diagnostic } from "../model/diagnostics.js";
import { connect } from "./connection.js";
import { forEachDeployment } from "./deployments.js";
import { checkAgainstAccount } from "./preflight-check.js";
import type { Io } from "./output.js";
import { EXIT, parseOutputFormat, renderDiagnosticsText, UsageError } from "./output.js";

export interface WindowRuns {
  /** The window's (or the association's) logical name. */
  window: string;
  schedule: string;
  timezone: string;
  nextRuns: string[];
  /** Set for a PatchAssociation (its scheduleExpression, in UTC, with its scheduleOffset). */
  association?: true;
}

/** The next `count` runs of every window, in the window's own timezone, and of every association with a schedule. */
export function upcomingRuns(state: DesiredState, now: Date, count = 3): WindowRuns[] {
  const out: WindowRuns[] = [];
  for (const r of state.resources) {
    if (r.doc.kind === "PatchAssociation") {
      const spec = (r.doc as PatchAssociationDoc).spec;
      if (spec.scheduleExpression === undefined) continue;
      const runs = nextRuns(parseSchedule(spec.scheduleExpression), now, count, { timezone: "UTC", offsetDays: spec.scheduleOffset });
      out.push({ window: r.doc.metadata.name, schedule: spec.scheduleExpression, timezone: "UTC", nextRuns: runs.map((d) => formatInZone(d, "UTC")), association: true });
      continue;
    }
    if (r.doc.kind !== "MaintenanceWindow") continue;
    const spec = (r.doc as MaintenanceWindowDoc).spec;
    const timezone = spec.scheduleTimezone ?? "UTC";
    const runs = nextRuns(parseSchedule(spec.schedule), now, count, {
      timezone,
      offsetDays: spec.scheduleOffset,
      startDate: spec.startDate,
      endDate: spec.endDate,
    });
    out.push({ window: r.doc.metadata.name, schedule: spec.schedule, timezone, nextRuns: runs.map((d) => formatInZone(d, timezone)) });
  }
  return out;
}

export interface FreezeRuns {
  freeze: string;
  reason?: string;
  /** "fixed" (start and end) or the cron schedule. */
  schedule: string;
  timezone: string;
  /** The next periods (in force at --now, or later): start and end in the freeze's timezone, and ISO-8601 UTC. */
  periods: { start: string; end?: string; startUtc: string; endUtc?: string; inForce: boolean }[];
}

/** The next `count` periods of every freeze of patchctl.yaml (one for a fixed freeze), in the freeze's timezone. */
export function upcomingFreezePeriods(state: DesiredState, now: Date, count = 3): FreezeRuns[] {
  const periods = upcomingFreezes(state.config.freezes, now, count);
  return (state.config.freezes ?? []).map((f) => {
    const timezone = f.timezone ?? "UTC";
    return {
      freeze: f.name,
      ...(f.reason !== undefined ? { reason: f.reason } : {}),
      schedule: f.schedule ?? "fixed",
      timezone,
      periods: periods
        .filter((p) => p.name === f.name)
        .map((p) => ({
          start: formatInZone(p.start, timezone),
          ...(p.end ? { end: formatInZone(p.end, timezone), endUtc: p.end.toISOString() } : {}),
          startUtc: p.start.toISOString(),
          inForce: p.start.getTime() <= now.getTime(),
        })),
    };
  });
}

export const VALIDATE_FLAGS = {
  output: { type: "string", short: "o" },
  now: { type: "string" },
  policies: { type: "string" },
  online: { type: "boolean" },
  region: { type: "string" },
  profile: { type: "string" },
  "endpoint-url": { type: "string" },
  deployment: { type: "string", multiple: true },
} as const;

export const VALIDATE_HELP = `usage: patchctl validate DIR [--output text|json] [--now DATE-TIME] [--policies DIR] [--online]

Checks the desired state in DIR offline (no AWS access, no credentials) and against the policies,
reporting findings as file:line:column, and prints each maintenance window's next runs and the next
periods of each change freeze (patchctl.yaml freezes:; change calendars are read only online).
Offline, patch filter values are checked against the catalog shipped with patchctl.

  -o, --output FORMAT       text (default) or json
  --now DATE-TIME           count the next window runs and freeze periods from this ISO-8601 date-time
                            (default: now)
  --policies DIR            your own policies, checked besides the built-in ones
  --online                  also check every baseline's filter values against the account's
                            DescribePatchProperties for its OS (the account's answer wins over the
                            shipped catalog; denied: a warning, and the catalog decides)
  --region R, --profile P, --endpoint-url URL
                            with --online: the account to ask (as for reconcile)
  --deployment NAME         with --online and deployments: only this deployment (repeatable)

exit codes: 0 valid, 1 invalid or denied by a policy`;

export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: VALIDATE_FLAGS });
  const format = parseOutputFormat(values.output, ["text", "json"]);
  if (positionals.length !== 1) throw new UsageError("usage: patchctl validate DIR [--output text|json]");
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO-8601 date-time (got '${values.now}')`);
  if (!values.online && (values.region || values.profile || values["endpoint-url"] || values.deployment)) throw new UsageError("--region, --profile, --endpoint-url and --deployment need --online");
  const loaded = await loadDesiredState(positionals[0]!, values.online ? { filterValues: "account" } : {});
  const result = values.online && loaded.state ? await withOnlineFindings(loaded.state, loaded.diagnostics, values, io) : loaded;
  const runs = result.state ? upcomingRuns(result.state, now) : [];
  const freezes = result.state ? upcomingFreezePeriods(result.state, now) : [];
  const policy = result.state ? await specPolicyResult(result.state, values.policies) : undefined;
  const ok = result.state !== undefined && !(policy && hasDenials(policy));
  if (format === "json") {
    io.out(JSON.stringify({ formatVersion: 1, valid: ok, diagnostics: result.diagnostics, windows: runs, freezes, policy: policy ? policyResultToJson(policy) : undefined }, null, 2));
    return ok ? EXIT.OK : EXIT.ERROR;
  }
  if (policy && hasDenials(policy)) {
    if (result.diagnostics.length > 0) io.err(renderDiagnosticsText(result.diagnostics));
    io.err(renderPolicyText(policy));
    return EXIT.ERROR;
  }
  if (!ok) {
    io.err(renderDiagnosticsText(result.diagnostics));
    return EXIT.ERROR;
  }
  const state = result.state!;
  const counts = new Map<string, number>();
  for (const r of state.resources) counts.set(r.doc.kind, (counts.get(r.doc.kind) ?? 0) + 1);
  const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(", ") || "no resources";
  const lines = [`${positionals[0]}: valid (owner ${state.config.owner}; ${summary})`];
  for (const d of result.diagnostics) lines.push(`warning: ${d.file}:${d.line}:${d.column}: ${d.message}`);
  for (const w of runs) {
    lines.push(`  ${w.window}  ${w.schedule}  [${w.timezone}]${w.association ? "  (association)" : ""}`);
    if (w.nextRuns.length === 0) lines.push("    no future runs");
    for (const run of w.nextRuns) lines.push(`    next: ${run}`);
  }
  if (freezes.length > 0) lines.push("Change freezes (patchctl.yaml):");
  for (const f of freezes) {
    lines.push(`  ${f.freeze}  ${f.schedule}  [${f.timezone}]${f.reason ? `  ${f.reason}` : ""}`);
    if (f.periods.length === 0) lines.push("    no future periods");
    for (const p of f.periods) lines.push(`    ${p.inForce ? "in force" : "next"}: ${p.start} → ${p.end ?? "(no end within a year)"}`);
  }
  for (const c of state.config.changeCalendars ?? []) lines.push(`  change calendar ${c}: read online (GetCalendarState) by reconcile, apply and watch`);
  if (policy) lines.push(renderPolicyText(policy));
  io.out(lines.join("\n"));
  return EXIT.OK;
}

/** The load result with the online findings added: invalid (no state) when any is an error. */
async function withOnlineFindings(state: DesiredState, diagnostics: Diagnostic[], values: Parameters<typeof checkOnline>[1], io: Io): Promise<{ state?: DesiredState; diagnostics: Diagnostic[] }> {
  try {
    await checkOnline(state, values, io);
    return { state, diagnostics };
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    return { diagnostics: [...diagnostics, ...err.diagnostics] };
  }
}

/**
 * --online: the pre-flight against each deployment-region's account (without deployments, the one
 * --region, --profile, --endpoint-url name). A value the account does not list is a DiagnosticsError.
 */
async function checkOnline(state: DesiredState, values: { region?: string; profile?: string; "endpoint-url"?: string; deployment?: string[] }, io: Io): Promise<void> {
  if (state.config.deployments === undefined) {
    if (values.deployment?.length) throw new UsageError("--deployment: patchctl.yaml defines no deployments");
    const conn = await connect(values, state.config.region);
    try {
      await checkAgainstAccount(state.resources, conn.gateway, io);
    } finally {
      await conn.close();
    }
    return;
  }
  const errors: Diagnostic[] = [];
  const results = await forEachDeployment(state, values, async (s, conn, tio) => {
    try {
      await checkAgainstAccount(s.resources, conn.gateway, tio);
    } catch (err) {
      if (!(err instanceof DiagnosticsError)) throw err;
      errors.push(...err.diagnostics.map((d) => ({ ...d, message: `${d.message} (deployment ${s.deployments[0]?.spec.name ?? "?"}, ${conn.region})` })));
    }
    return EXIT.OK;
  });
  for (const r of results) for (const line of r.err) io.err(`${r.deployment} ${r.region}: ${line}`);
  if (results.some((r) => r.code !== EXIT.OK)) throw new UsageError("--online: some deployment-regions could not be checked (see above)");
  if (errors.length > 0) throw new DiagnosticsError(errors);
}

/** Built-in and --policies DIR policies on the desired state; a malformed policy is an error. */
export async function specPolicyResult(state: DesiredState, policiesDir: string | undefined): Promise<PolicyResult> {
  const { policies, errors } = await loadPolicies(policiesDir);
  if (errors.length) throw new DiagnosticsError(errors);
  return evaluateSpecPolicies(state, policies);
}
