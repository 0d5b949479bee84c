import { describe, expect, it } from "vitest";
import type { StatusPage, StatusRegion } from "../../src/status-page/index.js";
import { pushSample, regionState, renderStatusPage } from "../../src/status-page/index.js";

const region = (over: Partial<StatusRegion>): StatusRegion => ({ region: "us-east-1", state: "in-sync", changes: [], refused: [], findings: [], exemptions: [], history: [], ...over });
const page = (regions: StatusRegion[]): StatusPage => ({ title: "t", generatedAt: "2026-12-02T12:00:00Z", regions });

describe("the status page renderer", () => {
  it("shows each rollout's stage decisions once, escaped, and no Rollouts section without rollouts", () => {
    const ro = { key: "Rollout/monthly", stages: ["dev: approve patches released up to 2026-12-04", "staging: blocked at 2026-11-01 (dev 75% compliant, needs 95%) <script>x</script>"] };
    const html = renderStatusPage(page([region({ rollouts: [ro] }), region({ region: "eu-west-1", rollouts: [ro] })]));
    expect(html).toContain("<h2>Rollouts</h2>");
    expect([...html.matchAll(/<tr class="rollout" data-key="Rollout\/monthly"><td>(.*?)<\/td>/g)].map((m) => m[1])).toEqual(["all"]);
    expect(html).toContain("staging: blocked at 2026-11-01 (dev 75% compliant, needs 95%) &lt;script&gt;x&lt;/script&gt;");
    expect(html).not.toContain("<script>x</script>");
    expect(renderStatusPage(page([region({})]))).not.toContain("<h2>Rollouts</h2>");
  });

  it("lists the last window executions failing first, then newest first", () => {
    const html = renderStatusPage(page([region({
      compliance: {
        formatVersion: 1, kind: "compliance", associations: [],
        groups: [{ patchGroup: "db", state: { Instances: 4, InstancesWithMissingPatches: 1, InstancesWithFailedPatches: 2, InstancesWithInstalledPendingRebootPatches: 3 } }],
        windows: [
          { window: "a", windowId: "mw-a", executions: [{ id: "1", status: "SUCCESS", start: "2026-12-01T10:00:00Z" }, { id: "2", status: "FAILED", start: "2026-11-20T10:00:00Z" }] },
          { window: "b", windowId: "mw-b", executions: [{ id: "3", status: "TIMED_OUT", start: "2026-11-28T10:00:00Z" }, { id: "4", status: "SUCCESS", start: "2026-11-30T10:00:00Z" }] },
        ],
      },
    })]));
    const rows = [...html.matchAll(/<tr class="execution[^"]*" data-window="(\w)" data-status="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(rows).toEqual(["b:TIMED_OUT", "a:FAILED", "a:SUCCESS", "b:SUCCESS"]);
    expect(html).toMatch(/<tr class="group" data-group="db"><td>db<\/td><td class="num">4<\/td><td class="num bad">1<\/td><td class="num bad">2<\/td><td class="num bad">3<\/td><\/tr>/);
  });

  it("escapes every value from the account or the YAML, in text and in attributes", () => {
    const evil = `"><script>alert(1)</script>`;
    const html = renderStatusPage(page([region({
      deployment: evil, region: evil, state: "failed", reason: evil, commit: evil,
      changes: [{ key: `Window/${evil}`, action: "update", drift: "changed outside patchctl", fields: [{ path: evil, before: evil, after: evil, sensitive: false }] }],
      findings: [{ policyId: evil, severity: "warn", resource: evil, message: evil, where: evil }],
      exemptions: [{ policyId: evil, resource: evil, reason: evil, where: evil }],
      history: [{ at: "2026-12-02T11:59:00Z", ms: 10, calls: 3, applied: 1, ok: false }],
    })]));
    expect(html).not.toContain("<script");
    // Every occurrence is the escaped one: none broke out of an attribute or a text node.
    const all = html.split("alert(1)").length - 1;
    expect(all).toBeGreaterThanOrEqual(10);
    expect(html.split("&quot;&gt;&lt;script&gt;alert(1)").length - 1).toBe(all);
    expect(html).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("decides a card's state in one order: failed, applying, frozen, suspended, drifted, in sync", () => {
    expect(regionState({ failed: "x", applying: true, frozen: "f", changes: 3 }).state).toBe("failed");
    expect(regionState({ applying: true, frozen: "f", changes: 3 }).state).toBe("applying");
    expect(regionState({ frozen: "f", suspended: "s", changes: 3 }).state).toBe("frozen");
    expect(regionState({ suspended: "s", changes: 3 }).state).toBe("suspended");
    expect(regionState({ changes: 3 })).toEqual({ state: "drifted", reason: "3 resource(s) differ from the desired state" });
    expect(regionState({ changes: 0 })).toEqual({ state: "in-sync" });
  });

  it("keeps only the newest cycles in the history ring", () => {
    const h: { at: string; ms: number; calls: number; applied: number; ok: boolean }[] = [];
    for (let i = 0; i < 35; i++) pushSample(h, { at: String(i), ms: i, calls: 0, applied: 0, ok: true }, 30);
    expect(h.map((s) => s.at)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 5)));
  });

  it("refreshes itself only when told to, and declares its CSP", () => {
    expect(renderStatusPage(page([]))).not.toContain('http-equiv="refresh"');
    const live = renderStatusPage({ ...page([]), refreshSeconds: 30 });
    expect(live).toContain('<meta http-equiv="refresh" content="30">');
    expect(live).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:`);
  });
});
