import { GetMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand } from "@aws-sdk/client-ssm";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../helpers/aws-cli.js";
import { census } from "../helpers/account-census.js";
import type { LocalHarness } from "../helpers/local.js";
import { CREDENTIALS, REGION, startHarness } from "../helpers/local.js";

/**
 * Change freezes over HTTP against the local endpoint: a freeze of patchctl.yaml in force, or a
 * CLOSED SSM Change Calendar made with the AWS CLI, refuses `reconcile` and `apply plan.json`
 * (exit 1, nothing changes in the account, the message names the freeze, its reason and its end);
 * `--plan` works and says applying is frozen; `--ignore-freeze "<reason>"` applies and says so.
 */
let h: LocalHarness;
let work: string;

function walkthrough(name: string, config: string): string {
  const dir = path.join(work, name);
  cpSync("examples/walkthrough", dir, { recursive: true });
  appendFileSync(path.join(dir, "patchctl.yaml"), config);
  return dir;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
/** The Saturday window's Duration in the account. */
async function sat(): Promise<number> {
  const id = ((await h.sdk.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: ["Production-Saturdays"] }] }))).WindowIdentities ?? [])[0]!.WindowId!;
  return (await h.sdk.send(new GetMaintenanceWindowCommand({ WindowId: id }))).Duration!;
}
const windowNames = async (): Promise<string[]> => ((await h.sdk.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities ?? []).map((w) => w.Name!).sort();

beforeAll(async () => {
  h = await startHarness();
  work = mkdtempSync(path.join(tmpdir(), "patchctl-freeze-"));
});
afterAll(async () => {
  await h.close();
});

describe("a freeze of patchctl.yaml in force", () => {
  it("refuses reconcile and apply plan.json, changing nothing; --plan says so; --ignore-freeze applies and shows its reason", async () => {
    const end = iso(Date.now() + 2 * 3_600_000);
    const dir = walkthrough("fixed", `freezes:\n  - name: launch-week\n    start: ${iso(Date.now() - 3_600_000)}\n    end: ${end}\n    reason: product launch, no changes\n  - name: year-end\n    start: 2099-12-20T00:00:00Z\n    end: 2100-01-04T00:00:00Z\n`);
    const before = await census(h.sdk);

    const applied = await h.cli(["reconcile", dir]);
    expect(applied.code).toBe(1);
    const last = applied.err.trim().split("\n").at(-1)!;
    expect(last).toMatch(/^error: applying is frozen: freeze 'launch-week' \(product launch, no changes\) until /);
    expect(last).toContain(`until ${new Date(end).toISOString()}`);
    expect(last).toMatch(/--ignore-freeze "<reason>" applies anyway; nothing is applied$/);
    expect(last).not.toMatch(/year-end/);
    expect(await census(h.sdk)).toEqual(before);

    const plan = await h.cli(["reconcile", dir, "--plan", "--out", path.join(work, "plan.json")]);
    expect(plan.code).toBe(2);
    expect(plan.out).toMatch(/Plan: \d+ to create/);
    expect(plan.out).toMatch(/Applying is frozen: freeze 'launch-week' \(product launch, no changes\) until .*applying it would be refused/);
    const saved = JSON.parse(readFileSync(path.join(work, "plan.json"), "utf8")) as { freeze?: { freezes: { name: string }[] } };
    expect(saved.freeze?.freezes.map((f) => f.name)).toEqual(["launch-week", "year-end"]);

    const dry = await h.cli(["reconcile", dir, "--dry-run"]);
    expect(dry.code).toBe(2);
    expect(dry.out).toMatch(/Applying is frozen: freeze 'launch-week'/);
    expect(dry.out).toMatch(/Dry run: \d+ SSM call\(s\) would be made/);
    const drift = await h.cli(["drift", dir]);
    expect(drift.code).toBe(2);
    expect(drift.out).toMatch(/Applying is frozen: freeze 'launch-week'/);
    expect(await census(h.sdk)).toEqual(before);

    const json = await h.cli(["reconcile", dir, "--plan", "--output", "json"]);
    const doc = JSON.parse(json.out) as { freeze: { frozen: boolean; active: { kind: string; name: string; reason: string; until: string }[] } };
    expect(doc.freeze.frozen).toBe(true);
    expect(doc.freeze.active).toEqual([expect.objectContaining({ kind: "freeze", name: "launch-week", reason: "product launch, no changes", until: new Date(end).toISOString() })]);

    const savedApply = await h.cli(["apply", path.join(work, "plan.json")]);
    expect(savedApply.code).toBe(1);
    expect(savedApply.err.trim().split("\n").at(-1)).toMatch(/^error: applying is frozen: freeze 'launch-week'.*nothing is applied$/);
    expect(await census(h.sdk)).toEqual(before);

    expect((await h.cli(["reconcile", dir, "--ignore-freeze", "  "])).err).toMatch(/--ignore-freeze needs a reason/);
    expect(await census(h.sdk)).toEqual(before);

    const waived = await h.cli(["apply", path.join(work, "plan.json"), "--ignore-freeze", "CAB-1234: security fix approved"]);
    expect(waived.code).toBe(0);
    expect(waived.err).toMatch(/warning: applying during a change freeze \(freeze 'launch-week'.*\): --ignore-freeze "CAB-1234: security fix approved"/);
    expect(waived.out).toMatch(/Change freeze waived by --ignore-freeze "CAB-1234: security fix approved"/);
    expect(waived.out).toMatch(/Apply complete: \d+ applied, 0 failed/);
    expect(await windowNames()).toEqual(["Production-Saturdays", "Production-Tuesdays"]);

    // A change while frozen: refused; waived by reconcile --ignore-freeze, with the reason in the output.
    const file = path.join(dir, "windows.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("duration: 2\n", "duration: 3\n"));
    expect((await h.cli(["reconcile", dir])).code).toBe(1);
    expect(await sat()).toBe(2);
    const again = await h.cli(["reconcile", dir, "--ignore-freeze", "launch blocker fix", "--output", "json"]);
    expect(again.code).toBe(0);
    expect(await sat()).toBe(3);
    const docs = again.out.trim().split(/\n(?=\{)/).map((t) => JSON.parse(t) as Record<string, unknown>);
    expect(docs.at(-1)).toMatchObject({ kind: "apply", ok: true, freeze: { frozen: true, waived: "launch blocker fix" } });
  });

  it("a recurring freeze (cron, duration, timezone) in force now refuses too; outside its periods nothing is frozen", async () => {
    // Every day at this hour, for two hours: in force now, in the freeze's own time zone.
    const now = new Date();
    const frozen = walkthrough("recurring", `freezes:\n  - name: daily\n    schedule: cron(0 ${now.getUTCHours()} * * ? *)\n    duration: 2\n    timezone: UTC\n`);
    const r = await h.cli(["reconcile", frozen, "--plan"]);
    expect(r.out).toMatch(/Applying is frozen: freeze 'daily' until /);
    const open = walkthrough("recurring-later", `freezes:\n  - name: daily\n    schedule: cron(0 ${(now.getUTCHours() + 3) % 24} * * ? *)\n    duration: 1\n    timezone: UTC\n`);
    const r2 = await h.cli(["reconcile", open, "--plan"]);
    expect(r2.out).not.toMatch(/frozen/i);
  });
});

describe("an SSM Change Calendar made with the AWS CLI", () => {
  const cli = (...args: string[]) => awsCli({ url: h.url, ...CREDENTIALS, region: REGION }, "ssm", ...args);
  const content = (events: string): string =>
    ["BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", "X-CALENDAR-TYPE:DEFAULT_OPEN", "X-WR-CALDESC:patching freeze", events, "END:VCALENDAR", ""].filter((l) => l !== "").join("\r\n");
  const stamp = (ms: number): string => iso(ms).replace(/[-:]/g, "");

  it("CLOSED refuses apply (nothing changes) and names the calendar and when it opens; --ignore-freeze applies; OPEN applies", async () => {
    const opens = Date.now() + 3 * 3_600_000;
    const file = path.join(work, "freeze.ics");
    writeFileSync(file, content(["BEGIN:VEVENT", "UID:freeze-1", `DTSTAMP:${stamp(Date.now())}`, `DTSTART:${stamp(Date.now() - 600_000)}`, `DTEND:${stamp(opens)}`, "SUMMARY:patching freeze", "END:VEVENT"].join("\r\n")));
    await cli("create-document", "--name", "patching-freeze", "--document-type", "ChangeCalendar", "--document-format", "TEXT", "--content", `file://${file}`);
    expect((await cli("get-calendar-state", "--calendar-names", "patching-freeze")).State).toBe("CLOSED");

    const dir = walkthrough("calendar", "changeCalendars: [patching-freeze]\n");
    const windowsFile = path.join(dir, "windows.yaml");
    writeFileSync(windowsFile, readFileSync(windowsFile, "utf8").replace("duration: 2\n", "duration: 4\n"));
    const before = await census(h.sdk);
    const refused = await h.cli(["reconcile", dir]);
    expect(refused.code).toBe(1);
    expect(refused.err.trim().split("\n").at(-1)).toMatch(new RegExp(`^error: applying is frozen: change calendar patching-freeze is CLOSED until ${new Date(Math.floor(opens / 1000) * 1000).toISOString()}.*nothing is applied$`));
    expect(refused.out).toMatch(/Applying is frozen: change calendar patching-freeze is CLOSED/);
    expect(await census(h.sdk)).toEqual(before);
    expect(await sat()).toBe(3);

    // A calendar that cannot be read is treated as CLOSED (the safe reading).
    const missing = walkthrough("calendar-missing", "changeCalendars: [no-such-calendar]\n");
    const unread = await h.cli(["reconcile", missing]);
    expect(unread.code).toBe(1);
    expect(unread.err).toMatch(/change calendar no-such-calendar could not be read; treated as CLOSED \(InvalidDocument/);

    const waived = await h.cli(["reconcile", dir, "--ignore-freeze", "incident 42 mitigation"]);
    expect(waived.code).toBe(0);
    expect(waived.err).toMatch(/--ignore-freeze "incident 42 mitigation"/);
    expect(await sat()).toBe(4);

    // The calendar opens (its event removed, as the console does: a new default version).
    writeFileSync(file, content(""));
    await cli("update-document", "--name", "patching-freeze", "--document-version", "$LATEST", "--content", `file://${file}`);
    await cli("update-document-default-version", "--name", "patching-freeze", "--document-version", "2");
    expect((await cli("get-calendar-state", "--calendar-names", "patching-freeze")).State).toBe("OPEN");
    writeFileSync(windowsFile, readFileSync(windowsFile, "utf8").replace("duration: 4\n", "duration: 5\n"));
    const open = await h.cli(["reconcile", dir]);
    expect(open.code).toBe(0);
    expect(open.out).not.toMatch(/frozen/i);
    expect(open.out).toMatch(/Apply complete: 1 applied/);
  });
});
