import type { Json, JsonObject } from "../model/plan.js";

type Path = (string | number)[];

function cloneWithout(value: JsonObject, path: Path): JsonObject {
  const copy = structuredClone(value);
  let holder: Json = copy;
  for (const step of path.slice(0, -1)) holder = (holder as Record<string | number, Json>)[step]!;
  delete (holder as Record<string | number, Json>)[path[path.length - 1]!];
  return copy;
}

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Drops every field whose absence means the same to the engine: SSM's read-back
 * defaults (`enabled: true`, `priority: 1`, `complianceLevel: UNSPECIFIED`, empty lists …).
 * `canonical` maps a candidate spec to the engine's normalised form; a field goes when
 * removing it leaves that form unchanged. Whole subtrees are tried before their members,
 * key order is kept. `keep` names fields written regardless ("operatingSystem",
 * "approvalRules.patchRules[].complianceLevel").
 */
export function pruneDefaults(spec: JsonObject, canonical: (candidate: JsonObject) => string, keep: ReadonlySet<string> = new Set()): JsonObject {
  const work = structuredClone(spec);
  const target = canonical(work);
  // A candidate the normaliser rejects (a policy document without its Statement) keeps the field.
  const sameWithout = (fieldPath: Path): boolean => {
    try {
      return canonical(cloneWithout(work, fieldPath)) === target;
    } catch {
      return false;
    }
  };
  const visit = (holder: Json, path: Path, label: string): void => {
    if (Array.isArray(holder)) {
      holder.forEach((item, i) => visit(item, [...path, i], `${label}[]`));
      return;
    }
    if (!isObject(holder)) return;
    for (const key of Object.keys(holder)) {
      const fieldPath = [...path, key];
      const fieldLabel = label ? `${label}.${key}` : key;
      if (!keep.has(fieldLabel) && sameWithout(fieldPath)) {
        delete holder[key];
        continue;
      }
      visit(holder[key]!, fieldPath, fieldLabel);
    }
  };
  visit(work, [], "");
  return work;
}
