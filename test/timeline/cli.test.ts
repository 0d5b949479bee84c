import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { timelineCommand } from "../../src/cli/timeline-command.js";
import { registerCommand, runCli } from "../../src/cli/main.js";
import { UsageError } from "../../src/cli/output.js";
import { DiagnosticsError } from "../../src/model/diagnostics.js";
import type { Timeline } from "../../src/timeline/index.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";
import { EXAMPLES } from "./fixtures.js";

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

const WALKTHROUGH = path.join(EXAMPLES, "walkthrough");
const FIXED = ["--released", "2026-12-01T00:00Z", "--now", "2026-11-20T00:00Z"];

describe("patchctl timeline", () => {
  it("prints the text table and exits 0", async () => {
    const c = capture();
    expect(await timelineCommand([WALKTHROUGH, ...FIXED], c.io)).toBe(0);
    const text = c.out.join("\n");
    expect(text).toMatch(/Tue 2026-12-08 22:00 UTC\s+Database Servers/);
    expect(text).toMatch(/Sat 2026-12-12 22:00 UTC\s+Front-End Servers/);
  });

  it("passes repeated and comma-separated patch properties (--output json)", async () => {
    const c = capture();
    const code = await timelineCommand([WALKTHROUGH, ...FIXED, "--classification", "Updates", "--classification", "SecurityUpdates", "--msrc-severity", "Low,Moderate", "--output", "json"], c.io);
    expect(code).toBe(0);
    const doc = JSON.parse(c.out.join("")) as Timeline;
    expect(doc.formatVersion).toBe(1);
    expect(doc.patch).toEqual({ classification: ["Updates", "SecurityUpdates"], msrcSeverity: ["Low", "Moderate"] });
    expect(doc.groups.map((g) => g.approval.status)).toEqual(["never", "never"]);
  });

  it("writes --output html to --out FILE", async () => {
    const dir = writeTree({});
    const file = path.join(dir, "timeline.html");
    const c = capture();
    expect(await timelineCommand([WALKTHROUGH, ...FIXED, "--output", "html", "--out", file], c.io)).toBe(0);
    expect(c.out).toEqual([]);
    expect(c.err).toEqual([`timeline written to ${file}`]);
    const html = readFileSync(file, "utf8");
    expect(html).toContain('id="timeline-data"');
    expect(html).toContain("Database Servers");
  });

  it("markdown output", async () => {
    const c = capture();
    expect(await timelineCommand([WALKTHROUGH, ...FIXED, "-o", "markdown"], c.io)).toBe(0);
    expect(c.out.join("")).toContain("| **Tue 2026-12-08 22:00 UTC** | Database Servers |");
  });

  it("rejects bad arguments with a usage error", async () => {
    const c = capture();
    await expect(timelineCommand([], c.io)).rejects.toThrow(UsageError);
    await expect(timelineCommand([WALKTHROUGH, "--released", "next tuesday"], c.io)).rejects.toThrow(/--released must be an ISO-8601/);
    await expect(timelineCommand([WALKTHROUGH, "--output", "pdf"], c.io)).rejects.toThrow(UsageError);
  });

  it("invalid desired state: DiagnosticsError, exit 1 through the CLI", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "bad.yaml": "apiVersion: patchctl/v1\nkind: MaintenanceWindow\nmetadata: {name: Broken}\nspec: {schedule: 'cron(nope)', duration: 1, cutoff: 0}\n" });
    const c = capture();
    await expect(timelineCommand([dir], c.io)).rejects.toThrow(DiagnosticsError);
    // As main.ts will register it (registered here in this test process only).
    registerCommand("timeline", timelineCommand, "when a patch released now is approved and installed, per patch group");
    const d = capture();
    expect(await runCli(["timeline", dir], d.io)).toBe(1);
    expect(d.err.join("\n")).toMatch(/bad\.yaml:\d+:\d+: error/);
    const e = capture();
    expect(await runCli(["timeline", WALKTHROUGH, ...FIXED], e.io)).toBe(0);
  });
});
