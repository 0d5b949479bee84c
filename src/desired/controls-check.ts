import { readFileSync } from "node:fs";
import path from "node:path";
import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import type { ResourceKind } from "../model/desired.js";
import { packageRoot } from "../package-root.js";
import type { LoadedResource } from "./state.js";

/*
 * The operator's controls (docs/operator-controls.md) as validation: previous names that cannot
 * work (an IAM role, a chain, a collision) and ignored fields that do not exist for the kind.
 */

type Schema = { $ref?: string; properties?: Record<string, Schema>; additionalProperties?: boolean | Schema; type?: string | string[]; definitions?: Record<string, Schema> };

const SCHEMA_FILES: Record<ResourceKind, string> = {
  PatchBaseline: "patch-baseline.schema.json",
  MaintenanceWindow: "maintenance-window.schema.json",
  ServiceRole: "service-role.schema.json",
  PatchAssociation: "patch-association.schema.json",
  Rollout: "rollout.schema.json",
};
/** Spec fields that are resources of their own (expanded), not fields of the resource: nothing to ignore. */
const EXPANDED: Partial<Record<ResourceKind, string[]>> = { MaintenanceWindow: ["targets", "tasks"], PatchBaseline: ["patchGroups", "defaultForOperatingSystem"] };
/** Plan paths that do not come from the spec: the tags (from metadata.tags). */
const OUTSIDE_SPEC = ["tags"];

const files = new Map<string, Schema>();
function schemaFile(file: string): Schema {
  let s = files.get(file);
  if (!s) {
    s = JSON.parse(readFileSync(path.join(packageRoot(), "schemas", file), "utf8")) as Schema;
    files.set(file, s);
  }
  return s;
}

function resolve(s: Schema, file: string): { s: Schema; file: string } {
  for (let i = 0; s.$ref !== undefined && i < 10; i++) {
    const [f, pointer] = s.$ref.split("#");
    const inFile = f ? f : file;
    let t: unknown = schemaFile(inFile);
    for (const step of (pointer ?? "").split("/").filter(Boolean)) t = (t as Record<string, unknown>)[step];
    s = t as Schema;
    file = inFile;
  }
  return { s, file };
}

/** Whether a plan path (dotted, no indices) names a field the schema at `root` has. */
function pathExists(root: Schema, file: string, steps: string[]): boolean {
  let cur = resolve(root, file);
  for (const step of steps) {
    const props = cur.s.properties;
    if (props && step in props) {
      cur = resolve(props[step]!, cur.file);
      continue;
    }
    // A map (parameters, tags): any key inside it, nothing deeper is checked.
    return typeof cur.s.additionalProperties === "object" || cur.s.additionalProperties === true ? true : false;
  }
  return true;
}

function specSchema(kind: ResourceKind): Schema {
  return schemaFile(SCHEMA_FILES[kind]).properties!.spec!;
}

export function checkControls(resources: LoadedResource[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (r: LoadedResource, at: FieldPath, message: string): void => {
    const pos = r.source.locate(at);
    out.push({ severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: r.key, field: formatFieldPath(at), message, code: "operator-controls" });
  };
  const byKind = new Map<ResourceKind, LoadedResource[]>();
  for (const r of resources) {
    const list = byKind.get(r.doc.kind);
    if (list) list.push(r);
    else byKind.set(r.doc.kind, [r]);
  }
  for (const [kind, list] of byKind) {
    if (kind === "ServiceRole") {
      for (const r of list) if (r.doc.metadata.previousNames?.length) add(r, ["metadata", "previousNames"], "IAM cannot rename a role (there is no UpdateRole name): a ServiceRole cannot have previousNames; a new name creates a new role and deletes the old one");
    } else if (list.some((r) => r.doc.metadata.previousNames?.length)) {
      checkPreviousNames(list.map((r) => ({ name: r.doc.metadata.name, previous: r.doc.metadata.previousNames ?? [], report: (i: number, m: string) => add(r, ["metadata", "previousNames", i], m) })), kind);
    }
    for (const r of list) {
      (r.doc.metadata.ignoreFields ?? []).forEach((p, i) => {
        const problem = ignoreFieldProblem(p, specSchema(kind), SCHEMA_FILES[kind], EXPANDED[kind] ?? [], true);
        if (problem) add(r, ["metadata", "ignoreFields", i], `${kind} ${problem}`);
      });
      if (r.doc.kind !== "MaintenanceWindow") continue;
      const w = r.doc;
      const file = SCHEMA_FILES.MaintenanceWindow;
      for (const [member, def, noun] of [["targets", "windowTarget", "target"], ["tasks", "windowTask", "task"]] as const) {
        const entries = w.spec[member] ?? [];
        // Only previous names and ignored fields can be wrong here: a window of a hundred targets with neither costs nothing.
        if (!entries.some((e) => e.previousNames?.length || e.ignoreFields?.length)) continue;
        checkPreviousNames(entries.map((e, j) => ({ name: e.name, previous: e.previousNames ?? [], report: (i: number, m: string) => add(r, ["spec", member, j, "previousNames", i], m) })), `${noun} of window ${w.metadata.name}`);
        entries.forEach((e, j) => {
          (e.ignoreFields ?? []).forEach((p, i) => {
            const problem = ignoreFieldProblem(p, { $ref: `#/definitions/${def}` }, file, [], false);
            if (problem) add(r, ["spec", member, j, "ignoreFields", i], `window ${noun} ${problem}`);
          });
        });
      }
    }
  }
  return out;
}

function ignoreFieldProblem(p: string, root: Schema, file: string, expanded: string[], tags: boolean): string | undefined {
  const steps = p.split(".");
  if (steps.some((s) => s === "" || /[[\]]/.test(s))) return `ignoreFields '${p}': a field path as the plan prints it, dotted, without list indices (ignore the whole list)`;
  if (["name", "previousNames", "ignoreFields"].includes(steps[0]!)) return `ignoreFields '${p}': the name is what patchctl identifies it by and cannot be ignored`;
  if (expanded.includes(steps[0]!)) return `ignoreFields '${p}': ${steps[0]} are resources of their own, not a field (set ignoreFields on them, or suspend the resource)`;
  if (tags && OUTSIDE_SPEC.includes(steps[0]!)) return undefined;
  return pathExists(root, file, steps) ? undefined : `has no field '${p}' (ignoreFields takes paths as the plan prints them, e.g. enabled, schedule, tags.Owner)`;
}

/**
 * Previous names within one scope (a kind, or a window's targets or tasks): none is the resource's
 * own name, another resource's current name (a collision, or a rename chain when that one is renamed
 * too), or listed by two resources.
 */
function checkPreviousNames(entries: { name: string; previous: string[]; report: (i: number, m: string) => void }[], scope: string): void {
  const current = new Map(entries.map((e) => [e.name, e]));
  const claimed = new Map<string, string>();
  for (const e of entries) {
    e.previous.forEach((p, i) => {
      const other = current.get(p);
      if (p === e.name) e.report(i, `previousNames: '${p}' is its own name`);
      else if (other && other.previous.length) e.report(i, `previousNames: '${p}' is a rename chain: ${p} is itself renamed (from ${other.previous.join(", ")}); rename in one step, from the name in the account to the new name`);
      else if (other) e.report(i, `previousNames: '${p}' collides with the ${scope} named ${p} in the desired state`);
      else if (claimed.has(p)) e.report(i, `previousNames: '${p}' is also a previous name of ${claimed.get(p)}: one resource can be renamed from it`);
      else claimed.set(p, e.name);
    });
  }
}
