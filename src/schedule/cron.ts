import { CronExpressionParser, type CronExpression } from "cron-parser";
import { DateTime, type IANAZone } from "luxon";
import { ScheduleError } from "./errors.js";
import { isRepeatedWallTime } from "./zone.js";

/**
 * SSM cron(...) expressions, translated into cron-parser's syntax.
 *
 * SSM's cron is Quartz-like: Minutes Hours Day-of-month Month Day-of-week Year
 * (an optional leading Seconds field that must be 0), day-of-week 1-7 with
 * 1 = SUN, exactly one of day-of-month and day-of-week is '?', L and W in
 * day-of-month, L and # in day-of-week. cron-parser does the date matching
 * (ranges, steps, L, #, time zones); this module validates SSM's rules, shifts
 * the day-of-week numbers and adds the two things cron-parser lacks: the Year
 * field and the W (nearest weekday) modifier, both applied as filters on
 * cron-parser's results.
 */

/** The six SSM fields as written (the seconds field, if any, is dropped). */
export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

/** A validated SSM cron expression, ready to iterate. */
export interface CompiledCron {
  /** The 6-field (seconds first) expression given to cron-parser. */
  expression: string;
  /** Allowed years in ascending order; undefined when every year (1970-2199) is allowed. */
  years: readonly number[] | undefined;
  /** The W modifier of day-of-month: nearest weekday to this day, or to the last day. */
  weekday: number | "L" | undefined;
  /** Allowed local minutes and hours, as cron-parser expanded them. */
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** What the field accepts, for error messages. */
  expects: string;
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

const MINUTES: FieldSpec = { name: "Minutes", min: 0, max: 59, expects: "0-59" };
const HOURS: FieldSpec = { name: "Hours", min: 0, max: 23, expects: "0-23" };
const DAY_OF_MONTH: FieldSpec = { name: "Day-of-month", min: 1, max: 31, expects: "1-31, L, LW, nW (e.g. 15W) or ?" };
const MONTH: FieldSpec = { name: "Month", min: 1, max: 12, names: MONTH_NAMES, expects: "1-12 or JAN-DEC" };
const DAY_OF_WEEK: FieldSpec = { name: "Day-of-week", min: 1, max: 7, names: DAY_NAMES, expects: "1-7 or SUN-SAT (1 = SUN), nL (e.g. 6L), n#k (e.g. TUE#3) or ?" };
const YEAR: FieldSpec = { name: "Year", min: 1970, max: 2199, expects: "1970-2199" };

export const FIELD_COUNT_MESSAGE = "cron expression must have 6 fields (Minutes Hours Day-of-month Month Day-of-week Year) or 7 with leading seconds";

/** Split the body of cron(...) into SSM's six fields; throws ScheduleError. */
export function splitCron(body: string): CronFields {
  const parts = body.trim().split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 6 && parts.length !== 7) throw new ScheduleError(`${FIELD_COUNT_MESSAGE}, got ${parts.length}`);
  if (parts.length === 7) {
    const seconds = parts.shift() as string;
    if (!/^0+$/.test(seconds)) {
      throw new ScheduleError(`the seconds field must be 0 (maintenance windows start on whole minutes), got '${seconds}'; write cron(Minutes Hours Day-of-month Month Day-of-week Year)`);
    }
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string];
  return { minutes, hours, dayOfMonth, month, dayOfWeek, year };
}

/** One comma-separated item: from-to/step, in SSM numbering. */
interface Item {
  from: number;
  to: number;
  step: number;
  star: boolean;
}

function fail(spec: FieldSpec, message: string): never {
  throw new ScheduleError(`${spec.name}: ${message}`);
}

function modifierMisplaced(spec: FieldSpec, token: string): never {
  if (spec === DAY_OF_MONTH && token.includes("#")) fail(spec, `'${token}' is not valid: # (nth weekday, e.g. TUE#3) is only allowed in Day-of-week`);
  if (spec === DAY_OF_WEEK && /W/i.test(token)) fail(spec, `'${token}' is not valid: W (nearest weekday, e.g. 15W) is only allowed in Day-of-month`);
  if (spec === DAY_OF_MONTH) fail(spec, `'${token}' is not valid: L and W are written on their own as L, LW or nW (e.g. 15W)`);
  if (spec === DAY_OF_WEEK) fail(spec, `'${token}' is not valid: L and # are written on their own as L, nL (e.g. 6L, FRIL) or n#k (e.g. TUE#3, 3#2)`);
  return fail(spec, `'${token}' is not valid: L, W and # are only allowed in Day-of-month (L, W) and Day-of-week (L, #)`);
}

/** A number or a name (JAN, SUN) of the field, range-checked. */
function value(spec: FieldSpec, text: string, token: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) fail(spec, `${n} is out of range ${spec.min}-${spec.max}`);
    return n;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return index + 1;
  if (/[LW#]/i.test(text)) modifierMisplaced(spec, token);
  return fail(spec, `'${text}' is not valid: expected ${spec.expects}`);
}

function parseItem(spec: FieldSpec, token: string): Item {
  if (token === "") fail(spec, `empty list item: expected ${spec.expects}, separated by commas`);
  if (token === "?") fail(spec, "'?' stands alone: it is the whole Day-of-month or Day-of-week field, never part of a list");
  const m = /^([^-/]+)(?:-([^-/]+))?(?:\/([^-/]*))?$/.exec(token);
  if (!m) {
    if (/[LW#]/i.test(token) && !/^[A-Z]{3}/i.test(token)) modifierMisplaced(spec, token);
    fail(spec, `'${token}' is not valid: expected ${spec.expects}, with , - * / wildcards (e.g. 1-5, 0/15, */2)`);
  }
  const [, first, last, stepText] = m as unknown as [string, string, string | undefined, string | undefined];
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText)) fail(spec, `step '/${stepText}' in '${token}' must be a whole number`);
    step = Number(stepText);
    const span = spec.max - spec.min + 1;
    if (step < 1 || step > span) fail(spec, `step '/${stepText}' in '${token}' must be between 1 and ${span}`);
  }
  if (first === "*") {
    if (last !== undefined) fail(spec, `'${token}' is not valid: '*' can't start a range`);
    return { from: spec.min, to: spec.max, step, star: true };
  }
  const from = value(spec, first, token);
  if (last === undefined) return { from, to: stepText !== undefined ? spec.max : from, step, star: false };
  const to = value(spec, last, token);
  if (to < from && spec === YEAR) fail(spec, `range '${first}-${last}' must go from low to high`);
  if (to < from && stepText !== undefined) {
    fail(spec, `range '${first}-${last}' wraps around; with a step, write it from low to high (e.g. ${from}-${spec.max}/${step})`);
  }
  return { from, to, step, star: false };
}

function parseList(spec: FieldSpec, text: string): Item[] {
  return text.split(",").map((token) => parseItem(spec, token));
}

/**
 * Items as cron-parser text. `shift` maps SSM numbers to cron-parser's (day-of-week
 * 1-7 → 0-6). A range that wraps around (22-2, FRI-MON) becomes two ranges.
 */
function render(spec: FieldSpec, items: Item[], shift = 0): string {
  const one = (from: number, to: number, step: number): string => {
    const a = from + shift;
    const b = to + shift;
    if (step === 1) return a === b ? `${a}` : `${a}-${b}`;
    return `${a}-${b}/${step}`;
  };
  if (items.length === 1) {
    const i = items[0]!;
    if (i.star && i.step === 1) return "*";
    return i.to < i.from ? `${one(i.from, spec.max, 1)},${one(spec.min, i.to, 1)}` : one(i.from, i.to, i.step);
  }
  // A list: its values, once each (cron-parser refuses duplicates such as 1-5,3-7; SSM doesn't).
  return expand(items, spec)
    .map((v) => `${v + shift}`)
    .join(",");
}

function expand(items: Item[], spec: FieldSpec): number[] {
  const out = new Set<number>();
  for (const i of items) {
    if (i.to < i.from) {
      for (let v = i.from; v <= spec.max; v++) out.add(v);
      for (let v = spec.min; v <= i.to; v++) out.add(v);
    } else {
      for (let v = i.from; v <= i.to; v += i.step) out.add(v);
    }
  }
  return [...out].sort((a, b) => a - b);
}

interface DayOfMonth {
  text: string;
  weekday: number | "L" | undefined;
}

function translateDayOfMonth(text: string): DayOfMonth {
  const upper = text.toUpperCase();
  if (upper === "?") return { text: "*", weekday: undefined };
  if (upper === "L") return { text: "L", weekday: undefined };
  // W: cron-parser has no W, so it is given the days the nearest weekday can fall on
  // and the W filter keeps the right one.
  if (upper === "LW") return { text: "26-31", weekday: "L" };
  const w = /^(\d+)W$/.exec(upper);
  if (w) {
    const day = value(DAY_OF_MONTH, w[1]!, text);
    return { text: `${Math.max(1, day - 2)}-${Math.min(31, day + 2)}`, weekday: day };
  }
  if (/[LW#]/.test(upper)) {
    for (const token of upper.split(",")) if (/[LW#]/.test(token)) modifierMisplaced(DAY_OF_MONTH, token);
  }
  return { text: render(DAY_OF_MONTH, parseList(DAY_OF_MONTH, text)), weekday: undefined };
}

function translateDayOfWeek(text: string): string {
  const upper = text.toUpperCase();
  if (upper === "?") return "*";
  // L alone is the last day of the week: Saturday.
  if (upper === "L") return "6";
  const last = /^([A-Z]{3}|\d+)L$/.exec(upper);
  if (last) return `${value(DAY_OF_WEEK, last[1]!, text) - 1}L`;
  const nth = /^([A-Z]{3}|\d+)#(\d+)$/.exec(upper);
  if (nth) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) fail(DAY_OF_WEEK, `'${text}': the occurrence after # must be #1 to #5 (e.g. TUE#3 is the third Tuesday)`);
    return `${value(DAY_OF_WEEK, nth[1]!, text) - 1}#${k}`;
  }
  for (const token of upper.split(",")) if (/#/.test(token) || /^([A-Z]{3}|\d+)?[LW]$/.test(token)) modifierMisplaced(DAY_OF_WEEK, token);
  return render(DAY_OF_WEEK, parseList(DAY_OF_WEEK, text), -1);
}

function plainField(spec: FieldSpec, text: string): Item[] {
  if (text === "?") fail(spec, "'?' is only allowed in Day-of-month or Day-of-week");
  return parseList(spec, text);
}

const MIN_GAP_MINUTES = 5;

function parseWithCronParser(expression: string, f: CronFields): CronExpression {
  try {
    return CronExpressionParser.parse(expression, { tz: "UTC" });
  } catch (err) {
    // What SSM's rules let through but cron-parser refuses, e.g. a day that never exists (30 FEB).
    const why = err instanceof Error ? err.message : String(err);
    if (/day of month/i.test(why)) throw new ScheduleError(`Day-of-month: '${f.dayOfMonth}' never occurs in Month '${f.month}', so the schedule would never run`);
    throw new ScheduleError(`invalid cron expression: ${why}`);
  }
}

/** Validate SSM's rules and translate; throws ScheduleError naming the field. */
export function compileCron(f: CronFields): CompiledCron {
  if ((f.dayOfMonth === "?") === (f.dayOfWeek === "?")) {
    throw new ScheduleError(
      `exactly one of Day-of-month and Day-of-week must be '?' (got '${f.dayOfMonth}' and '${f.dayOfWeek}'), e.g. cron(0 2 ? * SUN *) or cron(0 2 1 * ? *)`,
    );
  }
  const minutes = render(MINUTES, plainField(MINUTES, f.minutes));
  const hours = render(HOURS, plainField(HOURS, f.hours));
  const dom = translateDayOfMonth(f.dayOfMonth);
  const month = render(MONTH, plainField(MONTH, f.month));
  const dow = translateDayOfWeek(f.dayOfWeek);
  const yearItems = plainField(YEAR, f.year);
  const allYears = yearItems.length === 1 && yearItems[0]!.star && yearItems[0]!.step === 1;
  const expression = `0 ${minutes} ${hours} ${dom.text} ${month} ${dow}`;
  const parsed = parseWithCronParser(expression, f);
  return {
    expression,
    years: allYears ? undefined : expand(yearItems, YEAR),
    weekday: dom.weekday,
    minutes: new Set(parsed.fields.minute.values.map(Number)),
    hours: new Set(parsed.fields.hour.values.map(Number)),
  };
}

/**
 * SSM does not run windows more often than every 5 minutes. The times of day a
 * cron fires at are known from its Minutes and Hours fields; two of them less
 * than 5 minutes apart is too often. Across midnight (23:58 and 00:01) it is too
 * often only if two consecutive days can both match, which cron-parser is asked.
 */
export function checkFrequency(c: CompiledCron): void {
  const times = [...c.hours].flatMap((h) => [...c.minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  const tooOften = (gap: number): never => {
    throw new ScheduleError(`schedules firing more often than every ${MIN_GAP_MINUTES} minutes are not supported (this one has runs ${gap} minute${gap === 1 ? "" : "s"} apart)`);
  };
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap < MIN_GAP_MINUTES) tooOften(gap);
  }
  if (times.length < 2) return;
  const wrap = 1440 - times[times.length - 1]! + times[0]!;
  if (wrap >= MIN_GAP_MINUTES) return;
  // Are there two consecutive matching days? Asked of cron-parser day by day over
  // four years (a leap cycle), at midnight UTC; the W filter applied on top.
  const probe = CronExpressionParser.parse(c.expression.replace(/^0 \S+ \S+ /, "0 0 0 "), { tz: "UTC" });
  let previous = false;
  for (let i = 0; i < 4 * 366; i++) {
    const day = new Date(Date.UTC(2030, 0, 1 + i));
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const matches = probe.includesDate(day) && (c.weekday === undefined || d === nearestWeekday(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate(), c.weekday));
    if (matches && previous) tooOften(wrap);
    previous = matches;
  }
}

/** Nearest weekday (Mon-Fri) to `day` within the month, Quartz style; undefined if the day doesn't exist. */
function nearestWeekday(year: number, month: number, daysInMonth: number, day: number | "L"): number | undefined {
  const target = day === "L" ? daysInMonth : day;
  if (target > daysInMonth) return undefined;
  const weekday = DateTime.utc(year, month, target).weekday; // 1 = Mon ... 7 = Sun
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 7) return target === daysInMonth ? target - 2 : target + 1;
  return target;
}

const LAST_YEAR = YEAR.max;

/**
 * Run instants (epoch ms) strictly after `after`, ascending, as cron-parser finds
 * them in `zone`, filtered by SSM's rules:
 * - Year field: years not allowed are skipped by restarting cron-parser on 1 January of the next allowed year;
 * - W: only the nearest weekday of the candidate days is kept;
 * - spring-forward: a local time that doesn't exist that day is skipped (cron-parser
 *   would move it to the hour after the gap; AWS's scheduler skips it);
 * - fall-back: a local time that happens twice runs once, at its first occurrence.
 * Stops after `limit` cron-parser results, or when cron-parser finds nothing more.
 */
export function* cronDates(c: CompiledCron, after: number, zone: IANAZone, limit = 200_000): Generator<number> {
  let cursor = after;
  let budget = limit;
  for (;;) {
    const it = CronExpressionParser.parse(c.expression, { currentDate: new Date(cursor), tz: zone.name });
    let restart = false;
    while (!restart) {
      if (--budget < 0) return;
      let t: number;
      try {
        t = it.next().getTime();
      } catch {
        return; // cron-parser found no further date (e.g. 30 FEB) within its loop limit
      }
      const local = DateTime.fromMillis(t, { zone });
      if (local.year > LAST_YEAR) return;
      if (c.years !== undefined && !c.years.includes(local.year)) {
        const next = c.years.find((y) => y > local.year);
        if (next === undefined) return;
        cursor = DateTime.fromObject({ year: next, month: 1, day: 1 }, { zone }).toMillis() - 1000;
        restart = true;
        continue;
      }
      if (c.weekday !== undefined && local.day !== nearestWeekday(local.year, local.month, local.daysInMonth ?? 31, c.weekday)) continue;
      if (!c.hours.has(local.hour) || !c.minutes.has(local.minute)) continue;
      if (isRepeatedWallTime(t, zone)) continue;
      yield t;
    }
  }
}
