import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/**
 * Rollout validation offline: a named baseline that does not exist, one in two stages, a baseline
 * whose rules name approveAfterDays, a promoteWhen naming a later stage, a bad soak, a first stage
 * with promoteWhen and a later one without: each a file:line:column error naming the field.
 */
function baseline(name: string, rule = ""): string {
  return `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: ${name}
spec:
  operatingSystem: AMAZON_LINUX_2023
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
            - key: CLASSIFICATION
              values: [Security]
${rule}`;
}

const ROLLOUT = `apiVersion: patchctl/v1
kind: Rollout
metadata:
  name: monthly
spec:
  stages:
    - name: dev
      baselines: [dev-al2023]
    - name: staging
      baselines: [staging-al2023]
      promoteWhen: {stage: dev, compliantPercent: 95, soak: 3d, noFailedInstances: true}
    - name: production
      baselines: [prod-al2023]
      promoteWhen: {stage: staging, compliantPercent: 98, soak: 7d}
`;

async function diagnostics(rollout: string, extra: Record<string, string> = {}) {
  const dir = writeTree({
    "patchctl.yaml": CONFIG,
    "baselines.yaml": [baseline("dev-al2023"), baseline("staging-al2023"), baseline("prod-al2023")].join("---\n"),
    "rollout.yaml": rollout,
    ...extra,
  });
  const result = await loadDesiredState(dir);
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => ({ at: `${path.relative(dir, d.file)}:${d.line}`, field: d.field, message: d.message }));
}

function edit(from: string, to: string): string {
  expect(ROLLOUT).toContain(from);
  return ROLLOUT.replace(from, to);
}

describe("Rollout validation", () => {
  it("the seeds' dev → staging → production rollout is valid, its baselines naming no approval delay", async () => {
    expect(await diagnostics(ROLLOUT)).toEqual([]);
  });

  it("a baseline that does not exist", async () => {
    expect(await diagnostics(edit("baselines: [prod-al2023]", "baselines: [prod-al2023, prod-windows]"))).toEqual([
      { at: "rollout.yaml:13", field: "spec.stages[2].baselines[1]", message: "no PatchBaseline named 'prod-windows' in the desired state" },
    ]);
  });

  it("a baseline in two stages", async () => {
    expect(await diagnostics(edit("baselines: [prod-al2023]", "baselines: [prod-al2023, staging-al2023]"))).toEqual([
      { at: "rollout.yaml:13", field: "spec.stages[2].baselines[1]", message: "baseline 'staging-al2023' is already driven by stage monthly/staging: a baseline's cut-off has one owner" },
    ]);
  });

  it("a baseline whose rules name approveAfterDays, at the baseline's rule", async () => {
    const dir = await diagnostics(ROLLOUT, { "baselines.yaml": [baseline("dev-al2023"), baseline("staging-al2023", "        approveAfterDays: 7\n"), baseline("prod-al2023")].join("---\n") });
    expect(dir).toEqual([
      {
        at: "baselines.yaml:26",
        field: "spec.approvalRules.patchRules[0].approveAfterDays",
        message: "baseline 'staging-al2023' is driven by Rollout monthly/staging: its rules approve up to the rollout's cut-off (approveUntilDate), not after a delay; remove approveAfterDays",
      },
    ]);
  });

  it("promoteWhen.stage naming a later stage, or no stage", async () => {
    expect(await diagnostics(edit("promoteWhen: {stage: dev,", "promoteWhen: {stage: production,"))).toEqual([
      { at: "rollout.yaml:11", field: "spec.stages[1].promoteWhen.stage", message: "promoteWhen.stage 'production' is not an earlier stage: a stage is promoted from one before it" },
    ]);
    expect(await diagnostics(edit("promoteWhen: {stage: dev,", "promoteWhen: {stage: qa,"))).toEqual([
      { at: "rollout.yaml:11", field: "spec.stages[1].promoteWhen.stage", message: "promoteWhen.stage 'qa' names no stage of this rollout (stages: dev, staging, production)" },
    ]);
  });

  it("a soak that is not days or hours, a first stage with promoteWhen, a later stage without, an unknown field", async () => {
    // A rollout that fails its schema drives nothing: its baselines are then checked as plain ones too.
    const soak = (await diagnostics(edit("soak: 7d", "soak: 1w"))).filter((d) => d.at.startsWith("rollout.yaml"));
    expect(soak).toEqual([{ at: "rollout.yaml:14", field: "spec.stages[2].promoteWhen.soak", message: 'must match ^[1-9][0-9]{0,3}[dh]$ (got "1w")' }]);
    const first = await diagnostics(edit("baselines: [dev-al2023]", "baselines: [dev-al2023]\n      promoteWhen: {stage: dev, compliantPercent: 1, soak: 1h}"));
    expect(first).toEqual([{ at: "rollout.yaml:9", field: "spec.stages[0].promoteWhen", message: "the first stage has no promoteWhen: its cut-off moves to today at each run" }]);
    const later = await diagnostics(edit("      promoteWhen: {stage: staging, compliantPercent: 98, soak: 7d}\n", ""));
    expect(later).toEqual([{ at: "rollout.yaml:12", field: "spec.stages[2]", message: "stage 'production' needs promoteWhen: {stage, compliantPercent, soak} (when it takes an earlier stage's cut-off)" }]);
    const unknown = (await diagnostics(edit("soak: 7d}", "soak: 7d, approveAfterDays: 3}"))).filter((d) => d.at.startsWith("rollout.yaml"));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.message).toMatch(/approveAfterDays/);
  });
});
