import { CronExpressionParser } from "cron-parser";
import { DateTime, IANAZone } from "luxon";

/**
 * SSM maintenance-window schedules: cron(...), rate(...), at(...), with SSM's own
 * rules (6 fields plus an optional leading seconds field, 1 = SUN, a Year field,
 * exactly one of day-of-month and day-of-week is '?', nothing more often than every
 * 5 minutes). Cron matching is done by cron-parser; this module translates SSM's
 * syntax into it and adds what it lacks (the Year field, the W modifier).
 */
export type Schedule =
  | { kind: "cron"; expression: string; fields: CronFields }
  | { kind: "rate"; value: number; unit: "minute" | "hour" | "day"; expression: string }
  | { kind: "at"; at: string; expression: string };

export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleError";
  }
}

export interface RunOptions {
  /** IANA timezone the schedule is read in; default UTC. */
  timezone?: string;
  /** ScheduleOffset: days after each cron date (cron only). */
  offsetDays?: number;
  /** ISO-8601; no run before it. */
  startDate?: string;
  /** ISO-8601; no run after it. */
  endDate?: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MIN_INTERVAL_MS = 5 * 60_000;

export function validateTimezone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

export function formatInZone(d: Date, tz: string): string {
  return DateTime.fromJSDate(d, { zone: tz }).toFormat("yyyy-LL-dd HH:mm ZZZZ (ccc)");
}

function checkNumbers(field: string, text: string, min: number, max: number, names: string[] = []): void {
  for (const token of text.split(",")) {
    const [range, step] = token.split("/");
    if (step !== undefined && !/^\d+$/.test(step)) throw new ScheduleError(`${field}: step '${step}' must be a number`);
    const withoutNth = (range ?? "").replace(/#\d+$/, "");
    if (/^(L|LW)$/i.test(withoutNth)) continue;
    const cleaned = withoutNth.replace(/^(\d+)(L|W|LW)$/i, "$1");
    if (cleaned === "*" || cleaned === "?" || cleaned === "") continue;
    for (const part of cleaned.split("-")) {
      if (names.includes(part.toUpperCase())) continue;
      if (!/^\d+$/.test(part)) throw new ScheduleError(`${field}: '${token}' is not valid (expected ${min}-${max}${names.length ? ` or ${names[0]}-${names[names.length - 1]}` : ""}, with , - * / wildcards)`);
      const n = Number(part);
      if (n < min || n > max) throw new ScheduleError(`${field}: ${n} is out of range ${min}-${max}`);
    }
  }
  const nth = /#(\d+)/.exec(text);
  if (nth && (Number(nth[1]) < 1 || Number(nth[1]) > 5)) throw new ScheduleError(`${field}: '#${nth[1]}' must be #1 to #5`);
}

/** SSM day-of-week (1 = SUN … 7 = SAT) → cron-parser's (0 = SUN … 6 = SAT). */
function translateDayOfWeek(text: string): string {
  if (text === "?" || text === "*") return "*";
  return text
    .split(",")
    .map((token) => token.replace(/^(\d+)(-(\d+))?/, (_m, a: string, _r, b?: string) => `${Number(a) - 1}${b ? `-${Number(b) - 1}` : ""}`))
    .join(",");
}

function parseCron(expression: string, body: string): Schedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6 && parts.length !== 7) {
    throw new ScheduleError(`cron expression must have 6 fields (Minutes Hours Day-of-month Month Day-of-week Year) or 7 with leading seconds, got ${parts.length}`);
  }
  if (parts.length === 7) {
    if (parts[0] !== "0") throw new ScheduleError(`the seconds field must be 0 (got '${parts[0]}')`);
    parts.shift();
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string];
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    throw new ScheduleError("exactly one of Day-of-month and Day-of-week must be '?' (e.g. cron(0 2 ? * SUN *) or cron(0 2 1 * ? *))");
  }
  checkNumbers("Minutes", minutes, 0, 59);
  checkNumbers("Hours", hours, 0, 23);
  checkNumbers("Day-of-month", dayOfMonth, 1, 31);
  checkNumbers("Month", month, 1, 12, MONTHS);
  checkNumbers("Day-of-week", dayOfWeek, 1, 7, DAYS);
  checkNumbers("Year", year, 1970, 2199);
  // Month and day names (JUL, WED, …) contain L and W: take them out before looking for modifiers.
  const withoutNames = (text: string, names: string[]): string => text.replace(new RegExp(`\\b(${names.join("|")})\\b`, "gi"), "");
  if (/[LW#]/i.test(minutes + hours + withoutNames(month, MONTHS) + year)) throw new ScheduleError("L, W and # are only allowed in Day-of-month (L, W) and Day-of-week (L, #)");
  if (/W/i.test(withoutNames(dayOfWeek, DAYS))) throw new ScheduleError("Day-of-week: W is only allowed in Day-of-month");
  const fields: CronFields = { minutes, hours, dayOfMonth, month, dayOfWeek, year };
  const schedule: Schedule = { kind: "cron", expression, fields };
  try {
    toCronParser(fields, new Date("2026-01-01T00:00:00Z"), "UTC");
  } catch (err) {
    throw new ScheduleError(`invalid cron expression: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Nothing may fire more often than every 5 minutes.
  const sample = cronCandidates(schedule, new Date("2030-01-01T00:00:00Z"), 30, "UTC");
  for (let i = 1; i < sample.length; i++) {
    if (sample[i]!.getTime() - sample[i - 1]!.getTime() < MIN_INTERVAL_MS) {
      throw new ScheduleError("schedules firing more often than every 5 minutes are not supported");
    }
  }
  return schedule;
}

function toCronParser(f: CronFields, from: Date, tz: string) {
  const dom = f.dayOfMonth === "?" ? "*" : /W/i.test(f.dayOfMonth) ? "*" : f.dayOfMonth;
  const expr = `0 ${f.minutes} ${f.hours} ${dom} ${f.month} ${translateDayOfWeek(f.dayOfWeek)}`;
  return CronExpressionParser.parse(expr, { currentDate: from, tz });
}

function yearMatches(text: string, year: number): boolean {
  if (text === "*" || text === "?") return true;
  return text.split(",").some((token) => {
    const [range, stepText] = token.split("/");
    const step = stepText ? Number(stepText) : 1;
    const [a, b] = (range ?? "*").split("-");
    const lo = a === "*" ? 1970 : Number(a);
    const hi = b !== undefined ? Number(b) : a === "*" || stepText ? 2199 : lo;
    return year >= lo && year <= hi && (year - lo) % step === 0;
  });
}

/** Nearest weekday to day `n` of the month, not crossing month boundaries (SSM/Quartz W semantics). */
function nearestWeekday(local: DateTime, n: number | "L"): number {
  const last = local.daysInMonth!;
  const day = n === "L" ? last : Math.min(n, last);
  const d = local.set({ day });
  const wd = d.weekday; // 1 = Mon … 7 = Sun
  if (wd === 6) return day === 1 ? 3 : day - 1;
  if (wd === 7) return day === last ? day - 2 : day + 1;
  return day;
}

function wMatches(dom: string, local: DateTime): boolean {
  if (!/W/i.test(dom)) return true;
  const m = /^(L|\d+)W$/i.exec(dom.trim());
  if (!m) return false;
  const target = m[1]!.toUpperCase() === "L" ? "L" : Number(m[1]);
  return local.day === nearestWeekday(local, target);
}

/** The last year a Year field allows (2199 when open-ended). */
function lastYear(text: string): number {
  if (/[*?/]/.test(text)) return 2199;
  return Math.max(...text.split(/[,-]/).map(Number));
}

function cronCandidates(s: Extract<Schedule, { kind: "cron" }>, from: Date, count: number, tz: string, until?: number): Date[] {
  const it = toCronParser(s.fields, from, tz);
  const maxYear = lastYear(s.fields.year);
  const out: Date[] = [];
  for (let guard = 0; out.length < count && guard < 20000; guard++) {
    let next: Date;
    try {
      next = it.next().toDate();
    } catch {
      break;
    }
    if (until !== undefined && next.getTime() > until) break;
    const local = DateTime.fromJSDate(next, { zone: tz });
    if (local.year > maxYear) break;
    if (!yearMatches(s.fields.year, local.year)) continue;
    if (!wMatches(s.fields.dayOfMonth, local)) continue;
    out.push(next);
  }
  return out;
}

export function parseSchedule(expr: string): Schedule {
  const text = expr.trim();
  const m = /^(cron|rate|at)\((.*)\)$/s.exec(text);
  if (!m) throw new ScheduleError(`'${expr}' is not a schedule: expected cron(...), rate(...) or at(...)`);
  const [, kind, body] = m as unknown as [string, "cron" | "rate" | "at", string];
  if (kind === "cron") return parseCron(text, body);
  if (kind === "rate") {
    const r = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
    if (!r) throw new ScheduleError(`rate expression must be rate(N minutes|hours|days), e.g. rate(5 hours) (got '${expr}')`);
    const value = Number(r[1]);
    const word = r[2]!;
    const plural = word.endsWith("s");
    if (value < 1) throw new ScheduleError("rate value must be at least 1");
    if (value === 1 && plural) throw new ScheduleError(`use the singular for 1: rate(1 ${word.slice(0, -1)})`);
    if (value > 1 && !plural) throw new ScheduleError(`use the plural for ${value}: rate(${value} ${word}s)`);
    const unit = (plural ? word.slice(0, -1) : word) as "minute" | "hour" | "day";
    if (unit === "minute" && value < 5) throw new ScheduleError("schedules firing more often than every 5 minutes are not supported");
    return { kind: "rate", value, unit, expression: text };
  }
  const a = /^\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\s*$/.exec(body);
  if (!a || !DateTime.fromISO(a[1]!, { zone: "UTC" }).isValid) throw new ScheduleError(`at expression must be at(YYYY-MM-DDTHH:MM:SS) (got '${expr}')`);
  return { kind: "at", at: a[1]!, expression: text };
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The next `count` runs strictly after `from`, in time order, honouring the
 * timezone, the offset and the start and end dates. Fewer when the schedule ends.
 *
 * DST: cron times are wall-clock times in the timezone (22:00 stays 22:00 local
 * across a change). A time skipped by spring-forward, and a time repeated by
 * fall-back, are resolved the way cron-parser resolves them (see the tests).
 */
export function nextRuns(schedule: Schedule, from: Date, count: number, opts: RunOptions = {}): Date[] {
  const tz = opts.timezone ?? "UTC";
  const start = opts.startDate ? Date.parse(opts.startDate) : undefined;
  const end = opts.endDate ? Date.parse(opts.endDate) : undefined;
  const floor = Math.max(from.getTime(), start !== undefined ? start - 1 : -Infinity);
  const keep = (d: Date): boolean => d.getTime() > floor && d.getTime() > from.getTime() && (end === undefined || d.getTime() <= end);

  if (schedule.kind === "at") {
    const at = DateTime.fromISO(schedule.at, { zone: tz }).toJSDate();
    return keep(at) ? [at] : [];
  }
  if (schedule.kind === "rate") {
    const period = schedule.value * UNIT_MS[schedule.unit];
    const anchor = start ?? from.getTime();
    const out: Date[] = [];
    const k0 = Math.max(1, Math.floor((floor - anchor) / period) + 1);
    for (let k = k0; out.length < count; k++) {
      const d = new Date(anchor + k * period);
      if (end !== undefined && d.getTime() > end) break;
      if (keep(d)) out.push(d);
    }
    return out;
  }
  const offset = opts.offsetDays ?? 0;
  const cronFrom = DateTime.fromMillis(floor, { zone: tz }).minus({ days: offset }).toJSDate();
  const out: Date[] = [];
  const candidates = cronCandidates(schedule, cronFrom, count + offset * 2 + 5, tz, end);
  for (const c of candidates) {
    const d = offset ? DateTime.fromJSDate(c, { zone: tz }).plus({ days: offset }).toJSDate() : c;
    if (end !== undefined && d.getTime() > end) break;
    if (keep(d)) out.push(d);
    if (out.length === count) break;
  }
  return out;
}
