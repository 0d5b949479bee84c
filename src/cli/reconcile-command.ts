import { readFile, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { loadDesiredState } from "../desired/load.js";
import { driftedChanges, planToJson, renderPlanMarkdown, renderPlanText, REPORT_FORMAT_VERSION } from "../diff/render-plan.js";
import type { ApplyResult } from "../reconciler/apply.js";
import type { LeaseScope, ReconcileOutcome, ReviewContext, SavedPlan } from "../pipeline/reconcile.js";
import { applySavedPlan, prepareState, reconcilePrepared } from "../pipeline/reconcile.js";
import { killAfterWrites } from "../testing/fault-seam.js";
import type { Plan } from "../model/plan.js";
import { actionWord, hasChanges, PLAN_FORMAT_VERSION } from "../model/plan.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import { Lease, LeaseHeldError } from "../reconciler/lease.js";
import type { AwsGateway } from "../aws/gateway.js";
import type { Connection } from "./connection.js";
import { CONNECTION_FLAGS, CONNECTION_HELP, connect } from "./connection.js";
import { checkAgainstAccount } from "./preflight-check.js";
import { clearProgress, progressRenderer } from "./progress.js";
import type { DesiredState } from "../desired/load.js";
import { deploymentTargets, forEachDeployment, reportDeployments } from "./deployments.js";
import { computeTimeline, diffTimelines, renderTimelineText } from "../timeline/index.js";
import type { PolicyResult } from "../policy/index.js";
import { hasDenials, policyResultToJson, renderPolicyMarkdown, renderPolicyText } from "../policy/index.js";
import type { FreezeStatus } from "../freeze/status.js";
import { describeFreezes, freezeSettingsOf } from "../freeze/status.js";
import type { Io, OutputFormat } from "./output.js";
import { EXIT, parseOutputFormat, UsageError } from "./output.js";

/** The flags of reconcile and drift (one parser for both). */
export const RECONCILE_FLAGS = {
  ...CONNECTION_FLAGS,
  plan: { type: "boolean" },
  "dry-run": { type: "boolean" },
  out: { type: "string" },
  "auto-approve": { type: "boolean" },
  adopt: { type: "boolean" },
  "max-delete-percent": { type: "string" },
  "allow-mass-delete": { type: "boolean" },
  "lock-timeout": { type: "string" },
  deployment: { type: "string", multiple: true },
  parallel: { type: "string" },
  timeline: { type: "boolean" },
  policies: { type: "string" },
  "allow-destructive": { type: "boolean" },
  "timeline-base": { type: "string" },
  released: { type: "string" },
  "ignore-freeze": { type: "string" },
  target: { type: "string", multiple: true },
} as const;

export const RECONCILE_HELP = `usage: patchctl reconcile DIR [--plan | --dry-run] [--out plan.json] [--adopt] [--auto-approve] [options]

Compares the desired state in DIR with the account and prints the plan. --plan stops there, --dry-run
also prints the exact SSM calls applying it would make; otherwise the plan is applied under the owner's
write lease, after a 'yes' on a terminal. Only resources patchctl owns are ever updated or deleted.

  --plan                    print the plan only (pull-request CI)
  --dry-run                 print the plan and, in order, the SSM calls applying it would make; change nothing
  --out FILE                also save the plan as JSON for \`patchctl apply\` (mode 0600: it holds the full
                            desired values, treat it like a secret); one deployment-region only
  --auto-approve            apply without asking (the question is asked only on a terminal; applying to
                            several deployments from a terminal needs it)
  --adopt                   take over resources that have a desired SSM name but no ownership tags
                            (adds the tags)
  --max-delete-percent N    refuse a plan deleting more than N% of the owned resources, or all of them
                            (default 30)
  --allow-mass-delete       apply such a plan anyway
  --lock-timeout SECONDS    how long to wait for the write lease held by another run (default 30)
  --policies DIR            your own policies, checked besides the built-in ones
  --allow-destructive       waive the plan-level policy checks (destructive changes, deletions) for this run
  --ignore-freeze REASON    apply during a change freeze (patchctl.yaml freezes:, a CLOSED change calendar)
                            anyway; the reason is required, and printed with the apply
  --timeline                also print when a patch released at --released is approved and installed per
                            patch group (offline), or how that changed from --timeline-base
  --timeline-base DIR       the desired state before the change (e.g. the base branch), for --timeline
  --released DATE-TIME      when that patch is released, ISO-8601, for --timeline (default: now)
  --target KIND/NAME        plan and apply only this resource and what it needs (a window's targets and
                            tasks, a baseline's registrations and default, a role a task names);
                            repeatable. The plan says it is partial; nothing else is changed or deleted
  --deployment NAME         only this deployment of patchctl.yaml (repeatable)
  --parallel N              how many deployment-regions run at once (default 4)
  --owner NAME              the owner to reconcile as (default: owner: in patchctl.yaml)
  -o, --output FORMAT       text (default), json or markdown (a pull-request comment)
  --region R                the region (default: AWS_REGION, AWS_DEFAULT_REGION, then region: in
                            patchctl.yaml); with deployments, only region R
${CONNECTION_HELP}

With deployments, --profile and --endpoint-url apply only where a deployment sets none.

During a change freeze (a freeze of patchctl.yaml in force, or a listed change calendar CLOSED) applying
is refused (exit 1) and nothing changes; --plan and --dry-run work and say that applying is frozen.
Changes to a window, its targets or tasks while one of its executions is running are deferred: marked
in the plan and the apply output, not applied now; everything else is applied.

Operator controls (docs/operator-controls.md): metadata.previousNames renames in place, metadata.ignoreFields
leaves fields as the account has them, metadata.annotations patchctl/suspend: "<reason>" leaves one
resource alone, and patchctl.yaml suspend: "<reason>" plans but applies nothing (exit 1, refusal
"suspended").

Before planning, every baseline's filter values are checked against DescribePatchProperties for its OS
(the account's answer wins over the catalog shipped with patchctl): a value the account does not list
is a file:line error and nothing is planned or applied (exit 1); a denied DescribePatchProperties is a
warning, the shipped catalog deciding.

exit codes: 0 in sync or applied, 1 error (invalid input, a filter value the account does not list,
conflicts, refused or failed apply, policy denial, a change freeze, suspend: in patchctl.yaml, an
unknown --target, SSM errors), 2 changes present (--plan, --dry-run), or applied but deferred
changes remain (nothing failed; a later run applies them)`;

export const DRIFT_HELP = `usage: patchctl drift DIR [--output text|json|markdown] [options]

Compares the account with the desired state in DIR and reports what changed outside patchctl, what is
missing and what exists unmanaged. Changes nothing.

  -o, --output FORMAT       text (default), json or markdown
  --owner NAME              the owner whose resources are compared (default: owner: in patchctl.yaml)
  --adopt                   report resources with a desired SSM name but no ownership tags as to adopt,
                            not as conflicts
  --dry-run                 also print, in order, the SSM calls that would correct the drift
  --out FILE                save the comparison as a plan for \`patchctl apply\` (JSON, mode 0600);
                            one deployment-region only
  --max-delete-percent N    exit 1 when correcting the drift would delete more than N% of the owned
                            resources, or all of them (default 30)
  --allow-mass-delete       do not exit 1 for that
  --policies DIR            your own policies, checked besides the built-in ones
  --allow-destructive       waive the plan-level policy checks (destructive changes, deletions)
  --timeline                also print when a patch released at --released is approved and installed per
                            patch group (offline), or how that changed from --timeline-base
  --timeline-base DIR       another desired state (e.g. the base branch) to compare that with, for --timeline
  --released DATE-TIME      when that patch is released, ISO-8601, for --timeline (default: now)
  --target KIND/NAME        compare only this resource and what it needs (repeatable); the report says
                            it is partial
  --deployment NAME         only this deployment of patchctl.yaml (repeatable)
  --parallel N              how many deployment-regions run at once (default 4)
  --region R                the region (default: AWS_REGION, AWS_DEFAULT_REGION, then region: in
                            patchctl.yaml); with deployments, only region R
${CONNECTION_HELP}
  --plan, --auto-approve, --lock-timeout SECONDS, --ignore-freeze REASON
                            accepted because drift shares reconcile's flags; no effect here

With deployments, --profile and --endpoint-url apply only where a deployment sets none.

Fields in metadata.ignoreFields are listed as ignored, not as drift; suspended resources' drift is
listed with the reason they are suspended (docs/operator-controls.md).

exit codes: 0 in sync, 1 error (invalid input, conflicts, policy denial, an unknown --target, SSM
errors), 2 drift present (suspended resources' drift included)`;

/** The flags of apply. */
export const APPLY_FLAGS = {
  ...CONNECTION_FLAGS,
  "auto-approve": { type: "boolean" },
  "allow-mass-delete": { type: "boolean" },
  "max-delete-percent": { type: "string" },
  "lock-timeout": { type: "string" },
  "ignore-freeze": { type: "string" },
} as const;

export const APPLY_HELP = `usage: patchctl apply PLAN.json [--auto-approve] [options]

Applies a plan saved with \`patchctl reconcile DIR --plan --out PLAN.json\` exactly, under the owner's
write lease, after a 'yes' on a terminal. Refuses it when the account changed since the plan was made
(run reconcile --plan again).

  --auto-approve            apply without asking (the question is asked only on a terminal)
  --max-delete-percent N    refuse a plan deleting more than N% of the owned resources, or all of them
                            (default 30)
  --allow-mass-delete       apply such a plan anyway
  --lock-timeout SECONDS    how long to wait for the write lease held by another run (default 30)
  --ignore-freeze REASON    apply during a change freeze (the plan's freezes, a CLOSED change calendar)
                            anyway; the reason is required, and printed with the apply
  -o, --output FORMAT       text (default), json or markdown
  --region R                the plan's region (default); another region is refused
  --owner NAME              accepted but not used: the plan's owner applies
${CONNECTION_HELP}

The freezes of the desired state the plan was made from travel in the plan file; change calendars are
asked again. Changes to a window that is executing are deferred (not applied now).

exit codes: 0 applied (or nothing to apply), 1 error (stale or refused plan, a change freeze, failed
apply, SSM errors), 2 applied but deferred changes remain (nothing failed)`;

function parseSeconds(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/s$/, ""));
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--lock-timeout must be a number of seconds (got '${value}')`);
  return n;
}

/** Runs `fn` holding the owner's write lease in this account and region; renews it meanwhile. */
async function withLease<T>(gateway: AwsGateway, owner: string, timeoutSeconds: number, io: Io, fn: (leaseLost?: AbortSignal) => Promise<T>): Promise<T> {
  const lease = new Lease(gateway, owner);
  try {
    await lease.acquireWaiting(timeoutSeconds * 1000, 1000, (r) => io.err(`waiting for the write lease held by ${r.holder} (until ${r.expiresAt})…`));
  } catch (err) {
    if (err instanceof LeaseHeldError) throw new UsageError(`${err.message}; not applying. Retry later or raise --lock-timeout.`);
    throw err;
  }
  try {
    return await lease.keepWhile(fn, (err) => io.err(`error: ${err.message}; the apply stops before its next call`));
  } finally {
    await lease.release().catch(() => {});
  }
}

/** What the plan output says about a change freeze: frozen (and by what, until when), or waived and why. */
export function freezeNotice(freeze: FreezeStatus | undefined, applying: boolean): string | undefined {
  if (!freeze?.frozen) return undefined;
  if (freeze.waived !== undefined) return `Change freeze waived by --ignore-freeze "${freeze.waived}": ${describeFreezes(freeze)}.`;
  return applying ? `Applying is frozen: ${describeFreezes(freeze)}. Nothing is applied.` : `Applying is frozen: ${describeFreezes(freeze)}. This plan is shown; applying it would be refused (--ignore-freeze "<reason>" applies anyway).`;
}

/** The JSON form of a freeze status (in plan, drift and apply documents). */
function freezeJson(freeze: FreezeStatus): Record<string, unknown> {
  return { at: freeze.at, frozen: freeze.frozen, active: freeze.active, ...(freeze.waived !== undefined ? { waived: freeze.waived } : {}) };
}

export function renderPlan(plan: Plan, format: OutputFormat, mode: "plan" | "drift", policy?: PolicyResult, context?: ReviewContext & { applying?: boolean }): string {
  const deferred = context?.deferred ?? [];
  const notice = freezeNotice(context?.freeze, context?.applying ?? false);
  if (format === "json") {
    return JSON.stringify(
      { ...planToJson(plan, mode, { deferred }), ...(context?.freeze ? { freeze: freezeJson(context.freeze) } : {}), ...(deferred.length ? { deferred } : {}), ...(policy ? { policy: policyResultToJson(policy) } : {}) },
      null,
      2,
    );
  }
  if (format === "markdown") return `${renderPlanMarkdown(plan, { mode, deferred })}${notice ? `\n\n> :snowflake: ${notice}` : ""}${policy ? `\n\n${renderPolicyMarkdown(policy)}` : ""}`;
  return `${renderPlanText(plan, { mode, colour: process.stdout.isTTY === true, deferred })}${notice ? `\n\n${notice}` : ""}${policy ? `\n\n${renderPolicyText(policy)}` : ""}`;
}

function renderApply(result: ApplyResult | undefined, format: OutputFormat, dryRun: boolean, outcome: ReconcileOutcome): string {
  const deferred = outcome.deferred;
  if (format === "json") {
    return JSON.stringify(
      { formatVersion: REPORT_FORMAT_VERSION, kind: dryRun ? "dry-run" : "apply", ok: result?.ok ?? true, calls: result?.calls ?? [], outcomes: result?.outcomes ?? [], deferred, ...(outcome.freeze ? { freeze: freezeJson(outcome.freeze) } : {}) },
      null,
      2,
    );
  }
  const lines: string[] = [];
  if (dryRun) {
    lines.push("", `Dry run: ${result?.calls.length ?? 0} SSM call(s) would be made, in this order:`);
    result?.calls.forEach((c, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${c.operation} ${JSON.stringify(c.input)}`));
    if (deferred.length) lines.push(`  (none for the ${deferred.length} deferred change(s): their windows are executing)`);
    return lines.join("\n");
  }
  lines.push("");
  for (const o of result?.outcomes ?? []) {
    if (o.status === "noop") continue;
    lines.push(`  ${o.status.padEnd(8)} ${actionWord(o.action).padEnd(8)} ${o.key}${o.error ? `: ${o.error}` : ""}`);
  }
  for (const d of deferred) lines.push(`  ${"deferred".padEnd(8)} ${actionWord(d.action).padEnd(8)} ${d.key}: ${d.reason}`);
  const n = (s: string): number => (result?.outcomes ?? []).filter((o) => o.status === s).length;
  const ok = result?.ok ?? true;
  lines.push("", `Apply ${ok ? "complete" : "incomplete"}: ${n("applied")} applied, ${n("failed")} failed, ${n("skipped")} skipped, ${deferred.length} deferred, ${result?.calls.length ?? 0} SSM call(s).`);
  if (!ok) lines.push("Rerun patchctl reconcile to retry what did not complete; what succeeded is not repeated.");
  if (deferred.length) lines.push(`${deferred.length} change(s) deferred while their windows execute: rerun patchctl reconcile once the executions end (patchctl watch applies them by itself).`);
  return lines.join("\n");
}

async function confirm(io: Io): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question("\nApply these changes? Only 'yes' is accepted: ");
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

function parsePercent(value: string | undefined): number {
  if (value === undefined) return 30;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`--max-delete-percent must be a number from 0 to 100 (got '${value}')`);
  return n;
}

type ReconcileFlags = ReturnType<typeof parseReconcileArgs>["values"];

/**
 * --timeline: how this change shifts the rollout. The "before" is the desired state in
 * --timeline-base DIR (e.g. the pull request's base branch checked out beside it).
 */
async function rolloutComparison(after: DesiredState, values: ReconcileFlags): Promise<string> {
  const released = values.released ? new Date(values.released) : new Date();
  if (Number.isNaN(released.getTime())) throw new UsageError(`--released must be an ISO-8601 date-time (got '${values.released}')`);
  const opts = { released };
  const afterTimeline = computeTimeline(after, opts);
  if (!values["timeline-base"]) return `\nRollout of a patch released ${released.toISOString()} (no --timeline-base to compare with):\n${renderTimelineText(afterTimeline)}`;
  const base = await loadDesiredState(values["timeline-base"]);
  if (!base.state) throw new DiagnosticsError(base.diagnostics);
  const lines = diffTimelines(computeTimeline(base.state, opts), afterTimeline);
  return `\nRollout changes (patch released ${released.toISOString()}, compared with ${values["timeline-base"]}):\n${lines.length ? lines.map((l) => `  ${l}`).join("\n") : "  none"}`;
}

function parseReconcileArgs(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: RECONCILE_FLAGS });
}

/** The write lease as the CLI holds it: waiting up to --lock-timeout, renewed while it runs. */
function cliLease(gateway: AwsGateway, owner: string, values: { "lock-timeout"?: string }, io: Io): LeaseScope {
  return (fn) => withLease(gateway, owner, parseSeconds(values["lock-timeout"], 30), io, fn);
}

/** The last line of a run that exits 1: why, in one line (conflicts, denials, refusals, failures). */
export function exitReason(outcome: ReconcileOutcome): string | undefined {
  const why: string[] = [];
  for (const r of outcome.refusals) why.push(r.message);
  if (outcome.plan.conflicts.length > 0) why.push(`${outcome.plan.conflicts.length} conflict(s) with resources patchctl does not own (see above${outcome.plan.conflicts.some((c) => c.adoptable) ? "; --adopt takes over the adoptable ones" : ""})`);
  const failed = outcome.result?.outcomes.filter((o) => o.status === "failed" || o.status === "skipped").length ?? 0;
  if (failed > 0) why.push(`${failed} change(s) failed or were skipped`);
  if (outcome.cancelled) why.push("apply cancelled; nothing was changed");
  return why.length ? `error: ${why.join("; ")}${outcome.refusals.length ? "; nothing is applied" : ""}` : undefined;
}

/** One account and region: plan, and (unless planning) apply under the write lease. */
async function reconcileOne(state: DesiredState, conn: Connection, values: ReconcileFlags, io: Io, mode: "plan" | "drift", format: OutputFormat): Promise<number> {
  const maxDeletePercent = parsePercent(values["max-delete-percent"]);
  const runMode = values["dry-run"] ? "dry-run" : mode === "plan" && !values.plan ? "apply" : "plan";
  const owner = values.owner ?? state.config.owner;
  await checkAgainstAccount(state.resources, conn.gateway, io);
  const prepared = await prepareState(state, values.policies);
  // A spec-level denial still shows the plan (a reviewer wants both); the pipeline refuses to apply it.
  const ready = prepared.ok ? prepared.prepared : prepared.denied;
  if (!ready) throw new DiagnosticsError(prepared.ok ? [] : prepared.errors);
  const outcome = await reconcilePrepared(ready, {
    gateway: conn.gateway,
    region: conn.region,
    owner,
    adopt: values.adopt,
    targets: values.target,
    allowDestructive: values["allow-destructive"] ?? false,
    deleteGuard: { maxDeletePercent, allowMassDelete: values["allow-mass-delete"] ?? false },
    mode: runMode,
    lease: cliLease(conn.gateway, owner, values, io),
    onEvent: progressRenderer(),
    afterWrite: killAfterWrites(),
    ignoreFreeze: runMode === "apply" ? values["ignore-freeze"] : undefined,
    review: async (plan, policy, refusals, context) => {
      clearProgress();
      io.out(renderPlan(plan, format, mode, policy, { ...context, applying: runMode === "apply" }));
      if (state.config.suspend !== undefined && runMode !== "apply") io.err(`warning: applying is suspended (patchctl.yaml suspend: "${state.config.suspend}"): this plan is shown, applying it would be refused`);
      if (!hasDenials(policy)) {
        if (values.timeline) io.out(await rolloutComparison(state, values));
        const saved: SavedPlan = { ...plan, freeze: freezeSettingsOf(state.config), ...(state.config.suspend !== undefined ? { suspend: state.config.suspend } : {}) };
        if (values.out) await writeFile(values.out, JSON.stringify(saved, null, 2), { mode: 0o600 });
      }
      if (runMode !== "apply" || refusals.length > 0 || !hasChanges(plan)) return true;
      return !(process.stdin.isTTY && !values["auto-approve"]) || (await confirm(io));
    },
  });
  const applied = outcome.refusals.length === 0 && !outcome.cancelled && runMode !== "plan";
  if (outcome.result || (applied && outcome.deferred.length > 0)) io.out(renderApply(outcome.result, format, runMode === "dry-run", outcome));
  logWaiver(outcome, io);
  const reason = exitReason(outcome);
  if (reason) io.err(reason);
  if (outcome.refusals.length > 0 || outcome.cancelled || outcome.plan.conflicts.length > 0) return EXIT.ERROR;
  if (outcome.result && runMode === "apply" && !outcome.result.ok) return EXIT.ERROR;
  if (runMode === "apply") return deferredExit(outcome, io);
  const suspendedDrift = mode === "drift" && (outcome.plan.suspended ?? []).some((c) => c.action !== "noop");
  // drift exits 2 on drift: a pending promotion alone (a Rollout's planned cut-off move) is not drift.
  const changed = mode === "drift" ? driftedChanges(outcome.plan.changes).length > 0 : hasChanges(outcome.plan);
  return changed || suspendedDrift ? EXIT.CHANGES : EXIT.OK;
}

/** --ignore-freeze that waived a freeze: said on stderr (the run's log), besides the output. */
function logWaiver(outcome: ReconcileOutcome, io: Io): void {
  const f = outcome.freeze;
  if (f?.frozen && f.waived !== undefined) io.err(`warning: applying during a change freeze (${describeFreezes(f)}): --ignore-freeze "${f.waived}"`);
}

/** An apply that left deferred changes exits 2: changes remain, nothing failed. */
function deferredExit(outcome: ReconcileOutcome, io: Io): number {
  if (outcome.deferred.length === 0) return EXIT.OK;
  io.err(`${outcome.deferred.length} change(s) deferred (their windows are executing): exit 2, changes remain; rerun once the executions end`);
  return EXIT.CHANGES;
}

/** --ignore-freeze REASON: the reason is required. */
function ignoreFreezeReason(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new UsageError('--ignore-freeze needs a reason, e.g. --ignore-freeze "security fix approved by the CAB"');
  return value.trim();
}

/** patchctl reconcile DIR [--plan | --dry-run] [--out plan.json] … */
export async function reconcileCommand(argv: string[], io: Io, mode: "plan" | "drift" = "plan"): Promise<number> {
  const { values, positionals } = parseReconcileArgs(argv);
  const format = parseOutputFormat(values.output);
  if (positionals.length !== 1) throw new UsageError(mode === "drift" ? "usage: patchctl drift DIR [--output text|json|markdown]" : "usage: patchctl reconcile DIR [--plan|--dry-run] [--out plan.json] [--adopt] [--auto-approve]");
  parsePercent(values["max-delete-percent"]);
  ignoreFreezeReason(values["ignore-freeze"]);
  // Filter values are checked against the account (the pre-flight in reconcileOne), not the shipped catalog.
  const loaded = await loadDesiredState(positionals[0]!, { filterValues: "account" });
  if (!loaded.state) throw new DiagnosticsError(loaded.diagnostics);
  const state = loaded.state;
  if (state.config.deployments === undefined) {
    if (values.deployment?.length) throw new UsageError("--deployment: patchctl.yaml defines no deployments");
    const conn = await connect(values, state.config.region);
    try {
      return await reconcileOne(state, conn, values, io, mode, format);
    } finally {
      await conn.close();
    }
  }
  const targets = deploymentTargets(state, values.deployment, values.region);
  if (values.out && targets.length > 1) throw new UsageError("--out saves one plan: pick one deployment-region with --deployment and --region");
  if (!values.plan && !values["dry-run"] && mode === "plan" && process.stdin.isTTY && !values["auto-approve"]) {
    throw new UsageError("applying to several deployments needs --auto-approve on a terminal (or --plan first)");
  }
  const results = await forEachDeployment(state, values, (s, conn, tio) => reconcileOne(s, conn, { ...values, "auto-approve": true }, tio, mode, format));
  return reportDeployments(results, format, io, mode === "drift" ? "Drift" : values.plan || values["dry-run"] ? "Plan" : "Apply");
}

/** patchctl drift DIR: the same comparison, framed as a drift report. */
export function driftCommand(argv: string[], io: Io): Promise<number> {
  return reconcileCommand(argv, io, "drift");
}

/** patchctl apply plan.json: applies exactly a saved plan, refusing it if the account moved since. */
export async function applyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: APPLY_FLAGS });
  const format = parseOutputFormat(values.output);
  if (positionals.length !== 1) throw new UsageError("usage: patchctl apply plan.json");
  const ignoreFreeze = ignoreFreezeReason(values["ignore-freeze"]);
  let plan: SavedPlan;
  try {
    plan = JSON.parse(await readFile(positionals[0]!, "utf8")) as SavedPlan;
  } catch (err) {
    throw new UsageError(`cannot read plan ${positionals[0]}: ${(err as Error).message}`);
  }
  const version: unknown = (plan as { formatVersion?: unknown }).formatVersion;
  if (typeof version === "number" && version < PLAN_FORMAT_VERSION && Array.isArray(plan.changes)) {
    throw new UsageError(`${positionals[0]} was saved by an earlier patchctl (plan formatVersion ${version}; this one reads ${PLAN_FORMAT_VERSION}): nothing is applied. Save the plan again with patchctl reconcile DIR --plan --out ${positionals[0]}`);
  }
  if (version !== PLAN_FORMAT_VERSION || !Array.isArray(plan.changes)) throw new UsageError(`${positionals[0]} is not a patchctl plan (formatVersion ${PLAN_FORMAT_VERSION})`);
  const conn = await connect({ ...values, region: values.region ?? plan.region });
  try {
    if (conn.region !== plan.region) throw new UsageError(`the plan was made for region ${plan.region}, not ${conn.region}`);
    const outcome = await applySavedPlan(plan, {
      gateway: conn.gateway,
      region: conn.region,
      deleteGuard: { maxDeletePercent: parsePercent(values["max-delete-percent"]), allowMassDelete: values["allow-mass-delete"] ?? false },
      lease: cliLease(conn.gateway, plan.owner, values, io),
      ignoreFreeze,
      review: async (p, _policy, refusals, context) => {
        if (refusals.length > 0) return false;
        io.out(renderPlan(p, format, "plan", undefined, { ...context, applying: true }));
        if (!hasChanges(p)) return true;
        return !(process.stdin.isTTY && !values["auto-approve"]) || (await confirm(io));
      },
    });
    const applied = outcome.refusals.length === 0 && !outcome.cancelled;
    if (outcome.result || (applied && outcome.deferred.length > 0)) io.out(renderApply(outcome.result, format, false, outcome));
    logWaiver(outcome, io);
    const reason = exitReason(outcome);
    if (reason) io.err(reason);
    if (outcome.refusals.length > 0 || outcome.cancelled) return EXIT.ERROR;
    if (outcome.result && !outcome.result.ok) return EXIT.ERROR;
    return deferredExit(outcome, io);
  } finally {
    await conn.close();
  }
}
