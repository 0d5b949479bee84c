import { describe, expect, it } from "vitest";
import { StatusPageSource } from "../../src/controller/status-page.js";
import type { StatusPage, StatusRegion } from "../../src/status-page/index.js";
import { renderStatusPage } from "../../src/status-page/index.js";

const region = (deployment: string, r: string): StatusRegion => ({ deployment, region: r, state: "in-sync", changes: [], refused: [], findings: [], exemptions: [], history: [] });
const regions = [region("eu", "eu-west-1"), region("us", "us-east-1"), region("us", "us-west-2"), region("ap", "ap-southeast-2")];
const page = (over: Partial<StatusPage>): StatusPage => ({ title: "t", generatedAt: "2026-12-02T12:00:00Z", regions, ...over });

/** The items of the first `<ul class="CLS">`. */
function items(html: string, cls: string): string[] {
  const m = new RegExp(`<ul class="${cls}">(.*?)</ul>`).exec(html);
  return m ? [...m[1]!.matchAll(/<li data-key="([^"]*)">/g)].map((x) => x[1]!) : [];
}

describe("the status page's replica block", () => {
  it("shows this replica's id, the live replicas, its share and which deployment-regions it holds, and those it does not", () => {
    const html = renderStatusPage(page({ replica: { id: "ip-10-0-1-7:4242:ab12cd34", live: 2, share: 2, holding: ["eu/eu-west-1", "us/us-west-2"] } }));
    expect(html).toContain("<h2>Replica</h2>");
    expect(html).toMatch(/<table class="replica" data-id="ip-10-0-1-7:4242:ab12cd34" data-live="2" data-share="2" data-holding="2">/);
    expect(html).toContain("<tr><th>this replica</th><td><code>ip-10-0-1-7:4242:ab12cd34</code></td></tr>");
    expect(html).toContain('<tr><th>live replicas</th><td class="num">2</td></tr>');
    expect(html).toContain("<tr><th>share</th><td>at most 2 of 4 deployment-region(s)</td></tr>");
    expect(items(html, "holding")).toEqual(["eu/eu-west-1", "us/us-west-2"]);
    expect(items(html, "elsewhere")).toEqual(["us/us-east-1", "ap/ap-southeast-2"]);
    expect(html).not.toContain("over its share");
  });

  it("says when a replica holds more than its share (a new replica joined; released at the next cycles) and when it holds nothing", () => {
    const over = renderStatusPage(page({ replica: { id: "r1", live: 3, share: 2, holding: ["eu/eu-west-1", "us/us-east-1", "us/us-west-2"] } }));
    expect(over).toContain("<tr><th>holding</th><td>3 (over its share: released at the next cycles)</td></tr>");
    const none = renderStatusPage(page({ replica: { id: "r2", live: 3, share: 2, holding: [] } }));
    expect(items(none, "holding")).toEqual([]);
    expect(none).toMatch(/<h3>Held by this replica \(its write leases\)<\/h3>\n<p class="muted">none<\/p>/);
    expect(items(none, "elsewhere")).toHaveLength(4);
  });

  it("escapes the replica id and the deployment-regions, in text and in attributes", () => {
    const evil = `"><script>alert(1)</script>`;
    const html = renderStatusPage(page({ regions: [region(evil, "eu-west-1")], replica: { id: evil, live: 1, share: 1, holding: [`${evil}/eu-west-1`] } }));
    expect(html).not.toContain("<script");
    const all = html.split("alert(1)").length - 1;
    expect(all).toBeGreaterThanOrEqual(4);
    expect(html.split("&quot;&gt;&lt;script&gt;alert(1)").length - 1).toBe(all);
    expect(html).toContain('data-id="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it("has no replica block without replicas sharing, and the controller's page model carries the replica it is given", async () => {
    expect(renderStatusPage(page({}))).not.toContain("<h2>Replica</h2>");
    const replica = { id: "h:1:x", live: 3, share: 67, holding: ["a0/eu-west-1"] };
    const model = await new StatusPageSource([], { refreshSeconds: 5, complianceTtlMs: 60_000, replica: () => replica }).page(new Date("2026-12-02T12:00:00Z"));
    expect(model.replica).toEqual(replica);
    expect((await new StatusPageSource([], { refreshSeconds: 5, complianceTtlMs: 60_000 }).page()).replica).toBeUndefined();
  });
});
