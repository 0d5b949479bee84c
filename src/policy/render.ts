import type { Diagnostic } from "../model/diagnostics.js";
import { sortFindings } from "./collector.js";
import type { PolicyFinding, PolicyResult, SeverityOverride } from "./types.js";

/** Whether the result must stop the run: a deny finding, or a malformed exemption. Warnings never do. */
export function hasDenials(r: PolicyResult): boolean {
  return r.findings.some((f) => f.severity === "deny") || r.errors.some((e) => e.severity === "error");
}

/** Spec and plan results as one (errors and exemptions reported by both appear once). */
export function mergeResults(...results: PolicyResult[]): PolicyResult {
  const unique = <T>(list: T[], key: (x: T) => string): T[] => [...new Map(list.map((x) => [key(x), x])).values()];
  return {
    findings: sortFindings(unique(results.flatMap((r) => r.findings), (f) => JSON.stringify(f))),
    exemptions: unique(results.flatMap((r) => r.exemptions), (e) => JSON.stringify(e)),
    errors: unique(results.flatMap((r) => r.errors), (d) => `${d.file}|${d.line}|${d.column}|${d.message}`),
    ...withOverrideList(unique(results.flatMap((r) => r.overrides ?? []), (o) => o.policyId)),
  };
}

function withOverrideList(overrides: SeverityOverride[]): { overrides?: SeverityOverride[] } {
  return overrides.length > 0 ? { overrides } : {};
}

/** "window-cutoff: warn (its own severity: deny)". */
function overrideText(o: SeverityOverride): string {
  return `${o.policyId}: ${o.severity === "off" ? "off (not evaluated)" : o.severity} (its own severity: ${o.was})`;
}

function counts(r: PolicyResult) {
  const denials = r.findings.filter((f) => f.severity === "deny").length;
  return {
    denials,
    warnings: r.findings.length - denials,
    exemptions: r.exemptions.length,
    errors: r.errors.filter((e) => e.severity === "error").length,
    errorWarnings: r.errors.filter((e) => e.severity !== "error").length,
    overrides: r.overrides?.length ?? 0,
  };
}

function where(f: { file: string; line: number; column?: number }): string {
  return f.column === undefined ? `${f.file}:${f.line}` : `${f.file}:${f.line}:${f.column}`;
}

function findingLine(f: PolicyFinding): string {
  return `${where(f)}: ${f.resource}${f.field ? ` ${f.field}` : ""}: [${f.policyId}] ${f.message}`;
}

function diagnosticLine(d: Diagnostic): string {
  return `${where(d)}: ${d.resource ? `${d.resource}: ` : ""}${d.message}`;
}

function summaryLine(r: PolicyResult): string {
  const n = counts(r);
  const parts = [`${n.denials} denial(s)`, `${n.warnings} warning(s)`, `${n.exemptions} exemption(s)`];
  if (n.errors) parts.push(`${n.errors} invalid exemption(s)`);
  if (n.errorWarnings) parts.push(`${n.errorWarnings} exemption warning(s)`);
  if (n.overrides) parts.push(`${n.overrides} severity override(s)`);
  return `Policies: ${parts.join(", ")}${hasDenials(r) ? " — denied" : ""}.`;
}

/** Plain text: denials, warnings, exemption problems, exemptions, then a count line. */
export function renderPolicyText(r: PolicyResult): string {
  if (r.findings.length === 0 && r.exemptions.length === 0 && r.errors.length === 0 && !r.overrides?.length) return "Policies: all passed.";
  const lines: string[] = [];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`, ...items.map((x) => `  ${x}`));
  };
  section("Policy denials", r.findings.filter((f) => f.severity === "deny").map(findingLine));
  section("Policy warnings", r.findings.filter((f) => f.severity === "warn").map(findingLine));
  section("Invalid exemptions", r.errors.filter((e) => e.severity === "error").map(diagnosticLine));
  section("Exemption warnings", r.errors.filter((e) => e.severity !== "error").map(diagnosticLine));
  section("Exemptions", r.exemptions.map((e) => `${where(e)}: ${e.resource} is exempt from [${e.policyId}]: ${e.reason}`));
  section("Severity set in patchctl.yaml", (r.overrides ?? []).map((o) => `${where(o)}: ${overrideText(o)}`));
  lines.push(summaryLine(r));
  return lines.join("\n");
}

/** The JSON form (a `policy` member of the command's document). */
export function policyResultToJson(r: PolicyResult): object {
  const n = counts(r);
  return {
    summary: { denials: n.denials, warnings: n.warnings, exemptions: n.exemptions, errors: n.errors, denied: hasDenials(r) },
    denials: r.findings.filter((f) => f.severity === "deny"),
    warnings: r.findings.filter((f) => f.severity === "warn"),
    exemptions: r.exemptions,
    errors: r.errors,
    ...(r.overrides?.length ? { severityOverrides: r.overrides } : {}),
  };
}

/** Markdown-safe inline text: no table breaks, no accidental formatting, no HTML. */
function md(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** A pull-request comment section: a summary line, then findings grouped by severity, exemptions listed. */
export function renderPolicyMarkdown(r: PolicyResult): string {
  const n = counts(r);
  const lines = ["### Policies", ""];
  if (r.findings.length === 0 && r.errors.length === 0) lines.push("All policies passed.");
  else lines.push(`${hasDenials(r) ? "**Denied**: " : ""}${n.denials} denial(s), ${n.warnings} warning(s), ${n.exemptions} exemption(s)${n.errors ? `, ${n.errors} invalid exemption(s)` : ""}.`);
  const group = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push("", `#### ${title}`, "", ...items);
  };
  const finding = (f: PolicyFinding) => `- ${code(where(f))} ${code(f.resource)}${f.field ? ` ${code(f.field)}` : ""} **${md(f.policyId)}**: ${md(f.message)}`;
  group(":no_entry: Denials", r.findings.filter((f) => f.severity === "deny").map(finding));
  group(":warning: Warnings", r.findings.filter((f) => f.severity === "warn").map(finding));
  group(":no_entry: Invalid exemptions", r.errors.filter((e) => e.severity === "error").map((d) => `- ${code(where(d))}${d.resource ? ` ${code(d.resource)}` : ""}: ${md(d.message)}`));
  group(":warning: Exemption warnings", r.errors.filter((e) => e.severity !== "error").map((d) => `- ${code(where(d))}${d.resource ? ` ${code(d.resource)}` : ""}: ${md(d.message)}`));
  group("Exemptions", r.exemptions.map((e) => `- ${code(where(e))} ${code(e.resource)} is exempt from **${md(e.policyId)}**: ${md(e.reason)}`));
  group("Severity set in patchctl.yaml", (r.overrides ?? []).map((o) => `- ${code(where(o))} **${md(o.policyId)}**: ${md(overrideText(o).slice(o.policyId.length + 2))}`));
  return lines.join("\n");
}
