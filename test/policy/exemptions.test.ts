import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { evaluateSpecPolicies, exemptionText, hasDenials } from "../../src/policy/index.js";
import { builtInPolicies, evaluate, GOOD, ids, windowDoc } from "./fixtures.js";

const exempt = (text: string) => `    patchctl/exempt: ${JSON.stringify(text)}\n`;

describe("exemptions (metadata.annotations patchctl/exempt)", () => {
  it("with a reason: silence the policy for that resource and are listed with file:line", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, annotations: exempt("window-cutoff: legacy window, removed in Q1") }) });
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.exemptions).toHaveLength(1);
    expect(r.exemptions[0]).toMatchObject({ policyId: "window-cutoff", reason: "legacy window, removed in Q1", resource: "MaintenanceWindow/win", line: 6 });
    expect(path.basename(r.exemptions[0]!.file)).toBe("w.yaml");
    expect(hasDenials(r)).toBe(false);
  });

  it("on a window also cover its tasks and targets", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ output: "", annotations: exempt("install-output-logged: output goes to the instance's own log shipper") }) });
    expect(r.findings).toEqual([]);
    expect(r.exemptions.map((e) => `${e.policyId}:${e.resource}`)).toEqual(["install-output-logged:MaintenanceWindow/win"]);
  });

  it("several, separated by ';' or newlines", async () => {
    const block = "    patchctl/exempt: |\n      window-cutoff: legacy window; window-timezone: runs in UTC\n      install-output-logged: logs shipped by the agent\n";
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, timezone: false, output: "", annotations: block }) });
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.exemptions.map((e) => `${e.policyId}: ${e.reason}`).sort()).toEqual(["install-output-logged: logs shipped by the agent", "window-cutoff: legacy window", "window-timezone: runs in UTC"]);
  });

  it("a ';' inside a reason stays in it; one followed by a policy id and ':' (or an id alone) starts another entry", async () => {
    const text = "window-cutoff: kept as found; set cutoff to 1 later (cutoff is 0: must be >= 1); window-timezone: UTC by convention";
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, timezone: false, annotations: exempt(text) }) });
    expect(r.errors).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.exemptions.map((e) => `${e.policyId}: ${e.reason}`).sort()).toEqual(["window-cutoff: kept as found; set cutoff to 1 later (cutoff is 0: must be >= 1)", "window-timezone: UTC by convention"]);
    const missing = await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, annotations: exempt("window-cutoff: legacy; window-timezone") }) });
    expect(missing.errors.map((e) => e.message)).toEqual([expect.stringContaining("exemption from 'window-timezone' has no reason")]);
  });

  it("exemptionText writes entries that read back as exactly those policies and reasons", async () => {
    const entries = [
      { policyId: "window-cutoff", reason: "imported as found: windows of 2 hours or longer stop starting new tasks at least 1 hour before the end; set cutoff to 1 or more (cutoff is 0: must be >= 1)" },
      { policyId: "install-output-logged", reason: "imported as found: install tasks must keep their output; set runCommand.outputS3BucketName" },
      { policyId: "window-timezone", reason: "a reason with a ';' that looks like an entry; note: kept in this reason" },
    ];
    const text = exemptionText(entries);
    expect(text.split("\n")).toHaveLength(3);
    const block = `    patchctl/exempt: |-\n${text.split("\n").map((l) => `      ${l}\n`).join("")}`;
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, timezone: false, output: "", annotations: block }) });
    expect(r.errors).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(Object.fromEntries(r.exemptions.map((e) => [e.policyId, e.reason]))).toEqual({
      "window-cutoff": entries[0]!.reason,
      "install-output-logged": entries[1]!.reason,
      "window-timezone": "a reason with a ';' that looks like an entry, note: kept in this reason",
    });
  });

  it("without a reason: an error that denies, at the annotation, and the finding stays", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ duration: 3, cutoff: 0, annotations: exempt("window-cutoff") }) });
    expect(ids(r)).toEqual(["deny:window-cutoff"]);
    expect(r.errors).toEqual([
      expect.objectContaining({
        severity: "error",
        line: 6,
        resource: "MaintenanceWindow/win",
        field: "metadata.annotations.patchctl/exempt",
        message: `exemption from 'window-cutoff' has no reason: write "window-cutoff: <why this resource is exempt>" so reviewers can judge it`,
      }),
    ]);
    expect(hasDenials(r)).toBe(true);
    // Even when the exempted policy only warns, a malformed exemption denies.
    const warnOnly = await evaluate({ ...GOOD, "w.yaml": windowDoc({ timezone: false, annotations: exempt("window-timezone:   ") }) });
    expect(ids(warnOnly)).toEqual(["warn:window-timezone"]);
    expect(hasDenials(warnOnly)).toBe(true);
  });

  it("naming no loaded policy, or silencing nothing: a warning, not a denial", async () => {
    const r = await evaluate({ ...GOOD, "w.yaml": windowDoc({ annotations: exempt("window-cutof: typo; window-cutoff: not needed any more") }) });
    expect(r.findings).toEqual([]);
    expect(r.errors.map((e) => [e.severity, e.message])).toEqual([
      ["warning", expect.stringMatching(/^exemption from 'window-cutof': no such policy is loaded \(known: .*window-cutoff/)],
      ["warning", "exemption from 'window-cutoff' is not needed: MaintenanceWindow/win passes it; remove the exemption"],
    ]);
    expect(hasDenials(r)).toBe(false);
  });
});

describe("the shipped examples", () => {
  it.each(["examples/walkthrough", "examples/blog", "examples/recipe"])("%s passes every built-in (with justified exemptions only)", async (dir) => {
    const loaded = await loadDesiredState(dir);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const r = evaluateSpecPolicies(loaded.state!, await builtInPolicies());
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(hasDenials(r)).toBe(false);
    for (const e of r.exemptions) {
      expect(e.reason.length, `${e.resource} ${e.policyId}`).toBeGreaterThan(40);
      expect(path.dirname(e.file)).toBe(dir);
    }
  });

  it("exempt only what reproduces the published documents verbatim", async () => {
    const listed: string[] = [];
    for (const dir of ["examples/walkthrough", "examples/blog", "examples/recipe"]) {
      const r = evaluateSpecPolicies((await loadDesiredState(dir)).state!, await builtInPolicies());
      listed.push(...r.exemptions.map((e) => `${e.resource}:${e.policyId}`));
    }
    expect(listed.sort()).toEqual([
      "MaintenanceWindow/Patch_Front-End-Servers:window-timezone",
      "MaintenanceWindow/Production-Saturdays:install-output-logged",
      "MaintenanceWindow/Production-Saturdays:window-cutoff",
      "MaintenanceWindow/Production-Saturdays:window-timezone",
      "MaintenanceWindow/Production-Tuesdays:install-output-logged",
      "MaintenanceWindow/Production-Tuesdays:window-timezone",
      "MaintenanceWindow/patch-window:production-install-concurrency",
      "PatchBaseline/Prod-WindowsServer2016-Critical-5Day:production-approval-delay",
    ]);
  });
});
