import { describe, expect, it } from "vitest";
import { recordedOutputs } from "../helpers/recorded-examples.js";
import { diffSpecs } from "../../src/diff/field-diff.js";
import type { PatchAssociationDoc, PatchingDocument } from "../../src/model/desired.js";
import { associationFromDesired, associationFromSsm, patchAssociationHandler } from "../../src/resources/patch-association.js";

/**
 * Association responses recorded against the real service (the AWS CLI's examples in Debian's
 * awscli package) through the PatchAssociation read and normalise path, compared with what a user
 * would write for the same association: no difference. The examples' documents are not patching
 * documents; the read path does not care which document runs (only the validator does).
 */

function written(name: string, spec: Omit<PatchAssociationDoc["spec"], "documentName"> & { documentName: string }): ReturnType<typeof associationFromDesired> {
  const doc: PatchAssociationDoc = { apiVersion: "patchctl/v1", kind: "PatchAssociation", metadata: { name }, spec: { ...spec, documentName: spec.documentName as PatchingDocument } };
  const { tags: _t, ...rest } = associationFromDesired(doc, {});
  return rest;
}

function differences(recorded: Record<string, unknown>, want: ReturnType<typeof written>): string[] {
  const { tags: _t, ...actual } = associationFromSsm(recorded, []);
  return diffSpecs(actual, want, patchAssociationHandler).map((f) => `${f.path}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`);
}

describe("association responses recorded against AWS read back as the desired state", () => {
  it("describe-association: versions, dates, statuses and the execution dates are dropped; DocumentVersion $DEFAULT is the default", () => {
    const [out] = recordedOutputs("describe-association.rst");
    const d = out!.AssociationDescription as Record<string, unknown>;
    const params = d.Parameters as Record<string, string[]>;
    // The console passed every parameter (empty ones as [""]): a user writes only the non-empty ones.
    const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v[0] !== ""));
    expect(differences(d, written("Inventory-Association", { documentName: "AWS-GatherSoftwareInventory", parameters: given, targets: [{ key: "InstanceIds", values: ["*"] }], scheduleExpression: "rate(24 hours)" }))).toEqual([]);
  });

  it("update-association (the schedule): ApplyOnlyAtCronInterval false reads back as left out", () => {
    const outs = recordedOutputs("update-association.rst");
    const d = outs[1]!.AssociationDescription as Record<string, unknown>;
    expect(d.ApplyOnlyAtCronInterval).toBe(false);
    expect(differences(d, written("hello", { associationName: undefined, documentName: "AWS-HelloWorld", targets: [{ key: "aws:NoOpAutomationTag", values: ["AWS-NoOpAutomationTarget-Value"] }], scheduleExpression: "cron(0 0 0/4 1/1 * ? *)" })).filter((x) => !x.startsWith("associationName"))).toEqual([]);
  });

  it("create-association: what the create answers (Pending, dates, a version) is the association as written", () => {
    const outs = recordedOutputs("create-association.rst");
    const d = outs[1]!.AssociationDescription as Record<string, unknown>;
    expect(differences(d, written("agent", { associationName: undefined, documentName: "AWS-UpdateSSMAgent", targets: [{ key: "InstanceIds", values: ["i-0cb2b964d3e14fd9f"] }] })).filter((x) => !x.startsWith("associationName"))).toEqual([]);
  });
});
