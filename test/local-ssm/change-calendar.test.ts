import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";

/**
 * Change Calendar over Debian's AWS CLI v2 against the local endpoint: ChangeCalendar documents
 * (create, update, default version, describe, get, delete) and GetCalendarState (OPEN/CLOSED at a
 * time, the next transition, several calendars at once). See docs/ssm-fidelity.md, "Change Calendar".
 */
const creds = { accessKeyId: "AKIA555555555555TEST", secretAccessKey: "calendar-secret", region: "us-east-1" };

function calendar(type: "DEFAULT_OPEN" | "DEFAULT_CLOSED", ...events: string[]): string {
  return ["BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", `X-CALENDAR-TYPE:${type}`, "X-WR-CALDESC:test", ...events, "END:VCALENDAR", ""].join("\r\n");
}

function event(uid: string, start: string, end: string, ...extra: string[]): string {
  return ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20260101T000000Z", `DTSTART${start}`, `DTEND${end}`, ...extra, "SUMMARY:freeze", "END:VEVENT"].join("\r\n");
}

let server: LocalSsm;
let dir: string;
const cli = (...args: string[]) => awsCli({ url: server.url, ...creds }, "ssm", ...args);

/** The AWS CLI's error line for a failing call. */
async function cliError(...args: string[]): Promise<string> {
  try {
    await cli(...args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`expected ${args.join(" ")} to fail`);
}

function contentFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return `file://${file}`;
}

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), "patchctl-calendar-"));
});
afterAll(async () => {
  await server.close();
});

describe("Change Calendar documents and GetCalendarState (AWS CLI)", () => {
  it("a DEFAULT_OPEN calendar is CLOSED during its event, with the event's end as next transition, and OPEN outside it", async () => {
    const created = await cli("create-document", "--name", "year-end-freeze", "--document-type", "ChangeCalendar", "--document-format", "TEXT", "--content", contentFile("a.ics", calendar("DEFAULT_OPEN", event("e1", ":20261220T000000Z", ":20270104T000000Z"))));
    const d = created.DocumentDescription as Record<string, unknown>;
    expect(d).toMatchObject({ Name: "year-end-freeze", DocumentType: "ChangeCalendar", DocumentFormat: "TEXT", DocumentVersion: "1", LatestVersion: "1", DefaultVersion: "1", HashType: "Sha256", Status: "Creating" });
    expect(await cli("get-calendar-state", "--calendar-names", "year-end-freeze", "--at-time", "2026-12-24T12:00:00Z")).toEqual({ State: "CLOSED", AtTime: "2026-12-24T12:00:00Z", NextTransitionTime: "2027-01-04T00:00:00Z" });
    expect(await cli("get-calendar-state", "--calendar-names", "year-end-freeze", "--at-time", "2026-12-01T00:00:00Z")).toEqual({ State: "OPEN", AtTime: "2026-12-01T00:00:00Z", NextTransitionTime: "2026-12-20T00:00:00Z" });
    // The end is not part of the event; after the last event there is no transition.
    expect(await cli("get-calendar-state", "--calendar-names", "year-end-freeze", "--at-time", "2027-01-04T00:00:00Z")).toEqual({ State: "OPEN", AtTime: "2027-01-04T00:00:00Z" });
    // By ARN, as the user guide's example asks for it.
    expect((await cli("get-calendar-state", "--calendar-names", "arn:aws:ssm:us-east-1:555555555555:document/year-end-freeze", "--at-time", "2026-12-24T12:00:00Z")).State).toBe("CLOSED");
    expect((await cli("describe-document", "--name", "year-end-freeze")).Document).toMatchObject({ Status: "Active", DocumentType: "ChangeCalendar" });
    const got = await cli("get-document", "--name", "year-end-freeze");
    expect(got).toMatchObject({ Name: "year-end-freeze", DocumentType: "ChangeCalendar", DocumentFormat: "TEXT", DocumentVersion: "1", Status: "Active" });
    expect(String(got.Content)).toContain("X-CALENDAR-TYPE:DEFAULT_OPEN");
  });

  it("a DEFAULT_CLOSED calendar is OPEN only during its events; recurring events in a time zone", async () => {
    // Open for changes Tuesdays 09:00-17:00 Berlin time, every week.
    const tuesdays = event("e2", ";TZID=Europe/Berlin:20261201T090000", ";TZID=Europe/Berlin:20261201T170000", "RRULE:FREQ=WEEKLY;BYDAY=TU");
    await cli("create-document", "--name", "change-window", "--document-type", "ChangeCalendar", "--document-format", "TEXT", "--content", contentFile("b.ics", calendar("DEFAULT_CLOSED", tuesdays)));
    // Tuesday 2026-12-08 10:00 Berlin (CET, UTC+1) = 09:00Z: open until 16:00Z.
    expect(await cli("get-calendar-state", "--calendar-names", "change-window", "--at-time", "2026-12-08T09:00:00Z")).toEqual({ State: "OPEN", AtTime: "2026-12-08T09:00:00Z", NextTransitionTime: "2026-12-08T16:00:00Z" });
    // Wednesday: closed until next Tuesday 08:00Z.
    expect(await cli("get-calendar-state", "--calendar-names", "change-window", "--at-time", "2026-12-09T12:00:00Z")).toEqual({ State: "CLOSED", AtTime: "2026-12-09T12:00:00Z", NextTransitionTime: "2026-12-15T08:00:00Z" });
    // Summer time: 09:00 Berlin is 07:00Z.
    expect((await cli("get-calendar-state", "--calendar-names", "change-window", "--at-time", "2027-06-01T07:30:00Z")).State).toBe("OPEN");
  });

  it("several calendars: OPEN only when all are OPEN", async () => {
    expect((await cli("get-calendar-state", "--calendar-names", "year-end-freeze", "change-window", "--at-time", "2026-12-22T09:00:00Z")).State).toBe("CLOSED"); // Tuesday, but year-end
    expect(await cli("get-calendar-state", "--calendar-names", "year-end-freeze", "change-window", "--at-time", "2026-12-08T09:00:00Z")).toEqual({ State: "OPEN", AtTime: "2026-12-08T09:00:00Z", NextTransitionTime: "2026-12-08T16:00:00Z" });
  });

  it("UpdateDocument adds a version; the default version, which GetCalendarState reads, moves with UpdateDocumentDefaultVersion", async () => {
    const updated = await cli("update-document", "--name", "year-end-freeze", "--document-version", "$LATEST", "--content", contentFile("c.ics", calendar("DEFAULT_OPEN")));
    expect(updated.DocumentDescription).toMatchObject({ DocumentVersion: "2", LatestVersion: "2", DefaultVersion: "1", Status: "Updating" });
    expect((await cli("get-calendar-state", "--calendar-names", "year-end-freeze", "--at-time", "2026-12-24T12:00:00Z")).State).toBe("CLOSED");
    await cli("update-document-default-version", "--name", "year-end-freeze", "--document-version", "2");
    expect(await cli("get-calendar-state", "--calendar-names", "year-end-freeze", "--at-time", "2026-12-24T12:00:00Z")).toEqual({ State: "OPEN", AtTime: "2026-12-24T12:00:00Z" });
    expect(await cliError("update-document", "--name", "year-end-freeze", "--document-version", "$LATEST", "--content", contentFile("c2.ics", calendar("DEFAULT_OPEN")))).toMatch(/DuplicateDocumentContent/);
    expect(await cliError("update-document", "--name", "year-end-freeze", "--document-version", "1", "--content", contentFile("c3.ics", calendar("DEFAULT_CLOSED")))).toMatch(/InvalidDocumentVersion/);
  });

  it("errors: unknown calendar, content that is not iCalendar TEXT, a name taken, a type not emulated", async () => {
    expect(await cliError("get-calendar-state", "--calendar-names", "no-such-calendar")).toMatch(/InvalidDocument\b/);
    expect(await cliError("create-document", "--name", "broken", "--document-type", "ChangeCalendar", "--document-format", "TEXT", "--content", "not a calendar")).toMatch(/InvalidDocumentContent/);
    expect(await cliError("create-document", "--name", "json-format", "--document-type", "ChangeCalendar", "--content", contentFile("d.ics", calendar("DEFAULT_OPEN")))).toMatch(/InvalidDocumentContent.*TEXT/);
    expect(await cliError("create-document", "--name", "change-window", "--document-type", "ChangeCalendar", "--document-format", "TEXT", "--content", contentFile("e.ics", calendar("DEFAULT_OPEN")))).toMatch(/DocumentAlreadyExists/);
    expect(await cliError("create-document", "--name", "run-me", "--document-type", "Command", "--content", "{}")).toMatch(/InvalidDocumentType.*ChangeCalendar only/);
    await cli("create-document", "--name", "no-type", "--document-type", "ChangeCalendar", "--document-format", "TEXT", "--content", contentFile("f.ics", calendar("DEFAULT_OPEN").replace("X-CALENDAR-TYPE:DEFAULT_OPEN\r\n", "")));
    expect(await cliError("get-calendar-state", "--calendar-names", "no-type")).toMatch(/UnsupportedCalendarException/);
  });

  it("DeleteDocument removes the calendar", async () => {
    await cli("delete-document", "--name", "change-window");
    expect(await cliError("describe-document", "--name", "change-window")).toMatch(/InvalidDocument\b/);
    expect(await cliError("get-calendar-state", "--calendar-names", "change-window")).toMatch(/InvalidDocument\b/);
  });
});
