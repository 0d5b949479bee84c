import equal from "fast-deep-equal";
import type { FieldChange, Json, JsonObject } from "../reconciler/model.js";

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function isSensitive(path: string, sensitive: readonly string[]): boolean {
  return sensitive.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

/**
 * Field-level differences between two normalised specs, with paths.
 * Objects are compared key by key; lists of equal length element by element
 * (both sides are normalised, so set-like lists are already in one order);
 * anything else as a whole. Pure: the inputs are not modified.
 */
export function diffSpecs(before: JsonObject, after: JsonObject, sensitive: readonly string[] = []): FieldChange[] {
  if (equal(before, after)) return []; // the common case in a large plan: no walk, no closure
  const out: FieldChange[] = [];
  const walk = (b: Json | undefined, a: Json | undefined, path: string): void => {
    if (equal(b, a)) return;
    if (isObject(b) && isObject(a)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
      for (const k of keys) walk(b[k], a[k], join(path, k));
      return;
    }
    if (Array.isArray(b) && Array.isArray(a) && b.length === a.length && b.some((x) => typeof x === "object" && x !== null)) {
      b.forEach((item, i) => walk(item, a[i], join(path, i)));
      return;
    }
    const change: FieldChange = { path };
    if (b !== undefined) change.before = b;
    if (a !== undefined) change.after = a;
    if (isSensitive(path, sensitive)) change.sensitive = true;
    out.push(change);
  };
  walk(before, after, "");
  return out;
}
