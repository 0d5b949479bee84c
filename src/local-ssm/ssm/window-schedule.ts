import { DateTime } from "luxon";
import type { Schedule } from "../../schedule/index.js";
import { nextRuns, parseSchedule, ScheduleError, validateTimezone } from "../../schedule/index.js";
import { invalid } from "../errors.js";
import type { WindowRecord } from "./records.js";

/** Parsing a cron expression is not free (it is sampled for the 5-minute rule): parse each text once. */
const parsed = new Map<string, Schedule>();
const MAX_CACHED = 2000;

function parseCached(expression: string): Schedule {
  let schedule = parsed.get(expression);
  if (!schedule) {
    schedule = parseSchedule(expression);
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(expression, schedule);
  }
  return schedule;
}

/**
 * The next run by schedule fields: it stays the next run until it has passed, so
 * a Describe of many windows does not recompute every schedule on every call.
 */
const nextRunCache = new Map<string, number | null>();

/** The service's rules on a window's schedule fields (ValidationException), checked on the whole window. */
export function checkWindowSchedule(w: WindowRecord): void {
  if (w.Cutoff >= w.Duration) throw invalid(`The cutoff must be less than the duration: Cutoff is ${w.Cutoff} hours and Duration ${w.Duration} hours.`);
  let schedule: Schedule;
  try {
    schedule = parseCached(w.Schedule);
  } catch (err) {
    if (err instanceof ScheduleError) throw invalid(`Invalid schedule expression: ${w.Schedule}. ${err.message}`);
    throw err;
  }
  if (w.ScheduleTimezone !== undefined && !validateTimezone(w.ScheduleTimezone)) throw invalid(`Invalid ScheduleTimezone: ${w.ScheduleTimezone} is not an IANA time zone name (e.g. America/Los_Angeles, Etc/UTC).`);
  if (w.ScheduleOffset !== undefined && schedule.kind !== "cron") throw invalid("ScheduleOffset can be used only with cron expressions.");
  const start = w.StartDate === undefined ? undefined : isoInstant(w.StartDate, "StartDate", w.ScheduleTimezone);
  const end = w.EndDate === undefined ? undefined : isoInstant(w.EndDate, "EndDate", w.ScheduleTimezone);
  if (start !== undefined && end !== undefined && end <= start) throw invalid(`The EndDate (${w.EndDate}) must be later than the StartDate (${w.StartDate}).`);
}

/** An ISO-8601 date-time (without an offset, read in the window's time zone) as epoch ms. */
function isoInstant(text: string, member: string, timezone: string | undefined): number {
  const d = DateTime.fromISO(text, { zone: timezone ?? "UTC", setZone: true });
  if (!d.isValid) throw invalid(`Invalid ${member}: '${text}' is not an ISO-8601 date-time (e.g. 2026-07-01T00:00:00Z).`);
  return d.toMillis();
}

function isoUtc(text: string | undefined, timezone: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return DateTime.fromISO(text, { zone: timezone ?? "UTC", setZone: true }).toUTC().toISO() ?? undefined;
}

/**
 * The window's next runs after `from` (none when disabled or finished). Rate
 * schedules count from StartDate, or else from the window's creation.
 */
export function upcomingRuns(w: WindowRecord, from: Date, count: number): Date[] {
  if (!w.Enabled) return [];
  try {
    const schedule = parseCached(w.Schedule);
    const start = w.StartDate ?? (schedule.kind === "rate" ? new Date(w.CreatedDate * 1000).toISOString() : undefined);
    return nextRuns(schedule, from, count, {
      timezone: w.ScheduleTimezone,
      offsetDays: w.ScheduleOffset,
      startDate: isoUtc(start, w.ScheduleTimezone),
      endDate: isoUtc(w.EndDate, w.ScheduleTimezone),
    });
  } catch {
    return [];
  }
}

/** SSM's NextExecutionTime / ExecutionTime format: minutes, UTC ("2026-11-24T22:00Z"). */
export function formatExecutionTime(d: Date): string {
  return `${d.toISOString().slice(0, 16)}Z`;
}

export function nextExecutionTime(w: WindowRecord, now: Date): string | undefined {
  if (!w.Enabled) return undefined;
  const key = JSON.stringify([w.Schedule, w.ScheduleTimezone, w.ScheduleOffset, w.StartDate, w.EndDate, w.CreatedDate]);
  const cached = nextRunCache.get(key);
  if (cached === null && nextRunCache.has(key)) return undefined;
  if (cached !== undefined && cached !== null && cached > now.getTime()) return formatExecutionTime(new Date(cached));
  const [next] = upcomingRuns(w, now, 1);
  if (nextRunCache.size >= MAX_CACHED) nextRunCache.clear();
  // A schedule with no further run (an at() in the past, an EndDate passed) never gets one again.
  nextRunCache.set(key, next ? next.getTime() : null);
  return next ? formatExecutionTime(next) : undefined;
}
