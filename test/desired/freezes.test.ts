import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { activeFreezes, upcomingFreezes } from "../../src/freeze/periods.js";
import { runCli } from "../../src/cli/main.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/** patchctl.yaml `freezes:` and `changeCalendars:`: validation (file:line:column, naming the field) and the periods. */
async function errorsOf(config: string): Promise<string[]> {
  const dir = writeTree({ "patchctl.yaml": `${CONFIG}${config}` });
  const loaded = await loadDesiredState(dir);
  return loaded.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.field ?? ""}: ${d.message}`);
}

describe("validating freezes", () => {
  it("a fixed and a recurring freeze and a change calendar are valid", async () => {
    expect(
      await errorsOf(`freezes:
  - name: year-end
    start: 2026-12-20T00:00:00Z
    end: 2027-01-04T00:00:00Z
    reason: year-end change freeze
  - name: weekday-business-hours
    schedule: cron(0 8 ? * MON-FRI *)
    duration: 10
    timezone: Europe/Berlin
changeCalendars: [patching-freeze, "arn:aws:ssm:eu-west-1:123456789012:document/Other.Calendar"]
`),
    ).toEqual([]);
  });

  it("every bad input is an error at its file:line:column naming the field", async () => {
    const errors = await errorsOf(`freezes:
  - name: backwards
    start: 2026-12-20T00:00:00Z
    end: 2026-12-01T00:00:00Z
  - name: bad-cron
    schedule: cron(0 25 ? * MON-FRI *)
    duration: 2
    timezone: Mars/Olympus
  - name: both
    start: 2026-12-20T00:00:00Z
    schedule: cron(0 8 ? * MON-FRI *)
    duration: 3
  - name: no-offset
    start: 2026-12-20T00:00:00
    end: someday
  - name: rate
    schedule: rate(1 day)
    duration: 3
    colour: blue
  - name: backwards
    schedule: cron(0 8 ? * MON-FRI *)
  - name: zero
    schedule: cron(0 8 ? * MON-FRI *)
    duration: 0
changeCalendars: ["not a name!"]
`);
    expect(errors).toEqual([
      "7:10 freezes[0].end: end must be after start",
      "9:15 freezes[1].schedule: Hours: 25 is out of range 0-23",
      "11:15 freezes[1].timezone: unknown timezone 'Mars/Olympus': expected an IANA name such as UTC, Europe/Berlin or America/New_York",
      "12:5 freezes[2]: a freeze is either fixed (start and end) or recurring (schedule and duration), not both",
      "17:12 freezes[3].start: '2026-12-20T00:00:00' has no offset: add one (e.g. 2026-12-20T00:00:00Z) or give the freeze a timezone",
      "18:10 freezes[3].end: 'someday' is not an ISO-8601 date-time (e.g. 2026-12-20T00:00:00Z)",
      "20:15 freezes[4].schedule: a freeze schedule must be cron(...), e.g. cron(0 8 ? * MON-FRI *); rate(...) is not supported (a one-off freeze is start and end)",
      "22:5 freezes[4].colour: unknown field 'colour'",
      "23:5 freezes[5]: a recurring freeze needs duration: the hours each period lasts",
      "23:11 freezes[5].name: duplicate freeze name 'backwards' (also freezes[0])",
      "27:15 freezes[6].duration: must be > 0 (got 0)",
      expect.stringMatching(/^28:19 changeCalendars\[0\]: must match .* \(got "not a name!"\)$/),
    ]);
  });

  it("an offset-less start and end are read in the freeze's timezone", () => {
    const [p] = upcomingFreezes([{ name: "x", start: "2026-12-20T00:00:00", end: "2026-12-21T00:00:00", timezone: "Europe/Berlin" }], new Date("2026-12-01T00:00:00Z"));
    expect(p!.start.toISOString()).toBe("2026-12-19T23:00:00.000Z");
  });
});

describe("freeze periods", () => {
  const weekday = { name: "weekday-business-hours", schedule: "cron(0 8 ? * MON-FRI *)", duration: 10, timezone: "Europe/Berlin", reason: "business hours" };

  it("a recurring freeze is in force from each cron time for duration hours, in its timezone (DST included)", () => {
    // Friday 2026-12-18, 12:00 Berlin (CET) = 11:00Z.
    expect(activeFreezes([weekday], new Date("2026-12-18T11:00:00Z"))).toEqual([{ name: "weekday-business-hours", reason: "business hours", start: new Date("2026-12-18T07:00:00Z"), end: new Date("2026-12-18T17:00:00Z") }]);
    expect(activeFreezes([weekday], new Date("2026-12-18T17:00:00Z"))).toEqual([]); // the end is not part of it
    expect(activeFreezes([weekday], new Date("2026-12-19T11:00:00Z"))).toEqual([]); // Saturday
    // Summer time: 08:00 Berlin is 06:00Z.
    expect(activeFreezes([weekday], new Date("2027-06-01T06:30:00Z"))[0]?.start).toEqual(new Date("2027-06-01T06:00:00Z"));
  });

  it("periods that overlap or touch are one freeze, from the first start to the last end", () => {
    const nightly = { name: "nights", schedule: "cron(0 20 * * ? *)", duration: 24 };
    const [p] = activeFreezes([nightly], new Date("2026-12-18T12:00:00Z"));
    expect(p!.end).toBeUndefined(); // every day for 24 hours: it never ends
    const overlapping = { name: "x", schedule: "cron(0 0 ? * MON,TUE *)", duration: 30 };
    const [q] = activeFreezes([overlapping], new Date("2026-12-15T12:00:00Z")); // Tuesday
    expect(q).toMatchObject({ start: new Date("2026-12-14T00:00:00Z"), end: new Date("2026-12-16T06:00:00Z") });
  });

  it("the next periods of each freeze, the one in force first", () => {
    const fixed = { name: "year-end", start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z" };
    const periods = upcomingFreezes([fixed, weekday], new Date("2026-12-18T11:00:00Z"), 2);
    expect(periods.map((p) => `${p.name} ${p.start.toISOString()}`)).toEqual([
      "weekday-business-hours 2026-12-18T07:00:00.000Z",
      "year-end 2026-12-20T00:00:00.000Z",
      "weekday-business-hours 2026-12-21T07:00:00.000Z",
    ]);
    expect(upcomingFreezes([fixed], new Date("2027-02-01T00:00:00Z"))).toEqual([]);
  });

  it("validate prints the next freeze periods beside the windows' next runs", async () => {
    const dir = writeTree({
      "patchctl.yaml": `${CONFIG}freezes:\n  - name: year-end\n    start: 2026-12-20T00:00:00Z\n    end: 2027-01-04T00:00:00Z\n    reason: year-end change freeze\n  - ${JSON.stringify(weekday)}\nchangeCalendars: [patching-freeze]\n`,
    });
    let out = "";
    const code = await runCli(["validate", dir, "--now", "2026-12-18T11:00:00Z"], { out: (t) => (out += `${t}\n`), err: () => {} });
    expect(code).toBe(0);
    expect(out).toContain("Change freezes (patchctl.yaml):");
    expect(out).toContain("  year-end  fixed  [UTC]  year-end change freeze\n    next: 2026-12-20 00:00 UTC (Sun) → 2027-01-04 00:00 UTC (Mon)");
    expect(out).toContain("    in force: 2026-12-18 08:00 CET (Fri) → 2026-12-18 18:00 CET (Fri)\n    next: 2026-12-21 08:00 CET (Mon) → 2026-12-21 18:00 CET (Mon)");
    expect(out).toContain("change calendar patching-freeze: read online");
    let json = "";
    await runCli(["validate", dir, "--now", "2026-12-18T11:00:00Z", "--output", "json"], { out: (t) => (json += t), err: () => {} });
    const doc = JSON.parse(json) as { freezes: { freeze: string; periods: { startUtc: string; inForce: boolean }[] }[] };
    expect(doc.freezes.find((f) => f.freeze === "weekday-business-hours")!.periods[0]).toMatchObject({ startUtc: "2026-12-18T07:00:00.000Z", inForce: true });
  });
});
