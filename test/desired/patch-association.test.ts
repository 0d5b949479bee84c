import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { associationFieldIsSensitive, associationFromDesired, associationFromSsm, patchAssociationHandler, quickSetupAssociation } from "../../src/resources/patch-association.js";
import type { PatchAssociationDoc } from "../../src/model/desired.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/**
 * PatchAssociation offline: every bad input is a file:line:column error naming the field (the JSON
 * Schema, the patching documents' parameters, State Manager's schedule rules, targets, rate
 * controls), and the handler's field rules (defaults on both sides, sensitivity, Quick Setup).
 */
const ASSOCIATION = `apiVersion: patchctl/v1
kind: PatchAssociation
metadata:
  name: nightly-scan
spec:
  documentName: AWS-RunPatchBaseline
  parameters:
    Operation: [Scan]
  targets:
    - key: tag:Patch Group
      values: [Database Servers]
  scheduleExpression: cron(0 1 * * ? *)
  maxConcurrency: 10%
  maxErrors: "1"
`;

async function diagnostics(doc: string) {
  const dir = writeTree({ "patchctl.yaml": CONFIG, "a.yaml": doc });
  const result = await loadDesiredState(dir);
  return result.diagnostics.map((d) => ({ severity: d.severity, at: `${path.relative(dir, d.file)}:${d.line}:${d.column}`, field: d.field, message: d.message }));
}

function edit(from: string, to: string): string {
  expect(ASSOCIATION).toContain(from);
  return ASSOCIATION.replace(from, to);
}

describe("PatchAssociation validation", () => {
  it("the base document is valid", async () => {
    expect(await diagnostics(ASSOCIATION)).toEqual([]);
  });

  it.each([
    ["an unknown field", edit("  maxErrors: \"1\"\n", "  maxErrors: \"1\"\n  schedule: rate(1 day)\n"), "a.yaml:15:3", "spec.schedule", /unknown field 'schedule'/],
    ["a document that is not a patching document", edit("documentName: AWS-RunPatchBaseline", "documentName: AWS-UpdateSSMAgent"), "a.yaml:6:17", "spec.documentName", /must be one of "AWS-RunPatchBaseline"/],
    ["an unknown parameter", edit("    Operation: [Scan]\n", "    Operation: [Scan]\n    Reboot: [NoReboot]\n"), "a.yaml:9:5", "spec.parameters.Reboot", /'Reboot' is not defined in AWS-RunPatchBaseline; its parameters are Operation, AssociationId/],
    ["an Operation that does not exist", edit("Operation: [Scan]", "Operation: [Patch]"), "a.yaml:8:16", "spec.parameters.Operation", /'Patch' is not a valid Operation for AWS-RunPatchBaseline; valid values: Scan, Install/],
    ["two values for a parameter", edit("Operation: [Scan]", "Operation: [Scan, Install]"), "a.yaml:8:16", "spec.parameters.Operation", /takes exactly one value/],
    ["no Operation", edit("    Operation: [Scan]\n", "    RebootOption: [NoReboot]\n"), "a.yaml:8:5", "spec.parameters", /needs the parameter Operation/],
    ["a schedule too frequent", edit("cron(0 1 * * ? *)", "rate(10 minutes)"), "a.yaml:12:23", "spec.scheduleExpression", /at most every 30 minutes/],
    ["months in a cron", edit("cron(0 1 * * ? *)", "cron(0 1 * JAN ? *)"), "a.yaml:12:23", "spec.scheduleExpression", /Month field must be \*/],
    ["a bad cron", edit("cron(0 1 * * ? *)", "cron(61 1 * * ? *)"), "a.yaml:12:23", "spec.scheduleExpression", /Minutes/],
    ["a target key of another form", edit("    - key: tag:Patch Group", "    - key: Environment"), "a.yaml:10:12", "spec.targets[0].key", /not one of InstanceIds, tag:<key>/],
    ["a bad rate control", edit("maxConcurrency: 10%", "maxConcurrency: 0%"), "a.yaml:13:19", "spec.maxConcurrency", /not a valid maxConcurrency/],
    ["no targets", edit("  targets:\n    - key: tag:Patch Group\n      values: [Database Servers]\n", ""), "a.yaml:6:3", "spec", /missing required field 'targets'/],
    ["a bad associationName", edit("  documentName:", "  associationName: a b\n  documentName:"), "a.yaml:6:20", "spec.associationName", /must match/],
  ])("%s is an error at its field", async (_what, doc, at, field, message) => {
    const errors = (await diagnostics(doc)).filter((d) => d.severity === "error");
    expect(errors.length, JSON.stringify(errors)).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({ at, field });
    expect(errors[0]!.message).toMatch(message);
  });

  it("offsets and apply-at-cron follow State Manager's rules; duration without apply-at-cron is a warning", async () => {
    const offset = await diagnostics(edit("  maxConcurrency: 10%\n", "  scheduleOffset: 2\n  maxConcurrency: 10%\n"));
    expect(offset).toMatchObject([{ severity: "error", field: "spec.scheduleOffset", message: expect.stringContaining("needs applyOnlyAtCronInterval: true") }]);
    const rate = await diagnostics(edit("cron(0 1 * * ? *)\n", "rate(1 day)\n  applyOnlyAtCronInterval: true\n"));
    expect(rate).toMatchObject([{ severity: "error", field: "spec.applyOnlyAtCronInterval", message: "applyOnlyAtCronInterval is not supported for rate expressions" }]);
    const duration = await diagnostics(edit("  maxConcurrency: 10%\n", "  duration: 2\n  maxConcurrency: 10%\n"));
    expect(duration).toMatchObject([{ severity: "warning", field: "spec.duration" }]);
    const fine = await diagnostics(edit("  maxConcurrency: 10%\n", "  scheduleOffset: 2\n  applyOnlyAtCronInterval: true\n  duration: 2\n  maxConcurrency: 10%\n"));
    expect(fine).toEqual([]);
  });

  it("two associations with one AssociationName are an error at the name", async () => {
    const second = ASSOCIATION.replace("name: nightly-scan", "name: other").replace("  documentName:", "  associationName: nightly-scan\n  documentName:");
    const dir = writeTree({ "patchctl.yaml": CONFIG, "a.yaml": ASSOCIATION, "b.yaml": second });
    const errors = (await loadDesiredState(dir)).diagnostics.filter((d) => d.severity === "error");
    expect(errors).toMatchObject([{ field: "spec.associationName", message: expect.stringContaining("SSM name 'nightly-scan' is already used by PatchAssociation/nightly-scan") }]);
  });
});

describe("overlapping scans", () => {
  const scanWindow = `apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: scan-window
spec:
  schedule: cron(0 2 ? * * *)
  duration: 2
  cutoff: 1
  targets:
    - name: dbs
      targets: [{key: "tag:Patch Group", values: [Database Servers]}]
  tasks:
    - name: scan
      taskType: RUN_COMMAND
      taskArn: AWS-RunPatchBaseline
      targets: [{key: WindowTargetIds, values: [dbs]}]
      maxConcurrency: 10%
      maxErrors: "1"
      runCommand: {parameters: {Operation: [Scan]}}
`;
  it("two schedules scanning one patch group: a warning at the second (each scan overwrites the other's compliance data)", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "a.yaml": ASSOCIATION, "w.yaml": scanWindow });
    const result = await loadDesiredState(dir);
    expect(result.state).toBeDefined();
    const warnings = result.diagnostics.filter((d) => d.code === "overlapping-scans");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: "warning", field: "spec.targets" });
    expect(warnings[0]!.message).toMatch(/association nightly-scan scans the instances tagged Patch Group=Database Servers, as task scan-window\/scan does: each scan overwrites the compliance data/);
  });

  it("a scan and an install of one group (daily scans, weekly installs) is no warning", async () => {
    const dir = writeTree({ "patchctl.yaml": CONFIG, "a.yaml": ASSOCIATION, "w.yaml": scanWindow.replace("Operation: [Scan]", "Operation: [Install]") });
    expect((await loadDesiredState(dir)).diagnostics.filter((d) => d.code === "overlapping-scans")).toEqual([]);
  });
});

describe("PatchAssociation field rules", () => {
  const doc: PatchAssociationDoc = {
    apiVersion: "patchctl/v1",
    kind: "PatchAssociation",
    metadata: { name: "scan" },
    spec: { documentName: "AWS-RunPatchBaseline", parameters: { Operation: ["Scan"], SnapshotId: [""] }, targets: [{ key: "tag:Patch Group", values: ["db"] }], scheduleExpression: "rate(1 day)" },
  };

  it("the service's defaults on both sides: what the recorded examples read back equals the YAML that left them out", () => {
    const desired = associationFromDesired(doc, {});
    // As describe-association answers for an association created with only those members.
    const actual = associationFromSsm({ Name: "AWS-RunPatchBaseline", AssociationName: "scan", DocumentVersion: "$DEFAULT", ApplyOnlyAtCronInterval: false, AssociationVersion: "4", Date: new Date(), Overview: { Status: "Success" }, Parameters: { Operation: ["Scan"] }, Targets: [{ Key: "tag:Patch Group", Values: ["db"] }], ScheduleExpression: "rate(1 day)", LastExecutionDate: new Date() }, []);
    expect(actual).toEqual(desired);
    expect(desired).toMatchObject({ documentVersion: "$DEFAULT", maxConcurrency: "100%", maxErrors: "100%", syncCompliance: "AUTO", complianceSeverity: "UNSPECIFIED", applyOnlyAtCronInterval: false, parameters: { Operation: ["Scan"], RebootOption: ["RebootIfNeeded"] } });
  });

  it("the patching document's run-deciding parameters are shown, the rest of the parameters masked", () => {
    const spec = associationFromDesired(doc, {});
    expect(associationFieldIsSensitive("parameters.Operation", spec)).toBe(false);
    expect(associationFieldIsSensitive("parameters.RebootOption", spec)).toBe(false);
    expect(associationFieldIsSensitive("parameters.StepTimeoutSeconds", spec)).toBe(true);
    expect(associationFieldIsSensitive("parameters.Operation", { ...spec, documentName: "My-Document" })).toBe(true);
    expect(associationFieldIsSensitive("scheduleExpression", spec)).toBe(false);
    expect(patchAssociationHandler.updateReason!([{ path: "tags.patchctl:owner", after: "x" }])).toBeUndefined();
    expect(patchAssociationHandler.updateReason!([{ path: "maxErrors", before: "1", after: "2" }])).toMatch(/new association version/);
  });

  it("Quick Setup's associations by name, document or tag", () => {
    expect(quickSetupAssociation("AWS-QuickSetup-PatchPolicy-scan-abc", "AWS-RunPatchBaselineAssociation", [])).toBe(true);
    expect(quickSetupAssociation("scan", "AWSQuickSetupType-PatchPolicy", [])).toBe(true);
    expect(quickSetupAssociation("scan", "AWS-RunPatchBaseline", ["QuickSetupID"])).toBe(true);
    expect(quickSetupAssociation("scan", "AWS-RunPatchBaseline", ["QSConfigName-abc"])).toBe(true);
    expect(quickSetupAssociation("nightly-scan", "AWS-RunPatchBaseline", ["patchctl:owner"])).toBe(false);
  });
});
