import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { planToJson, renderPlanMarkdown, renderPlanText } from "../../src/diff/render-plan.js";
import { expandDesired } from "../../src/reconciler/expand.js";
import type { Plan } from "../../src/model/plan.js";
import { computePlan } from "../../src/reconciler/plan.js";
import type { ActualResource, ActualState } from "../../src/reconciler/read-actual.js";

/** A fixed plan over the recipe example: one drifted field, one sensitive change, one missing, one extra, one unmanaged. */
async function fixturePlan(): Promise<Plan> {
  const loaded = await loadDesiredState("examples/recipe");
  const desired = expandDesired(loaded.state!);
  let n = 0;
  const resources: ActualResource[] = desired
    .filter((d) => d.key !== "WindowTask/scan-window/ScanningTask")
    .map((d) => ({ ...d, spec: structuredClone(d.spec), id: `id-${String(++n).padStart(3, "0")}`, owned: true, ssmName: String(d.spec.name ?? d.name) }));
  const window = resources.find((r) => r.key === "MaintenanceWindow/patch-window")!;
  window.spec.duration = 6;
  window.spec.description = "changed by hand";
  resources.push({ type: "WindowTarget", key: "WindowTarget/patch-window/Leftover", name: "patch-window/Leftover", parentKey: "MaintenanceWindow/patch-window", id: "id-900", owned: true, ssmName: "Leftover", spec: { name: "Leftover", resourceType: "INSTANCE", targets: [{ key: "tag:Role", values: ["old"] }] } });
  resources.push({ type: "PatchBaseline", key: "PatchBaseline/legacy", name: "legacy", id: "pb-0123456789abcdef0", owned: false, ssmName: "legacy", spec: { name: "legacy", operatingSystem: "WINDOWS" } });
  const actual: ActualState = { resources, awsBaselines: {}, fingerprint: "f".repeat(64) };
  return computePlan(desired, actual, { owner: "recipe", region: "us-east-1", adopt: false, patchctlVersion: "0.0.0-test", now: new Date("2026-11-23T00:00:00Z") });
}

describe("plan renderers (golden files)", () => {
  it("text", async () => {
    await expect(renderPlanText(await fixturePlan())).toMatchFileSnapshot("../golden/plan.txt");
  });
  it("text, drift framing", async () => {
    await expect(renderPlanText(await fixturePlan(), { mode: "drift" })).toMatchFileSnapshot("../golden/drift.txt");
  });
  it("json", async () => {
    await expect(JSON.stringify(planToJson(await fixturePlan()), null, 2)).toMatchFileSnapshot("../golden/plan.json");
  });
  it("markdown", async () => {
    await expect(renderPlanMarkdown(await fixturePlan())).toMatchFileSnapshot("../golden/plan.md");
  });
  it("never prints a sensitive value", async () => {
    const plan = await fixturePlan();
    for (const text of [renderPlanText(plan), renderPlanMarkdown(plan), JSON.stringify(planToJson(plan))]) {
      expect(text).not.toContain("changed by hand");
      expect(text).not.toContain("Weekly patching maintenance window");
      expect(text).not.toContain("Install\"");
    }
  });
});
