import type { FieldChange, Json, JsonObject } from "../model/plan.js";
import { isUnorderedList, joinPath, maskValue } from "../resources/field-paths.js";
import type { SensitiveTest } from "../resources/field-paths.js";
import { jsonEqual as equal } from "../util/json-equal.js";

/** What a resource handler declares about its fields (a ResourceHandler is one). */
export interface DiffRules {
  /** Whether the value at a path of a spec is masked; sets FieldChange.sensitive. */
  isSensitive?: SensitiveTest;
  /** List paths compared as multisets (`[]` for any index). */
  unorderedLists?: readonly string[];
}

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
}

function isComposite(v: Json | undefined): v is JsonObject | Json[] {
  return v !== null && v !== undefined && typeof v === "object";
}

/**
 * Field-level differences between two normalised specs, with paths.
 * Objects are compared key by key. A list the handler declares order-insensitive is a
 * multiset: equal multisets are no change; otherwise equal entries are paired first, the
 * rest by greatest similarity (then by position), and each pair is diffed, so one changed
 * field of one approval rule is one change. Paths use the desired side's index; entries only
 * on the actual side are numbered after the desired list's end. Other lists of objects of
 * equal length are compared element by element; anything else as a whole.
 * Pure: the inputs are not modified.
 */
export function diffSpecs(before: JsonObject, after: JsonObject, rules: DiffRules = {}): FieldChange[] {
  if (equal(before, after)) return []; // the common case in a large plan: no walk, no closure
  const r = rules;
  const unordered = r.unorderedLists ?? [];
  const same = sameValue(unordered);
  const out: FieldChange[] = [];
  const walk = (b: Json | undefined, a: Json | undefined, path: string): void => {
    if (equal(b, a)) return;
    // Objects are walked key by key without asking `same` of the whole first: each member is asked
    // in turn, so the answer is the same, and the canonical text of a whole spec (sorted keys and
    // lists) is not built for every changed pair of a large plan.
    if (!(isObject(b) && isObject(a)) && b !== undefined && a !== undefined && same(b, a, path)) return;
    if (isObject(b) && isObject(a)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
      for (const k of keys) walk(b[k], a[k], joinPath(path, k));
      return;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      if (isUnorderedList(path, unordered)) {
        if (b.some(isComposite) || a.some(isComposite)) {
          for (const [i, j, at] of pairEntries(b, a, path, same)) walk(i === undefined ? undefined : b[i], j === undefined ? undefined : a[j], joinPath(path, at));
          return;
        }
      } else if (b.length === a.length && b.some(isComposite)) {
        b.forEach((item, i) => walk(item, a[i], joinPath(path, i)));
        return;
      }
    }
    const change: FieldChange = { path };
    if (b !== undefined) change.before = b;
    if (a !== undefined) change.after = a;
    if (r.isSensitive && (maskValue(b, path, before, r.isSensitive).masked || maskValue(a, path, after, r.isSensitive).masked)) change.sensitive = true;
    out.push(change);
  };
  walk(before, after, "");
  return out;
}

/**
 * Equality that treats the declared lists as multisets, through a canonical text of each
 * value (object keys sorted; entries of order-insensitive lists sorted).
 */
function sameValue(unordered: readonly string[]): Same {
  if (unordered.length === 0) return (b, a) => equal(b, a);
  const cache = new Map<Json, string>();
  const canon = (v: Json, path: string): string => {
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    const hit = cache.get(v);
    if (hit !== undefined) return hit;
    let text: string;
    if (Array.isArray(v)) {
      const items = v.map((x, i) => canon(x, joinPath(path, i)));
      if (isUnorderedList(path, unordered)) items.sort();
      text = `[${items.join(",")}]`;
    } else {
      text = `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k]!, joinPath(path, k))}`).join(",")}}`;
    }
    cache.set(v, text);
    return text;
  };
  return (b, a, path) => canon(b, path) === canon(a, path);
}

type Same = (b: Json, a: Json, path: string) => boolean;

/** How many leaves two values share, where they sit at the same place: how alike two list entries are. */
function similarity(b: Json, a: Json, path: string, same: Same): number {
  if (same(b, a, path)) return leaves(a);
  if (isObject(b) && isObject(a)) {
    let score = 0;
    for (const k of Object.keys(a)) if (k in b) score += similarity(b[k]!, a[k]!, joinPath(path, k), same);
    return score;
  }
  if (Array.isArray(b) && Array.isArray(a)) {
    let score = 0;
    const used = new Set<number>();
    a.forEach((x, j) => {
      const i = b.findIndex((y, k) => !used.has(k) && same(y, x, joinPath(path, j)));
      if (i >= 0) {
        used.add(i);
        score += leaves(x);
      }
    });
    return score;
  }
  return 0;
}

function leaves(v: Json): number {
  if (v === null || typeof v !== "object") return 1;
  const items = Array.isArray(v) ? v : Object.values(v);
  return items.reduce<number>((n, x) => n + leaves(x), 0) || 1;
}

/**
 * Pairs the entries of an order-insensitive list: [before index, after index, index for the
 * path]. Equal entries first (the same position preferred), then the leftovers by greatest
 * similarity, then by position among what is left; unpaired entries are additions (after
 * only) or removals (before only, numbered after the end of the after list).
 */
function pairEntries(b: Json[], a: Json[], path: string, same: Same): [number | undefined, number | undefined, number][] {
  const pairs: [number | undefined, number | undefined, number][] = [];
  const freeB = new Set(b.map((_, i) => i));
  const freeA = new Set(a.map((_, j) => j));
  const at = (j: number): string => joinPath(path, j);
  for (const j of a.keys()) {
    const candidates = [...freeB].filter((i) => same(b[i]!, a[j]!, at(j)));
    if (candidates.length === 0) continue;
    const i = candidates.includes(j) ? j : candidates[0]!;
    freeB.delete(i);
    freeA.delete(j);
    pairs.push([i, j, j]);
  }
  if (freeB.size > 0 && freeA.size > 0) {
    const scored: { i: number; j: number; score: number }[] = [];
    for (const j of freeA) for (const i of freeB) scored.push({ i, j, score: similarity(b[i]!, a[j]!, at(j), same) });
    scored.sort((x, y) => y.score - x.score || Math.abs(x.i - x.j) - Math.abs(y.i - y.j) || x.j - y.j || x.i - y.i);
    for (const s of scored) {
      if (s.score <= 0) break;
      if (!freeB.has(s.i) || !freeA.has(s.j)) continue;
      freeB.delete(s.i);
      freeA.delete(s.j);
      pairs.push([s.i, s.j, s.j]);
    }
    const restB = [...freeB].sort((x, y) => x - y);
    const restA = [...freeA].sort((x, y) => x - y);
    const n = Math.min(restB.length, restA.length);
    for (let k = 0; k < n; k++) {
      freeB.delete(restB[k]!);
      freeA.delete(restA[k]!);
      pairs.push([restB[k], restA[k], restA[k]!]);
    }
  }
  for (const j of freeA) pairs.push([undefined, j, j]);
  let next = a.length;
  for (const i of [...freeB].sort((x, y) => x - y)) pairs.push([i, undefined, next++]);
  return pairs.sort((x, y) => x[2] - y[2]);
}
