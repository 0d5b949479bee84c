/**
 * Change Calendar content: iCalendar 2.0 (RFC 5545) text, as SSM stores it in a ChangeCalendar
 * document, parsed with ical.js (Mozilla's parser: recurrence rules, exceptions, time zones), and
 * the calendar's state at an instant:
 *
 * - `X-CALENDAR-TYPE:DEFAULT_OPEN`: OPEN except during its events (then CLOSED);
 *   `X-CALENDAR-TYPE:DEFAULT_CLOSED`: CLOSED except during its events (then OPEN).
 * - Events are VEVENTs: DTSTART, DTEND (or DURATION; an all-day DTSTART alone lasts the day),
 *   RRULE / RDATE / EXDATE, RECURRENCE-ID exceptions. An event includes its start, excludes its end.
 * - Times: UTC (`Z`), or a TZID that names an IANA zone or a VTIMEZONE of the calendar; floating
 *   times and dates are read in X-WR-TIMEZONE, else UTC.
 */
import ICAL from "ical.js";
import { IANAZone } from "luxon";
import { wallToInstant } from "../../schedule/zone.js";

export type CalendarType = "DEFAULT_OPEN" | "DEFAULT_CLOSED";
export type CalendarState = "OPEN" | "CLOSED";

/** How far ahead the next transition is looked for; none within it is reported as none. */
export const TRANSITION_HORIZON_MS = 5 * 366 * 86_400_000;
/** Occurrences read per event at most (a rule every minute from years back stays bounded). */
const MAX_OCCURRENCES = 200_000;

export class CalendarContentError extends Error {}

interface Interval {
  start: number;
  end: number;
}

export interface ParsedCalendar {
  /** Undefined when X-CALENDAR-TYPE is missing or unknown (GetCalendarState refuses it). */
  type: CalendarType | undefined;
  /** The raw X-CALENDAR-TYPE value, for the error message. */
  typeText: string | undefined;
  component: ICAL.Component;
  zone: string;
}

type IcalTime = InstanceType<typeof ICAL.Time>;

/** Parses a document's content; a CalendarContentError says why it is not an iCalendar VCALENDAR. */
export function parseCalendar(content: string): ParsedCalendar {
  let jcal: unknown;
  try {
    jcal = ICAL.parse(content);
  } catch (err) {
    throw new CalendarContentError(`the content is not iCalendar data: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(jcal) || jcal.length === 0) throw new CalendarContentError("the content is not iCalendar data");
  // Several top-level components parse as a list of them: a calendar document holds one VCALENDAR.
  if (Array.isArray(jcal[0])) throw new CalendarContentError("the content holds more than one top-level component; expected one VCALENDAR");
  const component = new ICAL.Component(jcal as ConstructorParameters<typeof ICAL.Component>[0]);
  if (component.name !== "vcalendar") throw new CalendarContentError(`the content is a ${component.name.toUpperCase()}, not a VCALENDAR`);
  for (const tz of component.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  const raw = component.getFirstPropertyValue("x-calendar-type");
  const typeText = typeof raw === "string" ? raw : undefined;
  const type = typeText === "DEFAULT_OPEN" || typeText === "DEFAULT_CLOSED" ? typeText : undefined;
  const wr = component.getFirstPropertyValue("x-wr-timezone");
  const zone = typeof wr === "string" && IANAZone.isValidZone(wr) ? wr : "UTC";
  // Every event must have a start we can read: better refused when written than wrong when asked.
  for (const v of component.getAllSubcomponents("vevent")) {
    if (!v.getFirstProperty("dtstart")) throw new CalendarContentError(`the event ${String(v.getFirstPropertyValue("uid") ?? "(no UID)")} has no DTSTART`);
  }
  return { type, typeText, component, zone };
}

/** The instant of an iCalendar time: its own zone (UTC, a VTIMEZONE), its TZID as an IANA name, else the calendar's zone. */
function instantOf(time: IcalTime, tzid: string | undefined, calendarZone: string): number {
  const zone = time.zone;
  if (zone && (zone === ICAL.Timezone.utcTimezone || (zone !== ICAL.Timezone.localTimezone && zone.tzid !== "floating"))) return time.toUnixTime() * 1000;
  const name = tzid !== undefined && IANAZone.isValidZone(tzid) ? tzid : calendarZone;
  return wallToInstant({ year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second }, IANAZone.create(name));
}

/** Every occurrence of every event as an interval, those that may matter for [from, to]. */
function intervals(cal: ParsedCalendar, from: number, to: number): Interval[] {
  const events = cal.component.getAllSubcomponents("vevent");
  const exceptions = new Map<string, ICAL.Component[]>();
  const masters: ICAL.Component[] = [];
  for (const v of events) {
    if (v.hasProperty("recurrence-id")) {
      const uid = String(v.getFirstPropertyValue("uid") ?? "");
      exceptions.set(uid, [...(exceptions.get(uid) ?? []), v]);
    } else masters.push(v);
  }
  const out: Interval[] = [];
  for (const v of masters) {
    const uid = String(v.getFirstPropertyValue("uid") ?? "");
    const event = new ICAL.Event(v, { exceptions: exceptions.get(uid) ?? [], strictExceptions: false });
    const tzStart = v.getFirstProperty("dtstart")?.getParameter("tzid");
    const tzEnd = v.getFirstProperty("dtend")?.getParameter("tzid") ?? tzStart;
    const startZone = typeof tzStart === "string" ? tzStart : undefined;
    const endZone = typeof tzEnd === "string" ? tzEnd : undefined;
    const it = event.iterator();
    for (let n = 0; n < MAX_OCCURRENCES; n++) {
      const next = it.next();
      if (!next) break;
      const details = event.getOccurrenceDetails(next);
      const start = instantOf(details.startDate, startZone, cal.zone);
      if (start > to) break;
      let end = instantOf(details.endDate, endZone, cal.zone);
      // No DTEND and no DURATION: an all-day event lasts its day, a timed one is an instant (RFC 5545 3.6.1).
      if (end <= start && details.startDate.isDate) end = start + 86_400_000;
      if (end > start && end >= from) out.push({ start, end });
      if (!event.isRecurring()) break;
    }
  }
  return out;
}

function inside(list: readonly Interval[], t: number): boolean {
  return list.some((i) => i.start <= t && t < i.end);
}

/** The calendar's state at `at`, and the next instant its state changes (none within the horizon: undefined). */
export function calendarStateAt(cal: ParsedCalendar & { type: CalendarType }, at: number): { state: CalendarState; next?: number } {
  const list = intervals(cal, at, at + TRANSITION_HORIZON_MS);
  const stateAt = (t: number): CalendarState => (inside(list, t) !== (cal.type === "DEFAULT_CLOSED") ? "CLOSED" : "OPEN");
  const now = stateAt(at);
  const next = transitions(list, at).find((b) => stateAt(b) !== now);
  return next === undefined ? { state: now } : { state: now, next };
}

/** Boundaries after `at`, ascending. */
export function transitions(list: readonly Interval[], at: number): number[] {
  return [...new Set(list.flatMap((i) => [i.start, i.end]).filter((b) => b > at && b <= at + TRANSITION_HORIZON_MS))].sort((a, b) => a - b);
}

/**
 * Several calendars together: OPEN only when every one is OPEN (GetCalendarState's documentation),
 * and the next instant that combined state changes.
 */
export function combinedStateAt(cals: readonly (ParsedCalendar & { type: CalendarType })[], at: number): { state: CalendarState; next?: number } {
  const lists = cals.map((c) => ({ cal: c, list: intervals(c, at, at + TRANSITION_HORIZON_MS) }));
  const stateAt = (t: number): CalendarState => (lists.every(({ cal, list }) => inside(list, t) === (cal.type === "DEFAULT_CLOSED")) ? "OPEN" : "CLOSED");
  const now = stateAt(at);
  const bounds = [...new Set(lists.flatMap(({ list }) => transitions(list, at)))].sort((a, b) => a - b);
  const next = bounds.find((b) => stateAt(b) !== now);
  return next === undefined ? { state: now } : { state: now, next };
}
