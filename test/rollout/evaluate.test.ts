import { describe, expect, it } from "vitest";
import type { RolloutStage } from "../../src/model/desired.js";
import type { InstancePatchState, RolloutState } from "../../src/resources/rollout-evaluate.js";
import { evaluateRollout, heldFor, isCompliant, soakMs } from "../../src/resources/rollout-evaluate.js";

/** The rollout evaluation on its own: the gates one by one, and what a stage remembers. */
const STAGES: RolloutStage[] = [
  { name: "dev", baselines: ["d"] },
  { name: "staging", baselines: ["s"], promoteWhen: { stage: "dev", compliantPercent: 95, soak: "12h", noFailedInstances: true } },
];

const installed = (id: string, end: string, failed = 0, missing = 0): InstancePatchState => ({ instanceId: id, operation: "Install", operationEnd: end, failed, missing });

function previous(devSince: string): RolloutState {
  return { rollout: "r", stages: [{ name: "dev", cutoff: "2026-12-01", since: devSince }, { name: "staging", cutoff: "2026-11-01", since: "2026-11-01T00:00:00Z" }] };
}

async function run(instances: InstancePatchState[], now = "2026-12-01T18:00:00Z", stages = STAGES) {
  return evaluateRollout({ name: "r", stages, previous: previous("2026-12-01T00:00:00Z"), now: new Date(now), startingCutoff: () => "1970-01-01", instances: async () => instances });
}

describe("rollout evaluation", () => {
  it("soak in hours or days; how long a cut-off was held reads in days or hours", () => {
    expect(soakMs("12h")).toBe(43_200_000);
    expect(soakMs("3d")).toBe(259_200_000);
    expect(() => soakMs("1w")).toThrow(/days \(3d\) or hours \(12h\)/);
    expect([heldFor(3_600_000 * 30), heldFor(3_600_000 * 5), heldFor(86_400_000)]).toEqual(["1 day", "5 hours", "1 day"]);
  });

  it("compliant only after an Install that ended after the cut-off was set, with nothing missing or failed", () => {
    const since = "2026-12-01T00:00:00Z";
    expect(isCompliant(installed("i-1", "2026-12-01T01:00:00Z"), since)).toBe(true);
    expect(isCompliant(installed("i-1", "2026-11-30T23:00:00Z"), since)).toBe(false);
    expect(isCompliant({ ...installed("i-1", "2026-12-01T01:00:00Z"), operation: "Scan" }, since)).toBe(false);
    expect(isCompliant(installed("i-1", "2026-12-01T01:00:00Z", 0, 1), since)).toBe(false);
    expect(isCompliant(installed("i-1", "2026-12-01T01:00:00Z", 1), since)).toBe(false);
  });

  it("noFailedInstances blocks even when the share of compliant instances is enough", async () => {
    const fleet = Array.from({ length: 20 }, (_, i) => installed(`i-${i}`, "2026-12-01T06:00:00Z"));
    fleet[19] = installed("i-19", "2026-12-01T06:00:00Z", 1);
    const lenient = await run(fleet, "2026-12-01T18:00:00Z", [STAGES[0]!, { ...STAGES[1]!, promoteWhen: { ...STAGES[1]!.promoteWhen!, noFailedInstances: false } }]);
    expect(lenient.decisions[1]).toMatchObject({ outcome: "promoted", cutoff: "2026-12-01", message: "staging: approve patches released up to 2026-12-01 (dev 95% compliant for 18 hours)" });
    const strict = await run(fleet);
    expect(strict.decisions[1]).toMatchObject({ outcome: "blocked", message: "staging: blocked at 2026-11-01 (dev has 1 failed instance, needs none)" });
    expect(strict.state.stages[1]).toMatchObject({ cutoff: "2026-11-01", blocked: "dev has 1 failed instance, needs none", measured: { instances: 20, compliant: 19, failed: 1, percent: 95 } });
  });

  it("a stage with no instances reporting blocks its follower; the soak not over says until when", async () => {
    expect((await run([])).decisions[1]!.message).toBe("staging: blocked at 2026-11-01 (dev has no instances reporting patch states)");
    const early = await run([installed("i-1", "2026-12-01T06:00:00Z")], "2026-12-01T06:00:00Z");
    expect(early.decisions[1]).toMatchObject({ outcome: "blocked", earliestNext: "2026-12-01T12:00:00Z", message: "staging: blocked at 2026-11-01 (dev has held 2026-12-01 for 6 hours, needs 12h)" });
  });

  it("the first stage moves to today and remembers its cut-off until its follower takes it", async () => {
    const next = await run([installed("i-1", "2026-12-01T01:00:00Z")], "2026-12-02T03:00:00Z");
    // dev moved to 2026-12-02; staging took 2026-12-01 (held 27 hours, the install after it), so dev forgets it.
    expect(next.state.stages[0]).toEqual({ name: "dev", cutoff: "2026-12-02", since: "2026-12-02T03:00:00Z" });
    // staging is promoted to nobody: it remembers nothing.
    expect(next.state.stages[1]).toEqual({ name: "staging", cutoff: "2026-12-01", since: "2026-12-02T03:00:00Z", measured: { stage: "dev", instances: 1, compliant: 1, failed: 0, percent: 100 } });
    const blocked = await run([installed("i-1", "2026-11-30T01:00:00Z")], "2026-12-02T03:00:00Z");
    expect(blocked.state.stages[0]!.earlier).toEqual([{ cutoff: "2026-12-01", since: "2026-12-01T00:00:00Z" }]);
  });
});
