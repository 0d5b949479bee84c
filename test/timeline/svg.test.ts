import path from "node:path";
import { describe, expect, it } from "vitest";
import { computeTimeline, renderTimelineHtml, renderTimelineSvg } from "../../src/timeline/index.js";
import { dumpDom, elements } from "../status-page/helpers.js";
import type { Element } from "../status-page/helpers.js";
import { EXAMPLES, load } from "./fixtures.js";

/** The static SVG (status page, no script) draws what the timeline page's script draws: same marks, same places. */
const marks = (els: Element[]): string[][] =>
  els.filter((e) => /\b(mark|release|never)\b/.test(e.attrs.class ?? "")).map((e) => [e.tag, e.attrs.class!, e.attrs["data-lane"] ?? "", e.attrs["data-time"] ?? "", e.attrs["data-x"] ?? ""]);

describe("the timeline as static SVG", () => {
  for (const example of ["walkthrough", "blog"]) {
    it(`matches the chart the HTML page's script draws (${example})`, async () => {
      const t = computeTimeline(await load(path.join(EXAMPLES, example)), { released: new Date("2026-12-01T00:00:00Z"), now: new Date("2026-11-20T00:00:00Z") });
      const drawn = marks(elements(await dumpDom(renderTimelineHtml(t), `timeline-${example}`)).filter((e) => e.tag !== "td" && e.tag !== "li"));
      const svg = marks(elements(renderTimelineSvg(t)));
      expect(drawn.length).toBeGreaterThan(2);
      expect(svg).toEqual(drawn);
    }, 60_000);
  }
});
