/**
 * Change freezes of the desired state (patchctl.yaml `freezes:`), as periods in time: a fixed one
 * (`start`, `end`) or a recurring one (a cron schedule in SSM's syntax opening a period of
 * `duration` hours at each of its times, read in `timezone`). Pure: no AWS, no clock (every
 * function takes the instant it answers for).
 *
 * A period includes its start and excludes its end. Recurring periods that overlap or touch
 * (a duration as long as the schedule's interval) are one freeze from the first start to the last
 * end.
 */
import { DateTime } from "luxon";
import type { FreezeSpec } from "../model/desired.js";
import type { Schedule } from "../schedule/index.js";
import { nextRuns, parseSchedule, ScheduleError, validateTimezone } from "../schedule/index.js";

const HOUR_MS = 3_600_000;
/** How far merging chained recurring periods looks ahead before it calls the freeze endless. */
const MERGE_HORIZON_MS = 366 * 24 * HOUR_MS;
/** How many cron times one query reads at most (a cron every 5 minutes for a year is ~105,000). */
const MAX_RUNS = 200_000;

/** One period of one freeze. `end` is absent when the freeze does not end within a year (chained periods). */
export interface FreezePeriod {
  name: string;
  reason?: string;
  start: Date;
  end?: Date;
}

/** A freeze as the evaluator reads it; invalid ones are refused by validation before this. */
interface CompiledFreeze {
  spec: FreezeSpec;
  fixed?: { start: number; end: number };
  recurring?: { schedule: Schedule; durationMs: number; timezone: string };
}

/** A freeze's instant (ISO-8601, with an offset or read in `timezone`), or undefined when unreadable. */
export function freezeInstant(text: string, timezone: string | undefined): number | undefined {
  const zone = timezone !== undefined && validateTimezone(timezone) ? timezone : "UTC";
  const d = DateTime.fromISO(text, { zone, setZone: true });
  return d.isValid ? d.toMillis() : undefined;
}

function compile(spec: FreezeSpec): CompiledFreeze | undefined {
  if (spec.start !== undefined && spec.end !== undefined) {
    const start = freezeInstant(spec.start, spec.timezone);
    const end = freezeInstant(spec.end, spec.timezone);
    if (start === undefined || end === undefined || end <= start) return undefined;
    return { spec, fixed: { start, end } };
  }
  if (spec.schedule !== undefined && spec.duration !== undefined && spec.duration > 0) {
    let schedule: Schedule;
    try {
      schedule = parseSchedule(spec.schedule);
    } catch (err) {
      if (err instanceof ScheduleError) return undefined;
      throw err;
    }
    if (schedule.kind !== "cron") return undefined;
    const timezone = spec.timezone ?? "UTC";
    if (!validateTimezone(timezone)) return undefined;
    return { spec, recurring: { schedule, durationMs: spec.duration * HOUR_MS, timezone } };
  }
  return undefined;
}

function period(f: CompiledFreeze, start: number, end: number | undefined): FreezePeriod {
  const p: FreezePeriod = { name: f.spec.name, start: new Date(start) };
  if (f.spec.reason !== undefined) p.reason = f.spec.reason;
  if (end !== undefined) p.end = new Date(end);
  return p;
}

/** Cron times of a recurring freeze strictly after `after`, ascending, lazily. */
function* runsAfter(r: NonNullable<CompiledFreeze["recurring"]>, after: number, batchSize = 64): Generator<number> {
  let from = after;
  let read = 0;
  while (read < MAX_RUNS) {
    const batch = nextRuns(r.schedule, new Date(from), batchSize, { timezone: r.timezone });
    if (batch.length === 0) return;
    for (const d of batch) {
      read++;
      yield d.getTime();
    }
    from = batch[batch.length - 1]!.getTime();
  }
}

/**
 * The recurring freeze's merged period that starts at `start` (a cron time): its end, following
 * periods that begin before the previous one ends. Undefined when it chains on past the horizon.
 */
function mergedEnd(r: NonNullable<CompiledFreeze["recurring"]>, start: number): number | undefined {
  let end = start + r.durationMs;
  for (const t of runsAfter(r, start)) {
    if (t > end) return end;
    end = Math.max(end, t + r.durationMs);
    if (end - start > MERGE_HORIZON_MS) return undefined;
  }
  return end;
}

/** The merged period of a recurring freeze in force at `at`, if any. */
function recurringAt(r: NonNullable<CompiledFreeze["recurring"]>, at: number): { start: number; end: number | undefined } | undefined {
  // Periods in force at `at` began in (at - duration, at]; the earliest of them may chain from even earlier ones.
  let first: number | undefined;
  for (const t of runsAfter(r, at - r.durationMs, 1)) {
    if (t <= at) first = t;
    break;
  }
  if (first === undefined) return undefined;
  // Walk back over periods that end at or after `first` begins (a chain started before).
  let start = first;
  for (let guard = 0; guard < 10_000; guard++) {
    let previous: number | undefined;
    for (const t of runsAfter(r, start - r.durationMs - 1, 1)) {
      if (t < start) previous = t;
      break;
    }
    if (previous === undefined || previous + r.durationMs < start) break;
    start = previous;
    if (first - start > MERGE_HORIZON_MS) break;
  }
  return { start, end: mergedEnd(r, start) };
}

/** The freezes in force at `at` (each with its merged period). */
export function activeFreezes(specs: readonly FreezeSpec[] | undefined, at: Date): FreezePeriod[] {
  const t = at.getTime();
  const out: FreezePeriod[] = [];
  for (const spec of specs ?? []) {
    const f = compile(spec);
    if (!f) continue;
    if (f.fixed) {
      if (f.fixed.start <= t && t < f.fixed.end) out.push(period(f, f.fixed.start, f.fixed.end));
      continue;
    }
    const hit = recurringAt(f.recurring!, t);
    if (hit) out.push(period(f, hit.start, hit.end));
  }
  return out;
}

/**
 * Periods of every freeze that are in force at `from` or begin after it, up to `count` per freeze,
 * ascending by start (the ones in force first).
 */
export function upcomingFreezes(specs: readonly FreezeSpec[] | undefined, from: Date, count = 3): FreezePeriod[] {
  const t = from.getTime();
  const out: FreezePeriod[] = [];
  for (const spec of specs ?? []) {
    const f = compile(spec);
    if (!f) continue;
    if (f.fixed) {
      if (f.fixed.end > t) out.push(period(f, f.fixed.start, f.fixed.end));
      continue;
    }
    const r = f.recurring!;
    const mine: FreezePeriod[] = [];
    const current = recurringAt(r, t);
    let cursor = t;
    if (current) {
      mine.push(period(f, current.start, current.end));
      if (current.end === undefined) {
        out.push(...mine);
        continue;
      }
      cursor = current.end;
    }
    while (mine.length < count) {
      const next = runsAfter(r, cursor, 1).next();
      if (next.done) break;
      const end = mergedEnd(r, next.value);
      mine.push(period(f, next.value, end));
      if (end === undefined) break;
      cursor = end;
    }
    out.push(...mine);
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** Every period of every freeze that overlaps [from, to), ascending (for the timeline). */
export function freezesBetween(specs: readonly FreezeSpec[] | undefined, from: Date, to: Date): FreezePeriod[] {
  const out: FreezePeriod[] = [];
  for (const spec of specs ?? []) {
    const f = compile(spec);
    if (!f) continue;
    if (f.fixed) {
      if (f.fixed.start < to.getTime() && f.fixed.end > from.getTime()) out.push(period(f, f.fixed.start, f.fixed.end));
      continue;
    }
    const r = f.recurring!;
    const current = recurringAt(r, from.getTime());
    let cursor = from.getTime();
    if (current) {
      out.push(period(f, current.start, current.end));
      if (current.end === undefined) continue;
      cursor = current.end;
    }
    for (let guard = 0; guard < 10_000; guard++) {
      const next = runsAfter(r, cursor, 1).next();
      if (next.done || next.value >= to.getTime()) break;
      const end = mergedEnd(r, next.value);
      out.push(period(f, next.value, end));
      if (end === undefined) break;
      cursor = end;
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The freeze period (of those given) that contains `at`, if any. */
export function periodAt(periods: readonly FreezePeriod[], at: Date): FreezePeriod | undefined {
  const t = at.getTime();
  return periods.find((p) => p.start.getTime() <= t && (p.end === undefined || t < p.end.getTime()));
}
