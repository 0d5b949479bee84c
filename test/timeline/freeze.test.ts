import { describe, expect, it } from "vitest";
import { computeTimeline, renderTimelineText } from "../../src/timeline/index.js";
import { writeTree } from "../helpers/tmpdir.js";
import { baseline, load, window } from "./fixtures.js";

/**
 * Issue 21: `timeline` marks installs that would fall inside a freeze of the desired state (SSM runs
 * them anyway: a freeze holds back patchctl's changes, not the windows), with a fixed and a
 * recurring (cron, duration, timezone) freeze; installs outside every freeze are not marked.
 */
const RELEASED = new Date("2026-12-01T00:00:00Z"); // a Tuesday
const NOW = new Date("2026-11-20T00:00:00Z");

const CONFIG_WITH_FREEZES = `apiVersion: patchctl/v1
kind: Config
owner: test-owner
freezes:
  - name: year-end
    start: 2026-12-20T00:00:00Z
    end: 2027-01-04T00:00:00Z
    reason: year-end change freeze
  - name: tuesday-mornings
    schedule: cron(0 8 ? * TUE *)
    duration: 4
    timezone: Europe/Berlin
`;

async function timeline(...docs: string[]) {
  const state = await load(writeTree({ "patchctl.yaml": CONFIG_WITH_FREEZES, "resources.yaml": docs.join("\n---\n") }));
  return computeTimeline(state, { released: RELEASED, now: NOW });
}

describe("timeline and the freezes of patchctl.yaml", () => {
  it("an install inside a fixed freeze is marked with the freeze, its reason and its end; one outside is not", async () => {
    // Approved after 7 days (Tue 12-08); 'late' installs on the first Monday after 12-20, 'early' on Wednesday 12-09.
    const t = await timeline(
      baseline("late", { days: 7, groups: ["Late"] }),
      window("late-window", { schedule: "cron(0 22 ? * MON *)", startDate: "2026-12-20T00:00:00Z", groups: ["Late"] }),
      baseline("early", { days: 7, groups: ["Early"] }),
      window("early-window", { schedule: "cron(0 22 ? * WED *)", groups: ["Early"] }),
    );
    const late = t.groups.find((g) => g.lane === "Late")!;
    const early = t.groups.find((g) => g.lane === "Early")!;
    expect(late.install).toMatchObject({ window: "late-window", at: "2026-12-21T22:00:00Z", frozen: [{ freeze: "year-end", reason: "year-end change freeze", until: "2027-01-04T00:00:00Z" }] });
    expect(early.install?.at).toBe("2026-12-09T22:00:00Z");
    expect(early.install?.frozen).toBeUndefined();
    expect(t.findings.filter((f) => f.kind === "install-in-freeze")).toMatchObject([{ severity: "warning", group: late.group, window: "late-window", message: expect.stringContaining("inside change freeze 'year-end' (year-end change freeze)") }]);
    const text = renderTimelineText(t);
    expect(text).toMatch(/\(frozen\)/);
    expect(text).toContain("Late: installs inside change freeze 'year-end'");
    expect(text).not.toContain("Early: installs inside change freeze");
  });

  it("an install inside a recurring freeze (in its timezone) is marked; an hour after the period ends it is not", async () => {
    // Tuesdays 08:00-12:00 Europe/Berlin (UTC+1 in December): 07:00-11:00 UTC.
    const t = await timeline(
      baseline("inside", { days: 7, groups: ["Inside"] }),
      window("inside-window", { schedule: "cron(0 9 ? * TUE *)", groups: ["Inside"] }),
      baseline("after", { days: 7, groups: ["After"] }),
      window("after-window", { schedule: "cron(0 12 ? * TUE *)", groups: ["After"] }),
    );
    const inside = t.groups.find((g) => g.lane === "Inside")!;
    const after = t.groups.find((g) => g.lane === "After")!;
    expect(inside.install).toMatchObject({ at: "2026-12-08T09:00:00Z", frozen: [{ freeze: "tuesday-mornings", until: "2026-12-08T11:00:00Z" }] });
    expect(after.install?.at).toBe("2026-12-08T12:00:00Z");
    expect(after.install?.frozen).toBeUndefined();
  });
});
