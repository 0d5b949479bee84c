import { formatUtc } from "./format.js";
import type { GroupTimeline, PatchProperties, Timeline, WindowRun } from "./model.js";

function describePatch(p: PatchProperties): string {
  const parts: string[] = [];
  if (p.classification?.length) parts.push(`classification ${p.classification.join("/")}`);
  if (p.severity?.length) parts.push(`severity ${p.severity.join("/")}`);
  if (p.msrcSeverity?.length) parts.push(`MSRC severity ${p.msrcSeverity.join("/")}`);
  if (p.product?.length) parts.push(`product ${p.product.join("/")}`);
  return parts.length ? parts.join(", ") : "any classification, severity and product";
}

export function headline(t: Timeline): string {
  return `Rollout of a patch released ${formatUtc(t.released)} (${describePatch(t.patch)})`;
}

function installCell(r: GroupTimeline): string {
  if (r.install) return `${formatUtc(r.install.at)}${r.install.frozen?.length ? " (frozen)" : ""}`;
  return r.approval.status === "unknown" && r.installWindows.length ? "unknown" : "never";
}

function baselineCell(r: GroupTimeline): string {
  const b = r.baseline;
  if (b.source === "registered") return `${b.name} (registered)`;
  if (b.source === "desired-default") return `${b.name} (default for ${b.operatingSystem})`;
  return `${b.name} (AWS default${b.operatingSystem ? `, ${b.operatingSystem}` : ""})`;
}

function ruleCell(r: GroupTimeline): string {
  const rule = r.rule;
  if (!rule) return r.approval.status === "unknown" ? "?" : "none";
  const label = rule.index === 0 ? "AWS rule" : `rule ${rule.index}`;
  if (rule.rollout !== undefined) return `${label}: Rollout ${rule.rollout}`;
  if (rule.approveUntilDate !== undefined) return `${label}: until ${rule.approveUntilDate}`;
  if (rule.approveAfterDays !== undefined) return `${label}: +${rule.approveAfterDays}d`;
  return `${label}: at release`;
}

function approvedCell(r: GroupTimeline): string {
  return r.approval.at ? formatUtc(r.approval.at) : r.approval.status;
}

export function runCell(run: WindowRun | undefined): string {
  if (!run) return "-";
  return run.timezone === "UTC" ? `${run.window}/${run.task}` : `${run.window}/${run.task} (${run.local}, ${run.timezone})`;
}

export const HEADERS = ["INSTALL", "PATCH GROUP", "STAGE", "BASELINE", "APPROVAL RULE", "APPROVED", "WINDOW"];

/** The table cells of one row, in HEADERS order. */
export function cells(r: GroupTimeline): string[] {
  return [installCell(r), r.lane, r.stage ?? "-", baselineCell(r), ruleCell(r), approvedCell(r), runCell(r.install)];
}

/** Notes per row: why never, which default applies, window cutoffs. */
export function rowNotes(r: GroupTimeline): string[] {
  const notes: string[] = [];
  if (r.baseline.source !== "registered") notes.push(r.baseline.explanation);
  if (r.approval.status !== "approved") notes.push(r.approval.reason);
  else notes.push(`approved ${r.approval.reason}`);
  if (r.installNote) notes.push(r.installNote);
  for (const n of r.install?.notes ?? []) notes.push(n);
  return notes;
}

export function renderTimelineText(t: Timeline): string {
  const rows = [HEADERS, ...t.groups.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [headline(t), ""];
  if (t.groups.length === 0) lines.push("No patch groups in the desired state (no baseline registrations, no window targets by tag:Patch Group).");
  else for (const r of rows) lines.push(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());

  const notes = t.groups.flatMap((r) => rowNotes(r).map((n) => `  ${r.lane}: ${n}`));
  if (notes.length) lines.push("", "Notes:", ...notes);

  const scans = t.groups.flatMap((r) => r.scans.map((s) => `  ${r.lane}: ${formatUtc(s.at)}  ${runCell(s)}`));
  if (scans.length) lines.push("", "Scan-only runs (first at or after approval, or release when not approved):", ...scans);

  lines.push("");
  if (t.findings.length === 0) lines.push("Findings: none");
  else {
    lines.push("Findings:");
    for (const f of t.findings) lines.push(`  ${f.severity}: ${f.message}`);
  }
  return lines.join("\n");
}

function md(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, " ");
}

/** The same table for a pull-request comment. */
export function renderTimelineMarkdown(t: Timeline): string {
  const lines = ["### Patch rollout timeline", "", `${md(headline(t))}.`, ""];
  const mdHeaders = ["Install", "Patch group", "Stage", "Baseline", "Approval rule", "Approved", "Window"];
  if (t.groups.length === 0) lines.push("_No patch groups in the desired state._");
  else {
    lines.push(`| ${mdHeaders.join(" | ")} |`, `|${mdHeaders.map(() => "---").join("|")}|`);
    for (const r of t.groups) {
      const c = cells(r).map(md);
      c[0] = r.install ? `**${c[0]}**` : `_${c[0]}_`;
      lines.push(`| ${c.join(" | ")} |`);
    }
  }
  const notes = t.groups.flatMap((r) => rowNotes(r).map((n) => `- **${md(r.lane)}**: ${md(n)}`));
  if (notes.length) lines.push("", "<details><summary>Notes</summary>", "", ...notes, "", "</details>");
  const scans = t.groups.flatMap((r) => r.scans.map((s) => `| ${md(r.lane)} | ${md(formatUtc(s.at))} | ${md(runCell(s))} |`));
  if (scans.length) lines.push("", "<details><summary>Scan-only runs</summary>", "", "| Patch group | Scan | Window |", "|---|---|---|", ...scans, "", "</details>");
  lines.push("");
  if (t.findings.length === 0) lines.push("**Findings:** none");
  else {
    lines.push("**Findings**", "");
    for (const f of t.findings) lines.push(`- ${f.severity === "warning" ? "⚠️" : "ℹ️"} ${md(f.message)}`);
  }
  return lines.join("\n");
}

/** The versioned JSON document (formatVersion 1): the Timeline as computed. */
export function renderTimelineJson(t: Timeline): string {
  return JSON.stringify(t, null, 2);
}
