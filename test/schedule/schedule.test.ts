import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { formatInZone, nextRuns, parseSchedule, ScheduleError, validateTimezone, type RunOptions } from "../../src/schedule/index.js";

const FROM = new Date("2026-11-23T00:00:00Z"); // a Monday
const iso = (ds: Date[]): string[] => ds.map((d) => d.toISOString().replace(":00.000Z", "Z"));
const runs = (expr: string, count: number, opts?: RunOptions, from: Date = FROM): string[] => iso(nextRuns(parseSchedule(expr), from, count, opts));
const local = (ds: Date[], tz: string): string[] => ds.map((d) => formatInZone(d, tz));

describe("parseSchedule: what parses", () => {
  it.each([
    // The examples of the SSM notes and the brief.
    "cron(0 2 ? * SUN *)",
    "cron(0 0 22 ? * TUE *)",
    "cron(30 23 ? * TUE#3 *)",
    "cron(0 2 L * ? *)",
    "cron(15 10 ? * MON-FRI *)",
    "cron(0 1 * * ? *)",
    "cron(0 16 ? * TUE *)",
    // L, W, # and friends.
    "cron(0 2 15W * ? *)",
    "cron(0 2 1W * ? *)",
    "cron(0 2 LW * ? *)",
    "cron(0 2 ? * 6L *)",
    "cron(0 2 ? * FRIL *)",
    "cron(0 2 ? * L *)",
    "cron(0 2 ? * 3#2 *)",
    // Names (any case), lists, ranges, steps, years.
    "cron(0 22 ? * WED *)",
    "cron(0 3 1 JUL,NOV ? *)",
    "cron(0 3 1 jan-mar ? *)",
    "cron(0 22 ? * mon,wed,fri *)",
    "cron(0/15 8-17 ? * MON-FRI *)",
    "cron(0 */6 * * ? *)",
    "cron(0 2 1-7,15 */2 ? *)",
    "cron(0 2 ? * FRI-MON *)",
    "cron(0 2 ? * SUN 2027)",
    "cron(0 2 ? * SUN 2027-2030)",
    "cron(0 2 ? * SUN 2027/2)",
    "cron(0/5 * * * ? *)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(5 hours)",
    "rate(1 day)",
    "rate(7 days)",
    "at(2026-07-07T15:55:00)",
  ])("%s", (expr) => {
    const s = parseSchedule(expr);
    expect(s.expression).toBe(expr);
  });

  it("returns the parts of each kind", () => {
    expect(parseSchedule("rate(5 hours)")).toEqual({ kind: "rate", value: 5, unit: "hour", expression: "rate(5 hours)" });
    expect(parseSchedule("rate(1 day)")).toMatchObject({ kind: "rate", value: 1, unit: "day" });
    expect(parseSchedule("at(2026-07-07T15:55:00)")).toEqual({ kind: "at", at: "2026-07-07T15:55:00", expression: "at(2026-07-07T15:55:00)" });
    expect(parseSchedule("  cron(0 0 22 ? * TUE *) ")).toMatchObject({
      kind: "cron",
      expression: "cron(0 0 22 ? * TUE *)",
      fields: { minutes: "0", hours: "22", dayOfMonth: "?", month: "*", dayOfWeek: "TUE", year: "*" },
    });
  });
});

describe("parseSchedule: what is refused, and the message says why", () => {
  it.each([
    // Shape.
    ["every tuesday", /not a schedule expression: expected cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\)/],
    ["cron 0 2 ? * SUN *", /expected cron\(\.\.\.\)/],
    [`cron(${"0 ".repeat(130)})`, /at most 256/],
    // Field count and seconds.
    ["cron(0 22 * * TUE)", /must have 6 fields \(Minutes Hours Day-of-month Month Day-of-week Year\) or 7 with leading seconds, got 5/],
    ["cron(0 0 0 2 ? * SUN *)", /6 fields .* got 8/],
    ["cron()", /got 0/],
    ["cron(5 0 22 ? * TUE *)", /seconds field must be 0 .* got '5'/],
    ["cron(* 0 22 ? * TUE *)", /seconds field must be 0/],
    // The '?' rule.
    ["cron(0 2 * * SUN *)", /exactly one of Day-of-month and Day-of-week must be '\?' \(got '\*' and 'SUN'\)/],
    ["cron(0 2 ? * ? *)", /exactly one of Day-of-month and Day-of-week must be '\?'/],
    ["cron(0 2 1 * 2 *)", /exactly one of Day-of-month and Day-of-week/],
    ["cron(0 2 ? * ?,SUN *)", /Day-of-week: '\?' stands alone/],
    ["cron(0 2 ? ? SUN *)", /Month: '\?' is only allowed in Day-of-month or Day-of-week/],
    // Ranges, each field named.
    ["cron(60 2 ? * SUN *)", /Minutes: 60 is out of range 0-59/],
    ["cron(0 24 ? * SUN *)", /Hours: 24 is out of range 0-23/],
    ["cron(0 2 32 * ? *)", /Day-of-month: 32 is out of range 1-31/],
    ["cron(0 2 0 * ? *)", /Day-of-month: 0 is out of range 1-31/],
    ["cron(0 2 ? 13 SUN *)", /Month: 13 is out of range 1-12/],
    ["cron(0 2 ? * 8 *)", /Day-of-week: 8 is out of range 1-7/],
    ["cron(0 2 ? * 0 *)", /Day-of-week: 0 is out of range 1-7/], // Unix cron's Sunday
    ["cron(0 2 ? * SUN 1969)", /Year: 1969 is out of range 1970-2199/],
    ["cron(0 2 ? * SUN 2200)", /Year: 2200 is out of range 1970-2199/],
    ["cron(0 2 ? * SUN 2030-2027)", /Year: range '2030-2027' must go from low to high/],
    ["cron(0 2 ? FOO SUN *)", /Month: 'FOO' is not valid: expected 1-12 or JAN-DEC/],
    ["cron(0 2 ? * SUNDAY *)", /Day-of-week: 'SUNDAY' is not valid/],
    ["cron(a 2 ? * SUN *)", /Minutes: 'a' is not valid: expected 0-59/],
    ["cron(0 2 ? * ,SUN *)", /Day-of-week: empty list item/],
    // Steps.
    ["cron(1/0 2 ? * SUN *)", /Minutes: step '\/0' in '1\/0' must be between 1 and 60/],
    ["cron(0 2 ? * 1-7/x *)", /Day-of-week: step '\/x' .* must be a whole number/],
    ["cron(0 22-2/2 * * ? *)", /Hours: range '22-2' wraps around/],
    ["cron(0 2 ? * SUN *-3)", /Year: '\*-3' is not valid: '\*' can't start a range/],
    // L, W and #.
    ["cron(0 2 ? * TUE#6 *)", /Day-of-week: 'TUE#6': the occurrence after # must be #1 to #5/],
    ["cron(0 2 ? * TUE#0 *)", /#1 to #5/],
    ["cron(0 2 ? * 2W *)", /Day-of-week: '2W' is not valid: W .* is only allowed in Day-of-month/],
    ["cron(0 2 15#2 * ? *)", /Day-of-month: '15#2' is not valid: # .* is only allowed in Day-of-week/],
    ["cron(0 2 L,15 * ? *)", /Day-of-month: 'L' is not valid: L and W are written on their own/],
    ["cron(0 2 1W-5 * ? *)", /Day-of-month: .* L and W are written on their own/],
    ["cron(0 2 32W * ? *)", /Day-of-month: 32 is out of range 1-31/],
    ["cron(0 2 ? * MON-FRI#2 *)", /Day-of-week: 'MON-FRI#2' is not valid: L and # are written on their own/],
    ["cron(0 2 ? * MON#1,TUE#1 *)", /Day-of-week: 'MON#1' is not valid/],
    ["cron(0 2 ? * 8L *)", /Day-of-week: 8 is out of range 1-7/],
    ["cron(0 2 30 FEB ? *)", /Day-of-month: '30' never occurs in Month 'FEB', so the schedule would never run/],
    ["cron(0 2L ? * SUN *)", /Hours: '2L' is not valid: L, W and # are only allowed in Day-of-month \(L, W\) and Day-of-week \(L, #\)/],
    ["cron(0 2 ? JUL#2 SUN *)", /Month: 'JUL#2' is not valid: L, W and #/],
    // Too often.
    ["cron(* * * * ? *)", /more often than every 5 minutes are not supported \(this one has runs 1 minute apart\)/],
    ["cron(0/2 * * * ? *)", /more often than every 5 minutes .* 2 minutes apart/],
    ["cron(0,3 2 ? * SUN *)", /more often than every 5 minutes .* 3 minutes apart/],
    ["cron(0,1 2 ? * SUN 2027)", /more often than every 5 minutes/],
    ["cron(0,58 0,23 * * ? *)", /more often than every 5 minutes .* 2 minutes apart/], // 23:58 → 00:00 the next day
    // rate().
    ["rate(1 hours)", /rate unit must be singular when the value is 1: rate\(1 hour\)/],
    ["rate(5 hour)", /rate unit must be plural when the value is more than 1: rate\(5 hours\)/],
    ["rate(2 minutes)", /more often than every 5 minutes .* use at least rate\(5 minutes\)/],
    ["rate(1 minute)", /more often than every 5 minutes/],
    ["rate(5 weeks)", /rate unit must be minute\(s\), hour\(s\) or day\(s\), got 'weeks'/],
    ["rate(5 Hours)", /rate unit must be minute\(s\), hour\(s\) or day\(s\)/],
    ["rate(0 days)", /rate value must be a whole number of at least 1, got '0'/],
    ["rate(1.5 hours)", /whole number/],
    ["rate(5)", /rate expression must be rate\(N unit\)/],
    ["rate()", /rate expression must be rate\(N unit\)/],
    // at().
    ["at(2026-13-01T00:00:00)", /at\(2026-13-01T00:00:00\) is not a real date-time/],
    ["at(2026-02-30T10:00:00)", /not a real date-time/],
    ["at(2026-07-07 15:55:00)", /at expression must be at\(YYYY-MM-DDTHH:MM:SS\)/],
    ["at(2026-07-07T15:55:00Z)", /without offset/],
    ["at(2026-07-07)", /at\(YYYY-MM-DDTHH:MM:SS\)/],
  ])("%s", (expr, message) => {
    let thrown: unknown;
    try {
      parseSchedule(expr);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ScheduleError);
    expect((thrown as ScheduleError).name).toBe("ScheduleError");
    expect((thrown as ScheduleError).message).toMatch(message);
  });

  it("accepts exactly every 5 minutes, and close times that never meet across midnight", () => {
    expect(() => parseSchedule("cron(0/5 * * * ? *)")).not.toThrow();
    expect(() => parseSchedule("rate(5 minutes)")).not.toThrow();
    // Sunday 23:58 is followed by Monday, which doesn't match; Saturday 23:58 neither.
    expect(() => parseSchedule("cron(0,58 0,23 ? * SUN *)")).not.toThrow();
    expect(() => parseSchedule("cron(0,58 0,23 15W * ? *)")).not.toThrow();
    // The 31st and the 1st of the next month are consecutive days: 23:58 → 00:00.
    expect(() => parseSchedule("cron(0,58 0,23 1,31 * ? *)")).toThrow(/more often than every 5 minutes .* 2 minutes apart/);
  });
});

describe("nextRuns: cron in UTC", () => {
  it("weekly, 7-field form (seconds=0, minute=0, hour=22)", () => {
    expect(runs("cron(0 0 22 ? * TUE *)", 3)).toEqual(["2026-11-24T22:00Z", "2026-12-01T22:00Z", "2026-12-08T22:00Z"]);
  });

  it("6-field forms of the examples", () => {
    expect(runs("cron(0 2 ? * SUN *)", 2)).toEqual(["2026-11-29T02:00Z", "2026-12-06T02:00Z"]);
    expect(runs("cron(0 16 ? * TUE *)", 2)).toEqual(["2026-11-24T16:00Z", "2026-12-01T16:00Z"]);
    expect(runs("cron(0 1 * * ? *)", 3)).toEqual(["2026-11-23T01:00Z", "2026-11-24T01:00Z", "2026-11-25T01:00Z"]);
    expect(runs("cron(15 10 ? * MON-FRI *)", 6)).toEqual([
      "2026-11-23T10:15Z",
      "2026-11-24T10:15Z",
      "2026-11-25T10:15Z",
      "2026-11-26T10:15Z",
      "2026-11-27T10:15Z",
      "2026-11-30T10:15Z",
    ]);
  });

  it("runs strictly after `from`, and at most `count`", () => {
    expect(runs("cron(0 22 ? * TUE *)", 1, {}, new Date("2026-11-24T22:00:00Z"))).toEqual(["2026-12-01T22:00Z"]);
    expect(runs("cron(0 22 ? * TUE *)", 1, {}, new Date("2026-11-24T21:59:59.999Z"))).toEqual(["2026-11-24T22:00Z"]);
    expect(runs("cron(0 22 ? * TUE *)", 0)).toEqual([]);
    expect(runs("cron(0/5 * * * ? *)", 300)).toHaveLength(300);
  });

  it("day-of-week numbers are SSM's: 1 = SUN ... 7 = SAT", () => {
    const names = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    for (let n = 1; n <= 7; n++) {
      const byNumber = nextRuns(parseSchedule(`cron(0 2 ? * ${n} *)`), FROM, 3);
      expect(iso(byNumber)).toEqual(runs(`cron(0 2 ? * ${names[n - 1]} *)`, 3));
      for (const d of byNumber) expect(d.getUTCDay()).toBe(n - 1);
    }
    expect(runs("cron(0 2 ? * 2-6 *)", 7)).toEqual(runs("cron(0 2 ? * MON-FRI *)", 7));
    expect(runs("cron(0 2 ? * 2/2 *)", 4)).toEqual(["2026-11-23T02:00Z", "2026-11-25T02:00Z", "2026-11-27T02:00Z", "2026-11-30T02:00Z"]); // MON, WED, FRI
    expect(runs("cron(0 2 ? * FRI-MON *)", 5)).toEqual(["2026-11-23T02:00Z", "2026-11-27T02:00Z", "2026-11-28T02:00Z", "2026-11-29T02:00Z", "2026-11-30T02:00Z"]);
    expect(runs("cron(0 2 ? * SUN,SUN,1 *)", 2)).toEqual(runs("cron(0 2 ? * SUN *)", 2)); // duplicates are harmless
  });

  it("L in day-of-month: the last day of each month", () => {
    expect(runs("cron(0 2 L * ? *)", 4)).toEqual(["2026-11-30T02:00Z", "2026-12-31T02:00Z", "2027-01-31T02:00Z", "2027-02-28T02:00Z"]);
  });

  it("W: the weekday nearest to the day, never leaving the month", () => {
    // 2026-08-15 is a Saturday → Friday 14th; 2026-11-15 a Sunday → Monday 16th.
    expect(runs("cron(0 2 15W * ? *)", 2, {}, new Date("2026-08-01T00:00:00Z"))).toEqual(["2026-08-14T02:00Z", "2026-09-15T02:00Z"]);
    expect(runs("cron(0 2 15W * ? *)", 1, {}, new Date("2026-11-01T00:00:00Z"))).toEqual(["2026-11-16T02:00Z"]);
    // 2026-08-01 is a Saturday: Monday the 3rd, not Friday 31 July. 2026-11-01 a Sunday: Monday the 2nd.
    expect(runs("cron(0 2 1W * ? *)", 1, {}, new Date("2026-07-15T00:00:00Z"))).toEqual(["2026-08-03T02:00Z"]);
    expect(runs("cron(0 2 1W * ? *)", 1, {}, new Date("2026-10-15T00:00:00Z"))).toEqual(["2026-11-02T02:00Z"]);
    // LW: the last weekday. 2026-10-31 is a Saturday, 2027-01-31 a Sunday → the Fridays before.
    expect(runs("cron(0 2 LW * ? *)", 4, {}, new Date("2026-10-01T00:00:00Z"))).toEqual(["2026-10-30T02:00Z", "2026-11-30T02:00Z", "2026-12-31T02:00Z", "2027-01-29T02:00Z"]);
    // 31W only in months with a 31st; 2026-05-31 is a Sunday → Friday 29th.
    expect(runs("cron(0 2 31W * ? *)", 3, {}, new Date("2026-04-01T00:00:00Z"))).toEqual(["2026-05-29T02:00Z", "2026-07-31T02:00Z", "2026-08-31T02:00Z"]);
  });

  it("L and # in day-of-week", () => {
    expect(runs("cron(0 2 ? * 6L *)", 2)).toEqual(["2026-11-27T02:00Z", "2026-12-25T02:00Z"]); // last Friday
    expect(runs("cron(0 2 ? * FRIL *)", 2)).toEqual(runs("cron(0 2 ? * 6L *)", 2));
    expect(runs("cron(0 2 ? * L *)", 2)).toEqual(runs("cron(0 2 ? * SAT *)", 2)); // L alone: the last day of the week
    expect(runs("cron(30 23 ? * TUE#3 *)", 2)).toEqual(["2026-12-15T23:30Z", "2027-01-19T23:30Z"]);
    expect(runs("cron(0 2 ? * 3#2 *)", 1)).toEqual(["2026-12-08T02:00Z"]); // second Tuesday
    expect(runs("cron(0 2 ? * 1#1 *)", 1)).toEqual(["2026-12-06T02:00Z"]); // first Sunday
  });

  it("the Year field limits runs, and a schedule whose years are over has none", () => {
    expect(runs("cron(0 2 ? * SUN 2027)", 1)).toEqual(["2027-01-03T02:00Z"]);
    expect(runs("cron(0 2 ? * SUN 2025)", 1)).toEqual([]);
    expect(runs("cron(0 2 1 JAN ? 2027-2028)", 5)).toEqual(["2027-01-01T02:00Z", "2028-01-01T02:00Z"]);
    expect(runs("cron(0 2 1 JAN ? 2027/2)", 3)).toEqual(["2027-01-01T02:00Z", "2029-01-01T02:00Z", "2031-01-01T02:00Z"]);
    expect(runs("cron(0 2 * * ? 2199)", 1)).toEqual(["2199-01-01T02:00Z"]);
    expect(runs("cron(0 2 29 FEB ? *)", 2)).toEqual(["2028-02-29T02:00Z", "2032-02-29T02:00Z"]);
  });

  it("a cron run on New Year's night in a year-limited schedule", () => {
    expect(runs("cron(0 0 1 JAN ? 2028)", 1, { timezone: "Europe/Berlin" })).toEqual(["2027-12-31T23:00Z"]);
  });
});

describe("nextRuns: time zones and DST", () => {
  it("the default time zone is UTC", () => {
    expect(runs("cron(0 22 ? * SAT *)", 2)).toEqual(runs("cron(0 22 ? * SAT *)", 2, { timezone: "UTC" }));
  });

  it("Europe/Berlin, 22:00 every Saturday: local time stays 22:00, the UTC instant moves by an hour", () => {
    const spring = nextRuns(parseSchedule("cron(0 22 ? * SAT *)"), new Date("2026-03-20T00:00:00Z"), 3, { timezone: "Europe/Berlin" });
    expect(iso(spring)).toEqual(["2026-03-21T21:00Z", "2026-03-28T21:00Z", "2026-04-04T20:00Z"]); // clocks go forward 2026-03-29
    expect(local(spring, "Europe/Berlin")).toEqual(["2026-03-21 22:00 CET (Sat)", "2026-03-28 22:00 CET (Sat)", "2026-04-04 22:00 CEST (Sat)"]);
    const autumn = nextRuns(parseSchedule("cron(0 22 ? * SAT *)"), new Date("2026-10-17T00:00:00Z"), 3, { timezone: "Europe/Berlin" });
    expect(iso(autumn)).toEqual(["2026-10-17T20:00Z", "2026-10-24T20:00Z", "2026-10-31T21:00Z"]); // clocks go back 2026-10-25
    expect(local(autumn, "Europe/Berlin")).toEqual(["2026-10-17 22:00 CEST (Sat)", "2026-10-24 22:00 CEST (Sat)", "2026-10-31 22:00 CET (Sat)"]);
  });

  it("spring-forward: a time that doesn't exist that day is skipped that day", () => {
    // America/New_York 2026-03-08: 02:00 EST → 03:00 EDT, so there is no 02:30.
    const ny = nextRuns(parseSchedule("cron(30 2 * * ? *)"), new Date("2026-03-06T12:00:00Z"), 3, { timezone: "America/New_York" });
    expect(iso(ny)).toEqual(["2026-03-07T07:30Z", "2026-03-09T06:30Z", "2026-03-10T06:30Z"]);
    expect(local(ny, "America/New_York")).toEqual(["2026-03-07 02:30 EST (Sat)", "2026-03-09 02:30 EDT (Mon)", "2026-03-10 02:30 EDT (Tue)"]);
    // Europe/Berlin 2026-03-29: 02:30 skipped, 03:30 runs once.
    expect(runs("cron(30 2,3 * * ? *)", 3, { timezone: "Europe/Berlin" }, new Date("2026-03-28T12:00:00Z"))).toEqual([
      "2026-03-29T01:30Z",
      "2026-03-30T00:30Z",
      "2026-03-30T01:30Z",
    ]);
    // Hourly at :30 keeps running around the gap, with no run twice.
    expect(runs("cron(30 * * * ? *)", 4, { timezone: "America/New_York" }, new Date("2026-03-08T05:00:00Z"))).toEqual([
      "2026-03-08T05:30Z", // 00:30 EST
      "2026-03-08T06:30Z", // 01:30 EST
      "2026-03-08T07:30Z", // 03:30 EDT
      "2026-03-08T08:30Z", // 04:30 EDT
    ]);
  });

  it("fall-back: a time that happens twice runs once, at its first occurrence", () => {
    // America/New_York 2026-11-01: 02:00 EDT → 01:00 EST, so 01:30 happens twice.
    const ny = nextRuns(parseSchedule("cron(30 1 * * ? *)"), new Date("2026-10-31T12:00:00Z"), 2, { timezone: "America/New_York" });
    expect(iso(ny)).toEqual(["2026-11-01T05:30Z", "2026-11-02T06:30Z"]);
    expect(local(ny, "America/New_York")).toEqual(["2026-11-01 01:30 EDT (Sun)", "2026-11-02 01:30 EST (Mon)"]);
    // Asked between the two 01:30s: the second one is not a run.
    expect(runs("cron(30 1 * * ? *)", 1, { timezone: "America/New_York" }, new Date("2026-11-01T05:45:00Z"))).toEqual(["2026-11-02T06:30Z"]);
    // Hourly: 01:00 EDT runs, 01:00 EST doesn't, 02:00 EST does.
    expect(runs("cron(0 * * * ? *)", 3, { timezone: "America/New_York" }, new Date("2026-11-01T04:30:00Z"))).toEqual([
      "2026-11-01T05:00Z",
      "2026-11-01T07:00Z",
      "2026-11-01T08:00Z",
    ]);
    // Europe/Berlin 2026-10-25: 02:30 CEST (00:30Z), not 02:30 CET (01:30Z).
    expect(runs("cron(30 2 * * ? *)", 2, { timezone: "Europe/Berlin" }, new Date("2026-10-24T12:00:00Z"))).toEqual(["2026-10-25T00:30Z", "2026-10-26T01:30Z"]);
  });

  it("L, W and # are read in the schedule's time zone", () => {
    // 22:00 on the last day of November in Tokyo is 13:00Z the same day.
    expect(runs("cron(0 22 L * ? *)", 1, { timezone: "Asia/Tokyo" })).toEqual(["2026-11-30T13:00Z"]);
    // 01:00 on the third Tuesday in Los Angeles is 09:00Z the same day.
    expect(runs("cron(0 1 ? * TUE#3 *)", 1, { timezone: "America/Los_Angeles" })).toEqual(["2026-12-15T09:00Z"]);
  });

  it("refuses an unknown time zone", () => {
    expect(() => nextRuns(parseSchedule("cron(0 2 ? * SUN *)"), FROM, 1, { timezone: "Mars/Olympus" })).toThrow(ScheduleError);
    expect(() => nextRuns(parseSchedule("cron(0 2 ? * SUN *)"), FROM, 1, { timezone: "Mars/Olympus" })).toThrow(/unknown timezone 'Mars\/Olympus': expected an IANA name/);
  });

  it("property: runs ascend, come after `from`, and fall on the local minute, hour and weekday asked for", () => {
    const zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Auckland"];
    const days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (minute, hour, dow, tz, fromMs) => {
          const out = nextRuns(parseSchedule(`cron(${minute} ${hour} ? * ${days[dow - 1]} *)`), new Date(fromMs), 6, { timezone: tz });
          expect(out).toHaveLength(6);
          let previous = fromMs;
          for (const d of out) {
            expect(d.getTime()).toBeGreaterThan(previous);
            previous = d.getTime();
            const l = DateTime.fromJSDate(d, { zone: tz });
            expect([l.minute, l.hour, l.weekday % 7]).toEqual([minute, hour, dow - 1]);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("nextRuns: ScheduleOffset", () => {
  it("shifts each run N days after its cron date: third Tuesday + 2 = the Thursday after", () => {
    expect(runs("cron(30 23 ? * TUE#3 *)", 2, { offsetDays: 2 })).toEqual(["2026-12-17T23:30Z", "2027-01-21T23:30Z"]);
  });

  it("counts `from` against the shifted run, not the cron date", () => {
    // The third Tuesday of December (15th) is past, its Thursday (17th) is not.
    expect(runs("cron(30 23 ? * TUE#3 *)", 1, { offsetDays: 2 }, new Date("2026-12-16T00:00:00Z"))).toEqual(["2026-12-17T23:30Z"]);
  });

  it("keeps the local time across a DST change", () => {
    // Saturday 2026-03-28 22:00 CET + 1 day = Sunday 03-29 22:00 CEST (20:00Z).
    expect(runs("cron(0 22 ? * SAT *)", 2, { timezone: "Europe/Berlin", offsetDays: 1 }, new Date("2026-03-28T00:00:00Z"))).toEqual([
      "2026-03-29T20:00Z",
      "2026-04-05T20:00Z",
    ]);
  });

  it("returns `count` runs even for frequent schedules with a long offset", () => {
    expect(runs("cron(0/5 * * * ? *)", 3, { offsetDays: 6 })).toEqual(["2026-11-23T00:05Z", "2026-11-23T00:10Z", "2026-11-23T00:15Z"]);
  });

  it("is cron only: ignored for rate, refused outside 1-6", () => {
    expect(runs("rate(1 day)", 1, { offsetDays: 3 })).toEqual(["2026-11-24T00:00Z"]);
    expect(() => nextRuns(parseSchedule("cron(0 2 ? * SUN *)"), FROM, 1, { offsetDays: 7 })).toThrow(/offsetDays \(ScheduleOffset\) must be a whole number of days from 1 to 6, got 7/);
    expect(() => nextRuns(parseSchedule("cron(0 2 ? * SUN *)"), FROM, 1, { offsetDays: 1.5 })).toThrow(ScheduleError);
  });
});

describe("nextRuns: startDate and endDate", () => {
  const weekly = "cron(0 22 ? * TUE *)";

  it("no runs before startDate (inclusive)", () => {
    expect(runs(weekly, 2, { startDate: "2026-12-05T00:00:00Z" })).toEqual(["2026-12-08T22:00Z", "2026-12-15T22:00Z"]);
    expect(runs(weekly, 1, { startDate: "2026-12-01T22:00:00Z" })).toEqual(["2026-12-01T22:00Z"]);
    expect(runs(weekly, 1, { startDate: "2026-12-01T23:00:00+01:00" })).toEqual(["2026-12-01T22:00Z"]);
    expect(runs(weekly, 1, { startDate: "2026-01-01T00:00:00Z" })).toEqual(["2026-11-24T22:00Z"]); // a past start changes nothing
  });

  it("no runs after endDate (inclusive)", () => {
    expect(runs(weekly, 5, { endDate: "2026-12-02T00:00:00Z" })).toEqual(["2026-11-24T22:00Z", "2026-12-01T22:00Z"]);
    expect(runs(weekly, 5, { endDate: "2026-12-01T22:00:00Z" })).toEqual(["2026-11-24T22:00Z", "2026-12-01T22:00Z"]);
    expect(runs(weekly, 5, { endDate: "2026-11-01T00:00:00Z" })).toEqual([]);
  });

  it("both, and a date without offset is read in the schedule's time zone", () => {
    expect(runs(weekly, 5, { startDate: "2026-12-01T00:00:00Z", endDate: "2026-12-15T22:00:00Z" })).toEqual(["2026-12-01T22:00Z", "2026-12-08T22:00Z", "2026-12-15T22:00Z"]);
    expect(runs(weekly, 5, { timezone: "Europe/Berlin", endDate: "2026-12-01T22:00:00" })).toEqual(["2026-11-24T21:00Z", "2026-12-01T21:00Z"]);
  });

  it("refuses a date that is not ISO-8601", () => {
    expect(() => nextRuns(parseSchedule(weekly), FROM, 1, { startDate: "next tuesday" })).toThrow(/startDate 'next tuesday' is not an ISO-8601 date-time/);
    expect(() => nextRuns(parseSchedule(weekly), FROM, 1, { endDate: "2026-13-01T00:00:00Z" })).toThrow(ScheduleError);
  });
});

describe("nextRuns: at()", () => {
  it("in the past: no runs", () => {
    expect(runs("at(2026-07-07T15:55:00)", 3)).toEqual([]);
  });

  it("in the future: one run, at that local time", () => {
    expect(runs("at(2026-12-01T10:00:00)", 3)).toEqual(["2026-12-01T10:00Z"]);
    expect(runs("at(2026-12-01T10:00:00)", 3, { timezone: "Europe/Berlin" })).toEqual(["2026-12-01T09:00Z"]);
    expect(runs("at(2027-07-01T10:00:00)", 3, { timezone: "America/New_York" })).toEqual(["2027-07-01T14:00Z"]);
  });

  it("respects startDate and endDate", () => {
    expect(runs("at(2026-12-01T10:00:00)", 1, { endDate: "2026-11-30T00:00:00Z" })).toEqual([]);
    expect(runs("at(2026-12-01T10:00:00)", 1, { startDate: "2026-12-02T00:00:00Z" })).toEqual([]);
  });

  it("on DST days: a time in the gap moves forward, a repeated time is its first occurrence", () => {
    expect(runs("at(2027-03-14T02:30:00)", 1, { timezone: "America/New_York" })).toEqual(["2027-03-14T07:30Z"]); // 03:30 EDT
    expect(runs("at(2027-11-07T01:30:00)", 1, { timezone: "America/New_York" })).toEqual(["2027-11-07T05:30Z"]); // 01:30 EDT
  });
});

describe("nextRuns: rate()", () => {
  it("rate(1 day) without startDate: every day from `from`", () => {
    expect(runs("rate(1 day)", 3)).toEqual(["2026-11-24T00:00Z", "2026-11-25T00:00Z", "2026-11-26T00:00Z"]);
  });

  it("counts from startDate: a past start sets the time of day", () => {
    expect(runs("rate(1 day)", 2, { startDate: "2026-11-01T06:00:00Z" })).toEqual(["2026-11-23T06:00Z", "2026-11-24T06:00Z"]);
    expect(runs("rate(7 days)", 2, { startDate: "2026-11-01T06:00:00Z" })).toEqual(["2026-11-29T06:00Z", "2026-12-06T06:00Z"]);
  });

  it("a future start: the first run is one period after it", () => {
    expect(runs("rate(12 hours)", 2, { startDate: "2026-12-01T00:00:00Z" })).toEqual(["2026-12-01T12:00Z", "2026-12-02T00:00Z"]);
  });

  it("minutes and hours", () => {
    expect(runs("rate(5 minutes)", 3)).toEqual(["2026-11-23T00:05Z", "2026-11-23T00:10Z", "2026-11-23T00:15Z"]);
    expect(runs("rate(1 hour)", 2)).toEqual(["2026-11-23T01:00Z", "2026-11-23T02:00Z"]);
  });

  it("is a fixed duration: a day is 24 hours, whatever the time zone does", () => {
    expect(runs("rate(1 day)", 2, { timezone: "America/New_York", startDate: "2026-03-07T12:00:00-05:00" }, new Date("2026-03-07T18:00:00Z"))).toEqual([
      "2026-03-08T17:00Z", // 13:00 EDT
      "2026-03-09T17:00Z",
    ]);
  });

  it("stops at endDate", () => {
    expect(runs("rate(1 day)", 10, { endDate: "2026-11-25T00:00:00Z" })).toEqual(["2026-11-24T00:00Z", "2026-11-25T00:00Z"]);
  });
});

describe("validateTimezone", () => {
  it.each(["UTC", "Etc/UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"])("knows %s", (tz) => {
    expect(validateTimezone(tz)).toBe(true);
  });
  it.each(["Mars/Olympus", "", " UTC", "europe/berlin", "utc", "+01:00", "UTC+1", "CET+1"])("refuses %j", (tz) => {
    expect(validateTimezone(tz)).toBe(false);
  });
});

describe("formatInZone", () => {
  it("local date, time, zone abbreviation and weekday", () => {
    expect(formatInZone(new Date("2026-11-24T21:00:00Z"), "Europe/Berlin")).toBe("2026-11-24 22:00 CET (Tue)");
    expect(formatInZone(new Date("2026-07-24T20:00:00Z"), "Europe/Berlin")).toBe("2026-07-24 22:00 CEST (Fri)");
    expect(formatInZone(new Date("2026-11-24T22:00:00Z"), "UTC")).toBe("2026-11-24 22:00 UTC (Tue)");
    expect(formatInZone(new Date("2026-11-24T22:00:00Z"), "America/New_York")).toBe("2026-11-24 17:00 EST (Tue)");
    expect(formatInZone(new Date("2026-07-01T12:00:00Z"), "Europe/London")).toBe("2026-07-01 13:00 BST (Wed)");
    expect(formatInZone(new Date("2026-11-24T22:00:00Z"), "Asia/Tokyo")).toBe("2026-11-25 07:00 GMT+9 (Wed)");
  });
  it("refuses an unknown time zone", () => {
    expect(() => formatInZone(FROM, "Mars/Olympus")).toThrow(ScheduleError);
  });
});
