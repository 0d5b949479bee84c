import type { Timeline } from "./model.js";

/**
 * The rollout timeline chart as static SVG markup: the same lanes, marks, classes and data-*
 * attributes the `timeline --output html` page's script draws, computed here so that a page
 * served under a CSP without script (the status page) shows it too.
 */

const DAY = 86_400_000;

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join("");
}

/** The chart's styles (scoped by the classes the SVG uses). */
export const TIMELINE_SVG_CSS = `
svg.timeline{display:block;max-width:100%;height:auto;border:1px solid #d1d9e0;border-radius:6px;background:#fafbfc}
svg.timeline .axis line{stroke:#d1d9e0}
svg.timeline .axis text{fill:#59636e;font-size:11px}
svg.timeline .lane-bg{fill:#fff;fill-opacity:0}
svg.timeline .lane:nth-child(even) .lane-bg{fill:#eaeef2;fill-opacity:.5}
svg.timeline .lane-label{font-size:12px;fill:#1f2328}
svg.timeline .release{stroke:#8250df;stroke-width:2;stroke-dasharray:4 3}
svg.timeline .release-label{fill:#8250df;font-size:11px}
svg.timeline .wait{stroke:#9198a1;stroke-width:2}
svg.timeline .mark.approval{fill:#0969da}
svg.timeline .mark.install{fill:#1a7f37}
svg.timeline .mark.scan{fill:none;stroke:#9a6700;stroke-width:2}
svg.timeline .never{fill:#cf222e;font-size:12px;font-style:italic}
`;

/** One `<svg class="timeline">`: a lane per patch group, the release as a dashed line, approval (diamond), install (square) and scan (ring) marks. */
export function renderTimelineSvg(t: Timeline): string {
  const released = Date.parse(t.released);
  const times = [released];
  for (const g of t.groups) {
    if (g.approval.at) times.push(Date.parse(g.approval.at));
    if (g.install) times.push(Date.parse(g.install.at));
    for (const s of g.scans) times.push(Date.parse(s.at));
  }
  const t0 = Math.floor(Math.min(...times) / DAY) * DAY;
  const t1 = Math.max(Math.floor(Math.max(...times) / DAY) * DAY + DAY, t0 + 7 * DAY);
  const days = Math.round((t1 - t0) / DAY);
  const labelW = 240;
  const plotW = Math.max(640, Math.min(days * 48, 1600));
  const top = 34;
  const laneH = 38;
  const width = labelW + plotW + 48;
  const height = top + Math.max(t.groups.length, 1) * laneH + 12;
  const x = (ms: number): number => Math.round((labelW + ((ms - t0) / (t1 - t0)) * plotW) * 10) / 10;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline"${attrs({ viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "patch rollout timeline", "data-lanes": t.groups.length })}>`);
  out.push(`<g class="axis">`);
  const step = days <= 31 ? 1 : days <= 120 ? 7 : 30;
  for (let d = 0; d <= days; d += step) {
    const tx = x(t0 + d * DAY);
    out.push(`<line${attrs({ x1: tx, x2: tx, y1: top - 6, y2: height - 6 })}/><text${attrs({ x: tx + 2, y: top - 10 })}>${new Date(t0 + d * DAY).toISOString().slice(5, 10)}</text>`);
  }
  out.push(`</g><g class="lanes">`);
  t.groups.forEach((g, i) => {
    const y = top + i * laneH;
    const cy = y + laneH / 2;
    out.push(`<g class="lane"${attrs({ "data-lane": g.lane, "data-index": i })}>`);
    out.push(`<rect class="lane-bg"${attrs({ x: 0, y, width, height: laneH })}/>`);
    out.push(`<text class="lane-label"${attrs({ x: 8, y: cy + 4 })}>${esc(g.lane)}</text>`);
    const ax = g.approval.at ? x(Date.parse(g.approval.at)) : undefined;
    const ix = g.install ? x(Date.parse(g.install.at)) : undefined;
    if (ax !== undefined && ix !== undefined) out.push(`<line class="wait"${attrs({ x1: ax, x2: ix, y1: cy, y2: cy, "data-lane": g.lane })}/>`);
    for (const s of g.scans) {
      const sx = x(Date.parse(s.at));
      out.push(`<circle class="mark scan"${attrs({ cx: sx, cy, r: 5, "data-lane": g.lane, "data-time": s.at, "data-x": sx, "data-window": s.window })}><title>${esc(`scan ${s.at} (${s.window}/${s.task})`)}</title></circle>`);
    }
    if (ax !== undefined) {
      out.push(`<path class="mark approval"${attrs({ d: `M${ax} ${cy - 7}l7 7l-7 7l-7 -7z`, "data-lane": g.lane, "data-time": g.approval.at!, "data-x": ax })}><title>${esc(`approved ${g.approval.at}: ${g.approval.reason}`)}</title></path>`);
    }
    if (g.install && ix !== undefined) {
      out.push(`<rect class="mark install"${attrs({ x: ix - 6, y: cy - 6, width: 12, height: 12, "data-lane": g.lane, "data-time": g.install.at, "data-x": ix, "data-window": g.install.window })}><title>${esc(`install ${g.install.at} (${g.install.window}/${g.install.task}, ${g.install.local})`)}</title></rect>`);
    } else {
      const word = g.approval.status === "never" ? "never approved" : g.approval.status === "unknown" ? "approval unknown" : "never installed";
      out.push(`<text class="never"${attrs({ x: (ax ?? x(released)) + 12, y: cy + 4, "data-lane": g.lane })}>${word}</text>`);
    }
    out.push(`</g>`);
  });
  const rx = x(released);
  out.push(`</g><line class="release"${attrs({ x1: rx, x2: rx, y1: top - 4, y2: height - 6, "data-time": t.released, "data-x": rx })}/>`);
  out.push(`<text class="release-label"${attrs({ x: rx + 4, y: height - 8 })}>released</text></svg>`);
  return out.join("\n");
}
