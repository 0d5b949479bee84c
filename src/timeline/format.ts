import { DateTime } from "luxon";

/** "Tue 2026-12-08 22:00 UTC" — the form used in tables and diff lines. */
export function formatUtc(iso: string | Date): string {
  const dt = typeof iso === "string" ? DateTime.fromISO(iso, { zone: "UTC" }) : DateTime.fromJSDate(iso, { zone: "UTC" });
  return dt.setLocale("en-US").toFormat("ccc yyyy-LL-dd HH:mm 'UTC'");
}

/** ISO-8601 in UTC without milliseconds: "2026-12-08T22:00:00Z". */
export function isoUtc(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
