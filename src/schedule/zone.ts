import { DateTime, IANAZone } from "luxon";
import { ScheduleError } from "./errors.js";

/**
 * True for an IANA time zone name that luxon/Intl knows, spelled as the tz
 * database spells it ("Europe/Berlin", "UTC", "America/New_York"). Intl itself
 * accepts any letter case ("europe/berlin"); SSM expects the real name, so a
 * name that only differs from the canonical one by case is refused.
 */
export function validateTimezone(tz: string): boolean {
  if (typeof tz !== "string" || tz === "" || tz.trim() !== tz) return false;
  const known = zoneChecks.get(tz);
  if (known !== undefined) return known;
  const valid = IANAZone.isValidZone(tz) && canonicalSpelling(tz);
  if (zoneChecks.size >= 1_000) zoneChecks.clear();
  zoneChecks.set(tz, valid);
  return valid;
}

/** Answers so far (building an Intl formatter per window is most of a large validate's zone cost). */
const zoneChecks = new Map<string, boolean>();

function canonicalSpelling(tz: string): boolean {
  const resolved = new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  return resolved === tz || resolved.toLowerCase() !== tz.toLowerCase();
}

/** The zone for computing runs: any name luxon accepts, else a ScheduleError. */
export function zoneOrThrow(tz: string): IANAZone {
  if (!IANAZone.isValidZone(tz)) {
    throw new ScheduleError(`unknown timezone '${tz}': expected an IANA name such as UTC, Europe/Berlin or America/New_York`);
  }
  return IANAZone.create(tz);
}

const NUMERIC_NAME = /^(GMT|UTC)[+-]/;

/**
 * "2026-11-24 22:00 CET (Tue)": the local date, time, zone abbreviation and
 * weekday for human output. The abbreviation is the US English one (EST, PDT,
 * UTC) or else the British one (CET, CEST, BST); zones with neither get a
 * numeric name such as "GMT+9".
 */
export function formatInZone(d: Date, tz: string): string {
  zoneOrThrow(tz);
  const local = DateTime.fromJSDate(d, { zone: tz }).setLocale("en-US");
  if (!local.isValid) throw new ScheduleError(`cannot format ${String(d)}: not a valid date`);
  return `${local.toFormat("yyyy-LL-dd HH:mm")} ${abbreviation(local)} (${local.toFormat("ccc")})`;
}

function abbreviation(local: DateTime): string {
  const us = local.offsetNameShort;
  if (us && !NUMERIC_NAME.test(us)) return us;
  const gb = local.setLocale("en-GB").offsetNameShort;
  if (gb && !NUMERIC_NAME.test(gb)) return gb;
  return us ?? `UTC${local.toFormat("ZZ")}`;
}

/** Wall-clock fields of a local date-time. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const HOUR_MS = 3_600_000;

/**
 * The instant a local wall-clock time has in `zone`. When the time happens twice
 * (fall-back), the first occurrence; when it does not happen (spring-forward gap),
 * luxon's answer: the same wall time moved forward by the gap (02:30 → 03:30).
 */
export function wallToInstant(wall: WallTime, zone: IANAZone): number {
  const guess = DateTime.fromObject(wall, { zone });
  const wallMs = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const offsets = new Set([zone.offset(guess.toMillis() - 6 * HOUR_MS), guess.offset, zone.offset(guess.toMillis() + 6 * HOUR_MS)]);
  const matches = [...offsets].map((o) => wallMs - o * 60_000).filter((t) => wallMs - zone.offset(t) * 60_000 === t);
  return matches.length > 0 ? Math.min(...matches) : guess.toMillis();
}

/**
 * True when `t` is the second occurrence of its wall-clock time: the clocks went
 * back within the last few hours and the same local time already happened before.
 */
export function isRepeatedWallTime(t: number, zone: IANAZone): boolean {
  const now = zone.offset(t);
  const before = zone.offset(t - 6 * HOUR_MS);
  if (before <= now) return false;
  return zone.offset(t - (before - now) * 60_000) === before;
}
