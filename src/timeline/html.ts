import { formatUtc } from "./format.js";
import type { Timeline } from "./model.js";
import { cells, HEADERS, headline, rowNotes, runCell } from "./render.js";

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}
p.sub{margin:0 0 16px;color:#59636e}
#chart svg{display:block;max-width:100%;height:auto;border:1px solid #d1d9e0;border-radius:6px;background:#fafbfc}
.axis line{stroke:#d1d9e0}
.axis text{fill:#59636e;font-size:11px}
.lane-bg{fill:#fff;fill-opacity:0}
.lane:nth-child(even) .lane-bg{fill:#eaeef2;fill-opacity:.5}
.lane-label{font-size:12px;fill:#1f2328}
.release{stroke:#8250df;stroke-width:2;stroke-dasharray:4 3}
.release-label{fill:#8250df;font-size:11px}
.wait{stroke:#9198a1;stroke-width:2}
.mark.approval{fill:#0969da}
.mark.install{fill:#1a7f37}
.mark.scan{fill:none;stroke:#9a6700;stroke-width:2}
.never{fill:#cf222e;font-size:12px;font-style:italic}
.legend span{display:inline-block;margin-right:16px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
table{border-collapse:collapse;margin-top:16px}
th,td{border:1px solid #d1d9e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.never{color:#cf222e;font-style:italic}
ul.findings li.warning::marker{content:"\\26A0  "}
`;

/**
 * Draws the chart from the embedded data: one lane per patch group, the release as
 * a dashed line, approval (diamond), install (square) and scan (ring) marks. Every
 * mark carries class "mark <kind>", data-lane, data-time (ISO) and data-x.
 */
const SCRIPT = `
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  var host = document.getElementById("chart");
  var lanes = data.groups;
  var released = Date.parse(data.released);
  var times = [released];
  lanes.forEach(function (g) {
    if (g.approval.at) times.push(Date.parse(g.approval.at));
    if (g.install) times.push(Date.parse(g.install.at));
    g.scans.forEach(function (s) { times.push(Date.parse(s.at)); });
  });
  var t0 = Math.floor(Math.min.apply(null, times) / DAY) * DAY;
  var t1 = Math.max(Math.floor(Math.max.apply(null, times) / DAY) * DAY + DAY, t0 + 7 * DAY);
  var days = Math.round((t1 - t0) / DAY);
  var labelW = 240, plotW = Math.max(640, Math.min(days * 48, 1600)), top = 34, laneH = 38;
  var width = labelW + plotW + 48, height = top + Math.max(lanes.length, 1) * laneH + 12;
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function x(t) { return Math.round((labelW + (t - t0) / (t1 - t0) * plotW) * 10) / 10; }
  function title(parent, text) { var t = el("title", {}, parent); t.textContent = text; }
  var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", "aria-label": "patch rollout timeline", "data-lanes": lanes.length });
  var axis = el("g", { "class": "axis" }, svg);
  var step = days <= 31 ? 1 : days <= 120 ? 7 : 30;
  for (var d = 0; d <= days; d += step) {
    var tx = x(t0 + d * DAY);
    el("line", { x1: tx, x2: tx, y1: top - 6, y2: height - 6 }, axis);
    var lab = el("text", { x: tx + 2, y: top - 10 }, axis);
    lab.textContent = new Date(t0 + d * DAY).toISOString().slice(5, 10);
  }
  var lanesG = el("g", { "class": "lanes" }, svg);
  lanes.forEach(function (g, i) {
    var y = top + i * laneH, cy = y + laneH / 2;
    var lane = el("g", { "class": "lane", "data-lane": g.lane, "data-index": i }, lanesG);
    el("rect", { "class": "lane-bg", x: 0, y: y, width: width, height: laneH }, lane);
    var label = el("text", { "class": "lane-label", x: 8, y: cy + 4 }, lane);
    label.textContent = g.lane;
    var ax = g.approval.at ? x(Date.parse(g.approval.at)) : null;
    var ix = g.install ? x(Date.parse(g.install.at)) : null;
    if (ax !== null && ix !== null) el("line", { "class": "wait", x1: ax, x2: ix, y1: cy, y2: cy, "data-lane": g.lane }, lane);
    g.scans.forEach(function (s) {
      var sx = x(Date.parse(s.at));
      var c = el("circle", { "class": "mark scan", cx: sx, cy: cy, r: 5, "data-lane": g.lane, "data-time": s.at, "data-x": sx, "data-window": s.window }, lane);
      title(c, "scan " + s.at + " (" + s.window + "/" + s.task + ")");
    });
    if (ax !== null) {
      var a = el("path", { "class": "mark approval", d: "M" + ax + " " + (cy - 7) + "l7 7l-7 7l-7 -7z", "data-lane": g.lane, "data-time": g.approval.at, "data-x": ax }, lane);
      title(a, "approved " + g.approval.at + ": " + g.approval.reason);
    }
    if (ix !== null) {
      var m = el("rect", { "class": "mark install", x: ix - 6, y: cy - 6, width: 12, height: 12, "data-lane": g.lane, "data-time": g.install.at, "data-x": ix, "data-window": g.install.window }, lane);
      title(m, "install " + g.install.at + " (" + g.install.window + "/" + g.install.task + ", " + g.install.local + ")");
    } else {
      var n = el("text", { "class": "never", x: (ax !== null ? ax : x(released)) + 12, y: cy + 4, "data-lane": g.lane }, lane);
      n.textContent = g.approval.status === "never" ? "never approved" : g.approval.status === "unknown" ? "approval unknown" : "never installed";
    }
  });
  var rx = x(released);
  el("line", { "class": "release", x1: rx, x2: rx, y1: top - 4, y2: height - 6, "data-time": data.released, "data-x": rx }, svg);
  var rl = el("text", { "class": "release-label", x: rx + 4, y: height - 8 }, svg);
  rl.textContent = "released";
  host.appendChild(svg);
  document.documentElement.setAttribute("data-chart", "drawn");
})();
`;

/**
 * A self-contained HTML page (inline CSS and script, no network: a CSP forbids
 * every fetch) with the timeline chart, the table, notes and findings.
 */
export function renderTimelineHtml(t: Timeline): string {
  const head = headline(t);
  const rows = t.groups
    .map((r) => {
      const c = cells(r);
      return `<tr data-lane="${esc(r.lane)}">${c.map((v, i) => `<td${i === 0 && !r.install ? ' class="never"' : ""}>${esc(v)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  const notes = t.groups.flatMap((r) => rowNotes(r).map((n) => `<li><strong>${esc(r.lane)}</strong>: ${esc(n)}</li>`)).join("\n");
  const scans = t.groups.flatMap((r) => r.scans.map((s) => `<li><strong>${esc(r.lane)}</strong>: ${esc(formatUtc(s.at))} — ${esc(runCell(s))}</li>`)).join("\n");
  const findings = t.findings.map((f) => `<li class="${f.severity}" data-kind="${f.kind}">${esc(f.message)}</li>`).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Patch rollout timeline</title>
<style>${CSS}</style>
</head>
<body>
<h1>Patch rollout timeline</h1>
<p class="sub">${esc(head)}</p>
<p class="legend"><span><i style="background:#0969da"></i>approved</span><span><i style="background:#1a7f37"></i>installed (window start)</span><span><i style="border:2px solid #9a6700;border-radius:50%;width:6px;height:6px"></i>scan</span><span><i style="background:#8250df"></i>released</span></p>
<div id="chart"></div>
<noscript><p>The chart needs JavaScript; the table below has the same data.</p></noscript>
<table>
<thead><tr>${HEADERS.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
${notes ? `<h2>Notes</h2>\n<ul class="notes">\n${notes}\n</ul>` : ""}
${scans ? `<h2>Scan-only runs</h2>\n<ul class="scans">\n${scans}\n</ul>` : ""}
<h2>Findings</h2>
${findings ? `<ul class="findings">\n${findings}\n</ul>` : "<p>None.</p>"}
<script type="application/json" id="timeline-data">${scriptJson(t)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
