import { readFileSync } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import { findDesiredStateFiles } from "../desired/find-files.js";
import { parseYamlFile } from "../desired/yaml-source.js";
import type { SourceDocument } from "../desired/yaml-source.js";
import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import { packageRoot } from "../package-root.js";
import { compileRule, summariseErrors } from "./schema-errors.js";
import type { SchemaProblem } from "./schema-errors.js";
import { PLAN_CHECKS, SPEC_KINDS } from "./types.js";
import type { JsonSchema, MatchKind, Policy, PolicyCheck, PolicySelector } from "./types.js";

export { builtInPolicyDir, builtInPolicyIds } from "../desired/built-in-policies.js";
import { builtInPolicyDir } from "../desired/built-in-policies.js";

let validator: ValidateFunction | undefined;

/**
 * schemas/policy.schema.json, compiled once. `match` may be one selector or a list;
 * documents are validated with `match` normalised to a list (so a bad selector is
 * reported precisely rather than as "must match a schema in anyOf").
 */
function policyValidator(): ValidateFunction {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(path.join(packageRoot(), "schemas", "policy.schema.json"), "utf8")) as {
    properties: Record<string, unknown>;
    definitions: { selector: unknown };
  };
  schema.properties.match = { type: "array", minItems: 1, items: { $ref: "#/definitions/selector" } };
  validator = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
  return validator;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function valueAt(root: unknown, p: readonly (string | number)[]): unknown {
  let v = root;
  for (const seg of p) {
    if (Array.isArray(v) && typeof seg === "number") v = v[seg];
    else if (isRecord(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}

function policyError(source: SourceDocument, at: FieldPath, message: string, key = false): Diagnostic {
  const pos = key ? source.locateKey(at) : source.locate(at);
  const field = formatFieldPath(at);
  return { severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: "Policy", field: field || undefined, message, code: "policy" };
}

/** A sentence for one schema problem in a policy document. */
function describeProblem(problem: SchemaProblem, doc: Record<string, unknown>): string {
  const field = formatFieldPath(problem.path) || "the document";
  const value = valueAt(doc, problem.path);
  const got = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
  switch (problem.keyword) {
    case "required":
      return problem.path.length === 1
        ? `missing '${field}': a policy needs id, description, severity, match, a rule or a check, and message`
        : `missing '${field}'`;
    case "additionalProperties":
      return `unknown field '${field}'`;
    case "enum":
      return `${field} must be one of ${(problem.params.allowedValues as unknown[]).map(String).join(", ")}${got}`;
    case "const":
      if (problem.path[0] === "scope") {
        const what = doc.check !== undefined ? `check '${String(doc.check)}'` : "a rule";
        return `${what} is evaluated on the ${problem.params.allowedValue === "plan" ? "plan" : "desired state"}: scope must be '${String(problem.params.allowedValue)}'${got}`;
      }
      return `${field} must be ${JSON.stringify(problem.params.allowedValue)}${got}`;
    case "oneOf":
      return "give either 'rule' (a JSON Schema for the matched spec) or 'check' (a built-in check), exactly one of them";
    case "pattern":
      if (problem.path[0] === "id") return `id must be 3-64 lowercase letters, digits or '-', starting with a letter or digit${got}`;
      return `${field} ${problem.message}${got}`;
    case "maxProperties":
      return problem.path[0] === "parameters" ? `this ${doc.check !== undefined ? `check (${String(doc.check)})` : "policy"} takes no parameters` : `${field} ${problem.message}`;
    default:
      return `${field} ${problem.message}${got}`;
  }
}

const CHECK_KINDS: Record<PolicyCheck, readonly MatchKind[] | undefined> = {
  "stage-staggering": ["PatchBaseline", "Any"],
  "rejected-not-approved": ["PatchBaseline", "Any"],
  "patch-groups-registered": ["MaintenanceWindow", "WindowTarget", "PatchAssociation", "Any"],
  "destructive-changes": undefined,
  "max-deletions": undefined,
  "overlapping-schedules": ["PatchAssociation", "WindowTask", "Any"],
};

/** Turns one document into a policy, or explains why it is not one. `disabled` documents come back as such. */
function readPolicyDocument(source: SourceDocument, origin: Policy["origin"], errors: Diagnostic[]): Policy | { disabled: string; source: string } | undefined {
  const value = source.value;
  if (!isRecord(value)) {
    errors.push(policyError(source, [], "expected a Policy document: a mapping with apiVersion: patchctl/v1, kind: Policy, id, description, severity, match, a rule or a check, and message"));
    return undefined;
  }
  if (value.kind !== "Policy") {
    errors.push(policyError(source, value.kind === undefined ? [] : ["kind"], value.kind === undefined ? "missing kind: expected 'kind: Policy'" : `a policy directory holds only 'kind: Policy' documents (got kind ${JSON.stringify(value.kind)})`));
    return undefined;
  }
  const single = value.match !== undefined && !Array.isArray(value.match);
  const normalised = { ...value, ...(single ? { match: [value.match] } : {}) };
  const validate = policyValidator();
  const id = typeof value.id === "string" ? value.id : undefined;
  const label = `invalid policy${id ? ` '${id}'` : ""}`;
  if (!validate(normalised)) {
    for (const problem of summariseErrors(validate.errors)) {
      const p = single && problem.path[0] === "match" && problem.path[1] === 0 ? ["match", ...problem.path.slice(2)] : problem.path;
      const shown: SchemaProblem = { ...problem, path: p };
      errors.push(policyError(source, p, `${label}: ${describeProblem(shown, value)}`, problem.keyword === "additionalProperties"));
    }
    return undefined;
  }
  const where = `${source.file}:${source.pos.line}`;
  if (value.disabled === true) return { disabled: value.id as string, source: where };
  const check = value.check as PolicyCheck | undefined;
  const selectors = (normalised.match as PolicySelector[]).map((s) => ({ ...s }));
  const at = (i: number, ...rest: (string | number)[]): (string | number)[] => (single ? ["match", ...rest] : ["match", i, ...rest]);
  let ok = true;
  const schemaError = (p: (string | number)[], what: string, err: unknown) => {
    errors.push(policyError(source, p, `${label}: ${what} is not a valid JSON Schema: ${(err as Error).message}`));
    ok = false;
  };
  if (value.rule !== undefined) {
    try {
      compileRule(value.rule as JsonSchema);
    } catch (err) {
      schemaError(["rule"], "rule", err);
    }
  }
  selectors.forEach((s, i) => {
    if (s.spec !== undefined) {
      try {
        compileRule(s.spec);
      } catch (err) {
        schemaError(at(i, "spec"), "match.spec", err);
      }
    }
    const allowed = check ? CHECK_KINDS[check] : [...SPEC_KINDS, "Any"];
    if (allowed && !allowed.includes(s.kind)) {
      errors.push(policyError(source, at(i, "kind"), `${label}: ${check ? `check '${check}'` : "a rule"} applies to ${allowed.filter((k) => k !== "Any").join(" or ")}, not ${s.kind}`));
      ok = false;
    }
    const plan = check !== undefined && (PLAN_CHECKS as readonly string[]).includes(check);
    if (plan && s.targetTags !== undefined) {
      errors.push(policyError(source, at(i, "targetTags"), `${label}: targetTags applies to spec policies only; on a plan, select by kind, tags and names`, true));
      ok = false;
    }
  });
  if (!ok) return undefined;
  const scope = check !== undefined && (PLAN_CHECKS as readonly string[]).includes(check) ? "plan" : "spec";
  return {
    id: value.id as string,
    description: value.description as string,
    severity: value.severity as Policy["severity"],
    scope,
    match: selectors,
    rule: value.rule as JsonSchema | undefined,
    check,
    parameters: isRecord(value.parameters) ? value.parameters : {},
    message: value.message as string,
    source: where,
    origin,
  };
}

async function policyFiles(location: string, errors: Diagnostic[], builtIn: boolean): Promise<string[]> {
  if (builtIn) {
    const names = await readdir(location);
    return names.filter((n) => /\.ya?ml$/i.test(n)).sort().map((n) => path.join(location, n));
  }
  let info;
  try {
    info = await stat(location);
  } catch {
    errors.push({ severity: "error", file: location, line: 1, column: 1, message: "--policies: no such file or directory", code: "policy" });
    return [];
  }
  if (info.isFile()) return [location];
  const found = await findDesiredStateFiles(location);
  errors.push(...found.diagnostics.map((d) => ({ ...d, code: "policy" })));
  return found.files;
}

async function readPolicies(location: string, origin: Policy["origin"], errors: Diagnostic[]): Promise<(Policy | { disabled: string; source: string })[]> {
  const out: (Policy | { disabled: string; source: string })[] = [];
  const seen = new Map<string, string>();
  for (const file of await policyFiles(location, errors, origin === "built-in")) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      errors.push({ severity: "error", file, line: 1, column: 1, message: `cannot read policy file: ${(err as Error).message}`, code: "policy" });
      continue;
    }
    const parsed = parseYamlFile(file, bytes);
    errors.push(...parsed.diagnostics.map((d) => ({ ...d, code: "policy" })));
    for (const doc of parsed.documents) {
      const p = readPolicyDocument(doc, origin, errors);
      if (!p) continue;
      const id = "disabled" in p ? p.disabled : p.id;
      const first = seen.get(id);
      if (first !== undefined) {
        errors.push(policyError(doc, ["id"], `duplicate policy id '${id}': already defined at ${first}`));
        continue;
      }
      seen.set(id, p.source);
      out.push(p);
    }
  }
  return out;
}

/**
 * The built-in policies (<package>/policies/*.yaml) merged with the user's (`userDir`: a
 * directory, read recursively, or one file). A user policy replaces the built-in with
 * the same id; `disabled: true` removes it. Malformed policies are errors with file:line.
 */
export async function loadPolicies(userDir?: string): Promise<{ policies: Policy[]; errors: Diagnostic[] }> {
  const errors: Diagnostic[] = [];
  const byId = new Map<string, Policy>();
  for (const p of await readPolicies(builtInPolicyDir(), "built-in", errors)) {
    if ("disabled" in p) byId.delete(p.disabled);
    else byId.set(p.id, p);
  }
  if (userDir !== undefined) {
    for (const p of await readPolicies(userDir, "user", errors)) {
      if ("disabled" in p) byId.delete(p.disabled);
      else byId.set(p.id, p);
    }
  }
  return { policies: [...byId.values()], errors };
}
