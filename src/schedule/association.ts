/**
 * State Manager's rules for an association's ScheduleExpression, on top of the expression syntax
 * maintenance windows share (parseSchedule). From the user guide, "Reference: Cron and rate
 * expressions for Systems Manager", section "Cron and rate expressions for associations":
 * - cron: "every 1/2, 1, 2, 4, 8, or 12 hours; every day, every week, every nth day, or the last x
 *   day of the month at a specific time"; the optional Seconds field may only be 0; "State Manager
 *   doesn't currently support specifying months in cron expressions for associations";
 * - rate: "intervals of 30 minutes or greater and less than 31 days";
 * - at(...): single runs, as for windows.
 * The validator (src/desired) and the local endpoint (src/local-ssm) both ask this module, so they
 * give the same verdict.
 */
import type { Schedule } from "./index.js";
import { nextRuns, parseSchedule, ScheduleError } from "./index.js";

/** The shortest interval State Manager runs an association at. */
export const MIN_ASSOCIATION_MINUTES = 30;
/** Rate expressions must be shorter than this many days. */
export const MAX_ASSOCIATION_RATE_DAYS = 31;
/** Hour steps the guide lists ("every 1, 2, 4, 8 or 12 hours"). */
const HOUR_STEPS = new Set([1, 2, 4, 8, 12]);
const MINUTES_OF = { minute: 1, hour: 60, day: 1440 } as const;

/** A fixed instant to sample cron runs from, so a verdict never depends on today's date. */
const SAMPLE_FROM = new Date(Date.UTC(2030, 0, 1));
const SAMPLE_RUNS = 120;

/** Parses an association's schedule and applies State Manager's rules; throws ScheduleError saying what is wrong. */
export function parseAssociationSchedule(expression: string): Schedule {
  const schedule = parseSchedule(expression);
  if (schedule.kind === "rate") {
    const minutes = schedule.value * MINUTES_OF[schedule.unit];
    if (minutes < MIN_ASSOCIATION_MINUTES) throw new ScheduleError(`associations run at most every ${MIN_ASSOCIATION_MINUTES} minutes: ${schedule.expression} is too often (use rate(30 minutes) or more)`);
    if (minutes >= MAX_ASSOCIATION_RATE_DAYS * 1440) throw new ScheduleError(`association rate expressions must be shorter than ${MAX_ASSOCIATION_RATE_DAYS} days: ${schedule.expression} is too long (use a cron expression for monthly runs)`);
    return schedule;
  }
  if (schedule.kind !== "cron") return schedule;
  const f = schedule.fields;
  if (f.month !== "*") throw new ScheduleError(`associations do not support months in cron expressions: the Month field must be * (got '${f.month}')`);
  const minuteStep = /^(?:\*|\d+)\/(\d+)$/.exec(f.minutes);
  if (minuteStep && Number(minuteStep[1]) !== MIN_ASSOCIATION_MINUTES) throw new ScheduleError(`associations run at most every ${MIN_ASSOCIATION_MINUTES} minutes: a Minutes step of ${minuteStep[1]} is not supported (use 0/30, or a single minute)`);
  const hourStep = /^(?:\*|\d+)\/(\d+)$/.exec(f.hours);
  if (hourStep && !HOUR_STEPS.has(Number(hourStep[1]))) throw new ScheduleError(`associations run every 1, 2, 4, 8 or 12 hours: an Hours step of ${hourStep[1]} is not supported`);
  const runs = nextRuns(schedule, SAMPLE_FROM, SAMPLE_RUNS);
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i]!.getTime() - runs[i - 1]!.getTime()) / 60_000;
    if (gap < MIN_ASSOCIATION_MINUTES) throw new ScheduleError(`associations run at most every ${MIN_ASSOCIATION_MINUTES} minutes: ${schedule.expression} has runs ${gap} minutes apart`);
  }
  return schedule;
}
