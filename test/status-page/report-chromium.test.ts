import { cpSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/output.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";
import { CREDENTIALS } from "../helpers/local.js";
import { dumpDom, elements, screenshot, TEST_OUTPUT, textOf } from "./helpers.js";

/**
 * `patchctl report --output html` over HTTP against three accounts (local-ssm endpoints), one per
 * deployment: prod drifted (a baseline's description, a window's and a target's owner information
 * changed with Debian's AWS CLI), staging frozen (its Change Calendar is CLOSED), lab failed (its endpoint does
 * not answer). The page is rendered in headless Chromium and read from its DOM.
 */
const PAYLOAD = `<script>document.documentElement.setAttribute('data-pwned','yes')</script><img src=x onerror="document.title='pwned'">`;
const SECRET_OWNER_INFO = "db-owner-token-7f3a9c";

let prod: LocalSsm;
let staging: LocalSsm;
let dir: string;
const calendar = (closed: boolean): string => {
  const stamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
  const event = closed ? ["BEGIN:VEVENT", "UID:freeze-1", `DTSTAMP:${stamp(Date.now())}`, `DTSTART:${stamp(Date.now() - 600_000)}`, `DTEND:${stamp(Date.now() + 3 * 3_600_000)}`, "SUMMARY:release freeze", "END:VEVENT"] : [];
  return ["BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", "X-CALENDAR-TYPE:DEFAULT_OPEN", "X-WR-CALDESC:patching freeze", ...event, "END:VCALENDAR", ""].join("\r\n");
};

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  const code = await runCli(args, io);
  return { code, out, err };
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  // prod has the example fleet: instances per patch group, and window executions (one FAILED).
  prod = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
  staging = await startLocalSsm({ port: 0 });
  const work = mkdtempSync(path.join(tmpdir(), "patchctl-status-"));
  dir = path.join(work, "walkthrough");
  cpSync("examples/walkthrough", dir, { recursive: true });
  writeFileSync(
    path.join(dir, "patchctl.yaml"),
    `apiVersion: patchctl/v1\nkind: Config\nowner: walkthrough\nchangeCalendars: [patching-freeze]\ndeployments:\n` +
      `  - {name: prod, regions: [us-east-1], endpointUrl: "${prod.url}"}\n` +
      `  - {name: staging, regions: [eu-west-1], endpointUrl: "${staging.url}"}\n` +
      `  - {name: lab, regions: [us-west-2], endpointUrl: "http://127.0.0.1:9"}\n`,
  );
  for (const [server, region, closed] of [[prod, "us-east-1", false], [staging, "eu-west-1", true]] as const) {
    const file = path.join(work, `calendar-${region}.ics`);
    writeFileSync(file, calendar(closed));
    await awsCli({ url: server.url, ...CREDENTIALS, region }, "ssm", "create-document", "--name", "patching-freeze", "--document-type", "ChangeCalendar", "--document-format", "TEXT", "--content", `file://${file}`);
  }
  // Both accounts hold the desired state; then someone edits prod by hand.
  for (const d of ["prod", "staging"]) {
    const applied = await cli(["reconcile", dir, "--deployment", d, "--auto-approve", "--ignore-freeze", "test setup"]);
    expect(applied.code, applied.err).toBe(0);
  }
  const aws = (...args: string[]) => awsCli({ url: prod.url, ...CREDENTIALS, region: "us-east-1" }, "ssm", ...args);
  const windows = (await aws("describe-maintenance-windows")).WindowIdentities as { WindowId: string; Name: string }[];
  const tuesdays = windows.find((w) => w.Name === "Production-Tuesdays")!.WindowId;
  await aws("update-maintenance-window", "--window-id", tuesdays, "--description", "edited by hand");
  const baselines = (await aws("describe-patch-baselines", "--filters", "Key=OWNER,Values=Self")).BaselineIdentities as { BaselineId: string; BaselineName: string }[];
  await aws("update-patch-baseline", "--baseline-id", baselines.find((b) => b.BaselineName === "Production-Baseline")!.BaselineId, "--description", PAYLOAD);
  const targets = (await aws("describe-maintenance-window-targets", "--window-id", tuesdays)).Targets as { WindowTargetId: string }[];
  await aws("update-maintenance-window-target", "--window-id", tuesdays, "--window-target-id", targets[0]!.WindowTargetId, "--owner-information", SECRET_OWNER_INFO);
}, 120_000);

afterAll(async () => {
  await prod?.close();
  await staging?.close();
});

describe("patchctl report --output html in headless Chromium", () => {
  let html = "";
  let code = 0;
  let stderr = "";

  beforeAll(async () => {
    const out = path.join(path.dirname(dir), "status.html");
    // A policy of one's own that warns (the walkthrough's built-in warnings are all exempted): a finding to show.
    const policies = path.join(path.dirname(dir), "policies");
    mkdirSync(policies, { recursive: true });
    writeFileSync(
      path.join(policies, "review.yaml"),
      "apiVersion: patchctl/v1\nkind: Policy\nid: baseline-rejects-something\ndescription: a test policy\nseverity: warn\nmatch:\n  kind: PatchBaseline\nrule: {required: [rejectedPatches]}\nmessage: list the patches this baseline rejects\n",
    );
    const r = await cli(["report", dir, "--output", "html", "--out", out, "--policies", policies]);
    code = r.code;
    stderr = r.err;
    html = readFileSync(out, "utf8");
    mkdirSync(TEST_OUTPUT, { recursive: true });
    writeFileSync(path.join(TEST_OUTPUT, "status-page.html"), html);
  }, 120_000);

  it("shows each deployment-region's card in its state: drifted, frozen, failed", async () => {
    expect(code).toBe(1); // lab failed; the page is written all the same
    expect(stderr).toMatch(/lab\/us-west-2: failed/);
    const els = elements(await dumpDom(html, "report"));
    const cards = els.filter((e) => e.tag === "section" && (e.attrs.class ?? "").split(" ").includes("card"));
    expect(cards.map((c) => [c.attrs["data-deployment"], c.attrs["data-region"], c.attrs["data-state"]])).toEqual([
      ["prod", "us-east-1", "drifted"],
      ["staging", "eu-west-1", "frozen"],
      ["lab", "us-west-2", "failed"],
    ]);
    expect(cards.every((c) => (c.attrs.class ?? "").split(" ").includes(`state-${c.attrs["data-state"]}`))).toBe(true);
  }, 90_000);

  it("lists the drifted fields with before and after, the sensitive one masked exactly as the plan masks it", async () => {
    const dom = await dumpDom(html, "report-fields");
    const fields = elements(dom).filter((e) => e.tag === "tr" && e.attrs.class === "field");
    expect(fields.map((f) => [f.attrs["data-key"], f.attrs["data-path"]])).toEqual([
      ["PatchBaseline/Production-Baseline", "description"],
      ["MaintenanceWindow/Production-Tuesdays", "description"],
      ["WindowTarget/Production-Tuesdays/Database-Servers", "ownerInformation"],
    ]);
    const owner = textOf(dom, /<tr class="field" data-key="WindowTarget\/Production-Tuesdays\/Database-Servers"/, "tr");
    expect(owner).toContain("(sensitive)");
    expect(html).not.toContain(SECRET_OWNER_INFO);
    expect(html).not.toContain("edited by hand"); // a window's description is sensitive in SSM
    expect(textOf(dom, /<tr class="field" data-key="MaintenanceWindow\/Production-Tuesdays"/, "tr")).toContain("(sensitive)");
    // The same masking as `drift --output json`.
    const drift = await cli(["drift", dir, "--deployment", "prod", "--output", "json"]);
    expect(drift.out).not.toContain(SECRET_OWNER_INFO);
    expect(drift.out).toContain('"ownerInformation"');
  }, 90_000);

  it("shows a <script> from the account as text and never runs it", async () => {
    const dom = await dumpDom(html, "report-xss");
    const els = elements(dom);
    expect(els.filter((e) => e.tag === "script")).toEqual([]);
    expect(els.find((e) => e.tag === "html")?.attrs["data-pwned"]).toBeUndefined();
    expect(els.some((e) => e.tag === "img")).toBe(false);
    expect(dom).not.toMatch(/<title>pwned<\/title>/);
    const description = textOf(dom, /<tr class="field" data-key="PatchBaseline\/Production-Baseline" data-action="update" data-path="description"/, "tr");
    expect(description).toContain(JSON.stringify(PAYLOAD));
  }, 90_000);

  it("shows findings and exemptions, the timeline chart and compliance per patch group", async () => {
    const els = elements(await dumpDom(html, "report-sections"));
    // The finding of one's own warning policy, listed once for the deployment-regions it holds in.
    const findings = els.filter((e) => e.tag === "tr" && e.attrs.class === "finding");
    expect(findings.map((e) => e.attrs["data-policy"])).toEqual(["baseline-rejects-something"]);
    expect(els.filter((e) => e.tag === "tr" && e.attrs.class === "exemption").map((e) => e.attrs["data-policy"])).toContain("install-output-logged");
    const svg = els.find((e) => e.tag === "svg" && e.attrs.class === "timeline");
    expect(svg?.attrs["data-lanes"]).toBe("2");
    expect(els.filter((e) => e.tag === "rect" && (e.attrs.class ?? "") === "mark install").map((e) => e.attrs["data-lane"]).sort()).toEqual(["Database Servers", "Front-End Servers"]);
    // prod and staging were read: one row per patch group each; lab was not.
    expect(els.filter((e) => e.tag === "tr" && e.attrs.class === "group").map((e) => e.attrs["data-group"])).toEqual(["Database Servers", "Front-End Servers", "Database Servers", "Front-End Servers"]);
  }, 90_000);

  it("compliance per patch group (instances, missing, failed, pending reboot), the last window executions failing first, and each card's cycle chart", async () => {
    const dom = await dumpDom(html, "report-compliance");
    const els = elements(dom);
    expect(textOf(dom, /<table class="groups">/, "thead")).toBe("patch group instances missing failed pending reboot");
    // examples/fleet/fleet.yaml: 3 Database Servers, one missing patches, one with a failed patch, one pending a reboot.
    expect(textOf(dom, /<tr class="group" data-group="Database Servers">/, "tr")).toBe("Database Servers 3 1 1 1");
    const runs = els.filter((e) => e.tag === "tr" && (e.attrs.class ?? "").split(" ").includes("execution"));
    expect(runs.length).toBeGreaterThan(1);
    expect(runs[0]!.attrs).toMatchObject({ "data-window": "Production-Saturdays", "data-status": "FAILED", class: "execution exec-failed" });
    expect(runs.slice(1).map((r) => r.attrs["data-status"])).not.toContain("FAILED");
    // The history of the last cycles as a small chart on each card that ran one (a report has the one read it made).
    const charts = els.filter((e) => e.tag === "svg" && e.attrs.class === "history");
    expect(charts.map((c) => c.attrs["data-cycles"])).toEqual(["1", "1"]);
    expect(els.filter((e) => e.tag === "rect" && (e.attrs.class ?? "").startsWith("bar")).length).toBe(2);
  }, 90_000);

  it("--output json writes the page's data to standard output, with no sensitive value in it", async () => {
    const r = await cli(["report", dir, "--output", "json", "--deployment", "prod"]);
    expect(r.code, r.err).toBe(0);
    const page = JSON.parse(r.out) as { regions: { deployment: string; state: string; changes: { key: string; fields: { path: string; before?: string; sensitive: boolean }[] }[] }[] };
    expect(page.regions.map((x) => [x.deployment, x.state])).toEqual([["prod", "drifted"]]);
    const target = page.regions[0]!.changes.find((c) => c.key.startsWith("WindowTarget/"))!;
    expect(target.fields).toEqual([{ path: "ownerInformation", before: "(sensitive)", after: "(sensitive)", sensitive: true }]);
    for (const secret of [SECRET_OWNER_INFO, "edited by hand", CREDENTIALS.secretAccessKey, CREDENTIALS.accessKeyId]) expect(r.out).not.toContain(secret);
    // The same deployment and region flags as drift and compliance: --region picks the deployment-regions in it.
    const byRegion = await cli(["report", dir, "--output", "json", "--region", "eu-west-1"]);
    expect(byRegion.code, byRegion.err).toBe(0);
    expect((JSON.parse(byRegion.out) as { regions: { deployment: string; region: string; state: string }[] }).regions.map((x) => [x.deployment, x.region, x.state])).toEqual([["staging", "eu-west-1", "frozen"]]);
  }, 90_000);

  it("writes a screenshot for a person to look at", async () => {
    const png = await screenshot(html, "status-page", 1280, 2000);
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
  }, 90_000);
});
