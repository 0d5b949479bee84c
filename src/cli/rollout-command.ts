import { parseArgs } from "node:util";
import type { DesiredState } from "../desired/load.js";
import { loadDesiredState } from "../desired/load.js";
import { DiagnosticsError } from "../model/diagnostics.js";
import type { RolloutStage } from "../model/desired.js";
import type { ActualResource } from "../model/plan.js";
import { expandDesired } from "../reconciler/expand.js";
import { evaluateRolloutResource, parseRolloutState, readRolloutStates, rolloutKey, rolloutParameterName } from "../resources/rollout.js";
import type { Measured, StageDecision, StageState } from "../resources/rollout-evaluate.js";
import { currentTime } from "../util/clock.js";
import type { Connection } from "./connection.js";
import { CONNECTION_FLAGS, CONNECTION_HELP, connect } from "./connection.js";
import type { Io } from "./output.js";
import { EXIT, parseOutputFormat, UsageError } from "./output.js";

export const ROLLOUT_FLAGS = {
  ...CONNECTION_FLAGS,
  dir: { type: "string" },
} as const;

export const ROLLOUT_HELP = `usage: patchctl rollout status NAME [--dir DIR] [options]

Shows the Rollout NAME of the desired state in DIR: each stage's approval cut-off (approveUntilDate)
and since when, as the account's state parameter (/patchctl/<owner>/rollouts/NAME) holds it, the
compliance last measured, and what a reconcile now would do: promote, wait (and until when at the
earliest), or stay blocked, and why. Reads only.

  --dir DIR                 the desired-state directory (default: the current directory)
  --owner NAME              whose rollout (default: owner: in patchctl.yaml)
  -o, --output FORMAT       text (default), json or markdown
  --region R                the region (default: AWS_REGION, AWS_DEFAULT_REGION, then region: in patchctl.yaml)
${CONNECTION_HELP}

exit codes: 0 ok, 1 error (no such rollout, unreadable account)`;

/** One stage as `rollout status` reports it. */
export interface StageStatus {
  name: string;
  baselines: string[];
  promoteWhen?: RolloutStage["promoteWhen"];
  /** As the account holds it; absent before the rollout's first apply. */
  applied?: { cutoff: string; since: string; measured?: Measured; blocked?: string };
  /** What a reconcile now would do. */
  next: { outcome: StageDecision["outcome"]; cutoff: string; message: string; earliestNext?: string };
}

export interface RolloutStatus {
  formatVersion: 1;
  kind: "rollout-status";
  rollout: string;
  owner: string;
  parameter: string;
  at: string;
  stages: StageStatus[];
}

export async function rolloutStatus(state: DesiredState, name: string, conn: Connection, owner: string, now: Date): Promise<RolloutStatus> {
  const desired = expandDesired(state, owner);
  const r = desired.find((d) => d.key === rolloutKey(name));
  if (!r) {
    const names = state.resources.filter((x) => x.doc.kind === "Rollout").map((x) => x.doc.metadata.name);
    throw new UsageError(`no Rollout named '${name}' in the desired state${names.length ? ` (rollouts: ${names.join(", ")})` : ""}`);
  }
  const actual = new Map<string, ActualResource>((await readRolloutStates(conn.gateway, owner)).map((a) => [a.key, a]));
  const { decisions, config } = await evaluateRolloutResource(r, desired, actual, { gateway: conn.gateway, owner, now, concurrency: 8 });
  const stored = actual.get(r.key);
  const applied = stored ? parseRolloutState(name, JSON.stringify(stored.spec)).stages : [];
  const stages = config.stages.map((stage): StageStatus => {
    const held: StageState | undefined = applied.find((s) => s.name === stage.name);
    const d = decisions.find((x) => x.stage === stage.name)!;
    const out: StageStatus = { name: stage.name, baselines: stage.baselines, next: { outcome: d.outcome, cutoff: d.cutoff, message: d.message, ...(d.earliestNext ? { earliestNext: d.earliestNext } : {}) } };
    if (stage.promoteWhen) out.promoteWhen = stage.promoteWhen;
    if (held) out.applied = { cutoff: held.cutoff, since: held.since, ...(held.measured ? { measured: held.measured } : {}), ...(held.blocked ? { blocked: held.blocked } : {}) };
    return out;
  });
  return { formatVersion: 1, kind: "rollout-status", rollout: name, owner, parameter: rolloutParameterName(owner, name), at: now.toISOString(), stages };
}

function measuredText(m: Measured | undefined): string {
  return m ? `${m.stage} ${m.percent}% compliant (${m.compliant}/${m.instances}, ${m.failed} failed)` : "-";
}

export function renderRolloutText(s: RolloutStatus): string {
  const lines = [`Rollout ${s.rollout} (owner ${s.owner}), at ${s.at}`, ""];
  for (const st of s.stages) {
    const gate = st.promoteWhen ? `after ${st.promoteWhen.stage}: ${st.promoteWhen.compliantPercent}% compliant, soak ${st.promoteWhen.soak}${st.promoteWhen.noFailedInstances ? ", no failed instance" : ""}` : "first stage: today";
    lines.push(`${st.name} [${st.baselines.join(", ")}] (${gate})`);
    lines.push(st.applied ? `  approves patches released up to ${st.applied.cutoff} (since ${st.applied.since})` : "  not applied yet");
    if (st.applied?.measured) lines.push(`  last measured: ${measuredText(st.applied.measured)}`);
    lines.push(`  now: ${st.next.message}`);
    if (st.next.earliestNext) lines.push(`  earliest next promotion: ${st.next.earliestNext}`);
  }
  return lines.join("\n");
}

function md(text: string): string {
  return text.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);
}

export function renderRolloutMarkdown(s: RolloutStatus): string {
  const lines = [`### Rollout ${md(s.rollout)}`, "", `At ${s.at}, owner \`${s.owner}\`.`, "", "| Stage | Baselines | Cut-off | Since | Last measured | Now | Earliest next |", "|---|---|---|---|---|---|---|"];
  for (const st of s.stages) {
    lines.push(`| ${md(st.name)} | ${md(st.baselines.join(", "))} | ${st.applied?.cutoff ?? "-"} | ${st.applied?.since ?? "-"} | ${md(measuredText(st.applied?.measured))} | ${md(st.next.message)} | ${st.next.earliestNext ?? "-"} |`);
  }
  return lines.join("\n");
}

/** patchctl rollout status NAME [--dir DIR] */
export async function rolloutCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: ROLLOUT_FLAGS });
  const format = parseOutputFormat(values.output);
  if (positionals[0] !== "status" || positionals.length !== 2) throw new UsageError("usage: patchctl rollout status NAME [--dir DIR] [--output text|json|markdown]");
  const loaded = await loadDesiredState(values.dir ?? ".");
  if (!loaded.state) throw new DiagnosticsError(loaded.diagnostics);
  const state = loaded.state;
  const conn = await connect(values, state.config.region);
  try {
    const status = await rolloutStatus(state, positionals[1]!, conn, values.owner ?? state.config.owner, currentTime());
    if (format === "json") io.out(JSON.stringify(status, null, 2));
    else if (format === "markdown") io.out(renderRolloutMarkdown(status));
    else io.out(renderRolloutText(status));
    return EXIT.OK;
  } finally {
    await conn.close();
  }
}
