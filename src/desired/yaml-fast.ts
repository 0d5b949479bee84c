import jsyaml from "js-yaml";

/**
 * The fast half of reading desired-state YAML: js-yaml, with no positions. Kept apart from
 * yaml-source.ts (which adds the position-keeping `yaml` parse) so that a worker thread can
 * run it without loading the rest.
 */

/** How deep a document may nest (the `yaml` path enforces the same). */
export const MAX_DEPTH = 64;

/** The largest file read as YAML (yaml-source.ts reports a larger one). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * A file's bytes as text (a byte-order mark dropped), or why they cannot be YAML: larger than
 * MAX_FILE_BYTES, not UTF-8, or nothing but blanks. One decoding for the loader (decodeYamlFile in
 * yaml-source.ts, which turns a failure into its finding) and the parse workers (which leave a
 * failure to the loader).
 */
export function decodeYamlBytes(bytes: Uint8Array): { text: string } | { failure: "too-large" | "not-utf8" | "empty" } {
  if (bytes.byteLength > MAX_FILE_BYTES) return { failure: "too-large" };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { failure: "not-utf8" };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.trim() === "" ? { failure: "empty" } : { text };
}

/**
 * YAML 1.2 core schema scalars exactly as the `yaml` package resolves them (js-yaml's own
 * int and float also take `0b…`, `1_000` and other YAML 1.1 forms, which must stay strings).
 * js-yaml asks every implicit type about every plain scalar, and most scalars are names that
 * none takes: each resolver first looks at the first character, so a name costs a comparison or
 * two instead of four regular expressions (a quarter of parsing a large tree: js-yaml's failsafe
 * schema, which resolves nothing, parses the bench's fleet in 165 ms against 228 ms).
 */
const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const FLOAT = /^(?:[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** Whether a scalar can start a number: a digit, a sign or a point. */
function numberStart(data: string): boolean {
  const c = data.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

const CORE_INT = new jsyaml.Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && numberStart(data) && INT.test(data),
  construct: (data: string) => (data.startsWith("0o") ? parseInt(data.slice(2), 8) : data.startsWith("0x") ? parseInt(data.slice(2), 16) : Number(data)),
});
const CORE_FLOAT = new jsyaml.Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (data: unknown) => typeof data === "string" && numberStart(data) && FLOAT.test(data),
  construct: (data: string) => (/nan$/i.test(data) ? NaN : /inf$/i.test(data) ? (data.startsWith("-") ? -Infinity : Infinity) : parseFloat(data)),
});
const CORE_NULL = new jsyaml.Type("tag:yaml.org,2002:null", {
  kind: "scalar",
  resolve: (data: unknown) => data === null || data === "" || data === "~" || data === "null" || data === "Null" || data === "NULL",
  construct: () => null,
});
const CORE_BOOL = new jsyaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (data: unknown) => data === "true" || data === "True" || data === "TRUE" || data === "false" || data === "False" || data === "FALSE",
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
