/**
 * SSM maintenance-window schedules: cron(...), rate(...) and at(...), with SSM's
 * rules rather than Unix cron's, and their next runs in a time zone.
 *
 * Cron dates are found by cron-parser (see ./cron.ts for the translation). Time
 * zone behaviour, for cron and at, is wall-clock: 22:00 Europe/Berlin stays 22:00
 * local across DST changes, so its UTC instant moves by an hour. On DST days:
 * - spring-forward: a cron time that doesn't exist that day (02:30 when clocks go
 *   02:00 → 03:00) is skipped that day. This is what AWS documents for its
 *   scheduler (EventBridge Scheduler: "your schedule invocation gets skipped");
 *   cron-parser alone would run it at 03:30. An at() time in the gap runs at the
 *   same wall time moved forward by the gap (02:30 → 03:30), since skipping would
 *   mean never running.
 * - fall-back: a time that happens twice (01:30 when clocks go 02:00 → 01:00)
 *   runs once, at its first occurrence (summer time), for cron and at alike.
 * Rate schedules are fixed durations (a day is 24 hours), as AWS documents.
 */
import { DateTime, type IANAZone } from "luxon";
import { checkFrequency, compileCron, cronDates, splitCron, type CompiledCron, type CronFields } from "./cron.js";
import { ScheduleError } from "./errors.js";
import { wallToInstant, zoneOrThrow } from "./zone.js";

export type { CronFields } from "./cron.js";
export { ScheduleError } from "./errors.js";
export { formatInZone, validateTimezone } from "./zone.js";

export type Schedule =
  | { kind: "cron"; expression: string; fields: CronFields }
  | { kind: "rate"; value: number; unit: "minute" | "hour" | "day"; expression: string }
  | { kind: "at"; at: string; expression: string };

export interface RunOptions {
  /** IANA time zone the cron and at schedules are read in; default UTC. */
  timezone?: string;
  /** ScheduleOffset: days (1-6) to wait after each cron date. Cron only: ignored for rate and at. */
  offsetDays?: number;
  /** ISO-8601 (an offset is expected; without one it is read in `timezone`). No run before it. */
  startDate?: string;
  /** ISO-8601, like startDate. No run after it. */
  endDate?: string;
}

const MAX_LENGTH = 256;

/** Parse an SSM schedule expression; throws ScheduleError saying what is wrong. */
export function parseSchedule(expr: string): Schedule {
  const text = expr.trim();
  if (text.length > MAX_LENGTH) throw new ScheduleError(`schedule expression is ${text.length} characters long; at most ${MAX_LENGTH} are allowed`);
  const m = /^(cron|rate|at)\((.*)\)$/s.exec(text);
  if (!m) {
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    throw new ScheduleError(`'${shown}' is not a schedule expression: expected cron(...), rate(...) or at(...), e.g. cron(0 2 ? * SUN *), rate(7 days) or at(2026-07-07T15:55:00)`);
  }
  const kind = m[1] as "cron" | "rate" | "at";
  const body = m[2] as string;
  if (kind === "cron") {
    const fields = splitCron(body);
    const compiled = compileCron(fields);
    checkFrequency(compiled);
    const schedule: Schedule = { kind: "cron", expression: text, fields };
    compiledCache.set(schedule, compiled);
    return schedule;
  }
  if (kind === "rate") return parseRate(body, text);
  return parseAt(body, text);
}

const RATE_UNITS = ["minute", "hour", "day"] as const;
const MIN_RATE_MINUTES = 5;

function parseRate(body: string, text: string): Schedule {
  const r = /^\s*(\S+)\s+(\S+)\s*$/.exec(body);
  if (!r) throw new ScheduleError(`rate expression must be rate(N unit) with unit minute(s), hour(s) or day(s), e.g. rate(5 hours) or rate(1 day); got '${text}'`);
  const [, amount, word] = r as unknown as [string, string, string];
  if (!/^\d+$/.test(amount) || Number(amount) < 1) throw new ScheduleError(`rate value must be a whole number of at least 1, got '${amount}'`);
  const value = Number(amount);
  const plural = word.endsWith("s");
  const unit = RATE_UNITS.find((u) => u === (plural ? word.slice(0, -1) : word));
  if (unit === undefined) throw new ScheduleError(`rate unit must be minute(s), hour(s) or day(s), got '${word}'`);
  if (value === 1 && plural) throw new ScheduleError(`rate unit must be singular when the value is 1: rate(1 ${unit}), not rate(1 ${word})`);
  if (value > 1 && !plural) throw new ScheduleError(`rate unit must be plural when the value is more than 1: rate(${value} ${unit}s), not rate(${value} ${word})`);
  if (unit === "minute" && value < MIN_RATE_MINUTES) {
    throw new ScheduleError(`schedules firing more often than every ${MIN_RATE_MINUTES} minutes are not supported: rate(${value} minutes) is too often, use at least rate(5 minutes)`);
  }
  return { kind: "rate", value, unit, expression: text };
}

function parseAt(body: string, text: string): Schedule {
  const at = body.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(at)) {
    throw new ScheduleError(`at expression must be at(YYYY-MM-DDTHH:MM:SS), a local date-time without offset, e.g. at(2026-07-07T15:55:00); got '${text}'`);
  }
  const parsed = DateTime.fromISO(at, { zone: "UTC" });
  if (!parsed.isValid) throw new ScheduleError(`at(${at}) is not a real date-time (${parsed.invalidExplanation ?? parsed.invalidReason ?? "invalid"}); expected at(YYYY-MM-DDTHH:MM:SS)`);
  return { kind: "at", at, expression: text };
}

/** Compiled cron per Schedule object; a Schedule built by hand is compiled from its fields. */
const compiledCache = new WeakMap<Schedule, CompiledCron>();

function compiled(s: Extract<Schedule, { kind: "cron" }>): CompiledCron {
  let c = compiledCache.get(s);
  if (c === undefined) {
    c = compileCron(s.fields);
    compiledCache.set(s, c);
  }
  return c;
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

function instant(text: string | undefined, name: string, zone: IANAZone): number | undefined {
  if (text === undefined) return undefined;
  const d = DateTime.fromISO(text, { zone, setZone: true });
  if (!d.isValid) throw new ScheduleError(`${name} '${text}' is not an ISO-8601 date-time, e.g. 2026-12-01T00:00:00Z or 2026-12-01T00:00:00+01:00`);
  return d.toMillis();
}

/**
 * The next runs strictly after `from`, ascending: at most `count`, fewer when the
 * schedule ends (an at() in the past, endDate, the Year field). Runs are never
 * before startDate nor after endDate (both inclusive).
 *
 * - cron: cron dates in `timezone` (see the DST notes above); with offsetDays N,
 *   each run is N calendar days after its cron date, at the same local time.
 *   startDate, endDate and `from` apply to the shifted runs.
 * - rate(N unit): every N units counted from startDate, or from `from` when there
 *   is none; the first run is one period after that point (startDate + N, not
 *   startDate itself).
 * - at(...): once, at that local time in `timezone`.
 *
 * Throws ScheduleError for an unknown timezone, an unreadable startDate or endDate,
 * or offsetDays outside 0-6.
 */
export function nextRuns(schedule: Schedule, from: Date, count: number, opts: RunOptions = {}): Date[] {
  const zone = zoneOrThrow(opts.timezone ?? "UTC");
  const after = from.getTime();
  if (Number.isNaN(after)) throw new ScheduleError("nextRuns: 'from' is not a valid date");
  const start = instant(opts.startDate, "startDate", zone);
  const end = instant(opts.endDate, "endDate", zone);
  const want = Math.floor(count);
  if (!(want > 0)) return [];
  const keep = (t: number): boolean => t > after && (start === undefined || t >= start) && (end === undefined || t <= end);

  if (schedule.kind === "at") {
    const local = DateTime.fromISO(schedule.at, { zone: "UTC" });
    const t = wallToInstant({ year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute, second: local.second }, zone);
    return keep(t) ? [new Date(t)] : [];
  }

  if (schedule.kind === "rate") {
    const period = schedule.value * UNIT_MS[schedule.unit];
    const anchor = start ?? after;
    const lowest = Math.max(after, start ?? after); // runs are > after and >= start
    const out: Date[] = [];
    for (let k = Math.max(1, Math.floor((lowest - anchor) / period)); out.length < want; k++) {
      const t = anchor + k * period;
      if (end !== undefined && t > end) break;
      if (keep(t)) out.push(new Date(t));
    }
    return out;
  }

  const offset = opts.offsetDays ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > 6) throw new ScheduleError(`offsetDays (ScheduleOffset) must be a whole number of days from 1 to 6, got ${offset}`);
  const lowest = Math.max(after, start !== undefined ? start - 1 : after);
  const shift = (t: number): number => (offset === 0 ? t : DateTime.fromMillis(t, { zone }).plus({ days: offset }).toMillis());
  // Cron dates from `offset` days (plus one for DST) before the first allowed run.
  const cronAfter = offset === 0 ? lowest : DateTime.fromMillis(lowest, { zone }).minus({ days: offset + 1 }).toMillis();
  const out: Date[] = [];
  for (const cronDate of cronDates(compiled(schedule), cronAfter, zone)) {
    const t = shift(cronDate);
    if (end !== undefined && t > end) break;
    if (keep(t)) out.push(new Date(t));
    if (out.length >= want) break;
  }
  return out;
}
