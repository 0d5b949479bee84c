import type { Diagnostic } from "../model/diagnostics.js";
import { formatDiagnostic } from "../model/diagnostics.js";

export type OutputFormat = "text" | "json" | "markdown";

export const EXIT = {
  /** In sync, applied, or valid. */
  OK: 0,
  /** An error: invalid input, a failed call, a refused plan, a policy denial. */
  ERROR: 1,
  /** Changes or drift present (reconcile --plan, drift). */
  CHANGES: 2,
} as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function parseOutputFormat(value: string | undefined, allowed: readonly OutputFormat[] = ["text", "json", "markdown"]): OutputFormat {
  const v = (value ?? "text") as OutputFormat;
  if (!allowed.includes(v)) throw new UsageError(`--output must be one of ${allowed.join(", ")} (got '${value}')`);
  return v;
}

/** Human-readable list of findings, errors first, with a count line. */
export function renderDiagnosticsText(list: Diagnostic[]): string {
  const errors = list.filter((d) => d.severity === "error");
  const warnings = list.filter((d) => d.severity === "warning");
  const lines = [...errors, ...warnings].map(formatDiagnostic);
  lines.push(`${errors.length} error(s), ${warnings.length} warning(s)`);
  return lines.join("\n");
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};
