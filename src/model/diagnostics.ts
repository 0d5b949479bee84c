/** A place in a desired-state file. Lines and columns are 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/** A path into a document, e.g. ["spec", "tasks", 0, "maxErrors"]. */
export type FieldPath = readonly (string | number)[];

export type Severity = "error" | "warning";

/**
 * One finding about the desired state: where it is, which resource and field,
 * and what is expected. Validation collects all of them before reporting.
 */
export interface Diagnostic {
  severity: Severity;
  file: string;
  line: number;
  column: number;
  /** "PatchBaseline/production-baseline", when the finding belongs to a resource. */
  resource?: string;
  /** "spec.approvalRules.patchRules[0].approveAfterDays" */
  field?: string;
  message: string;
  /** Stable machine-readable code, e.g. "schema", "yaml", "quota", "schedule". */
  code: string;
}

export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const what = [d.resource, d.field].filter(Boolean).join(" ");
  return `${where}: ${d.severity}: ${what ? `${what}: ` : ""}${d.message}`;
}

/** Thrown for a bad input that stops a command; carries every finding. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "DiagnosticsError";
  }
}
