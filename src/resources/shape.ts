import { createHash } from "node:crypto";
import type { Json, JsonObject } from "../model/plan.js";

/** Maps whose keys are names chosen by users (document parameters), never case-converted. */
const VERBATIM_KEY_MAPS = new Set(["parameters", "Parameters", "taskParameters", "TaskParameters"]);

function convertKeys(value: unknown, keyFn: (k: string) => string, verbatim = false): Json | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value)) return value.map((v) => convertKeys(v, keyFn) ?? null);
  if (typeof value === "object") {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const converted = convertKeys(v, keyFn, VERBATIM_KEY_MAPS.has(k));
      if (converted !== undefined) out[verbatim ? k : keyFn(k)] = converted;
    }
    return out;
  }
  return value as Json;
}

/** SSM's PascalCase shapes → the YAML's camelCase (document parameter names untouched). */
export function toCamel(value: unknown): JsonObject {
  return (convertKeys(value, (k) => k.charAt(0).toLowerCase() + k.slice(1)) ?? {}) as JsonObject;
}

/** The YAML's camelCase → SSM's PascalCase. */
export function toPascal(value: unknown): Record<string, unknown> {
  return (convertKeys(value, (k) => k.charAt(0).toUpperCase() + k.slice(1)) ?? {}) as Record<string, unknown>;
}

/** Deterministic JSON: object keys sorted. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
    .join(",")}}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Drops undefined members, empty strings, empty objects and (optionally) empty arrays. SSM reads
 * back "" for string fields that were never set (the AWS CLI's recorded update-maintenance-window-target
 * and get-maintenance-window-task examples: Description, OwnerInformation, RunCommand Comment), and
 * none of the fields patchctl compares means anything else when empty (most have a minimum length of 1).
 */
export function compact(obj: Record<string, Json | undefined>, dropEmptyArrays = false): JsonObject {
  const out: JsonObject = {};
  for (const k in obj) {
    const v = obj[k];
    if (kept(v, dropEmptyArrays)) out[k] = v;
  }
  return out;
}

/** Whether compact keeps a member's value (see there). */
export function kept(v: Json | undefined, dropEmptyArrays = false): v is Json {
  if (v === undefined || v === null || v === "") return false;
  if (typeof v !== "object") return true;
  if (Array.isArray(v)) return !dropEmptyArrays || v.length > 0;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return true;
  return false;
}

export function sortedStrings(values: readonly Json[] | undefined): string[] {
  const out = (values ?? []).map(String);
  return out.length > 1 ? out.sort() : out;
}

export function asObject(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

export function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/**
 * `{Key, Values}` filters/targets, in the order written (SSM keeps it, and the console shows
 * it); handlers declare them order-insensitive, so a reordering alone is no change.
 */
export function normalizeKeyValues(list: Json | undefined): JsonObject[] {
  return asArray(list).map((item) => {
    const o = asObject(item) ?? {};
    return { key: String(o.key ?? ""), values: asArray(o.values).map(String) } as JsonObject;
  });
}

/** Tags as a sorted map (patchctl's ownership tags included), without AWS's reserved aws: tags. */
export function tagMap(tags: Record<string, string> | { Key?: string; Value?: string }[] | undefined): JsonObject {
  const out: JsonObject = {};
  const entries: [string, string][] = Array.isArray(tags)
    ? tags.map((t) => [t.Key ?? "", t.Value ?? ""])
    : Object.entries(tags ?? {});
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (k.startsWith("aws:")) continue;
    out[k] = v;
  }
  return out;
}
