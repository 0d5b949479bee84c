import { describe, expect, it } from "vitest";
import type { DriftReportSource } from "../../src/controller/drift-report.js";
import { driftReportParts, driftReportScope, renderDriftReport } from "../../src/controller/drift-report.js";
import type { Plan } from "../../src/model/plan.js";

/** A controller as the drift report sees it: where, whether it holds its lease, and its drift plan. */
function source(deployment: string, region: string, holdsLease: boolean, fail = false): DriftReportSource {
  const plan = { owner: "fleet", region, changes: [], unmanaged: [], conflicts: [], summary: { create: 0, update: 0, delete: 0, noop: 0 } } as unknown as Plan;
  return {
    status: { deployment, region, holdsLease },
    driftPlan: async () => {
      if (fail) throw new Error(`AccessDenied in ${deployment}/${region}`);
      return plan;
    },
  };
}

const keys = ["a/eu-west-1", "a/us-east-1", "b/eu-west-1", "b/us-east-1", "c/eu-west-1"];

/** Three replicas, each with a controller per deployment-region; the lease of each is held by exactly one of them (or by none). */
function replicas(holder: (key: string) => number | undefined): DriftReportSource[][] {
  return [0, 1, 2].map((r) =>
    keys.map((k) => {
      const [d, region] = k.split("/") as [string, string];
      return source(d, region, holder(k) === r);
    }),
  );
}

describe("the scheduled drift report across replicas", () => {
  it("each replica reports the deployment-regions whose lease it holds: across replicas, every one exactly once", async () => {
    const split = replicas((k) => keys.indexOf(k) % 3);
    const reported = await Promise.all(split.map((controllers) => driftReportParts(controllers, { shared: true, region: "us-east-1" })));
    expect(reported.map((parts) => parts.map((p) => `${p.deployment}/${p.region}`))).toEqual([
      ["a/eu-west-1", "b/us-east-1"],
      ["a/us-east-1", "c/eu-west-1"],
      ["b/eu-west-1"],
    ]);
    expect(reported.flat().map((p) => `${p.deployment}/${p.region}`).sort()).toEqual([...keys].sort());
    for (const p of reported.flat()) expect(p.plan?.region).toBe(p.region);
  });

  it("a replica holding no lease reports nothing (the others report its share); a dead one's share is reported by whoever took it", async () => {
    const [, idle] = replicas(() => 0);
    expect(await driftReportParts(idle!, { shared: true, region: "us-east-1" })).toEqual([]);
    // Replica 1 died and replica 2 took its leases: replica 2 now reports them.
    const after = replicas((k) => (keys.indexOf(k) % 3 === 0 ? 0 : 2));
    const parts = await Promise.all(after.map((c) => driftReportParts(c, { shared: true, region: "us-east-1" })));
    expect(parts.map((p) => p.length)).toEqual([2, 0, 3]);
    expect(parts.flat().map((p) => `${p.deployment}/${p.region}`).sort()).toEqual([...keys].sort());
  });

  it("without replicas sharing (one process, --no-apply) every deployment-region is reported, held or not", async () => {
    const [controllers] = replicas(() => undefined);
    expect(driftReportScope(controllers!, false)).toHaveLength(keys.length);
    expect((await driftReportParts(controllers!, { shared: false, region: "us-east-1" })).map((p) => `${p.deployment}/${p.region}`)).toEqual(keys);
  });

  it("a deployment-region whose plan fails is a part with its error, reported by the replica holding it", async () => {
    const parts = await driftReportParts([source("a", "eu-west-1", true, true), source("b", "eu-west-1", true), source("c", "eu-west-1", false, true)], { shared: true, region: "us-east-1" });
    expect(parts.map((p) => [p.deployment, p.error ?? "ok"])).toEqual([
      ["a", "AccessDenied in a/eu-west-1"],
      ["b", "ok"],
    ]);
    const json = JSON.parse(renderDriftReport(parts, "json")) as { reports: { deployment: string; error?: string }[] };
    expect(json.reports.map((r) => r.deployment)).toEqual(["a", "b"]);
    expect(json.reports[0]!.error).toBe("AccessDenied in a/eu-west-1");
  });
});
