import jsyaml from "js-yaml";

/**
 * The fast half of reading desired-state YAML: js-yaml, with no positions. Kept apart from
 * yaml-source.ts (which adds the position-keeping `yaml` parse) so that a worker thread can
 * run it without loading the rest.
 */

/** How deep a document may nest (the `yaml` path enforces the same). */
export const MAX_DEPTH = 64;

/**
 * YAML 1.2 core schema scalars exactly as the `yaml` package resolves them (js-yaml's own
 * int and float also take `0b…`, `1_000` and other YAML 1.1 forms, which must stay strings).
 */
const CORE_INT = new jsyaml.Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/.test(data),
  construct: (data: string) => (data.startsWith("0o") ? parseInt(data.slice(2), 8) : data.startsWith("0x") ? parseInt(data.slice(2), 16) : Number(data)),
});
const CORE_FLOAT = new jsyaml.Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && /^(?:[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(data),
  construct: (data: string) => (/nan$/i.test(data) ? NaN : /inf$/i.test(data) ? (data.startsWith("-") ? -Infinity : Infinity) : parseFloat(data)),
});
const CORE_NULL = new jsyaml.Type("tag:yaml.org,2002:null", {
  kind: "scalar",
  resolve: (data: unknown) => data === null || (typeof data === "string" && /^(?:~|null|Null|NULL)?$/.test(data)),
  construct: () => null,
});
const CORE_BOOL = new jsyaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && /^(?:true|True|TRUE|false|False|FALSE)$/.test(data),
  construct: (data: string) => data[0] === "t" || data[0] === "T",
});
const CORE_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [CORE_NULL, CORE_BOOL, CORE_INT, CORE_FLOAT] });

/** Text the fast path leaves to the `yaml` package: anchors (its alias limits guard against alias bombs). */
const ANCHOR = /(?:^|[\s[\]{},])&\S/;

/**
 * The documents of a file as js-yaml reads them, or undefined when the file needs the full
 * parser: anchors (its alias limits guard against alias bombs), anything js-yaml refuses (a
 * syntax error, duplicate key, unknown tag, nesting too deep for the stack), no documents, an
 * empty or null document, or nesting deeper than MAX_DEPTH.
 */
export function fastValues(text: string): unknown[] | undefined {
  if (text.includes("&") && ANCHOR.test(text)) return undefined;
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, undefined, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  if (values.length === 0 || values.some((v) => v === null || v === undefined || valueDepth(v, 0) > MAX_DEPTH)) return undefined;
  return values;
}

function valueDepth(v: unknown, depth: number): number {
  if (depth > MAX_DEPTH || v === null || typeof v !== "object") return depth;
  let max = depth;
  for (const child of Array.isArray(v) ? v : Object.values(v)) {
    max = Math.max(max, valueDepth(child, depth + 1));
    if (max > MAX_DEPTH) break;
  }
  return max;
}

/** Whether JSON carries the values unchanged (it has no NaN or Infinity). */
export function jsonSafe(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (v === null || typeof v !== "object") return true;
  if (Array.isArray(v)) return v.every(jsonSafe);
  for (const key in v) if (!jsonSafe((v as Record<string, unknown>)[key])) return false;
  return true;
}
