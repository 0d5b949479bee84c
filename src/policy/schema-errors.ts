import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { JsonSchema } from "./types.js";

/**
 * An Ajv for schemas written by people (policy rules): unknown keywords are errors
 * (a typo such as `minimun` must not silently pass), type-strictness is off (rules
 * are fragments like `{properties: {cutoff: {minimum: 1}}}`), nothing is logged.
 */
export function newAjv(): Ajv {
  return new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false, logger: false });
}

const compiledRules = new WeakMap<object, ValidateFunction>();
/**
 * By the rule's JSON text, too: policies are loaded afresh for every prepared state (each watch
 * controller, each deployment-region), so the same rule arrives as a new object each time, and
 * compiling it again cost about 0.5 s of CPU per controller (bench scenario 8: 200 controllers).
 */
const compiledByText = new Map<string, ValidateFunction>();
const compiledBooleans = new Map<boolean, ValidateFunction>();

/** Compiles a rule once (by identity, then by its JSON text); throws when it is not a valid JSON Schema. */
export function compileRule(schema: JsonSchema): ValidateFunction {
  if (typeof schema === "boolean") {
    let fn = compiledBooleans.get(schema);
    if (!fn) compiledBooleans.set(schema, (fn = newAjv().compile(schema)));
    return fn;
  }
  let fn = compiledRules.get(schema);
  if (!fn) {
    const text = JSON.stringify(schema);
    fn = compiledByText.get(text);
    if (!fn) {
      fn = newAjv().compile(schema);
      compiledByText.set(text, fn);
    }
    compiledRules.set(schema, fn);
  }
  return fn;
}

/** One reason a value fails a schema, after combinator noise is removed. */
export interface SchemaProblem {
  /** Path of the offending value inside the validated data (for a missing field: the field). */
  path: (string | number)[];
  keyword: string;
  message: string;
  /** The field is absent (required / dependencies). */
  missing: boolean;
  params: Record<string, unknown>;
}

export function instancePath(pointer: string): (string | number)[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

const COMBINATORS = new Set(["anyOf", "oneOf"]);

/**
 * Turns Ajv's error list into the problems a person should fix:
 * - `if` errors ("must match then") are dropped; the `then` errors say what is wrong;
 * - for anyOf/oneOf, when the other branches fail only because the value has another
 *   type, the one branch of the right type is reported; otherwise the combinator
 *   error alone is (its branches are alternatives, not separate problems);
 * - one problem per field.
 */
export function summariseErrors(errors: readonly ErrorObject[] | null | undefined): SchemaProblem[] {
  const list = (errors ?? []).filter((e) => e.keyword !== "if");
  const dropped = new Set<ErrorObject>();
  const combos = list.filter((e) => COMBINATORS.has(e.keyword)).sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const c of combos) {
    if (dropped.has(c)) continue;
    const prefix = `${c.schemaPath}/`;
    const subs = list.filter((e) => e !== c && !dropped.has(e) && e.schemaPath.startsWith(prefix));
    const branches = new Map<string, ErrorObject[]>();
    for (const e of subs) {
      const branch = e.schemaPath.slice(prefix.length).split("/")[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const wrongType = (errs: ErrorObject[]) => errs.some((e) => e.keyword === "type" && e.instancePath === c.instancePath);
    const candidates = [...branches.values()].filter((errs) => !wrongType(errs));
    if (candidates.length === 1 && candidates.length < branches.size) {
      dropped.add(c);
      for (const e of subs) if (!candidates[0]!.includes(e)) dropped.add(e);
    } else {
      for (const e of subs) dropped.add(e);
    }
  }
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of list) {
    if (dropped.has(e)) continue;
    const params = e.params as Record<string, unknown>;
    let path = instancePath(e.instancePath);
    let missing = false;
    if (e.keyword === "required" || e.keyword === "dependencies" || e.keyword === "dependentRequired") {
      path = [...path, String(params.missingProperty)];
      missing = true;
    } else if (e.keyword === "additionalProperties") {
      path = [...path, String(params.additionalProperty)];
    }
    const key = JSON.stringify(path);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, keyword: e.keyword, message: e.message ?? "is invalid", missing, params });
  }
  return out;
}
