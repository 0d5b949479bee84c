/**
 * AWS's own patching Command documents and their parameters: the one table the validator
 * (src/desired/semantic-check.ts) and the local endpoint's CreateAssociation / UpdateAssociation
 * (src/local-ssm/ssm/associations.ts) read, so both give the same verdict. From the user guide's
 * pages "SSM Command document for patching: AWS-RunPatchBaseline" (Operation required; AssociationId,
 * Snapshot ID, InstallOverrideList, RebootOption, BaselineOverride, StepTimeoutSeconds optional),
 * "…: AWS-RunPatchBaselineAssociation" (Operation, BaselineTags, AssociationId, InstallOverrideList,
 * RebootOption) and "…: AWS-RunPatchBaselineWithHooks" (Operation, Snapshot ID, InstallOverrideList,
 * RebootOption, PreInstallHookDocName, PostInstallHookDocName, OnExitHookDocName). The documents'
 * content itself is not reproduced; see docs/ssm-fidelity.md, "Associations".
 */

export interface DocumentParameter {
  /** Values the document allows; any string when absent. */
  allowed?: readonly string[];
  /** The document's default, when it has one. */
  default?: string;
}

export interface PatchingDocumentInfo {
  name: string;
  parameters: Readonly<Record<string, DocumentParameter>>;
  /** Parameters that must be given. AssociationId of AWS-RunPatchBaselineAssociation is documented as required, but AWS's own create-association example leaves it out (State Manager fills it in): not listed. */
  required: readonly string[];
}

const OPERATION: DocumentParameter = { allowed: ["Scan", "Install"] };
const REBOOT: DocumentParameter = { allowed: ["RebootIfNeeded", "NoReboot"], default: "RebootIfNeeded" };
const TEXT: DocumentParameter = { default: "" };
const HOOK: DocumentParameter = { default: "AWS-Noop" };

export const PATCHING_DOCUMENT_INFO: Readonly<Record<string, PatchingDocumentInfo>> = {
  "AWS-RunPatchBaseline": {
    name: "AWS-RunPatchBaseline",
    parameters: { Operation: OPERATION, AssociationId: TEXT, SnapshotId: TEXT, InstallOverrideList: TEXT, RebootOption: REBOOT, BaselineOverride: TEXT, StepTimeoutSeconds: { default: "7200" } },
    required: ["Operation"],
  },
  "AWS-RunPatchBaselineAssociation": {
    name: "AWS-RunPatchBaselineAssociation",
    parameters: { Operation: OPERATION, BaselineTags: TEXT, AssociationId: TEXT, InstallOverrideList: TEXT, RebootOption: REBOOT },
    required: ["Operation"],
  },
  "AWS-RunPatchBaselineWithHooks": {
    name: "AWS-RunPatchBaselineWithHooks",
    parameters: { Operation: OPERATION, SnapshotId: TEXT, InstallOverrideList: TEXT, RebootOption: REBOOT, PreInstallHookDocName: HOOK, PostInstallHookDocName: HOOK, OnExitHookDocName: HOOK },
    required: ["Operation"],
  },
};

/** What is wrong with a document's parameters (each problem names the parameter), empty when nothing. */
export function parameterProblems(documentName: string, parameters: Readonly<Record<string, readonly string[]>> | undefined): { parameter: string; message: string; unknown?: boolean }[] {
  const info = PATCHING_DOCUMENT_INFO[documentName];
  if (!info) return [];
  const given = parameters ?? {};
  const out: { parameter: string; message: string; unknown?: boolean }[] = [];
  const known = Object.keys(info.parameters);
  for (const [name, values] of Object.entries(given)) {
    const p = info.parameters[name];
    if (!p) {
      out.push({ parameter: name, message: `parameter '${name}' is not defined in ${documentName}; its parameters are ${known.join(", ")}`, unknown: true });
      continue;
    }
    if (values.length !== 1) {
      out.push({ parameter: name, message: `parameter '${name}' of ${documentName} takes exactly one value (got ${values.length})` });
      continue;
    }
    if (p.allowed && !p.allowed.includes(values[0]!)) out.push({ parameter: name, message: `'${values[0]}' is not a valid ${name} for ${documentName}; valid values: ${p.allowed.join(", ")}` });
  }
  for (const name of info.required) if (!(name in given)) out.push({ parameter: name, message: `${documentName} needs the parameter ${name} (${(info.parameters[name]?.allowed ?? []).join(" or ")})` });
  return out;
}
