import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { Timeline } from "../../src/timeline/index.js";
import { computeTimeline, renderTimelineHtml } from "../../src/timeline/index.js";
import { EXAMPLES, load } from "./fixtures.js";

/**
 * Renders the HTML timeline in headless Chromium (Debian's `chromium` package;
 * CI installs it with `apt-get install -y chromium`) and checks, in the DOM as it
 * is after the page's script ran, that every lane and mark is drawn.
 */
const CHROMIUM = "/usr/bin/chromium";
const run = promisify(execFile);
const scratch = mkdtempSync(path.join(tmpdir(), "patchctl-html-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function dumpDom(html: string, name: string): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (Debian's package) to run the HTML timeline test`);
  const file = path.join(scratch, `${name}.html`);
  writeFileSync(file, html);
  const profile = mkdtempSync(path.join(scratch, "profile-"));
  const { stdout } = await run(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--dump-dom",
      pathToFileURL(file).href,
    ],
    { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

interface Element {
  tag: string;
  attrs: Record<string, string>;
}

function unescape(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** Start tags in the dumped DOM, with their attributes. */
function elements(dom: string): Element[] {
  const out: Element[] = [];
  for (const m of dom.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>\/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = unescape(a[2] ?? "");
    out.push({ tag: m[1]!.toLowerCase(), attrs });
  }
  return out;
}

function withClass(els: Element[], ...classes: string[]): Element[] {
  return els.filter((e) => {
    const list = (e.attrs.class ?? "").split(/\s+/);
    return classes.every((c) => list.includes(c));
  });
}

const RELEASED = new Date("2026-12-01T00:00:00Z");
const NOW = new Date("2026-11-20T00:00:00Z");

describe("HTML timeline in headless Chromium", () => {
  it("draws one lane per patch group with approval and install marks in time order (walkthrough)", async () => {
    const t: Timeline = computeTimeline(await load(path.join(EXAMPLES, "walkthrough")), { released: RELEASED, now: NOW });
    const dom = await dumpDom(renderTimelineHtml(t), "walkthrough");
    const els = elements(dom);
    expect(els.find((e) => e.tag === "html")?.attrs["data-chart"]).toBe("drawn");
    const svg = els.filter((e) => e.tag === "svg");
    expect(svg).toHaveLength(1);
    expect(svg[0]!.attrs["data-lanes"]).toBe("2");

    const lanes = withClass(els, "lane").filter((e) => e.tag === "g");
    expect(lanes.map((l) => l.attrs["data-lane"])).toEqual(["Database Servers", "Front-End Servers"]);

    const approvals = withClass(els, "mark", "approval");
    const installs = withClass(els, "mark", "install");
    expect(approvals.map((e) => [e.attrs["data-lane"], e.attrs["data-time"]])).toEqual([
      ["Database Servers", "2026-12-08T00:00:00Z"],
      ["Front-End Servers", "2026-12-08T00:00:00Z"],
    ]);
    expect(installs.map((e) => [e.attrs["data-lane"], e.attrs["data-time"], e.attrs["data-window"]])).toEqual([
      ["Database Servers", "2026-12-08T22:00:00Z", "Production-Tuesdays"],
      ["Front-End Servers", "2026-12-12T22:00:00Z", "Production-Saturdays"],
    ]);
    const x = (e: Element): number => Number(e.attrs["data-x"]);
    // Same approval instant → same x; each install right of its approval; Saturday right of Tuesday.
    expect(x(approvals[0]!)).toBe(x(approvals[1]!));
    expect(x(installs[0]!)).toBeGreaterThan(x(approvals[0]!));
    expect(x(installs[1]!)).toBeGreaterThan(x(installs[0]!));
    // Marks are real shapes with geometry, inside the chart.
    expect(installs.every((e) => e.tag === "rect" && Number(e.attrs.width) > 0)).toBe(true);
    expect(approvals.every((e) => e.tag === "path" && /^M[\d.]+ [\d.]+l/.test(e.attrs.d ?? ""))).toBe(true);
    const release = withClass(els, "release")[0]!;
    expect(release.attrs["data-time"]).toBe("2026-12-01T00:00:00Z");
    expect(x(release)).toBeLessThan(x(approvals[0]!));
    // The static table is there too.
    expect(els.filter((e) => e.tag === "tr" && e.attrs["data-lane"]).map((e) => e.attrs["data-lane"])).toEqual(["Database Servers", "Front-End Servers"]);
  });

  it("marks never-installed lanes and draws scan marks (blog)", async () => {
    const t = computeTimeline(await load(path.join(EXAMPLES, "blog")), { released: RELEASED, now: NOW });
    const els = elements(await dumpDom(renderTimelineHtml(t), "blog"));
    expect(withClass(els, "lane").filter((e) => e.tag === "g").map((l) => l.attrs["data-lane"])).toEqual(["Development Servers", "Front-End Servers"]);
    expect(withClass(els, "mark", "install")).toEqual([]);
    expect(withClass(els, "never").filter((e) => e.tag === "text").map((e) => e.attrs["data-lane"])).toEqual(["Development Servers", "Front-End Servers"]);
    expect(withClass(els, "mark", "approval").map((e) => e.attrs["data-time"])).toEqual(["2026-12-01T00:00:00Z", "2026-12-06T00:00:00Z"]);
    const scans = withClass(els, "mark", "scan");
    expect(scans.map((e) => [e.tag, e.attrs["data-lane"], e.attrs["data-time"]])).toEqual([["circle", "Front-End Servers", "2026-12-08T16:00:00Z"]]);
    expect(withClass(els, "findings").length + els.filter((e) => e.attrs["data-kind"] === "never-installed").length).toBe(3);
  });
});
