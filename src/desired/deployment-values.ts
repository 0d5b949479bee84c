import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import type { DeploymentValue } from "../model/desired.js";
import type { SourceDocument } from "./yaml-source.js";
import { VALUE_REFERENCE } from "./yaml-source.js";

const WHOLE = /^\$\{values\.([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ANY = /\$\{values\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces ${values.NAME} in every scalar of a document with the deployment's value.
 * A scalar that is exactly one reference takes the value's type (so
 * `approveAfterDays: ${values.days}` becomes a number); references inside longer strings
 * are interpolated. An undefined value is an error at the place it is used.
 */
export function substituteValues(
  source: SourceDocument,
  values: Record<string, DeploymentValue> | undefined,
  deployment: string | undefined,
  resource: string,
): { value: unknown; diagnostics: Diagnostic[] } {
  // Most documents use no values: nothing to copy (the normalisers copy before they change anything).
  if (source.hasValueReferences === false || !containsReference(source.value)) return { value: source.value, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const undefinedValue = (name: string, path: FieldPath): void => {
    const pos = source.locate(path);
    diagnostics.push({
      severity: "error",
      file: pos.file,
      line: pos.line,
      column: pos.column,
      resource,
      field: formatFieldPath(path) || undefined,
      message: deployment ? `undefined value '${name}' in deployment ${deployment} (define it under deployments[].values in patchctl.yaml)` : `\${values.${name}} used, but patchctl.yaml defines no deployments with values`,
      code: "values",
    });
  };
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === "string") {
      const whole = WHOLE.exec(v);
      if (whole) {
        const name = whole[1]!;
        if (values && Object.hasOwn(values, name)) return values[name];
        undefinedValue(name, path);
        return v;
      }
      if (!v.includes("${values.")) return v;
      return v.replace(ANY, (m, name: string) => {
        if (values && Object.hasOwn(values, name)) return String(values[name]);
        undefinedValue(name, path);
        return m;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  return { value: walk(source.value, []), diagnostics };
}

/** Whether any string in the value holds a ${values.…} reference (no allocation: most documents have none). */
function containsReference(v: unknown): boolean {
  if (typeof v === "string") return v.includes(VALUE_REFERENCE);
  if (Array.isArray(v)) return v.some(containsReference);
  if (v !== null && typeof v === "object") {
    for (const key in v) if (containsReference((v as Record<string, unknown>)[key])) return true;
  }
  return false;
}
