import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import { packageRoot } from "../package-root.js";
import type { SourceDocument } from "./yaml-source.js";

export type SchemaName = "Config" | "PatchBaseline" | "MaintenanceWindow" | "ServiceRole" | "PatchAssociation" | "Rollout";

const SCHEMA_FILES: Record<SchemaName, string> = {
  Config: "config.schema.json",
  PatchBaseline: "patch-baseline.schema.json",
  MaintenanceWindow: "maintenance-window.schema.json",
  ServiceRole: "service-role.schema.json",
  PatchAssociation: "patch-association.schema.json",
  Rollout: "rollout.schema.json",
};

let validators: Map<SchemaName, ValidateFunction> | undefined;

function loadValidators(): Map<SchemaName, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strict: true, unicodeRegExp: true, allowUnionTypes: true });
  const dir = path.join(packageRoot(), "schemas");
  const read = (f: string): object => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as object;
  ajv.addSchema(read("common.schema.json"), "common.schema.json");
  const map = new Map<SchemaName, ValidateFunction>();
  for (const [kind, file] of Object.entries(SCHEMA_FILES) as [SchemaName, string][]) {
    ajv.addSchema(read(file), file);
    const fn = ajv.getSchema(file);
    if (!fn) throw new Error(`schema ${file} did not compile`);
    map.set(kind, fn);
  }
  return (validators = map);
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, p: FieldPath): unknown {
  let cur: unknown = root;
  for (const seg of p) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function explain(err: ErrorObject, got: unknown): { path: (string | number)[]; message: string; atKey: boolean } {
  const p = pointerToPath(err.instancePath);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      const allowed = err.parentSchema && typeof err.parentSchema === "object" && "properties" in err.parentSchema
        ? Object.keys((err.parentSchema as { properties: object }).properties)
        : [];
      const hint = allowed.length ? ` (expected one of: ${allowed.join(", ")})` : "";
      return { path: [...p, field], message: `unknown field '${field}'${hint}`, atKey: true };
    }
    case "required":
      return { path: p, message: `missing required field '${String(params.missingProperty)}'`, atKey: false };
    case "enum":
      return { path: p, message: `must be one of ${(params.allowedValues as unknown[]).map(show).join(", ")} (got ${show(got)})`, atKey: false };
    case "const":
      return { path: p, message: `must be ${show(params.allowedValue)} (got ${show(got)})`, atKey: false };
    case "type":
      return { path: p, message: `must be ${String(params.type).replace(",", " or ")} (got ${show(got)})`, atKey: false };
    case "pattern":
      return { path: p, message: `must match ${String(params.pattern)} (got ${show(got)})`, atKey: false };
    case "propertyNames":
      return { path: p, message: `invalid key ${show(params.propertyName)}: tag keys are 1-128 characters of letters, digits, spaces and _.:/=+-@`, atKey: false };
    default:
      return { path: p, message: `${err.message ?? "is invalid"}${got !== undefined && typeof got !== "object" ? ` (got ${show(got)})` : ""}`, atKey: false };
  }
}

/** Checks one document against the JSON Schema of its kind; every violation becomes a located finding. */
export function checkAgainstSchema(kind: SchemaName, source: SourceDocument, resource: string | undefined): Diagnostic[] {
  const validate = loadValidators().get(kind)!;
  if (validate(source.value)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // A value too short or too long also fails the pattern that restates its length: say it once.
  const lengthErrors = new Set(errors.filter((e) => e.keyword === "minLength" || e.keyword === "maxLength").map((e) => e.instancePath));
  for (const err of errors) {
    if (err.keyword === "if") continue;
    if (err.keyword === "pattern" && lengthErrors.has(err.instancePath)) continue;
    const got = valueAt(source.value, pointerToPath(err.instancePath));
    const { path: p, message, atKey } = explain(err, got);
    const pos = atKey ? source.locateKey(p) : source.locate(p);
    const field = formatFieldPath(p);
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ severity: "error", file: pos.file, line: pos.line, column: pos.column, resource, field: field || undefined, message, code: "schema" });
  }
  return out;
}
