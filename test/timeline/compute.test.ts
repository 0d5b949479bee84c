import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DesiredState, LoadedResource } from "../../src/desired/load.js";
import type { SourceDocument } from "../../src/desired/yaml-source.js";
import type { MaintenanceWindowDoc, PatchBaselineDoc } from "../../src/model/desired.js";
import type { GroupTimeline, Timeline } from "../../src/timeline/index.js";
import { computeTimeline } from "../../src/timeline/index.js";
import { baseline, EXAMPLES, load, loadDocs, window } from "./fixtures.js";

const RELEASED = new Date("2026-12-01T00:00:00Z"); // a Tuesday
const NOW = new Date("2026-11-20T00:00:00Z");

function row(t: Timeline, lane: string): GroupTimeline {
  const r = t.groups.find((g) => g.lane === lane);
  if (!r) throw new Error(`no lane ${lane} in ${t.groups.map((g) => g.lane).join(", ")}`);
  return r;
}
function kinds(t: Timeline): string[] {
  return t.findings.map((f) => f.kind);
}

describe("the AWS walkthrough (examples/walkthrough)", () => {
  // Released Tue 2026-12-01 00:00 UTC; Production-Baseline approves 7 days later,
  // Tue 2026-12-08 00:00 UTC. Production-Tuesdays (cron(0 0 22 ? * TUE *), UTC) next
  // starts that same Tuesday at 22:00; Production-Saturdays (SAT 22:00) on the first
  // Saturday after the 8th, the 12th.
  it("approves on 2026-12-08 and installs Database Servers Tue 22:00, Front-End Servers Sat 22:00", async () => {
    const t = computeTimeline(await load(path.join(EXAMPLES, "walkthrough")), { released: RELEASED, now: NOW });
    expect(t.formatVersion).toBe(1);
    expect(t.groups.map((g) => g.lane)).toEqual(["Database Servers", "Front-End Servers"]);
    const db = row(t, "Database Servers");
    expect(db.baseline).toMatchObject({ source: "registered", name: "Production-Baseline", resource: "PatchBaseline/Production-Baseline", operatingSystem: "WINDOWS" });
    expect(db.rule).toMatchObject({ index: 1, approveAfterDays: 7 });
    expect(db.approval).toMatchObject({ status: "approved", at: "2026-12-08T00:00:00Z" });
    expect(db.install).toMatchObject({ window: "Production-Tuesdays", task: "Install-Patches", at: "2026-12-08T22:00:00Z", timezone: "UTC", startBy: "2026-12-08T23:00:00Z" });
    expect(db.stage).toBe("Production");
    const fe = row(t, "Front-End Servers");
    expect(fe.approval.at).toBe("2026-12-08T00:00:00Z");
    expect(fe.install).toMatchObject({ window: "Production-Saturdays", at: "2026-12-12T22:00:00Z", startBy: "2026-12-13T00:00:00Z" });
    expect(t.findings).toEqual([]);
  });

  it("counts an install run that starts exactly at approval ('at or after')", async () => {
    const state = await load(path.join(EXAMPLES, "walkthrough"));
    const t = computeTimeline(state, { released: new Date("2026-12-01T22:00:00Z"), now: NOW });
    expect(row(t, "Database Servers").install?.at).toBe("2026-12-08T22:00:00Z");
    const later = computeTimeline(state, { released: new Date("2026-12-01T22:01:00Z"), now: NOW });
    expect(row(later, "Database Servers").install?.at).toBe("2026-12-15T22:00:00Z");
    expect(row(later, "Front-End Servers").install?.at).toBe("2026-12-12T22:00:00Z");
  });

  it("matches patch properties against the rule's filters; a patch no rule matches is never approved", async () => {
    const state = await load(path.join(EXAMPLES, "walkthrough"));
    const critical = computeTimeline(state, { released: RELEASED, now: NOW, classification: ["SecurityUpdates"], msrcSeverity: ["critical"] });
    expect(row(critical, "Database Servers").approval.at).toBe("2026-12-08T00:00:00Z");
    const low = computeTimeline(state, { released: RELEASED, now: NOW, classification: ["SecurityUpdates"], msrcSeverity: ["Low"] });
    const db = row(low, "Database Servers");
    expect(db.approval.status).toBe("never");
    expect(db.approval.reason).toMatch(/^never approved by this baseline: .*MSRC_SEVERITY in \[Critical, Important\]/);
    expect(db.rule).toBeUndefined();
    expect(db.install).toBeUndefined();
    expect(db.installNote).toBe("never installed: never approved by this baseline");
    // A property the rule does not filter on (PRODUCT) matches any value.
    const product = computeTimeline(state, { released: RELEASED, now: NOW, product: ["WindowsServer2019"] });
    expect(row(product, "Database Servers").approval.status).toBe("approved");
  });
});

describe("the AWS blog's dev/prod staggering (examples/blog)", () => {
  it("approves Development at release and Production 5 days later, but nothing installs (scan only)", async () => {
    const t = computeTimeline(await load(path.join(EXAMPLES, "blog")), { released: RELEASED, now: NOW });
    const dev = row(t, "Development Servers");
    const prod = row(t, "Front-End Servers");
    expect(dev.approval).toMatchObject({ status: "approved", at: "2026-12-01T00:00:00Z" });
    expect(dev.stage).toBe("Development");
    expect(prod.approval).toMatchObject({ status: "approved", at: "2026-12-06T00:00:00Z" });
    expect(prod.stage).toBe("Production");
    expect(dev.install).toBeUndefined();
    expect(prod.install).toBeUndefined();
    // The scan (legacy taskParameters Operation Scan), Tuesdays 16:00 UTC: first after the 6th is the 8th.
    expect(prod.scans.map((s) => [s.window, s.task, s.at])).toEqual([["Patch_Front-End-Servers", "Scan-Front-End", "2026-12-08T16:00:00Z"]]);
    expect(t.findings.filter((f) => f.kind === "never-installed").map((f) => f.group)).toEqual(["Development Servers", "Front-End Servers"]);
    expect(t.findings.find((f) => f.group === "Front-End Servers")?.message).toMatch(/only scanned, by Patch_Front-End-Servers/);
  });

  const BASELINES = [
    baseline("Dev-Critical-0Day", { groups: ["Development Servers"], days: 0, env: "Development" }),
    baseline("Prod-Critical-5Day", { groups: ["Front-End Servers"], days: 5, env: "Production" }),
  ];

  it("with install windows, Development installs the day of release and Production a week later", async () => {
    const state = await loadDocs(
      ...BASELINES,
      window("Dev-Tuesdays", { schedule: "cron(0 16 ? * TUE *)", groups: ["Development Servers"] }),
      window("Prod-Tuesdays", { schedule: "cron(0 16 ? * TUE *)", groups: ["Front-End Servers"], legacyParameters: true }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups.map((g) => [g.lane, g.install?.at])).toEqual([
      ["Development Servers", "2026-12-01T16:00:00Z"],
      ["Front-End Servers", "2026-12-08T16:00:00Z"],
    ]);
    expect(t.findings).toEqual([]);
  });

  it("flags Production installing before Development", async () => {
    // Development only patches on the third Tuesday (2026-12-15); Production every Tuesday,
    // so production's first install after its 5-day delay (Tue 2026-12-08) comes first.
    const state = await loadDocs(
      ...BASELINES,
      window("Dev-Third-Tuesday", { schedule: "cron(0 16 ? * TUE#3 *)", groups: ["Development Servers"] }),
      window("Prod-Tuesdays", { schedule: "cron(0 16 ? * TUE *)", groups: ["Front-End Servers"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(row(t, "Development Servers").install?.at).toBe("2026-12-15T16:00:00Z");
    expect(row(t, "Front-End Servers").install?.at).toBe("2026-12-08T16:00:00Z");
    expect(t.groups[0]!.lane).toBe("Front-End Servers");
    expect(t.findings).toEqual([
      {
        kind: "stage-order",
        severity: "warning",
        group: "Front-End Servers",
        message: "Production 'Front-End Servers' installs Tue 2026-12-08 16:00 UTC, before Development 'Development Servers' (Tue 2026-12-15 16:00 UTC)",
      },
    ]);
  });

  it("reads the stage from the window's Environment tag when the baseline has none", async () => {
    const state = await loadDocs(
      baseline("Dev", { groups: ["Dev Servers"], days: 0 }),
      baseline("Prod", { groups: ["Prod Servers"], days: 0 }),
      window("Dev-Window", { schedule: "cron(0 16 ? * TUE#3 *)", groups: ["Dev Servers"], env: "dev" }),
      window("Prod-Window", { schedule: "cron(0 16 ? * TUE *)", groups: ["Prod Servers"], env: "prod" }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(row(t, "Dev Servers").stage).toBe("Development");
    expect(row(t, "Prod Servers").stage).toBe("Production");
    expect(kinds(t)).toEqual(["stage-order"]);
  });
});

describe("schedules", () => {
  it("honours a DST-switching timezone: Saturday 22:00 Europe/Berlin is 21:00 UTC before 2027-03-28 and 20:00 UTC after", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Berlin Servers"], days: 7 }),
      window("Berlin-Saturdays", { schedule: "cron(0 22 ? * SAT *)", timezone: "Europe/Berlin", groups: ["Berlin Servers"] }),
    );
    // Released Sat 2027-03-20 00:00Z → approved Sat 03-27 00:00Z → that evening, still CET (UTC+1).
    const winter = computeTimeline(state, { released: new Date("2027-03-20T00:00:00Z"), now: NOW });
    expect(winter.groups[0]!.install).toMatchObject({ at: "2027-03-27T21:00:00Z", timezone: "Europe/Berlin" });
    expect(winter.groups[0]!.install!.local).toMatch(/^2027-03-27 22:00 /);
    // Released Mon 03-22 → approved Mon 03-29, after the switch → Sat 04-03 22:00 CEST (UTC+2).
    const summer = computeTimeline(state, { released: new Date("2027-03-22T00:00:00Z"), now: NOW });
    expect(summer.groups[0]!.install).toMatchObject({ at: "2027-04-03T20:00:00Z" });
    expect(summer.groups[0]!.install!.local).toMatch(/^2027-04-03 22:00 /);
  });

  it("honours scheduleOffset: the Thursday after Patch Tuesday (second Tuesday + 2 days)", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Offset Servers"], days: 0 }),
      window("Patch-Tuesday-Plus-2", { schedule: "cron(30 23 ? * TUE#2 *)", offset: 2, groups: ["Offset Servers"] }),
    );
    // December 2026: Tuesdays 1, 8, 15 → second Tuesday the 8th → Thu 2026-12-10 23:30.
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install?.at).toBe("2026-12-10T23:30:00Z");
    // Released the 9th: the cron date (8th) has passed but the offset run (10th) has not.
    const ninth = computeTimeline(state, { released: new Date("2026-12-09T00:00:00Z"), now: NOW });
    expect(ninth.groups[0]!.install?.at).toBe("2026-12-10T23:30:00Z");
    // Released the 11th: January 2027's Tuesdays are 5, 12 → Thu 2027-01-14 23:30.
    const eleventh = computeTimeline(state, { released: new Date("2026-12-11T00:00:00Z"), now: NOW });
    expect(eleventh.groups[0]!.install?.at).toBe("2027-01-14T23:30:00Z");
  });

  it("an at(...) schedule in the past never runs again: the group is never installed", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Once Servers"], days: 0 }),
      window("One-Off", { schedule: "at(2026-06-01T22:00:00)", groups: ["Once Servers"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    const r = t.groups[0]!;
    expect(r.install).toBeUndefined();
    expect(r.installNote).toBe("never installed: One-Off runs only at 2026-06-01T22:00:00 (UTC)");
    expect(t.findings).toEqual([
      { kind: "never-installed", severity: "warning", group: "Once Servers", message: "patch group 'Once Servers' is never installed again: One-Off runs only at 2026-06-01T22:00:00 (UTC)" },
      { kind: "window-never-runs", severity: "warning", window: "One-Off", message: "window One-Off never runs again: its schedule at(2026-06-01T22:00:00) is in the past" },
    ]);
  });

  it("an at(...) schedule after approval installs then, in the window's timezone", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Once Servers"], days: 7 }),
      window("One-Off", { schedule: "at(2026-12-20T03:00:00)", timezone: "America/New_York", groups: ["Once Servers"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install?.at).toBe("2026-12-20T08:00:00Z"); // EST = UTC-5
    expect(t.findings).toEqual([]);
  });

  it("an endDate that has passed: the window never runs again", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Old Servers"], days: 0 }),
      window("Retired", { schedule: "cron(0 2 ? * SUN *)", endDate: "2026-06-30T00:00:00Z", groups: ["Old Servers"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install).toBeUndefined();
    expect(t.groups[0]!.installNote).toBe("never installed: Retired ends 2026-06-30T00:00:00Z");
    expect(t.findings.find((f) => f.kind === "window-never-runs")?.message).toBe("window Retired never runs again: its endDate 2026-06-30T00:00:00Z has passed");
  });

  it("a startDate delays the first install; an endDate before approval means never", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Later Servers"], days: 0 }),
      window("Starts-Later", { schedule: "cron(0 2 ? * SUN *)", startDate: "2027-01-01T00:00:00Z", groups: ["Later Servers"] }),
    );
    // 2027-01-01 is a Friday: the first Sunday from then is the 3rd.
    expect(computeTimeline(state, { released: RELEASED, now: NOW }).groups[0]!.install?.at).toBe("2027-01-03T02:00:00Z");
    const ending = await loadDocs(
      baseline("Base", { groups: ["Ending Servers"], days: 14 }),
      window("Ends-Soon", { schedule: "cron(0 2 ? * SUN *)", endDate: "2026-12-10T00:00:00Z", groups: ["Ending Servers"] }),
    );
    const t = computeTimeline(ending, { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install).toBeUndefined();
    expect(t.groups[0]!.installNote).toBe("never installed: Ends-Soon ends 2026-12-10T00:00:00Z");
    expect(kinds(t)).toEqual([]); // it still runs after `now`
  });

  it("a disabled window never runs", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Paused Servers"], days: 0 }),
      window("Paused", { schedule: "cron(0 2 ? * SUN *)", enabled: false, groups: ["Paused Servers"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install).toBeUndefined();
    expect(t.groups[0]!.installNote).toBe("never installed: Paused is disabled");
    expect(kinds(t)).toEqual(["never-installed", "window-disabled"]);
  });

  it("picks the earliest of several install windows and reads tag:PatchGroup too", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Web"], days: 2 }),
      window("Saturdays", { schedule: "cron(0 22 ? * SAT *)", groups: ["Web"] }),
      window("Thursdays", { schedule: "cron(0 22 ? * THU *)", groups: ["Web"], tagKey: "tag:PatchGroup" }),
    );
    // Approved Thu 2026-12-03 00:00 → Thursday 22:00 the same day.
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install).toMatchObject({ window: "Thursdays", at: "2026-12-03T22:00:00Z" });
    expect(t.groups[0]!.installWindows).toEqual(["Saturdays", "Thursdays"]);
  });
});

describe("groups, baselines and approval rules", () => {
  it("a registered group no Install task reaches is never installed", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Forgotten Servers", "Patched Servers"], days: 0 }),
      window("Patched", { schedule: "cron(0 2 ? * SUN *)", groups: ["Patched Servers"] }),
      window("Scan-Forgotten", { schedule: "cron(0 1 * * ? *)", groups: ["Forgotten Servers"], operation: "Scan" }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups.map((g) => g.lane)).toEqual(["Patched Servers", "Forgotten Servers"]);
    const forgotten = row(t, "Forgotten Servers");
    expect(forgotten.install).toBeUndefined();
    expect(forgotten.installNote).toBe("never installed: no Install task reaches this group");
    expect(forgotten.scans.map((s) => s.at)).toEqual(["2026-12-01T01:00:00Z"]);
    expect(t.findings).toEqual([
      {
        kind: "never-installed",
        severity: "warning",
        group: "Forgotten Servers",
        message: "patch group 'Forgotten Servers' is never installed: no Install task (AWS-RunPatchBaseline, Operation Install) targets it through tag:Patch Group (only scanned, by Scan-Forgotten)",
      },
    ]);
  });

  it("an Install task on a group no baseline is registered for: the AWS default baseline applies silently", async () => {
    const state = await loadDocs(
      baseline("Registered", { groups: ["Database Servers"], days: 7 }),
      window("Web-Window", { schedule: "cron(0 22 ? * SAT *)", groups: ["Web Servers"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW, classification: ["CriticalUpdates"], msrcSeverity: ["Critical"] });
    const web = row(t, "Web Servers");
    expect(web.baseline).toMatchObject({ source: "aws-default", name: "AWS-DefaultPatchBaseline", operatingSystem: "WINDOWS" });
    // AWS-DefaultPatchBaseline: critical/security updates, 7 days → Tue 12-08 → Sat 12-12 22:00.
    expect(web.approval.at).toBe("2026-12-08T00:00:00Z");
    expect(web.install?.at).toBe("2026-12-12T22:00:00Z");
    const f = t.findings.find((x) => x.kind === "unregistered-group");
    expect(f).toMatchObject({ group: "Web Servers", window: "Web-Window" });
    expect(f?.message).toBe("Install task Web-Window/Install-Task installs on patch group 'Web Servers', which no baseline is registered for: the default baseline applies silently (AWS-DefaultPatchBaseline (WINDOWS))");
    // The AWS default does not approve an optional update.
    const optional = computeTimeline(state, { released: RELEASED, now: NOW, classification: ["Updates"] });
    expect(row(optional, "Web Servers").approval.status).toBe("never");
  });

  it("an unregistered group uses the desired default baseline for the OS when there is one", async () => {
    const state = await loadDocs(
      baseline("Registered", { groups: ["Database Servers"], days: 7 }),
      baseline("Fallback", { days: 3, isDefault: true }),
      window("Web-Window", { schedule: "cron(0 22 ? * SAT *)", groups: ["Web Servers"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    const web = row(t, "Web Servers");
    expect(web.baseline).toMatchObject({ source: "desired-default", name: "Fallback", resource: "PatchBaseline/Fallback" });
    expect(web.approval.at).toBe("2026-12-04T00:00:00Z");
    expect(web.install?.at).toBe("2026-12-05T22:00:00Z");
    expect(t.findings.find((x) => x.kind === "unregistered-group")?.message).toMatch(/Fallback \(desired default for WINDOWS\)/);
  });

  it("an unregistered group with a non-Windows fleet: approval unknown", async () => {
    const state = await loadDocs(
      baseline("AL2", { os: "AMAZON_LINUX_2", groups: ["App"], days: 7 }),
      window("Other-Window", { schedule: "cron(0 22 ? * SAT *)", groups: ["Other"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    const other = row(t, "Other");
    expect(other.baseline).toMatchObject({ source: "aws-default", operatingSystem: "AMAZON_LINUX_2" });
    expect(other.approval.status).toBe("unknown");
    expect(other.install).toBeUndefined();
    expect(other.installNote).toBe("install time unknown: approval is unknown");
  });

  it("one lane per OS when a group is registered on baselines for two operating systems", async () => {
    const state = await loadDocs(
      baseline("Win", { groups: ["Mixed"], days: 7 }),
      baseline("Linux", { os: "AMAZON_LINUX_2", groups: ["Mixed"], days: 2 }),
      window("Mixed-Window", { schedule: "cron(0 22 ? * SAT *)", groups: ["Mixed"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups.map((g) => [g.lane, g.install?.at])).toEqual([
      ["Mixed (AMAZON_LINUX_2)", "2026-12-05T22:00:00Z"],
      ["Mixed (WINDOWS)", "2026-12-12T22:00:00Z"],
    ]);
  });

  it("approveUntilDate approves at release when released on or before the date, else never", async () => {
    const state = await loadDocs(
      baseline("Frozen", { groups: ["Frozen Servers"], untilDate: "2026-12-15" }),
      window("Frozen-Window", { schedule: "cron(0 22 ? * SAT *)", groups: ["Frozen Servers"] }),
    );
    const before = computeTimeline(state, { released: new Date("2026-12-15T23:00:00Z"), now: NOW });
    expect(before.groups[0]!.approval).toMatchObject({ status: "approved", at: "2026-12-15T23:00:00Z" });
    expect(before.groups[0]!.rule?.approveUntilDate).toBe("2026-12-15");
    expect(before.groups[0]!.install?.at).toBe("2026-12-19T22:00:00Z");
    const after = computeTimeline(state, { released: new Date("2026-12-16T00:00:00Z"), now: NOW });
    expect(after.groups[0]!.approval).toMatchObject({ status: "never" });
    expect(after.groups[0]!.approval.reason).toBe("never approved by this baseline: released after the approveUntilDate 2026-12-15 of rule 1");
  });

  it("Ubuntu patches are approved at release", async () => {
    const state = await loadDocs(
      baseline("Ubuntu", { os: "UBUNTU", groups: ["Ubuntu Servers"] }),
      window("Ubuntu-Window", { schedule: "cron(0 3 * * ? *)", groups: ["Ubuntu Servers"] }),
    );
    const t = computeTimeline(state, { released: new Date("2026-12-01T05:00:00Z"), now: NOW });
    expect(t.groups[0]!.approval).toMatchObject({ status: "approved", at: "2026-12-01T05:00:00Z" });
    expect(t.groups[0]!.install?.at).toBe("2026-12-02T03:00:00Z");
  });

  it("a '*' filter value matches anything; several matching rules: the earliest approval wins", async () => {
    const state = await loadDocs(`apiVersion: patchctl/v1
kind: PatchBaseline
metadata: {name: Two-Rules}
spec:
  operatingSystem: AMAZON_LINUX_2
  approvalRules:
    patchRules:
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: ["*"]}]}
        approveAfterDays: 14
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: [Security]}, {key: SEVERITY, values: [Critical]}]}
        approveAfterDays: 1
  patchGroups: [Linux]
`);
    const critical = computeTimeline(state, { released: RELEASED, now: NOW, classification: ["Security"], severity: ["Critical"] });
    expect(critical.groups[0]!.rule).toMatchObject({ index: 2, approveAfterDays: 1 });
    expect(critical.groups[0]!.approval.at).toBe("2026-12-02T00:00:00Z");
    const bugfix = computeTimeline(state, { released: RELEASED, now: NOW, classification: ["Bugfix"], severity: ["Low"] });
    expect(bugfix.groups[0]!.rule).toMatchObject({ index: 1, approveAfterDays: 14 });
    // Linux group with no window at all: never installed.
    expect(kinds(bugfix)).toEqual(["never-installed"]);
  });

  it("globalFilters exclude a patch from every rule", async () => {
    const state = await loadDocs(`apiVersion: patchctl/v1
kind: PatchBaseline
metadata: {name: Global}
spec:
  operatingSystem: AMAZON_LINUX_2
  globalFilters: {patchFilters: [{key: PRODUCT, values: [AmazonLinux2]}]}
  approvalRules:
    patchRules:
      - patchFilterGroup: {patchFilters: [{key: CLASSIFICATION, values: ["*"]}]}
        approveAfterDays: 0
  patchGroups: [Linux]
`);
    const t = computeTimeline(state, { released: RELEASED, now: NOW, product: ["AmazonLinux2023"] });
    expect(t.groups[0]!.approval.reason).toBe("never approved by this baseline: excluded by globalFilters (PRODUCT in [AmazonLinux2])");
  });

  it("notes a window whose cutoff leaves under an hour, and the cutoff instant", () => {
    // Built directly (validation only allows whole hours): duration 2h, cutoff 1.5h.
    const source = {} as unknown as SourceDocument;
    const b: LoadedResource<PatchBaselineDoc> = {
      key: "PatchBaseline/B",
      source,
      doc: { apiVersion: "patchctl/v1", kind: "PatchBaseline", metadata: { name: "B" }, spec: { approvalRules: { patchRules: [{ patchFilterGroup: { patchFilters: [] }, approveAfterDays: 0 }] }, patchGroups: ["G"] } },
    };
    const w: LoadedResource<MaintenanceWindowDoc> = {
      key: "MaintenanceWindow/W",
      source,
      doc: {
        apiVersion: "patchctl/v1",
        kind: "MaintenanceWindow",
        metadata: { name: "W" },
        spec: {
          schedule: "cron(0 22 ? * SAT *)",
          duration: 2,
          cutoff: 1.5,
          targets: [{ name: "T", targets: [{ key: "tag:Patch Group", values: ["G"] }] }],
          tasks: [{ name: "I", taskType: "RUN_COMMAND", taskArn: "AWS-RunPatchBaseline", targets: [{ key: "WindowTargetIds", values: ["T"] }], runCommand: { parameters: { Operation: ["Install"] } } }],
        },
      },
    };
    const state: DesiredState = { dir: "/x", config: { apiVersion: "patchctl/v1", kind: "Config", owner: "o" }, configSource: source, resources: [b, w], deployments: [{ spec: { name: "default", regions: [] }, resources: [b, w] }] };
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install).toMatchObject({ at: "2026-12-05T22:00:00Z", startBy: "2026-12-05T22:30:00Z" });
    expect(t.groups[0]!.install!.notes).toEqual(["W: duration 2h with cutoff 1.5h leaves 0.5h to start tasks (less than 1 hour): a queued install task may not start"]);
  });

  it("the recipe: an Install task targeting by tag:Environment cannot be traced to its patch group", async () => {
    const t = computeTimeline(await load(path.join(EXAMPLES, "recipe")), { released: RELEASED, now: NOW });
    expect(t.groups.map((g) => g.lane)).toEqual(["Production"]);
    expect(kinds(t)).toEqual(["never-installed", "untracked-install-targets"]);
  });
});
