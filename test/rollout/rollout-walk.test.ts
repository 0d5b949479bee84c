import { DescribePatchBaselinesCommand, GetParameterCommand, GetPatchBaselineCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ssm";
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHarness } from "../helpers/local.js";
import { startHarness } from "../helpers/local.js";
import { at, baseline } from "./fixtures.js";

const walkBaseline = (name: string, group: string, start?: string): string => baseline(name, group, start, ["Security", "Bugfix"]);

/**
 * A three-stage rollout walked to production over HTTP against the local endpoint, across simulated
 * days (PATCHCTL_NOW), with the simulated fleet rewritten while the endpoint runs (the fleet file is
 * read again when it changes): dev's cut-off moves every day; staging waits for dev's soak, is
 * blocked while a dev instance fails, is delayed by a freeze, then promoted; production follows
 * staging after its own soak. Every cut-off is checked in the account (GetPatchBaseline) and in the
 * rollout's state parameter.
 */
let h: LocalHarness;
let work: string;
let dir: string;
let fleetFile: string;
let fleetVersion = 0;

const OWNER = "rollout-walk";

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

function writeDesired(freeze?: string): void {
  writeFileSync(path.join(dir, "patchctl.yaml"), `apiVersion: patchctl/v1\nkind: Config\nowner: ${OWNER}\n${freeze ?? ""}`);
}

interface Instance {
  id: string;
  group: string;
  end?: string;
  failed?: number;
  missing?: number;
}

/** Rewrites the fleet whole (temporary file, rename) with a modification time of its own, so the endpoint reads it again. */
function writeFleet(instances: Instance[]): void {
  const lines = ["instances:"];
  for (const i of instances) {
    lines.push(`  - InstanceId: ${i.id}`, `    OperatingSystem: AMAZON_LINUX_2023`, `    PatchGroup: ${i.group}`);
    if (i.end) lines.push(`    Operation: Install`, `    OperationStartTime: ${new Date(Date.parse(i.end) - 1_800_000).toISOString()}`, `    OperationEndTime: ${i.end}`);
    else lines.push(`    Operation: Scan`, `    OperationStartTime: 2026-11-01T00:00:00Z`, `    OperationEndTime: 2026-11-01T00:10:00Z`);
    lines.push(`    InstalledCount: 40`, `    MissingCount: ${i.missing ?? 0}`, `    FailedCount: ${i.failed ?? 0}`);
  }
  const tmp = `${fleetFile}.tmp`;
  writeFileSync(tmp, `${lines.join("\n")}\n`);
  fleetVersion += 1;
  const stamp = new Date(Date.UTC(2026, 0, 1) + fleetVersion * 60_000);
  utimesSync(tmp, stamp, stamp);
  renameSync(tmp, fleetFile);
}

const dev = (n: number): string => `i-0de00000000000${String(n).padStart(3, "0")}`;
const stg = (n: number): string => `i-05a00000000000${String(n).padStart(3, "0")}`;
const prd = (n: number): string => `i-0a900000000000${String(n).padStart(3, "0")}`;

/** Each baseline's approveUntilDate values in the account, by name. */
async function cutoffs(): Promise<Record<string, string[]>> {
  const ids = (await h.sdk.send(new DescribePatchBaselinesCommand({}))).BaselineIdentities ?? [];
  const out: Record<string, string[]> = {};
  for (const b of ids.filter((x) => !x.BaselineId!.startsWith("arn:"))) {
    const got = await h.sdk.send(new GetPatchBaselineCommand({ BaselineId: b.BaselineId }));
    out[got.Name!] = (got.ApprovalRules?.PatchRules ?? []).map((r) => `${r.ApproveUntilDate ?? "-"}/${r.ApproveAfterDays ?? "-"}`);
  }
  return out;
}

interface StoredStage {
  name: string;
  cutoff: string;
  since: string;
  earlier?: { cutoff: string; since: string }[];
  measured?: { stage: string; percent: number; instances: number; compliant: number; failed: number };
  blocked?: string;
}

async function state(): Promise<Record<string, StoredStage>> {
  const p = await h.sdk.send(new GetParameterCommand({ Name: `/patchctl/${OWNER}/rollouts/monthly` }));
  const parsed = JSON.parse(p.Parameter!.Value!) as { rollout: string; stages: StoredStage[] };
  expect(parsed.rollout).toBe("monthly");
  return Object.fromEntries(parsed.stages.map((s) => [s.name, s]));
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "patchctl-rollout-"));
  dir = path.join(work, "desired");
  mkdirSync(dir);
  writeDesired();
  writeFileSync(path.join(dir, "baselines.yaml"), [walkBaseline("dev-al2023", "dev"), walkBaseline("staging-al2023", "staging", "2026-11-01"), walkBaseline("prod-al2023", "production", "2026-10-01")].join("---\n"));
  writeFileSync(path.join(dir, "rollout.yaml"), ROLLOUT);
  fleetFile = path.join(work, "fleet.yaml");
  writeFleet([...[1, 2, 3, 4].map((n) => ({ id: dev(n), group: "dev" })), ...[1, 2].map((n) => ({ id: stg(n), group: "staging" })), ...[1, 2].map((n) => ({ id: prd(n), group: "production" }))]);
  h = await startHarness({ fleetFile });
});
afterAll(async () => {
  await h?.close();
});

describe("a dev → staging → production rollout across simulated days", () => {
  it("moves dev daily, gates staging on dev's soak and compliance, honours a freeze, then promotes production", async () => {
    // Day 0: the rollout starts. dev approves up to today; staging and production at their written starting points.
    const day0 = await at("2026-12-01T06:00:00Z", () => h.cli(["reconcile", dir]));
    expect(day0.code, day0.err).toBe(0);
    expect(await cutoffs()).toEqual({ "dev-al2023": ["2026-12-01/-"], "staging-al2023": ["2026-11-01/-"], "prod-al2023": ["2026-10-01/-"] });
    let s = await state();
    expect([s.dev!.cutoff, s.staging!.cutoff, s.production!.cutoff]).toEqual(["2026-12-01", "2026-11-01", "2026-10-01"]);
    expect(s.dev!.since).toBe("2026-12-01T06:00:00Z");
    const tags = await h.sdk.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: `/patchctl/${OWNER}/rollouts/monthly` }));
    expect(tags.TagList).toEqual(expect.arrayContaining([{ Key: "patchctl:owner", Value: OWNER }, { Key: "patchctl:name", Value: "monthly" }]));

    // Day 1: dev moves on; staging waits for dev's 3-day soak (dev has installed nothing yet).
    const plan1 = await at("2026-12-02T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    expect(plan1.out).toContain("dev: approve patches released up to 2026-12-02 (the first stage: today)");
    expect(plan1.out).toContain("staging: blocked at 2026-11-01 (dev has held 2026-12-01 for 1 day, needs 3d)");
    // The status page's Rollouts section: each stage's cut-off and, while a soak is what it waits for, the earliest next promotion.
    const page1 = JSON.parse((await at("2026-12-02T06:00:00Z", () => h.cli(["report", dir, "--output", "json"]))).out) as { regions: { rollouts?: { key: string; stages: string[] }[] }[] };
    expect(page1.regions[0]!.rollouts![0]!.stages).toEqual([
      "dev: approve patches released up to 2026-12-02 (the first stage: today)",
      "staging: blocked at 2026-11-01 (dev has held 2026-12-01 for 1 day, needs 3d); earliest next promotion 2026-12-04T06:00:00Z",
      "production: blocked at 2026-10-01 (staging has held 2026-11-01 for 1 day, needs 7d); earliest next promotion 2026-12-08T06:00:00Z",
    ]);
    expect((await at("2026-12-02T06:00:00Z", () => h.cli(["reconcile", dir]))).code).toBe(0);
    expect((await cutoffs())["dev-al2023"]).toEqual(["2026-12-02/-"]);

    // dev installs: three instances clean, one with a failed patch.
    writeFleet([
      ...[1, 2, 3].map((n) => ({ id: dev(n), group: "dev", end: "2026-12-02T10:00:00Z" })),
      { id: dev(4), group: "dev", end: "2026-12-02T10:00:00Z", failed: 2 },
      ...[1, 2].map((n) => ({ id: stg(n), group: "staging" })),
      ...[1, 2].map((n) => ({ id: prd(n), group: "production" })),
    ]);

    // Day 3: dev's 2026-12-01 cut-off has soaked, but dev is 75% compliant: staging stays blocked, and says why.
    const plan3 = await at("2026-12-04T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    expect(plan3.out).toContain("staging: blocked at 2026-11-01 (dev 75% compliant, needs 95%)");
    expect(plan3.out).not.toMatch(/staging: approve patches/);
    // The status page's data says the same of each stage (report --output json is what watch's / shows).
    const report = await at("2026-12-04T06:00:00Z", () => h.cli(["report", dir, "--output", "json"]));
    const page = JSON.parse(report.out) as { regions: { rollouts?: { key: string; stages: string[] }[] }[] };
    expect(page.regions[0]!.rollouts).toEqual([{ key: "Rollout/monthly", stages: expect.arrayContaining(["staging: blocked at 2026-11-01 (dev 75% compliant, needs 95%)"]) }]);
    expect((await at("2026-12-04T06:00:00Z", () => h.cli(["reconcile", dir]))).code).toBe(0);
    expect(await cutoffs()).toEqual({ "dev-al2023": ["2026-12-04/-"], "staging-al2023": ["2026-11-01/-"], "prod-al2023": ["2026-10-01/-"] });
    s = await state();
    expect(s.staging!.blocked).toBe("dev 75% compliant, needs 95%");
    expect(s.staging!.measured).toEqual({ stage: "dev", instances: 4, compliant: 3, failed: 1, percent: 75 });

    // The failed instance is fixed; then a change freeze is declared over the next day.
    writeFleet([
      ...[1, 2, 3].map((n) => ({ id: dev(n), group: "dev", end: "2026-12-02T10:00:00Z" })),
      { id: dev(4), group: "dev", end: "2026-12-04T10:00:00Z" },
      ...[1, 2].map((n) => ({ id: stg(n), group: "staging" })),
      ...[1, 2].map((n) => ({ id: prd(n), group: "production" })),
    ]);
    writeDesired("freezes:\n  - name: release-day\n    start: 2026-12-05T00:00:00Z\n    end: 2026-12-06T00:00:00Z\n    reason: year-end release\n");

    // Day 4, frozen: the promotion is planned, and refused like any change; nothing moves.
    const plan4 = await at("2026-12-05T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    expect(plan4.out).toContain("staging: approve patches released up to 2026-12-02 (dev 100% compliant for 3 days)");
    expect(plan4.out).toMatch(/PatchBaseline\/staging-al2023/);
    expect(plan4.out).toMatch(/Applying is frozen: freeze 'release-day'/);
    const frozen = await at("2026-12-05T06:00:00Z", () => h.cli(["reconcile", dir]));
    expect(frozen.code).toBe(1);
    expect(frozen.err).toMatch(/applying is frozen: freeze 'release-day' \(year-end release\)/);
    expect((await cutoffs())["staging-al2023"]).toEqual(["2026-11-01/-"]);
    expect((await state()).staging!.cutoff).toBe("2026-11-01");

    // Day 5, the freeze is over: staging takes dev's newest proved cut-off; production waits for staging's soak.
    const day5 = await at("2026-12-06T06:00:00Z", () => h.cli(["reconcile", dir]));
    expect(day5.code, day5.err).toBe(0);
    expect(await cutoffs()).toEqual({ "dev-al2023": ["2026-12-06/-"], "staging-al2023": ["2026-12-02/-"], "prod-al2023": ["2026-10-01/-"] });
    s = await state();
    expect(s.staging).toMatchObject({ cutoff: "2026-12-02", since: "2026-12-06T06:00:00Z", measured: { stage: "dev", percent: 100, failed: 0 } });
    expect(s.staging!.blocked).toBeUndefined();
    // Production could take staging's starting cut-off once staging has held it a week, or the new one a week from now.
    expect(s.production!.blocked).toBe("staging has held 2026-11-01 for 5 days, needs 7d");
    expect(s.staging!.earlier).toEqual([{ cutoff: "2026-11-01", since: "2026-12-01T06:00:00Z" }]);

    // rollout status: the applied cut-offs, what a reconcile now would do, and the earliest next promotion.
    const status = await at("2026-12-06T07:00:00Z", () => h.cli(["rollout", "status", "monthly", "--dir", dir, "--output", "json"]));
    expect(status.code, status.err).toBe(0);
    const doc = JSON.parse(status.out) as { kind: string; parameter: string; stages: { name: string; applied?: { cutoff: string }; next: { outcome: string; message: string; earliestNext?: string } }[] };
    expect(doc.kind).toBe("rollout-status");
    expect(doc.parameter).toBe(`/patchctl/${OWNER}/rollouts/monthly`);
    expect(doc.stages.map((x) => [x.name, x.applied?.cutoff, x.next.outcome])).toEqual([
      ["dev", "2026-12-06", "held"],
      ["staging", "2026-12-02", "blocked"],
      ["production", "2026-10-01", "blocked"],
    ]);
    expect(doc.stages[2]!.next).toMatchObject({ message: "production: blocked at 2026-10-01 (staging has held 2026-11-01 for 5 days, needs 7d)", earliestNext: "2026-12-08T06:00:00Z" });
    const text = await at("2026-12-06T07:00:00Z", () => h.cli(["rollout", "status", "monthly", "--dir", dir]));
    expect(text.out).toContain("staging [staging-al2023] (after dev: 95% compliant, soak 3d, no failed instance)");
    expect(text.out).toContain("  approves patches released up to 2026-12-02 (since 2026-12-06T06:00:00Z)");
    expect(text.out).toContain("  earliest next promotion: 2026-12-08T06:00:00Z");
    const markdown = await at("2026-12-06T07:00:00Z", () => h.cli(["rollout", "status", "monthly", "--dir", dir, "--output", "markdown"]));
    expect(markdown.out).toMatch(/^\| production \| prod-al2023 \| 2026-10-01 \| 2026-12-01T06:00:00Z \|/m);
    expect((await h.cli(["rollout", "status", "weekly", "--dir", dir])).err).toMatch(/no Rollout named 'weekly' in the desired state \(rollouts: monthly\)/);

    // staging installs cleanly; a week later production is promoted to staging's cut-off.
    writeFleet([
      ...[1, 2, 3, 4].map((n) => ({ id: dev(n), group: "dev", end: "2026-12-04T10:00:00Z" })),
      ...[1, 2].map((n) => ({ id: stg(n), group: "staging", end: "2026-12-06T12:00:00Z" })),
      ...[1, 2].map((n) => ({ id: prd(n), group: "production" })),
    ]);
    const plan12 = await at("2026-12-13T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    expect(plan12.out).toContain("production: approve patches released up to 2026-12-02 (staging 100% compliant for 7 days)");
    expect((await at("2026-12-13T06:00:00Z", () => h.cli(["reconcile", dir]))).code).toBe(0);
    expect((await cutoffs())["prod-al2023"]).toEqual(["2026-12-02/-"]);
    expect((await state()).production).toMatchObject({ cutoff: "2026-12-02", since: "2026-12-13T06:00:00Z" });

    // The same instant again: nothing left to change.
    const again = await at("2026-12-13T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    expect(again.code).toBe(0);
    expect(again.out).toContain("No changes.");

    // The rollout leaves the desired state (its baselines get dates of their own): its state parameter is deleted.
    rmSync(path.join(dir, "rollout.yaml"));
    writeFileSync(path.join(dir, "baselines.yaml"), [walkBaseline("dev-al2023", "dev", "2026-12-13"), walkBaseline("staging-al2023", "staging", "2026-12-02"), walkBaseline("prod-al2023", "production", "2026-12-02")].join("---\n"));
    const gone = await at("2026-12-13T06:00:00Z", () => h.cli(["reconcile", dir, "--plan"]));
    expect(gone.out).toMatch(/- Rollout\/monthly/);
    expect((await at("2026-12-13T06:00:00Z", () => h.cli(["reconcile", dir]))).code).toBe(0);
    await expect(h.sdk.send(new GetParameterCommand({ Name: `/patchctl/${OWNER}/rollouts/monthly` }))).rejects.toMatchObject({ name: "ParameterNotFound" });
    expect(await cutoffs()).toEqual({ "dev-al2023": ["2026-12-13/-"], "staging-al2023": ["2026-12-02/-"], "prod-al2023": ["2026-12-02/-"] });
  });
});
