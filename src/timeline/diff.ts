import { formatUtc } from "./format.js";
import type { GroupTimeline, Timeline } from "./model.js";

function installText(r: GroupTimeline): string {
  return r.install ? formatUtc(r.install.at) : r.approval.status === "unknown" ? "unknown" : "never installed";
}

function approvalText(r: GroupTimeline): string {
  return r.approval.at ? formatUtc(r.approval.at) : r.approval.status === "unknown" ? "unknown" : "never";
}

function baselineText(r: GroupTimeline): string {
  const b = r.baseline;
  return b.source === "registered" ? b.name : b.source === "desired-default" ? `${b.name} (default for ${b.operatingSystem})` : `${b.name} (AWS default)`;
}

/**
 * How the rollout changes between two timelines (computed for the same patch),
 * one line per change, e.g.
 * "Database Servers install moves from Sat 2026-12-05 22:00 UTC to Tue 2026-12-01 22:00 UTC".
 * Empty when nothing changes. Rows are matched by lane (the patch group).
 */
export function diffTimelines(before: Timeline, after: Timeline): string[] {
  const lines: string[] = [];
  const old = new Map(before.groups.map((r) => [r.lane, r]));
  const now = new Map(after.groups.map((r) => [r.lane, r]));

  for (const a of after.groups) {
    const b = old.get(a.lane);
    if (!b) {
      lines.push(a.install ? `${a.lane} is new: install ${installText(a)} (${a.install.window})` : `${a.lane} is new: ${a.installNote ?? installText(a)}`);
      continue;
    }
    if (baselineText(a) !== baselineText(b)) lines.push(`${a.lane} baseline changes from ${baselineText(b)} to ${baselineText(a)}`);
    if (approvalText(a) !== approvalText(b)) lines.push(`${a.lane} approval moves from ${approvalText(b)} to ${approvalText(a)}`);
    const bi = installText(b);
    const ai = installText(a);
    if (ai !== bi) {
      if (a.install && b.install) lines.push(`${a.lane} install moves from ${bi} to ${ai}`);
      else if (a.install) lines.push(`${a.lane} is now installed ${ai} (${a.install.window}); before: ${bi}`);
      else lines.push(`${a.lane} is no longer installed (was ${bi}): ${a.installNote ?? ai}`);
    } else if (a.install && b.install && a.install.window !== b.install.window) {
      lines.push(`${a.lane} install moves from window ${b.install.window} to ${a.install.window} (same time, ${ai})`);
    }
  }
  for (const b of before.groups) {
    if (!now.has(b.lane)) lines.push(`${b.lane} is no longer in the desired state (was: install ${installText(b)})`);
  }

  const oldFindings = new Set(before.findings.map((f) => f.message));
  const newFindings = new Set(after.findings.map((f) => f.message));
  for (const f of after.findings) if (!oldFindings.has(f.message)) lines.push(`new ${f.severity}: ${f.message}`);
  for (const f of before.findings) if (!newFindings.has(f.message)) lines.push(`resolved: ${f.message}`);
  return lines;
}
