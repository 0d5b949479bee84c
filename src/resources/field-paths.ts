import type { Json, JsonObject } from "../model/plan.js";

/**
 * Field paths as plans name them ("approvalRules.patchRules[1].approveAfterDays") and the
 * patterns handlers declare over them ("approvalRules.patchRules[].approveAfterDays", where
 * `[]` stands for any index).
 */

/** What every output prints in place of a sensitive value. */
export const REDACTED = "(sensitive)";

/** "a.b[3].c" → "a.b[].c". */
export function pathPattern(path: string): string {
  return path.includes("[") ? path.replace(/\[\d+\]/g, "[]") : path;
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Whether `path` is one of the patterns or lies inside one. */
export function withinAny(path: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  const p = pathPattern(path);
  return patterns.some((q) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`));
}

/** Whether `path` names a list declared order-insensitive (exactly, not something inside it). */
export function isUnorderedList(path: string, patterns: readonly string[]): boolean {
  return patterns.length > 0 && patterns.includes(pathPattern(path));
}

/** A handler's answer to "is the value at this path of this spec masked?". */
export type SensitiveTest = (path: string, spec: JsonObject | undefined) => boolean;

export interface Masked {
  /** The value with every sensitive part replaced by REDACTED (undefined stays undefined). */
  value: Json | undefined;
  /** Whether anything was replaced. */
  masked: boolean;
}

/**
 * A copy of `value` (found at `path` of `spec`) that is safe to print. A sensitive container
 * is masked whole unless one of its members is not sensitive (a patching document's
 * Operation among its parameters): then it is walked, and each member masked or shown.
 * Pure: `value` is not modified.
 */
export function maskValue(value: Json | undefined, path: string, spec: JsonObject | undefined, isSensitive: SensitiveTest): Masked {
  let masked = false;
  const walk = (v: Json, p: string): Json => {
    const sensitive = isSensitive(p, spec);
    if (v !== null && typeof v === "object") {
      const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
      if (sensitive && (entries.length === 0 || entries.every(([k]) => isSensitive(joinPath(p, k), spec)))) {
        masked = true;
        return REDACTED;
      }
      if (Array.isArray(v)) return v.map((x, i) => walk(x, joinPath(p, i)));
      const out: JsonObject = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, joinPath(p, k));
      return out;
    }
    if (sensitive) {
      masked = true;
      return REDACTED;
    }
    return v;
  };
  if (value === undefined) return { value, masked: false };
  const out = walk(value, path);
  return { value: out, masked };
}

function holdsValue(v: Json | undefined): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/**
 * The fields of `spec` that hold a value the handler calls sensitive, as patterns
 * ("sources[].configuration", "runCommand.parameters"): the shallowest sensitive path of each
 * branch, in the spec's order, each once. What import notes in the files it writes.
 */
export function sensitiveFields(spec: JsonObject, isSensitive: SensitiveTest): string[] {
  const found = new Set<string>();
  const walk = (v: Json | undefined, p: string): void => {
    if (!holdsValue(v)) return;
    if (p !== "" && isSensitive(p, spec)) {
      found.add(pathPattern(p));
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, joinPath(p, i)));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, joinPath(p, k));
  };
  walk(spec, "");
  return [...found];
}
