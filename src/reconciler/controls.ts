import equal from "fast-deep-equal";
import type { ActualResource, Change, Json, JsonObject, Resource } from "../model/plan.js";
import { handlerFor } from "../resources/registry.js";
import { logicalReferences } from "./references.js";

/*
 * The operator's controls (docs/operator-controls.md), applied by the engine from what every
 * desired resource carries in `controls`, for every kind alike: previous names pair a renamed
 * resource with the owned one under its old name, ignored fields are taken from the account
 * before diffing, suspended resources' changes are set aside.
 */

/**
 * Owned actual resources under a previous name of a desired resource with none under its own,
 * re-keyed to the desired one: the pair is an update (name, patchctl:name tag), never a delete and
 * a create. What such a resource holds (a window's targets and tasks) moves with it, and what names
 * it (a baseline's registrations, a task naming a renamed target) names it by the new name.
 * Resources are renamed top-level first, then children within their (renamed) parent.
 */
export function renameByPreviousNames(desired: Resource[], resources: ActualResource[]): ActualResource[] {
  const renaming = desired.filter((d) => d.controls?.previousNames?.length);
  if (renaming.length === 0) return resources;
  let out = resources;
  const ownedKeys = (): Map<string, number> => new Map(out.flatMap((a, i): [string, number][] => (a.owned ? [[a.key, i]] : [])));
  for (const children of [false, true]) {
    const byKey = ownedKeys();
    /** Old key → the renamed resource; per scope (type, or parent), old reference → new name. */
    const moved = new Map<string, { from: string; to: Resource }>();
    for (const d of renaming.filter((r) => (r.parentKey !== undefined) === children)) {
      if (byKey.has(d.key)) continue;
      const h = handlerFor(d.type);
      const parentName = d.parentKey === undefined ? undefined : out[byKey.get(d.parentKey) ?? -1]?.name;
      if (d.parentKey !== undefined && parentName === undefined) continue;
      for (const prev of d.controls!.previousNames!) {
        const oldKey = h.key(prev, parentName);
        const i = byKey.get(oldKey);
        if (i === undefined || moved.has(oldKey)) continue;
        const a = out[i]!;
        out = out.slice();
        out[i] = { ...a, key: d.key, name: d.name, renamedFrom: children ? a.ssmName : a.name };
        byKey.delete(oldKey);
        byKey.set(d.key, i);
        moved.set(oldKey, { from: children ? a.ssmName : a.name, to: d });
        break;
      }
    }
    if (moved.size === 0) continue;
    out = out.map((a) => {
      // Held by a renamed resource: keyed under its new name.
      const parent = a.parentKey === undefined ? undefined : moved.get(a.parentKey);
      if (parent) {
        const ownName = a.name.slice(parent.from.length + 1);
        return { ...a, parentKey: parent.to.key, key: handlerFor(a.type).key(a.ssmName, parent.to.name), name: `${parent.to.name}/${ownName}` };
      }
      // Naming a renamed resource (a registration its baseline, a task its sibling target): by the new name.
      const names = new Map<string, string>();
      for (const r of logicalReferences(a)) {
        const m = moved.get(r.key);
        if (m && r.role === "uses" && (m.to.parentKey === undefined || m.to.parentKey === a.parentKey)) names.set(m.from, String(m.to.parentKey === undefined ? m.to.name : m.to.spec.name));
      }
      if (names.size === 0) return a;
      const spec = handlerFor(a.type).withRenamedReferences?.(a.spec, names);
      return spec === undefined ? a : { ...a, spec };
    });
  }
  return out;
}

/** The value at a dotted path of a spec (undefined when absent). */
function valueAt(spec: JsonObject, steps: string[]): Json | undefined {
  let v: Json | undefined = spec;
  for (const s of steps) v = v !== null && typeof v === "object" && !Array.isArray(v) ? v[s] : undefined;
  return v;
}

/** A copy of `spec` with the value at a dotted path set (or removed when undefined). */
function withValueAt(spec: JsonObject, steps: string[], value: Json | undefined): JsonObject {
  const [head, ...rest] = steps;
  const out: JsonObject = { ...spec };
  if (rest.length === 0) {
    if (value === undefined) delete out[head!];
    else out[head!] = value;
    return out;
  }
  const inner = out[head!];
  const holder = inner !== null && typeof inner === "object" && !Array.isArray(inner) ? inner : {};
  out[head!] = withValueAt(holder, rest, value);
  return out;
}

/**
 * A desired resource with its ignored fields (metadata.ignoreFields) as the account has them, so
 * neither the diff nor an update (which sends the whole desired state) reverts them; and the ignored
 * fields that differ, for the plan and the drift report to list.
 */
export function withIgnoredFields(d: Resource, a: Resource): { desired: Resource; ignored: string[] } {
  const paths = d.controls?.ignoreFields;
  if (!paths?.length) return { desired: d, ignored: [] };
  let spec = d.spec;
  const ignored: string[] = [];
  for (const path of paths) {
    const steps = path.split(".");
    const actual = valueAt(a.spec, steps);
    if (equal(valueAt(spec, steps), actual)) continue;
    ignored.push(path);
    spec = withValueAt(spec, steps, actual);
  }
  return ignored.length ? { desired: { ...d, spec }, ignored } : { desired: d, ignored };
}

/**
 * Changes of suspended resources (patchctl/suspend on the desired side, or held by / owned through
 * one), set aside with the reason: never applied, still shown and reported as drift.
 */
export function setAsideSuspended(changes: Change[]): { active: Change[]; suspended: Change[] } {
  const reasons = new Map<string, string>();
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.after?.controls?.suspended !== undefined) reasons.set(c.key, c.after.controls.suspended);
  }
  if (reasons.size === 0) return { active: changes, suspended: [] };
  const active: Change[] = [];
  const suspended: Change[] = [];
  for (const c of changes) {
    let reason = reasons.get(c.key);
    if (reason === undefined) {
      for (const r of [c.after, c.before].flatMap(logicalReferences)) {
        if ((r.role === "parent" || r.ownedThrough) && reasons.has(r.key)) reason = reasons.get(r.key);
      }
    }
    if (reason === undefined) active.push(c);
    else suspended.push({ ...c, suspended: reason });
  }
  return { active, suspended };
}
