import { DescribePatchBaselinesCommand, RegisterPatchBaselineForPatchGroupCommand } from "@aws-sdk/client-ssm";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { at, writeTwoStageRollout } from "./fixtures.js";

/**
 * A stage is measured over its baselines' instances: the patch groups the desired state registers to
 * them and those the account registers to them now (here a group registered by hand to dev's
 * baseline, whose instance has not installed): over HTTP, its instance counts, and blocks staging.
 */
let h: LocalHarness;
let dir: string;
const OWNER = "rollout-measure";

function instance(id: string, group: string, installed: boolean): string[] {
  const op = installed
    ? [`    Operation: Install`, `    OperationStartTime: 2026-12-01T09:00:00Z`, `    OperationEndTime: 2026-12-01T10:00:00Z`]
    : [`    Operation: Scan`, `    OperationStartTime: 2026-11-01T00:00:00Z`, `    OperationEndTime: 2026-11-01T00:10:00Z`];
  return [`  - InstanceId: ${id}`, `    OperatingSystem: AMAZON_LINUX_2023`, `    PatchGroup: ${group}`, ...op, `    InstalledCount: 10`, `    MissingCount: 0`, `    FailedCount: 0`];
}

beforeAll(async () => {
  const work = mkdtempSync(path.join(tmpdir(), "patchctl-rollout-measure-"));
  dir = writeTwoStageRollout(work, OWNER);
  const fleet = path.join(work, "fleet.yaml");
  writeFileSync(fleet, ["instances:", ...instance("i-0de00000000000001", "dev", true), ...instance("i-0de00000000000002", "dev", true), ...instance("i-0de00000000000003", "dev-extra", false)].join("\n") + "\n");
  h = await startHarness({ fleetFile: fleet });
  const day0 = await at("2026-11-30T06:00:00Z", () => h.cli(["reconcile", dir]));
  expect(day0.code, day0.err).toBe(0);
});
afterAll(async () => {
  await h?.close();
});

describe("a stage's instances", () => {
  it("include a patch group the account registers to the stage's baseline, not only the desired state's", async () => {
    const ids = (await h.sdk.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["dev-al2023"] }] }))).BaselineIdentities ?? [];
    await h.sdk.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: ids[0]!.BaselineId!, PatchGroup: "dev-extra" }));

    const plan = await at("2026-12-04T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    // dev's 2026-11-30 cut-off has soaked; of its three instances (dev ×2, dev-extra ×1) two have installed since.
    expect(plan.out).toContain("staging: blocked at 2026-11-01 (dev 66% compliant, needs 95%)");
    // The hand-made registration is not in the desired state: the same plan deregisters it.
    expect(plan.out).toMatch(/- PatchGroupRegistration\/AMAZON_LINUX_2023\/dev-extra/);
  });
});
