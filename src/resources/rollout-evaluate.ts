import type { PromoteWhen, RolloutStage } from "../model/desired.js";

/**
 * A rollout's evaluation, pure: from the state kept in the account, the instant and what each
 * stage's instances report, the next state and what happened to each stage (docs/rollout.md).
 *
 * - The first stage's cut-off moves to today (UTC) at each run.
 * - A later stage takes a cut-off its promoteWhen.stage has held for `soak`, the newest such one,
 *   when at least compliantPercent of that stage's instances are compliant — an Install operation
 *   that ended after that cut-off was set, nothing missing, nothing failed — and, with
 *   noFailedInstances, none has a failed patch.
 * - Every stage remembers the cut-offs it held that a stage promoted from it has not yet taken
 *   (`earlier`), so a first stage that moves every day still has a cut-off that soaked.
 */

/** A cut-off a stage set, and since when. */
export interface HeldCutoff {
  /** YYYY-MM-DD: patches released up to this date are approved. */
  cutoff: string;
  /** ISO-8601 date-time it was set at. */
  since: string;
}

/** What a stage promoted from another measured of it. */
export interface Measured {
  stage: string;
  instances: number;
  compliant: number;
  failed: number;
  percent: number;
}

export interface StageState extends HeldCutoff {
  name: string;
  /** Cut-offs held before the current one that a stage promoted from this one has not taken yet, oldest first. */
  earlier?: HeldCutoff[];
  /** The promoting stage's compliance, as last measured (later stages). */
  measured?: Measured;
  /** Why the stage was not promoted at the last evaluation. */
  blocked?: string;
}

/** What the Parameter Store parameter of a rollout holds. */
export interface RolloutState {
  rollout: string;
  stages: StageState[];
}

/** One stage's outcome of an evaluation. */
export interface StageDecision {
  stage: string;
  outcome: "moved" | "promoted" | "held" | "blocked" | "started";
  /** "staging: approve patches released up to 2026-12-01 (dev 97% compliant for 3 days)". */
  message: string;
  cutoff: string;
  /** The earliest instant the stage can be promoted next (later stages; a soak not yet over). */
  earliestNext?: string;
}

/** An instance's patch state, as DescribeInstancePatchStatesForPatchGroup reports it. */
export interface InstancePatchState {
  instanceId: string;
  operation?: string;
  /** ISO-8601. */
  operationEnd?: string;
  missing: number;
  failed: number;
}

export interface EvaluationInput {
  name: string;
  stages: readonly RolloutStage[];
  previous?: RolloutState;
  now: Date;
  /** The cut-off a stage without state starts at (its baselines' written or current approveUntilDate). */
  startingCutoff(stage: string): string;
  /** The instances of a stage (its baselines' patch groups), read when a promotion is considered. */
  instances(stage: string): Promise<InstancePatchState[]>;
}

/** Most cut-offs a stage remembers (a Standard parameter holds 4 KB). */
const MAX_EARLIER = 20;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function soakMs(soak: string): number {
  const m = /^(\d+)([dh])$/.exec(soak);
  if (!m) throw new Error(`soak '${soak}': expected days (3d) or hours (12h)`);
  return Number(m[1]) * (m[2] === "d" ? DAY_MS : HOUR_MS);
}

/** "3 days", "1 day", "12 hours": how long a cut-off has been held. */
export function heldFor(ms: number): string {
  if (ms >= DAY_MS) {
    const days = Math.floor(ms / DAY_MS);
    return `${days} day${days === 1 ? "" : "s"}`;
  }
  const hours = Math.floor(ms / HOUR_MS);
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Compliant: an Install that ended after the cut-off was set, with nothing missing and nothing failed. */
export function isCompliant(i: InstancePatchState, since: string): boolean {
  return i.operation === "Install" && i.operationEnd !== undefined && Date.parse(i.operationEnd) > Date.parse(since) && i.missing === 0 && i.failed === 0;
}

export function measure(stage: string, instances: readonly InstancePatchState[], since: string): Measured {
  const compliant = instances.filter((i) => isCompliant(i, since)).length;
  const failed = instances.filter((i) => i.failed > 0).length;
  const percent = instances.length === 0 ? 0 : Math.floor((compliant * 100) / instances.length);
  return { stage, instances: instances.length, compliant, failed, percent };
}

function moveTo(s: StageState, cutoff: string, now: Date): StageState {
  const earlier = [...(s.earlier ?? []), { cutoff: s.cutoff, since: s.since }].filter((h) => h.cutoff < cutoff);
  const next: StageState = { name: s.name, cutoff, since: isoSeconds(now) };
  if (earlier.length) next.earlier = earlier;
  return next;
}

/** Why a promotion waits, or the cut-off to take (the newest of `from`'s that soaked and proved itself). */
async function consider(stage: StageState, when: PromoteWhen, from: StageState, input: EvaluationInput): Promise<{ take?: HeldCutoff; measured?: Measured; blocked?: string; earliestNext?: string }> {
  const now = input.now.getTime();
  const soak = soakMs(when.soak);
  const ahead = [...(from.earlier ?? []), { cutoff: from.cutoff, since: from.since }].filter((h) => h.cutoff > stage.cutoff);
  if (ahead.length === 0) return {};
  const soaked = ahead.filter((h) => now - Date.parse(h.since) >= soak);
  if (soaked.length === 0) {
    const oldest = ahead[0]!;
    const ready = new Date(Date.parse(oldest.since) + soak);
    return { blocked: `${from.name} has held ${oldest.cutoff} for ${heldFor(now - Date.parse(oldest.since))}, needs ${when.soak}`, earliestNext: isoSeconds(ready) };
  }
  const candidate = soaked[soaked.length - 1]!;
  const measured = measure(from.name, await input.instances(from.name), candidate.since);
  if (measured.instances === 0) return { measured, blocked: `${from.name} has no instances reporting patch states` };
  if (measured.compliant * 100 < when.compliantPercent * measured.instances) {
    return { measured, blocked: `${from.name} ${measured.percent}% compliant, needs ${when.compliantPercent}%` };
  }
  if (when.noFailedInstances === true && measured.failed > 0) {
    return { measured, blocked: `${from.name} has ${measured.failed} failed instance${measured.failed === 1 ? "" : "s"}, needs none` };
  }
  return { take: candidate, measured };
}

/** Keeps in `earlier` only what a stage promoted from this one has yet to take. */
function prune(states: StageState[], stages: readonly RolloutStage[]): void {
  for (const s of states) {
    const followers = stages.filter((x) => x.promoteWhen?.stage === s.name).map((x) => states.find((t) => t.name === x.name)!.cutoff);
    const floor = followers.length ? followers.reduce((a, b) => (a < b ? a : b)) : s.cutoff;
    const kept = (s.earlier ?? []).filter((h) => h.cutoff > floor).slice(-MAX_EARLIER);
    if (kept.length) s.earlier = kept;
    else delete s.earlier;
  }
}

export async function evaluateRollout(input: EvaluationInput): Promise<{ state: RolloutState; decisions: StageDecision[] }> {
  const today = utcDate(input.now);
  const states: StageState[] = [];
  const decisions: StageDecision[] = [];
  for (const [i, stage] of input.stages.entries()) {
    const before = input.previous?.stages.find((s) => s.name === stage.name);
    const start: StageState = before
      ? { name: before.name, cutoff: before.cutoff, since: before.since, ...(before.earlier ? { earlier: before.earlier } : {}) }
      : { name: stage.name, cutoff: input.startingCutoff(stage.name), since: isoSeconds(input.now) };
    const started = before === undefined;
    if (i === 0) {
      if (start.cutoff === today && !started) {
        states.push(start);
        decisions.push({ stage: stage.name, outcome: "held", cutoff: today, message: `${stage.name}: approves patches released up to ${today} (the first stage: today)` });
      } else {
        states.push(started ? { name: stage.name, cutoff: today, since: isoSeconds(input.now) } : moveTo(start, today, input.now));
        decisions.push({ stage: stage.name, outcome: "moved", cutoff: today, message: `${stage.name}: approve patches released up to ${today} (the first stage: today)` });
      }
      continue;
    }
    const when = stage.promoteWhen!;
    const from = states.find((s) => s.name === when.stage)!;
    const verdict = await consider(start, when, from, input);
    if (verdict.take) {
      const next = moveTo(start, verdict.take.cutoff, input.now);
      next.measured = verdict.measured!;
      states.push(next);
      const how = `${from.name} ${verdict.measured!.percent}% compliant for ${heldFor(input.now.getTime() - Date.parse(verdict.take.since))}`;
      decisions.push({ stage: stage.name, outcome: "promoted", cutoff: next.cutoff, message: `${stage.name}: approve patches released up to ${next.cutoff} (${how})` });
      continue;
    }
    // Not promoted: what was last measured stays until something is measured again.
    const kept: StageState = { ...start };
    const measured = verdict.measured ?? before?.measured;
    if (measured) kept.measured = measured;
    if (verdict.blocked) kept.blocked = verdict.blocked;
    states.push(kept);
    const decision: StageDecision = verdict.blocked
      ? { stage: stage.name, outcome: "blocked", cutoff: kept.cutoff, message: `${stage.name}: blocked at ${kept.cutoff} (${verdict.blocked})` }
      : { stage: stage.name, outcome: started ? "started" : "held", cutoff: kept.cutoff, message: `${stage.name}: approves patches released up to ${kept.cutoff} (${started ? "starting point" : `in step with ${from.name}`})` };
    if (verdict.earliestNext) decision.earliestNext = verdict.earliestNext;
    decisions.push(decision);
  }
  prune(states, input.stages);
  return { state: { rollout: input.name, stages: states }, decisions };
}
