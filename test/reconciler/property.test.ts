import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { writeTree } from "../helpers/tmpdir.js";

interface World {
  approveAfterDays: number;
  complianceLevel: string;
  description: string;
  approvedPatches: string[];
  rejectedPatchesAction: string;
  environment: string;
  duration: number;
  cutoff: number;
  schedule: string;
  timezone: string;
  enabled: boolean;
  targetValues: string[];
  ownerInformation: string;
  priority: number;
  maxConcurrency: string;
  maxErrors: string;
  operation: string;
  cutoffBehavior: string;
}

const worldArb: fc.Arbitrary<World> = fc.record({
  approveAfterDays: fc.integer({ min: 0, max: 360 }),
  complianceLevel: fc.constantFrom("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"),
  description: fc.constantFrom("Production baseline", "Approved after review", "Security updates only"),
  approvedPatches: fc.uniqueArray(fc.integer({ min: 1000000, max: 9999999 }).map((n) => `KB${n}`), { maxLength: 3 }),
  rejectedPatchesAction: fc.constantFrom("ALLOW_AS_DEPENDENCY", "BLOCK"),
  environment: fc.constantFrom("Production", "Staging", "Development"),
  duration: fc.integer({ min: 2, max: 24 }),
  cutoff: fc.integer({ min: 0, max: 1 }),
  schedule: fc.constantFrom("cron(0 22 ? * TUE *)", "cron(0 2 ? * SUN *)", "cron(30 23 ? * TUE#3 *)", "rate(7 days)", "cron(0 1 * * ? *)"),
  timezone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York"),
  enabled: fc.boolean(),
  targetValues: fc.uniqueArray(fc.constantFrom("web", "db", "cache", "queue"), { minLength: 1, maxLength: 3 }),
  ownerInformation: fc.constantFrom("team-a", "team-b"),
  priority: fc.integer({ min: 0, max: 5 }),
  maxConcurrency: fc.constantFrom("1", "10%", "25%", "50%"),
  maxErrors: fc.constantFrom("0", "1", "5%"),
  operation: fc.constantFrom("Scan", "Install"),
  cutoffBehavior: fc.constantFrom("CONTINUE_TASK", "CANCEL_TASK"),
});

/** One single-field edit: how to change the world, and the change key and field path the plan must show. */
interface Edit {
  apply: (w: World) => World;
  key: string;
  path: string;
}
const other = <T>(values: T[], current: T): T => values.find((v) => v !== current) ?? values[0]!;
const EDITS: Edit[] = [
  { apply: (w) => ({ ...w, approveAfterDays: (w.approveAfterDays + 1) % 361 }), key: "PatchBaseline/prop-baseline", path: "approvalRules.patchRules[0].approveAfterDays" },
  { apply: (w) => ({ ...w, complianceLevel: other(["CRITICAL", "HIGH"], w.complianceLevel) }), key: "PatchBaseline/prop-baseline", path: "approvalRules.patchRules[0].complianceLevel" },
  { apply: (w) => ({ ...w, description: `${w.description}!` }), key: "PatchBaseline/prop-baseline", path: "description" },
  { apply: (w) => ({ ...w, approvedPatches: [...w.approvedPatches, "KB0000001"] }), key: "PatchBaseline/prop-baseline", path: "approvedPatches" },
  { apply: (w) => ({ ...w, rejectedPatchesAction: other(["ALLOW_AS_DEPENDENCY", "BLOCK"], w.rejectedPatchesAction) }), key: "PatchBaseline/prop-baseline", path: "rejectedPatchesAction" },
  { apply: (w) => ({ ...w, environment: other(["Production", "Staging"], w.environment) }), key: "PatchBaseline/prop-baseline", path: "tags.Environment" },
  { apply: (w) => ({ ...w, duration: w.duration === 24 ? 23 : w.duration + 1 }), key: "MaintenanceWindow/prop-window", path: "duration" },
  { apply: (w) => ({ ...w, schedule: other(["cron(0 22 ? * TUE *)", "rate(7 days)"], w.schedule) }), key: "MaintenanceWindow/prop-window", path: "schedule" },
  { apply: (w) => ({ ...w, timezone: other(["UTC", "Europe/Berlin"], w.timezone) }), key: "MaintenanceWindow/prop-window", path: "scheduleTimezone" },
  { apply: (w) => ({ ...w, enabled: !w.enabled }), key: "MaintenanceWindow/prop-window", path: "enabled" },
  { apply: (w) => ({ ...w, targetValues: w.targetValues.includes("edge") ? ["web"] : [...w.targetValues, "edge"] }), key: "WindowTarget/prop-window/servers", path: "targets[0].values" },
  { apply: (w) => ({ ...w, ownerInformation: other(["team-a", "team-b"], w.ownerInformation) }), key: "WindowTarget/prop-window/servers", path: "ownerInformation" },
  { apply: (w) => ({ ...w, priority: w.priority + 1 }), key: "WindowTask/prop-window/patch", path: "priority" },
  { apply: (w) => ({ ...w, maxConcurrency: other(["1", "50%"], w.maxConcurrency) }), key: "WindowTask/prop-window/patch", path: "maxConcurrency" },
  { apply: (w) => ({ ...w, maxErrors: other(["0", "5%"], w.maxErrors) }), key: "WindowTask/prop-window/patch", path: "maxErrors" },
  { apply: (w) => ({ ...w, operation: other(["Scan", "Install"], w.operation) }), key: "WindowTask/prop-window/patch", path: "runCommand.parameters.Operation" },
  { apply: (w) => ({ ...w, cutoffBehavior: other(["CONTINUE_TASK", "CANCEL_TASK"], w.cutoffBehavior) }), key: "WindowTask/prop-window/patch", path: "cutoffBehavior" },
];

function render(w: World, owner: string): Record<string, string> {
  const baseline = {
    apiVersion: "patchctl/v1",
    kind: "PatchBaseline",
    metadata: { name: "prop-baseline", tags: { Environment: w.environment } },
    spec: {
      operatingSystem: "WINDOWS",
      description: w.description,
      approvalRules: { patchRules: [{ patchFilterGroup: { patchFilters: [{ key: "CLASSIFICATION", values: ["SecurityUpdates", "CriticalUpdates"] }] }, approveAfterDays: w.approveAfterDays, complianceLevel: w.complianceLevel }] },
      approvedPatches: w.approvedPatches,
      rejectedPatchesAction: w.rejectedPatchesAction,
      patchGroups: [`${owner}-group`],
    },
  };
  const window = {
    apiVersion: "patchctl/v1",
    kind: "MaintenanceWindow",
    metadata: { name: "prop-window" },
    spec: {
      schedule: w.schedule,
      scheduleTimezone: w.timezone,
      duration: w.duration,
      cutoff: w.cutoff,
      enabled: w.enabled,
      targets: [{ name: "servers", targets: [{ key: "tag:Role", values: w.targetValues }], ownerInformation: w.ownerInformation }],
      tasks: [{ name: "patch", taskType: "RUN_COMMAND", taskArn: "AWS-RunPatchBaseline", targets: [{ key: "WindowTargetIds", values: ["servers"] }], priority: w.priority, maxConcurrency: w.maxConcurrency, maxErrors: w.maxErrors, cutoffBehavior: w.cutoffBehavior, runCommand: { parameters: { Operation: [w.operation] } } }],
    },
  };
  return { "patchctl.yaml": stringify({ apiVersion: "patchctl/v1", kind: "Config", owner }), "b.yaml": stringify(baseline), "w.yaml": stringify(window) };
}

describe("property: a single-field edit shows as exactly that field, applies, and converges", () => {
  let h: LocalHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("holds for random desired states and edits", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, fc.constantFrom(...EDITS), async (world, edit) => {
        const owner = `prop-${++run}`;
        const base = writeTree(render(world, owner));
        const first = await h.cli(["reconcile", base]);
        expect(first.code, first.out + first.err).toBe(0);
        expect((await h.cli(["reconcile", base, "--plan"])).code).toBe(0);

        const edited = writeTree(render(edit.apply(world), owner));
        const plan = await h.cli(["reconcile", edited, "--plan", "--output", "json"]);
        expect(plan.code).toBe(2);
        const changes = JSON.parse(plan.out).changes as { key: string; action: string; fields: { path: string }[] }[];
        expect(changes.map((c) => [c.key, c.action])).toEqual([[edit.key, "update"]]);
        expect(changes[0]!.fields.map((f) => f.path)).toEqual([edit.path]);

        expect((await h.cli(["reconcile", edited])).code).toBe(0);
        const after = await h.cli(["reconcile", edited, "--plan"]);
        expect(after.code, after.out).toBe(0);
        // Clean up this owner's resources so runs stay independent.
        expect((await h.cli(["reconcile", writeTree({ "patchctl.yaml": stringify({ apiVersion: "patchctl/v1", kind: "Config", owner }) }), "--allow-mass-delete"])).code).toBe(0);
      }),
      { numRuns: 12 },
    );
    // 12 full apply-and-converge runs over HTTP (six CLI processes each): no timing is asserted, a loaded
    // machine only takes longer; the limit is generous so that a loaded CI machine does not time out.
  }, 300_000);
});
