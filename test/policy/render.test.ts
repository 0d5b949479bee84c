import { describe, expect, it } from "vitest";
import type { PolicyResult } from "../../src/policy/index.js";
import { hasDenials, policyResultToJson, renderPolicyMarkdown, renderPolicyText } from "../../src/policy/index.js";

const RESULT: PolicyResult = {
  findings: [
    { policyId: "window-timezone", severity: "warn", message: "set scheduleTimezone", file: "p/w.yaml", line: 5, column: 1, resource: "MaintenanceWindow/win", field: "spec.scheduleTimezone" },
    { policyId: "install-concurrency", severity: "deny", message: 'at most 50% (maxConcurrency is "75%")', file: "p/w.yaml", line: 18, column: 23, resource: "WindowTask/win/install", field: "spec.tasks[0].maxConcurrency" },
  ],
  exemptions: [{ policyId: "window-cutoff", reason: "legacy window | removed in Q1", resource: "MaintenanceWindow/old", file: "p/old.yaml", line: 6 }],
  errors: [{ severity: "error", file: "p/x.yaml", line: 7, column: 5, resource: "PatchBaseline/x", field: "metadata.annotations.patchctl/exempt", message: "exemption from 'window-cutoff' has no reason", code: "policy-exemption" }],
};

describe("policy output", () => {
  it("text: grouped by severity, each with file:line, resource, policy id and message; exemptions listed", () => {
    expect(renderPolicyText(RESULT)).toBe(
      [
        "Policy denials (1):",
        '  p/w.yaml:18:23: WindowTask/win/install spec.tasks[0].maxConcurrency: [install-concurrency] at most 50% (maxConcurrency is "75%")',
        "Policy warnings (1):",
        "  p/w.yaml:5:1: MaintenanceWindow/win spec.scheduleTimezone: [window-timezone] set scheduleTimezone",
        "Invalid exemptions (1):",
        "  p/x.yaml:7:5: PatchBaseline/x: exemption from 'window-cutoff' has no reason",
        "Exemptions (1):",
        "  p/old.yaml:6: MaintenanceWindow/old is exempt from [window-cutoff]: legacy window | removed in Q1",
        "Policies: 1 denial(s), 1 warning(s), 1 exemption(s), 1 invalid exemption(s) — denied.",
      ].join("\n"),
    );
    expect(renderPolicyText({ findings: [], exemptions: [], errors: [] })).toBe("Policies: all passed.");
  });

  it("markdown: a section for the pull-request comment, escaped", () => {
    const md = renderPolicyMarkdown(RESULT);
    expect(md).toMatch(/^### Policies\n\n\*\*Denied\*\*: 1 denial\(s\), 1 warning\(s\), 1 exemption\(s\), 1 invalid exemption\(s\)\./);
    expect(md.indexOf("#### :no_entry: Denials")).toBeLessThan(md.indexOf("#### :warning: Warnings"));
    expect(md).toContain('- `p/w.yaml:18:23` `WindowTask/win/install` `spec.tasks[0].maxConcurrency` **install-concurrency**: at most 50% (maxConcurrency is "75%")');
    expect(md).toContain("- `p/old.yaml:6` `MaintenanceWindow/old` is exempt from **window-cutoff**: legacy window \\| removed in Q1");
    expect(renderPolicyMarkdown({ findings: [], exemptions: [], errors: [] })).toBe("### Policies\n\nAll policies passed.");
  });

  it("json: denials, warnings, exemptions and errors with a summary", () => {
    const json = policyResultToJson(RESULT) as { summary: Record<string, unknown>; denials: unknown[]; warnings: unknown[]; exemptions: unknown[]; errors: unknown[] };
    expect(json.summary).toEqual({ denials: 1, warnings: 1, exemptions: 1, errors: 1, denied: true });
    expect(json.denials).toEqual([RESULT.findings[1]]);
    expect(json.warnings).toEqual([RESULT.findings[0]]);
    expect(json.exemptions).toEqual(RESULT.exemptions);
    expect(json.errors).toEqual(RESULT.errors);
  });

  it("hasDenials: deny findings and invalid exemptions deny; warnings never do", () => {
    expect(hasDenials(RESULT)).toBe(true);
    expect(hasDenials({ ...RESULT, errors: [] })).toBe(true);
    expect(hasDenials({ findings: [RESULT.findings[0]!], exemptions: RESULT.exemptions, errors: [] })).toBe(false);
    expect(hasDenials({ findings: [], exemptions: [], errors: [{ ...RESULT.errors[0]!, severity: "warning" }] })).toBe(false);
  });
});
