import { describe, expect, it } from "vitest";
import type { ActualResource, Resource } from "../../src/model/plan.js";
import { computePlan } from "../../src/reconciler/plan.js";

const tags = { "patchctl:owner": "o", "patchctl:name": "w" };
const window = (name: string): Resource => ({ type: "MaintenanceWindow", key: `MaintenanceWindow/${name}`, name, spec: { name, schedule: "cron(0 2 ? * SUN *)", duration: 2, cutoff: 1, allowUnassociatedTargets: false, enabled: true, tags } });
const actual = (r: Resource, id: string): ActualResource => ({ ...r, id, owned: true, ssmName: r.name });

describe("the plan's ids", () => {
  it("hold every id the actual side has, by key, in JSON, spreads and clones too, and can be replaced", () => {
    const kept = window("kept");
    const changed = window("changed");
    const gone = window("gone");
    const plan = computePlan([kept, { ...changed, spec: { ...changed.spec, duration: 3 } }, window("new")], { resources: [actual(kept, "mw-1"), actual(changed, "mw-2"), actual(gone, "mw-3")], awsBaselines: {}, fingerprint: "x" }, { owner: "o", region: "r", adopt: false, patchctlVersion: "t" });
    const expected = { "MaintenanceWindow/kept": "mw-1", "MaintenanceWindow/changed": "mw-2", "MaintenanceWindow/gone": "mw-3" };
    expect(plan.ids).toEqual(expected);
    expect((JSON.parse(JSON.stringify(plan)) as { ids: unknown }).ids).toEqual(expected);
    expect({ ...plan }.ids).toEqual(expected);
    expect(structuredClone(plan).ids).toEqual(expected);
    plan.ids = { "MaintenanceWindow/kept": "mw-9" };
    expect(plan.ids).toEqual({ "MaintenanceWindow/kept": "mw-9" });
  });
});
