import { describe, expect, it } from "vitest";
import { formatInZone, nextRuns, parseSchedule, ScheduleError, validateTimezone } from "../../src/schedule/index.js";

const FROM = new Date("2026-11-23T00:00:00Z");
const iso = (ds: Date[]) => ds.map((d) => d.toISOString().replace(":00.000Z", "Z"));

describe("SSM schedule parser", () => {
  it.each([
    "cron(0 2 ? * SUN *)",
    "cron(0 0 22 ? * TUE *)",
    "cron(30 23 ? * TUE#3 *)",
    "cron(0 2 L * ? *)",
    "cron(15 10 ? * MON-FRI *)",
    "cron(0 1 * * ? *)",
    "cron(0 16 ? * TUE *)",
    "cron(0 2 15W * ? *)",
    "cron(0 2 ? * 6L *)",
    "cron(0 22 ? * WED *)",
    "cron(0 3 1 JUL,NOV ? *)",
    "cron(0 22 ? * MON,WED,FRI *)",
    "rate(1 hour)",
    "rate(5 hours)",
    "rate(7 days)",
    "at(2026-07-07T15:55:00)",
  ])("parses %s", (expr) => {
    expect(parseSchedule(expr).expression).toBe(expr);
  });

  it.each([
    ["cron(0 22 * * TUE)", /6 fields .* got 5/],
    ["cron(5 0 22 ? * TUE *)", /seconds field must be 0/],
    ["cron(0 2 * * SUN *)", /exactly one of Day-of-month and Day-of-week/],
    ["cron(0 2 ? * ? *)", /exactly one of Day-of-month and Day-of-week/],
    ["cron(60 2 ? * SUN *)", /Minutes: 60 is out of range 0-59/],
    ["cron(0 24 ? * SUN *)", /Hours: 24 is out of range 0-23/],
    ["cron(0 2 32 * ? *)", /Day-of-month: 32 is out of range 1-31/],
    ["cron(0 2 ? 13 SUN *)", /Month: 13 is out of range 1-12/],
    ["cron(0 2 ? * 8 *)", /Day-of-week: 8 is out of range 1-7/],
    ["cron(0 2 ? * SUN 1969)", /Year: 1969 is out of range 1970-2199/],
    ["cron(0 2 ? * TUE#6 *)", /#1 to #5/],
    ["cron(0 2 ? * 2W *)", /W is only allowed in Day-of-month/],
    ["cron(0 2L ? * SUN *)", /only allowed in Day-of-month/],
    ["cron(* * * * ? *)", /more often than every 5 minutes/],
    ["cron(0/2 * * * ? *)", /more often than every 5 minutes/],
    ["rate(1 hours)", /singular/],
    ["rate(5 hour)", /plural/],
    ["rate(2 minutes)", /more often than every 5 minutes/],
    ["rate(5 weeks)", /rate\(N minutes\|hours\|days\)/],
    ["at(2026-13-01T00:00:00)", /at\(YYYY-MM-DDTHH:MM:SS\)/],
    ["every tuesday", /expected cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\)/],
  ])("rejects %s with a message saying what is wrong", (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(ScheduleError);
    expect(() => parseSchedule(expr)).toThrow(message);
  });
});

describe("next runs", () => {
  it("weekly cron in UTC (7-field form, SSM day names)", () => {
    expect(iso(nextRuns(parseSchedule("cron(0 0 22 ? * TUE *)"), FROM, 3))).toEqual(["2026-11-24T22:00Z", "2026-12-01T22:00Z", "2026-12-08T22:00Z"]);
  });
  it("numeric day-of-week uses SSM numbering (1 = SUN)", () => {
    expect(iso(nextRuns(parseSchedule("cron(0 2 ? * 1 *)"), FROM, 1))).toEqual(["2026-11-29T02:00Z"]);
    expect(iso(nextRuns(parseSchedule("cron(0 2 ? * 3#2 *)"), FROM, 1))).toEqual(["2026-12-08T02:00Z"]);
  });
  it("L, W and # modifiers", () => {
    expect(iso(nextRuns(parseSchedule("cron(0 2 L * ? *)"), FROM, 2))).toEqual(["2026-11-30T02:00Z", "2026-12-31T02:00Z"]);
    expect(iso(nextRuns(parseSchedule("cron(0 2 ? * 6L *)"), FROM, 2))).toEqual(["2026-11-27T02:00Z", "2026-12-25T02:00Z"]);
    // 2027-08-15 is a Sunday: the nearest weekday is Monday the 16th.
    expect(iso(nextRuns(parseSchedule("cron(0 2 15W * ? *)"), new Date("2027-08-01T00:00:00Z"), 1))).toEqual(["2027-08-16T02:00Z"]);
    expect(iso(nextRuns(parseSchedule("cron(30 23 ? * TUE#3 *)"), FROM, 2))).toEqual(["2026-12-15T23:30Z", "2027-01-19T23:30Z"]);
  });
  it("the Year field limits runs", () => {
    expect(iso(nextRuns(parseSchedule("cron(0 2 ? * SUN 2027)"), FROM, 1))).toEqual(["2027-01-03T02:00Z"]);
    expect(nextRuns(parseSchedule("cron(0 2 ? * SUN 2025)"), FROM, 1)).toEqual([]);
  });
  it("keeps local wall-clock time across DST changes in Europe/Berlin", () => {
    const runs = nextRuns(parseSchedule("cron(0 22 ? * SAT *)"), new Date("2026-03-20T00:00:00Z"), 3, { timezone: "Europe/Berlin" });
    expect(iso(runs)).toEqual(["2026-03-21T21:00Z", "2026-03-28T21:00Z", "2026-04-04T20:00Z"]);
    expect(runs.map((d) => formatInZone(d, "Europe/Berlin"))).toEqual([
      "2026-03-21 22:00 GMT+1 (Sat)",
      "2026-03-28 22:00 GMT+1 (Sat)",
      "2026-04-04 22:00 GMT+2 (Sat)",
    ]);
    const autumn = nextRuns(parseSchedule("cron(0 22 ? * SAT *)"), new Date("2026-10-20T00:00:00Z"), 2, { timezone: "Europe/Berlin" });
    expect(iso(autumn)).toEqual(["2026-10-24T20:00Z", "2026-10-31T21:00Z"]);
  });
  it("a daily run in America/New_York on the spring-forward day still runs once that day", () => {
    const runs = nextRuns(parseSchedule("cron(30 2 * * ? *)"), new Date("2026-03-07T12:00:00Z"), 3, { timezone: "America/New_York" });
    expect(runs).toHaveLength(3);
    const days = runs.map((d) => formatInZone(d, "America/New_York").slice(0, 10));
    expect(new Set(days).size).toBe(3);
  });
  it("scheduleOffset shifts each run by N days", () => {
    expect(iso(nextRuns(parseSchedule("cron(30 23 ? * TUE#3 *)"), FROM, 2, { offsetDays: 2 }))).toEqual(["2026-12-17T23:30Z", "2027-01-21T23:30Z"]);
  });
  it("startDate and endDate bound the runs", () => {
    const s = parseSchedule("cron(0 22 ? * TUE *)");
    expect(iso(nextRuns(s, FROM, 2, { startDate: "2026-12-05T00:00:00Z" }))).toEqual(["2026-12-08T22:00Z", "2026-12-15T22:00Z"]);
    expect(iso(nextRuns(s, FROM, 5, { endDate: "2026-12-02T00:00:00Z" }))).toEqual(["2026-11-24T22:00Z", "2026-12-01T22:00Z"]);
  });
  it("at() in the past has no runs; in the future one, in its timezone", () => {
    expect(nextRuns(parseSchedule("at(2026-07-07T15:55:00)"), FROM, 3)).toEqual([]);
    expect(iso(nextRuns(parseSchedule("at(2026-12-01T10:00:00)"), FROM, 3, { timezone: "Europe/Berlin" }))).toEqual(["2026-12-01T09:00Z"]);
  });
  it("rate() counts from the start date", () => {
    expect(iso(nextRuns(parseSchedule("rate(1 day)"), FROM, 2, { startDate: "2026-11-01T06:00:00Z" }))).toEqual(["2026-11-23T06:00Z", "2026-11-24T06:00Z"]);
  });
  it("knows IANA timezones", () => {
    expect(validateTimezone("Europe/Berlin")).toBe(true);
    expect(validateTimezone("Mars/Olympus")).toBe(false);
  });
});
