import path from "node:path";
import type { DesiredState } from "../desired/load.js";
import type { Policy } from "../policy/index.js";
import { EXEMPT_ANNOTATION, evaluateSpecPolicies, exemptionHolder, exemptionText } from "../policy/index.js";
import type { ImportedFile } from "./build.js";

/** What an exemption written by import records about the resource as it was found. */
export const AS_FOUND = "imported as found";

/** One exemption import wrote: a resource, a policy, the finding(s) it silences. */
export interface AsFoundExemption {
  /** The imported file holding the annotation (relative to the output directory). */
  file: string;
  /** The resource carrying the annotation: "MaintenanceWindow/Production-Saturdays". */
  resource: string;
  policyId: string;
  /** The findings it silences, by their subject: the resource, or a task or target of the window. */
  findings: { subject: string; field?: string; message: string }[];
}

const COMMENT = [
  "Imported as found: the policies named in patchctl/exempt deny this resource as it is in the",
  "account. Every validate and plan lists these exemptions; fix the resource, then remove its entry.",
];

/**
 * The denials of the spec policies on what import wrote, each turned into a
 * `patchctl/exempt: "<policy-id>: imported as found: <finding message>"` entry on the
 * resource whose annotation covers it (a window's, for its tasks and targets), so the
 * imported directory validates and adopts as it is while every plan keeps listing the
 * debt. `state` is the written directory as loaded; the annotations are added to `files`
 * (which the caller writes again); the exemptions are returned one per resource and policy.
 */
export function exemptAsFound(state: DesiredState, files: ImportedFile[], outDir: string, policies: readonly Policy[]): AsFoundExemption[] {
  const result = evaluateSpecPolicies(state, policies);
  const byFile = new Map(files.map((f) => [path.resolve(outDir, f.path), f]));
  const found = new Map<string, AsFoundExemption & { imported: ImportedFile }>();
  for (const f of result.findings) {
    if (f.severity !== "deny") continue;
    const holder = exemptionHolder(state.resources, f);
    const imported = holder ? byFile.get(path.resolve(holder.source.file)) : undefined;
    if (!holder || !imported) continue; // not exemptable by annotation: the caller's check reports it
    const key = `${imported.path}|${holder.key}|${f.policyId}`;
    const entry = found.get(key) ?? { file: imported.path, resource: holder.key, policyId: f.policyId, findings: [], imported };
    entry.findings.push({ subject: f.resource, ...(f.field ? { field: f.field } : {}), message: f.message });
    found.set(key, entry);
  }
  const perFile = new Map<ImportedFile, { policyId: string; reason: string }[]>();
  for (const e of found.values()) {
    const list = perFile.get(e.imported) ?? [];
    for (const message of new Set(e.findings.map((x) => x.message))) list.push({ policyId: e.policyId, reason: `${AS_FOUND}: ${message}` });
    perFile.set(e.imported, list);
  }
  for (const [file, entries] of perFile) annotate(file, entries);
  return [...found.values()].map(({ imported: _imported, ...e }) => e);
}

function annotate(file: ImportedFile, entries: { policyId: string; reason: string }[]): void {
  if (file.doc.kind === "Config") return;
  const annotations = { ...(file.doc.metadata.annotations ?? {}) };
  const before = annotations[EXEMPT_ANNOTATION];
  const text = exemptionText(entries);
  annotations[EXEMPT_ANNOTATION] = before ? `${before}\n${text}` : text;
  file.doc.metadata.annotations = annotations;
  if (!file.comments.some((c) => c.path.join("/") === "metadata/annotations")) file.comments.push({ path: ["metadata", "annotations"], lines: COMMENT });
}
