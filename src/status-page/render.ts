import type { ComplianceReport } from "../compliance/report.js";
import type { Timeline } from "../timeline/index.js";
import { formatUtc, renderTimelineSvg, TIMELINE_SVG_CSS, timelineHeadline } from "../timeline/index.js";
import type { CycleSample, RegionState, StatusPage, StatusRegion, StatusReplica } from "./model.js";
import { REGION_STATES } from "./model.js";
import { REDACTED } from "../diff/redact.js";

/**
 * The status page as one self-contained HTML document: inline CSS, inline SVG, no script, no
 * fetch of any kind, so it works offline, from a file, and under STATUS_PAGE_CSP. It refreshes
 * itself with `<meta http-equiv="refresh">` when the model says how often. Every value from the
 * account or the desired state is HTML-escaped.
 */

/** The Content-Security-Policy the page is served with (and declares itself). */
export const STATUS_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function esc(text: string | number): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const STATE_WORD: Record<RegionState, string> = { "in-sync": "in sync", drifted: "drifted", applying: "applying", failed: "failed", frozen: "frozen", suspended: "suspended" };

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:14px 24px;display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
header h1{font-size:18px;margin:0}
header .sub{color:#d1d9e0;font-size:13px}
header .counts span{display:inline-block;margin-right:10px;font-size:13px}
main{padding:16px 24px 32px;max-width:1400px}
h2{font-size:16px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid #d1d9e0}
h3{font-size:14px;margin:16px 0 6px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.card{background:#fff;border:1px solid #d1d9e0;border-left:6px solid #9198a1;border-radius:6px;padding:10px 12px}
.card h3{margin:0 0 6px;display:flex;justify-content:space-between;align-items:center;gap:8px}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0;font-size:13px}
.card dt{color:#59636e}
.card dd{margin:0;overflow-wrap:anywhere}
.card .reason{font-size:13px;margin:4px 0;overflow-wrap:anywhere}
.badge{font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;color:#fff;background:#59636e;white-space:nowrap}
.state-in-sync{border-left-color:#1a7f37}.state-in-sync .badge{background:#1a7f37}
.state-drifted{border-left-color:#bf8700}.state-drifted .badge{background:#9a6700}
.state-applying{border-left-color:#0969da}.state-applying .badge{background:#0969da}
.state-failed{border-left-color:#cf222e}.state-failed .badge{background:#cf222e}
.state-frozen{border-left-color:#218bff}.state-frozen .badge{background:#0550ae}
.state-suspended{border-left-color:#8c959f}.state-suspended .badge{background:#6e7781}
table{border-collapse:collapse;background:#fff;margin:4px 0 8px;font-size:13px}
th,td{border:1px solid #d1d9e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eaeef2;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.bad{color:#cf222e;font-weight:600}
code,.val{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere;white-space:pre-wrap}
.before{background:#ffebe9}.after{background:#dafbe1}
.sensitive{color:#59636e;font-style:italic}
td.path code,td.file code{white-space:nowrap}
.refused{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:6px 10px;margin:6px 0}
.muted{color:#59636e}
.exec-failed td.status{color:#cf222e;font-weight:600}
svg.history{display:block;margin-top:6px;background:#fafbfc;border:1px solid #eaeef2;border-radius:4px}
svg.history .bar{fill:#54aeff}svg.history .bar.failed{fill:#ff8182}
svg.history .calls{fill:none;stroke:#8250df;stroke-width:1.5}
svg.history .applied{fill:#1a7f37}
svg.history text{font-size:10px;fill:#59636e}
.legend span{display:inline-block;margin-right:12px;font-size:12px;color:#59636e}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
details{margin:4px 0}
.scroll{overflow-x:auto}
${TIMELINE_SVG_CSS}
`;

function label(r: StatusRegion): string {
  return r.deployment !== undefined ? `${r.deployment} / ${r.region}` : r.region;
}

/** "2026-12-02 11:58 UTC (3 min ago)" */
function when(iso: string | undefined, now: number): string {
  if (iso === undefined) return "never";
  const ms = now - Date.parse(iso);
  const ago = Number.isNaN(ms) ? "" : ms < 0 ? "" : ms < 60_000 ? ` (${Math.round(ms / 1000)} s ago)` : ms < 3_600_000 ? ` (${Math.round(ms / 60_000)} min ago)` : ms < 172_800_000 ? ` (${Math.round(ms / 3_600_000)} h ago)` : ` (${Math.round(ms / 86_400_000)} d ago)`;
  return `${formatUtc(iso)}${ago}`;
}

function card(r: StatusRegion, now: number): string {
  const rows: [string, string][] = [];
  rows.push(["commit", r.commit ? `<code>${esc(r.commit.slice(0, 12))}</code>` : r.lastCycle ? "unknown" : "none yet"]);
  if (r.badCommit) rows.push(["refused commit", `<code>${esc(r.badCommit.slice(0, 12))}</code> (invalid; the commit above stays in force)`]);
  if (r.owner) rows.push(["owner", esc(r.owner)]);
  rows.push(["last cycle", esc(when(r.lastCycle, now))]);
  rows.push(["last full read", esc(when(r.lastFullRead, now))]);
  const a = r.lastApply;
  rows.push(["last apply", a ? `${a.ok ? "ok" : "<strong>failed</strong>"}: ${a.applied} applied${a.failed ? `, ${a.failed} failed` : ""} — ${esc(when(a.at, now))}` : "nothing applied yet"]);
  rows.push(["changes", r.changes.length === 0 ? "none" : `${r.changes.length} drifted${r.refused.length ? ", refused" : ""}`]);
  return `<section class="card state-${r.state}" data-state="${r.state}" data-deployment="${esc(r.deployment ?? "")}" data-region="${esc(r.region)}">
<h3><span class="name">${esc(label(r))}</span><span class="badge">${STATE_WORD[r.state]}</span></h3>
${r.reason ? `<p class="reason">${esc(r.reason)}</p>` : ""}
<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
${historyChart(r.history)}
</section>`;
}

/** Bars: each cycle's duration (red: failed); line: its AWS calls; green dot with a number: changes applied. */
function historyChart(h: CycleSample[]): string {
  if (h.length === 0) return `<p class="muted">No cycles yet.</p>`;
  const W = 296;
  const H = 64;
  const pad = 12;
  const slot = (W - 8) / Math.max(h.length, 10);
  const maxMs = Math.max(...h.map((s) => s.ms), 1);
  const maxCalls = Math.max(...h.map((s) => s.calls), 1);
  const plotH = H - pad - 4;
  const bars = h.map((s, i) => {
    const bh = Math.max(1, Math.round((s.ms / maxMs) * plotH));
    const x = 4 + i * slot;
    const tip = `${formatUtc(s.at)}: ${s.ok ? "ok" : "failed"}, ${s.ms} ms, ${s.calls} call(s), ${s.applied} applied`;
    return `<rect class="bar${s.ok ? "" : " failed"}" x="${x.toFixed(1)}" y="${H - 4 - bh}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${bh}" data-at="${esc(s.at)}" data-ms="${s.ms}" data-calls="${s.calls}" data-applied="${s.applied}"><title>${esc(tip)}</title></rect>`;
  });
  const pts = h.map((s, i) => `${(4 + i * slot + slot / 2 - 1).toFixed(1)},${(H - 4 - (s.calls / maxCalls) * plotH).toFixed(1)}`);
  const applied = h.flatMap((s, i) => (s.applied > 0 ? [`<circle class="applied" cx="${(4 + i * slot + slot / 2 - 1).toFixed(1)}" cy="6" r="3"><title>${s.applied} applied</title></circle>`] : []));
  return `<svg xmlns="http://www.w3.org/2000/svg" class="history" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="last ${h.length} cycles" data-cycles="${h.length}">
${bars.join("")}
${h.length > 1 ? `<polyline class="calls" points="${pts.join(" ")}"/>` : ""}
${applied.join("")}
<text x="${W - 4}" y="${pad - 2}" text-anchor="end">max ${maxMs} ms · ${maxCalls} calls</text>
</svg>
<details><summary class="muted">last ${h.length} cycle(s)</summary><table><thead><tr><th>time</th><th>result</th><th>duration</th><th>calls</th><th>applied</th></tr></thead><tbody>
${[...h].reverse().map((s) => `<tr><td>${esc(formatUtc(s.at))}</td><td${s.ok ? "" : ' class="bad"'}>${s.ok ? "ok" : "failed"}</td><td class="num">${s.ms} ms</td><td class="num">${s.calls}</td><td class="num">${s.applied}</td></tr>`).join("\n")}
</tbody></table></details>`;
}

function value(v: string | undefined, side: "before" | "after", sensitive: boolean): string {
  if (v === undefined) return `<td class="muted">(absent)</td>`;
  if (sensitive && v === REDACTED) return `<td class="sensitive">(sensitive)</td>`;
  return `<td class="${side}"><span class="val">${esc(v)}</span></td>`;
}

function changesSection(regions: StatusRegion[]): string {
  const withChanges = regions.filter((r) => r.changes.length > 0 || r.refused.length > 0);
  if (withChanges.length === 0) return `<h2>Drifted and refused changes</h2><p class="muted">None: every deployment-region is in sync with the desired state.</p>`;
  const parts = withChanges.map((r) => {
    const refused = r.refused.length ? `<div class="refused"><strong>Refused, nothing applied:</strong><ul>${r.refused.map((x) => `<li data-code="${esc(x.code)}">${esc(x.message)}</li>`).join("")}</ul></div>` : "";
    const rows = r.changes.flatMap((c) => {
      const head = `<td rowspan="${Math.max(c.fields.length, 1)}"><code>${esc(c.key)}</code></td><td rowspan="${Math.max(c.fields.length, 1)}">${esc(c.drift)}${c.deferred ? `<br><span class="muted">deferred: ${esc(c.deferred)}</span>` : ""}</td>`;
      if (c.fields.length === 0) return [`<tr class="change" data-key="${esc(c.key)}" data-action="${esc(c.action)}">${head}<td colspan="3" class="muted">(whole resource: ${esc(c.action)})</td></tr>`];
      return c.fields.map((f, i) => `<tr class="field" data-key="${esc(c.key)}" data-action="${esc(c.action)}" data-path="${esc(f.path)}">${i === 0 ? head : ""}<td class="path"><code>${esc(f.path)}</code></td>${value(f.before, "before", f.sensitive)}${value(f.after, "after", f.sensitive)}</tr>`);
    });
    return `<h3 data-region="${esc(r.region)}">${esc(label(r))}</h3>${refused}${rows.length ? `<div class="scroll"><table class="changes"><thead><tr><th>resource</th><th>change</th><th>field</th><th>in the account</th><th>desired</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>` : ""}`;
  });
  return `<h2>Drifted and refused changes</h2>\n${parts.join("\n")}`;
}

function rolloutsSection(regions: StatusRegion[]): string {
  const rows = grouped(regions, (r) => r.rollouts ?? []).map(({ item: ro, where }) => `<tr class="rollout" data-key="${esc(ro.key)}"><td>${esc(where)}</td><td><code>${esc(ro.key)}</code></td><td><ul>${ro.stages.map((s) => `<li class="stage">${esc(s)}</li>`).join("")}</ul></td></tr>`);
  if (rows.length === 0) return "";
  return `<h2>Rollouts</h2>
<p class="muted">What the next reconcile does with each stage's approval cut-off: promote, wait for the soak, or stay blocked, and why.</p>
<table class="rollouts"><thead><tr><th>where</th><th>rollout</th><th>stages</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

/** Items that are the same in several deployment-regions, listed once with the regions they hold in. */
function grouped<T>(regions: StatusRegion[], items: (r: StatusRegion) => T[]): { item: T; where: string }[] {
  const out = new Map<string, { item: T; where: string[] }>();
  for (const r of regions) {
    for (const item of items(r)) {
      const key = JSON.stringify(item);
      const entry = out.get(key) ?? { item, where: [] };
      entry.where.push(label(r));
      out.set(key, entry);
    }
  }
  return [...out.values()].map((e) => ({ item: e.item, where: e.where.length === regions.length && regions.length > 1 ? "all" : e.where.join(", ") }));
}

function policySection(regions: StatusRegion[]): string {
  const rows = grouped(regions, (r) => r.findings).map(({ item: f, where }) => `<tr class="finding" data-policy="${esc(f.policyId)}"><td>${esc(where)}</td><td>${esc(f.severity)}</td><td><code>${esc(f.policyId)}</code></td><td><code>${esc(f.resource)}</code>${f.field ? ` <code>${esc(f.field)}</code>` : ""}</td><td>${esc(f.message)}</td><td class="file"><code>${esc(f.where)}</code></td></tr>`);
  const ex = grouped(regions, (r) => r.exemptions).map(({ item: e, where }) => `<tr class="exemption" data-policy="${esc(e.policyId)}"><td>${esc(where)}</td><td><code>${esc(e.policyId)}</code></td><td><code>${esc(e.resource)}</code></td><td>${esc(e.reason)}</td><td class="file"><code>${esc(e.where)}</code></td></tr>`);
  return `<h2>Policy findings and exemptions</h2>
${rows.length ? `<table><thead><tr><th>where</th><th>severity</th><th>policy</th><th>resource</th><th>finding</th><th>file</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>` : `<p class="muted">No findings.</p>`}
${ex.length ? `<h3>Exemptions</h3><table><thead><tr><th>where</th><th>policy</th><th>resource</th><th>reason</th><th>file</th></tr></thead><tbody>${ex.join("\n")}</tbody></table>` : `<p class="muted">No exemptions.</p>`}`;
}

/**
 * Replicas sharing the deployment-regions: this replica's id, the live replicas it counts, its share
 * and which deployment-regions it holds; the others' are held by the other replicas (or waiting for
 * their lease), each on its own page.
 */
function replicaSection(replica: StatusReplica | undefined, regions: StatusRegion[]): string {
  if (!replica) return "";
  const held = new Set(replica.holding);
  const elsewhere = regions.map((r) => (r.deployment !== undefined ? `${r.deployment}/${r.region}` : `/${r.region}`)).filter((k) => !held.has(k));
  const list = (keys: string[], cls: string): string => (keys.length ? `<ul class="${cls}">${keys.map((k) => `<li data-key="${esc(k)}"><code>${esc(k)}</code></li>`).join("")}</ul>` : `<p class="muted">none</p>`);
  return `<h2>Replica</h2>
<table class="replica" data-id="${esc(replica.id)}" data-live="${replica.live}" data-share="${replica.share}" data-holding="${replica.holding.length}"><tbody>
<tr><th>this replica</th><td><code>${esc(replica.id)}</code></td></tr>
<tr><th>live replicas</th><td class="num">${replica.live}</td></tr>
<tr><th>share</th><td>at most ${replica.share} of ${Math.max(regions.length, replica.holding.length)} deployment-region(s)</td></tr>
<tr><th>holding</th><td>${replica.holding.length}${replica.holding.length > replica.share ? " (over its share: released at the next cycles)" : ""}</td></tr>
</tbody></table>
<h3>Held by this replica (its write leases)</h3>
${list(replica.holding, "holding")}
<h3>Not held here (the other replicas' share, or waiting for a lease)</h3>
${list(elsewhere, "elsewhere")}`;
}

function timelineSection(t: Timeline | undefined): string {
  if (!t) return "";
  const rows = t.groups.map((g) => `<tr data-lane="${esc(g.lane)}"><td>${esc(g.lane)}</td><td>${esc(g.approval.at ? formatUtc(g.approval.at) : g.approval.status)}</td><td${g.install ? "" : ' class="bad"'}>${esc(g.install ? formatUtc(g.install.at) : "never")}</td><td>${esc(g.install?.window ?? "")}</td></tr>`);
  return `<h2>Rollout timeline</h2>
<p class="muted">${esc(timelineHeadline(t))}</p>
<p class="legend"><span><i style="background:#0969da"></i>approved</span><span><i style="background:#1a7f37"></i>installed (window start)</span><span><i style="border:2px solid #9a6700;border-radius:50%;width:8px;height:8px"></i>scan</span><span><i style="background:#8250df"></i>released</span></p>
<div class="scroll">${renderTimelineSvg(t)}</div>
<table><thead><tr><th>patch group</th><th>approved</th><th>installed</th><th>window</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>
${t.findings.length ? `<ul class="findings">${t.findings.map((f) => `<li data-kind="${esc(f.kind)}">${esc(f.message)}</li>`).join("")}</ul>` : ""}`;
}

/** Window execution statuses that are not a failure (SSM's MaintenanceWindowExecutionStatus). */
const NOT_FAILED = new Set(["SUCCESS", "IN_PROGRESS", "PENDING", "CANCELLING"]);

function complianceTables(c: ComplianceReport): string {
  const num = (n: number | undefined, bad = false): string => `<td class="num${bad && (n ?? 0) > 0 ? " bad" : ""}">${n ?? 0}</td>`;
  const groups = c.groups.map((g) => `<tr class="group" data-group="${esc(g.patchGroup)}"><td>${esc(g.patchGroup)}</td>${num(g.state.Instances)}${num(g.state.InstancesWithMissingPatches, true)}${num(g.state.InstancesWithFailedPatches, true)}${num(g.state.InstancesWithInstalledPendingRebootPatches, true)}</tr>`);
  const runs = c.windows
    .flatMap((w) => w.executions.map((e) => ({ window: w.window, ...e, failed: !NOT_FAILED.has(e.status) })))
    .sort((a, b) => Number(b.failed) - Number(a.failed) || String(b.start ?? "").localeCompare(String(a.start ?? "")))
    .slice(0, 12);
  const never = c.windows.filter((w) => w.executions.length === 0).map((w) => w.window);
  return `<table class="groups"><thead><tr><th>patch group</th><th>instances</th><th>missing</th><th>failed</th><th>pending reboot</th></tr></thead><tbody>${groups.join("\n") || `<tr><td colspan="5" class="muted">no patch groups</td></tr>`}</tbody></table>
<table class="executions"><thead><tr><th>window</th><th>status</th><th>started</th><th>ended</th></tr></thead><tbody>${runs.map((e) => `<tr class="execution${e.failed ? " exec-failed" : ""}" data-window="${esc(e.window)}" data-status="${esc(e.status)}"><td>${esc(e.window)}</td><td class="status">${esc(e.status)}</td><td>${esc(e.start ? formatUtc(e.start) : "")}</td><td>${esc(e.end ? formatUtc(e.end) : "")}</td></tr>`).join("\n") || `<tr><td colspan="4" class="muted">no executions</td></tr>`}</tbody></table>
${never.length ? `<p class="muted">Never ran: ${never.map(esc).join(", ")}</p>` : ""}`;
}

function complianceSection(regions: StatusRegion[]): string {
  const parts = regions.map((r) => `<h3>${esc(label(r))}</h3>${r.compliance ? complianceTables(r.compliance) : `<p class="muted">${esc(r.complianceError ? `not read: ${r.complianceError}` : r.state === "failed" && !r.lastCycle ? "not read: this deployment-region failed (see its card)" : "not read yet")}</p>`}`);
  return `<h2>Patch compliance</h2>\n${parts.join("\n")}`;
}

export function renderStatusPage(page: StatusPage): string {
  const now = Date.parse(page.generatedAt);
  const counts = REGION_STATES.map((s) => [s, page.regions.filter((r) => r.state === s).length] as const).filter(([, n]) => n > 0);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(STATUS_PAGE_CSP.split("; ").filter((d) => !d.startsWith("frame-ancestors")).join("; "))}">
${page.refreshSeconds !== undefined ? `<meta http-equiv="refresh" content="${Math.max(1, Math.round(page.refreshSeconds))}">\n` : ""}<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(page.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(page.title)}</h1><span class="sub">generated ${esc(formatUtc(page.generatedAt))}${page.refreshSeconds !== undefined ? `, refreshes every ${Math.round(page.refreshSeconds)} s` : ""}</span>
<span class="counts">${counts.map(([s, n]) => `<span>${n} ${STATE_WORD[s]}</span>`).join("")}</span></header>
<main>
<h2>Deployment-regions</h2>
<div class="cards">
${page.regions.map((r) => card(r, now)).join("\n")}
</div>
${replicaSection(page.replica, page.regions)}
${changesSection(page.regions)}
${rolloutsSection(page.regions)}
${policySection(page.regions)}
${timelineSection(page.timeline)}
${complianceSection(page.regions)}
</main>
</body>
</html>
`;
}
