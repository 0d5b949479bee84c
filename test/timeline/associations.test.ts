import path from "node:path";
import { describe, expect, it } from "vitest";
import { computeTimeline, renderTimelineText } from "../../src/timeline/index.js";
import { baseline, EXAMPLES, load, loadDocs, window } from "./fixtures.js";

/**
 * The timeline counts PatchAssociations: one that installs on a patch group (through its own
 * tag:Patch Group targets) is an install run at its schedule with its offset; scan associations
 * are listed with the scans.
 */
const RELEASED = new Date("2026-12-01T00:00:00Z"); // a Tuesday
const NOW = new Date("2026-11-20T00:00:00Z");

function association(name: string, o: { schedule: string; operation: "Install" | "Scan"; groups: string[]; offset?: number }): string {
  return `apiVersion: patchctl/v1
kind: PatchAssociation
metadata:
  name: ${name}
spec:
  documentName: AWS-RunPatchBaseline
  parameters: {Operation: [${o.operation}]}
  targets: [{key: "tag:Patch Group", values: [${o.groups.map((g) => JSON.stringify(g)).join(", ")}]}]
  scheduleExpression: ${o.schedule}
${o.offset !== undefined ? `  scheduleOffset: ${o.offset}\n  applyOnlyAtCronInterval: true\n` : ""}  maxConcurrency: 10%
  maxErrors: "1"
`;
}

describe("timeline with associations", () => {
  it("an install association is the group's install run, at its schedule with its offset", async () => {
    // Approved Tue 2026-12-08 (7 days). cron(0 3 ? * SUN *) + 1 day: Monday 03:00, so the first run on or after approval is Mon 2026-12-14.
    const state = await loadDocs(baseline("db-baseline", { os: "AMAZON_LINUX_2", days: 7, groups: ["Database Servers"] }), association("db-install", { schedule: "cron(0 3 ? * SUN *)", offset: 1, operation: "Install", groups: ["Database Servers"] }));
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.groups).toHaveLength(1);
    expect(t.groups[0]!.install).toMatchObject({ window: "db-install", resource: "PatchAssociation/db-install", task: "AWS-RunPatchBaseline", at: "2026-12-14T03:00:00Z", association: true });
    expect(t.groups[0]!.installWindows).toEqual(["db-install"]);
    expect(t.findings.map((f) => f.kind)).not.toContain("never-installed");
  });

  it("the earlier of a window and an association installs; scans are listed apart", async () => {
    const state = await loadDocs(
      baseline("web", { days: 7, groups: ["Web"] }),
      window("saturdays", { schedule: "cron(0 22 ? * SAT *)", groups: ["Web"] }),
      association("web-install", { schedule: "cron(0 4 ? * WED *)", operation: "Install", groups: ["Web"] }),
      association("web-scan", { schedule: "cron(0 1 * * ? *)", operation: "Scan", groups: ["Web"] }),
    );
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    // Approved Tue 12-08 00:00: the association runs Wed 12-09 04:00, before Saturday's window.
    expect(t.groups[0]!.install).toMatchObject({ window: "web-install", at: "2026-12-09T04:00:00Z" });
    expect(t.groups[0]!.scans).toMatchObject([{ window: "web-scan", at: "2026-12-08T01:00:00Z", association: true }]);
    const text = renderTimelineText(t);
    expect(text).toContain("web-install/AWS-RunPatchBaseline");
    expect(text).toContain("web-scan/AWS-RunPatchBaseline");
  });

  it("examples/associations: the association scans nightly, the window installs on Sunday", async () => {
    const t = computeTimeline(await load(path.join(EXAMPLES, "associations")), { released: RELEASED, now: NOW });
    expect(t.groups[0]!.install).toMatchObject({ window: "weekly-install", at: "2026-12-13T02:00:00Z" });
    expect(t.groups[0]!.scans.map((s) => s.window)).toEqual(["nightly-scan"]);
  });

  it("an install association on a group no baseline is registered for is a finding", async () => {
    const state = await loadDocs(baseline("db-baseline", { days: 7, groups: ["Database Servers"] }), association("other-install", { schedule: "cron(0 3 ? * SUN *)", operation: "Install", groups: ["Unregistered"] }));
    const t = computeTimeline(state, { released: RELEASED, now: NOW });
    expect(t.findings).toContainEqual(expect.objectContaining({ kind: "unregistered-group", message: expect.stringContaining("Install association other-install installs on patch group 'Unregistered'") }));
  });
});
