import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Timeline } from "../../src/timeline/index.js";
import { computeTimeline, diffTimelines, formatUtc, renderTimelineHtml, renderTimelineJson, renderTimelineMarkdown, renderTimelineText } from "../../src/timeline/index.js";
import { baseline, EXAMPLES, load, loadDocs, window } from "./fixtures.js";

const RELEASED = new Date("2026-12-01T00:00:00Z");
const NOW = new Date("2026-11-20T00:00:00Z");

async function walkthrough(): Promise<Timeline> {
  return computeTimeline(await load(path.join(EXAMPLES, "walkthrough")), { released: RELEASED, now: NOW });
}

describe("text", () => {
  it("renders a table sorted by install time, then notes and findings", async () => {
    const text = renderTimelineText(await walkthrough());
    const lines = text.split("\n");
    expect(lines[0]).toBe("Rollout of a patch released Tue 2026-12-01 00:00 UTC (any classification, severity and product)");
    expect(lines[2]).toMatch(/^INSTALL\s+PATCH GROUP\s+STAGE\s+BASELINE\s+APPROVAL RULE\s+APPROVED\s+WINDOW$/);
    expect(lines[3]).toMatch(/^Tue 2026-12-08 22:00 UTC\s+Database Servers\s+Production\s+Production-Baseline \(registered\)\s+rule 1: \+7d\s+Tue 2026-12-08 00:00 UTC\s+Production-Tuesdays\/Install-Patches$/);
    expect(lines[4]).toMatch(/^Sat 2026-12-12 22:00 UTC\s+Front-End Servers\s+.*Production-Saturdays\/Install-Patches$/);
    // Columns line up.
    expect(lines[3]!.indexOf("Database Servers")).toBe(lines[2]!.indexOf("PATCH GROUP"));
    expect(text).toContain("Findings: none");
  });

  it("puts never-installed groups last and lists scans and findings", async () => {
    const t = computeTimeline(await load(path.join(EXAMPLES, "blog")), { released: RELEASED, now: NOW });
    const text = renderTimelineText(t);
    expect(text).toMatch(/\nnever\s+Development Servers\s+Development\s+Dev-WindowsServer2016-Critical-0Day \(registered\)\s+rule 1: \+0d\s+Tue 2026-12-01 00:00 UTC\s+-\n/);
    expect(text).toContain("Scan-only runs (first at or after approval, or release when not approved):\n  Front-End Servers: Tue 2026-12-08 16:00 UTC  Patch_Front-End-Servers/Scan-Front-End");
    expect(text).toContain("  warning: patch group 'Development Servers' is never installed");
  });

  it("shows the window's local time when it is not UTC", async () => {
    const state = await loadDocs(
      baseline("Base", { groups: ["Berlin"], days: 0 }),
      window("Berlin-Window", { schedule: "cron(0 22 ? * SAT *)", timezone: "Europe/Berlin", groups: ["Berlin"] }),
    );
    const text = renderTimelineText(computeTimeline(state, { released: RELEASED, now: NOW }));
    expect(text).toMatch(/Sat 2026-12-05 21:00 UTC .*Berlin-Window\/Install-Task \(2026-12-05 22:00 .*, Europe\/Berlin\)/);
  });
});

describe("markdown", () => {
  it("renders the same table for a pull-request comment", async () => {
    const md = renderTimelineMarkdown(await walkthrough());
    expect(md).toContain("### Patch rollout timeline");
    expect(md).toContain("| Install | Patch group | Stage | Baseline | Approval rule | Approved | Window |");
    const rows = md.split("\n").filter((l) => l.startsWith("| **"));
    expect(rows).toEqual([
      "| **Tue 2026-12-08 22:00 UTC** | Database Servers | Production | Production-Baseline (registered) | rule 1: +7d | Tue 2026-12-08 00:00 UTC | Production-Tuesdays/Install-Patches |",
      "| **Sat 2026-12-12 22:00 UTC** | Front-End Servers | Production | Production-Baseline (registered) | rule 1: +7d | Tue 2026-12-08 00:00 UTC | Production-Saturdays/Install-Patches |",
    ]);
    expect(md).toContain("**Findings:** none");
  });

  it("escapes pipes and angle brackets in names", async () => {
    // Window target tag values are free text (registered patch-group names are not).
    const state = await loadDocs(baseline("Base", { groups: ["Other"], days: 0 }), window("Odd-Window", { schedule: "cron(0 2 ? * SUN *)", groups: ["a|b <c>"], operation: "Scan" }));
    const md = renderTimelineMarkdown(computeTimeline(state, { released: RELEASED, now: NOW }));
    expect(md).toContain("| _never_ | a\\|b &lt;c&gt; |");
    expect(md).toContain("- ⚠️ patch group 'a\\|b &lt;c&gt;' is never installed");
  });
});

describe("json", () => {
  it("is the versioned Timeline document", async () => {
    const doc = JSON.parse(renderTimelineJson(await walkthrough())) as Timeline;
    expect(doc.formatVersion).toBe(1);
    expect(doc.released).toBe("2026-12-01T00:00:00Z");
    expect(doc.groups.map((g) => [g.group, g.approval.at, g.install?.at, g.install?.window])).toEqual([
      ["Database Servers", "2026-12-08T00:00:00Z", "2026-12-08T22:00:00Z", "Production-Tuesdays"],
      ["Front-End Servers", "2026-12-08T00:00:00Z", "2026-12-12T22:00:00Z", "Production-Saturdays"],
    ]);
  });
});

describe("html (static checks; the drawn chart is checked in Chromium)", () => {
  it("is self-contained: no external resources, a CSP forbidding fetches, data safely embedded", async () => {
    const state = await loadDocs(baseline("Base", { groups: ["Other"], days: 0 }), window("Odd-Window", { schedule: "cron(0 2 ? * SUN *)", groups: ["</script><b>x"] }));
    const html = renderTimelineHtml(computeTimeline(state, { released: RELEASED, now: NOW }));
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/);
    // The only "</script>" occurrences are the two closing tags.
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain("&lt;/script&gt;&lt;b&gt;x");
  });
});

describe("diffTimelines", () => {
  it("is empty for identical timelines", async () => {
    const t = await walkthrough();
    expect(diffTimelines(t, t)).toEqual([]);
  });

  it("says how installs move when a window's schedule changes", async () => {
    const before = computeTimeline(await load(path.join(EXAMPLES, "walkthrough")), { released: new Date("2026-11-24T00:00:00Z"), now: NOW });
    // Approval Tue 2026-12-01: Database Servers installs Tue 12-01 22:00, Front-End Sat 12-05 22:00.
    expect(before.groups.map((g) => formatUtc(g.install!.at))).toEqual(["Tue 2026-12-01 22:00 UTC", "Sat 2026-12-05 22:00 UTC"]);
    const afterState = await loadDocs(
      baseline("Production-Baseline", { groups: ["Database Servers", "Front-End Servers"], days: 7 }),
      window("Production-Saturdays", { schedule: "cron(0 22 ? * SAT *)", groups: ["Database Servers"] }),
      window("Production-Tuesdays", { schedule: "cron(0 22 ? * TUE *)", groups: ["Front-End Servers"] }),
    );
    const after = computeTimeline(afterState, { released: new Date("2026-11-24T00:00:00Z"), now: NOW });
    expect(diffTimelines(before, after)).toEqual([
      "Front-End Servers install moves from Sat 2026-12-05 22:00 UTC to Tue 2026-12-01 22:00 UTC",
      "Database Servers install moves from Tue 2026-12-01 22:00 UTC to Sat 2026-12-05 22:00 UTC",
    ]);
  });

  it("reports groups losing their install, new groups, baseline and approval changes, and findings", async () => {
    const before = computeTimeline(
      await loadDocs(
        baseline("Dev", { groups: ["Dev"], days: 0, env: "Development" }),
        baseline("Prod", { groups: ["Prod"], days: 5, env: "Production" }),
        window("Dev-Window", { schedule: "cron(0 16 ? * TUE *)", groups: ["Dev"] }),
        window("Prod-Window", { schedule: "cron(0 16 ? * TUE *)", groups: ["Prod"] }),
      ),
      { released: RELEASED, now: NOW },
    );
    const after = computeTimeline(
      await loadDocs(
        baseline("Dev", { groups: ["Dev"], days: 0, env: "Development" }),
        baseline("Prod", { groups: ["Prod"], days: 2, env: "Production" }),
        window("Dev-Window", { schedule: "cron(0 16 ? * TUE *)", groups: ["Dev"], operation: "Scan" }),
        window("Prod-Window", { schedule: "cron(0 16 ? * TUE *)", groups: ["Prod", "Web"] }),
      ),
      { released: RELEASED, now: NOW },
    );
    expect(diffTimelines(before, after)).toEqual([
      "Prod approval moves from Sun 2026-12-06 00:00 UTC to Thu 2026-12-03 00:00 UTC",
      "Web is new: install Tue 2026-12-08 16:00 UTC (Prod-Window)",
      "Dev is no longer installed (was Tue 2026-12-01 16:00 UTC): never installed: no Install task reaches this group",
      "new warning: patch group 'Dev' is never installed: no Install task (AWS-RunPatchBaseline, Operation Install) targets it through tag:Patch Group (only scanned, by Dev-Window)",
      "new warning: Install task Prod-Window/Install-Task installs on patch group 'Web', which no baseline is registered for: the default baseline applies silently (AWS-DefaultPatchBaseline (WINDOWS))",
    ]);
    const back = diffTimelines(after, before);
    expect(back).toContain("Dev is now installed Tue 2026-12-01 16:00 UTC (Dev-Window); before: never installed");
    expect(back).toContain("Web is no longer in the desired state (was: install Tue 2026-12-08 16:00 UTC)");
    expect(back.filter((l) => l.startsWith("resolved: "))).toHaveLength(2);
  });
});
