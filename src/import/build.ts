import type { ConfigDoc, MaintenanceWindowDoc, PatchAssociationDoc, PatchBaselineDoc, ServiceRoleDoc, WindowTargetSpec, WindowTaskSpec } from "../model/desired.js";
import { API_VERSION } from "../model/desired.js";
import type { ActualResource, Json, JsonObject } from "../model/plan.js";
import { maintenanceWindowHandler, windowFromDesired } from "../resources/maintenance-window.js";
import { associationFromDesired, patchAssociationHandler } from "../resources/patch-association.js";
import { baselineFromDesired, patchBaselineHandler } from "../resources/patch-baseline.js";
import { decodePolicy, serviceRoleFromDesired } from "../resources/service-role.js";
import { sensitiveFields } from "../resources/field-paths.js";
import type { ResourceHandler } from "../resources/handler.js";
import { canonicalJson } from "../resources/shape.js";
import { targetFromDesired, taskFromDesired, windowTargetHandler, windowTaskHandler } from "../resources/window-children.js";
import { derivedTargetName, derivedTaskName, NAME_PATTERN, NameScope, sanitizeName } from "./names.js";
import { pruneDefaults } from "./prune.js";
import type { ImportRead, RawAssociation, RawBaseline, RawRole, RawWindow, Tag } from "./read.js";
import { isIdRefText, parseRefText } from "../model/reference.js";

export type YamlPath = (string | number)[];

/** A comment placed on a node of the written YAML. */
export interface NodeComment {
  path: YamlPath;
  /** Lines, without the leading '#'. */
  lines: string[];
}

export interface ImportedFile {
  /** Relative to the output directory. */
  path: string;
  doc: ConfigDoc | PatchBaselineDoc | MaintenanceWindowDoc | ServiceRoleDoc | PatchAssociationDoc;
  /** Comment lines at the top, after the yaml-language-server modeline. */
  header: string[];
  comments: NodeComment[];
}

/** A window target or task that has no usable Name in SSM and got a generated one. */
export interface GeneratedName {
  kind: "WindowTarget" | "WindowTask";
  windowId: string;
  windowName: string;
  id: string;
  name: string;
  /** What SSM has: no Name, a Name another target/task of the window also has, or one the format does not accept. */
  was: { reason: "unnamed" } | { reason: "duplicate" | "invalid"; name: string };
}

export interface ImportBuild {
  files: ImportedFile[];
  generated: GeneratedName[];
  /** Things the user should know (left out, dropped references). */
  warnings: string[];
}

export interface BuildOptions {
  owner: string;
  region?: string;
  /** Whether the generated names are written into SSM (import --name-unnamed) before the files. */
  namesWrittenToSsm: boolean;
}

const OMIT_TAG = (key: string): boolean => key.startsWith("aws:") || key.startsWith("patchctl:");

function userTags(tags: Tag[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const t of [...tags].sort((a, b) => String(a.Key).localeCompare(String(b.Key)))) {
    if (t.Key === undefined || OMIT_TAG(t.Key)) continue;
    out[t.Key] = t.Value ?? "";
  }
  return Object.keys(out).length ? out : undefined;
}

function withoutTags(spec: JsonObject): JsonObject {
  const { tags: _tags, ...rest } = spec;
  return rest;
}

/** The fields of a spec the handler calls sensitive, as "label" + field (src/resources/field-paths.ts sensitiveFields). */
function sensitiveIn(spec: JsonObject, handler: ResourceHandler, label: string): string[] {
  return sensitiveFields(spec, handler.isSensitive).map((f) => `${label}${f}`);
}

const SENSITIVE_NOTE = (fields: string[]): string[] => [
  `Sensitive: holds values SSM treats as sensitive (${fields.join(", ")}),`,
  "written exactly as read because import was asked to import them. patchctl never prints",
  "them in plans or logs, but this file contains them: review it before committing.",
];

/**
 * Pairs up names for one kind: resources already owned by the importing owner keep their
 * patchctl:name; the others get their SSM name, sanitised and made unique.
 */
function logicalNames<T extends { id: string; ssmName: string; ownedName?: string }>(items: T[], fallback: string): Map<T, string> {
  const scope = new NameScope();
  const names = new Map<T, string>();
  const sorted = [...items].sort((a, b) => a.ssmName.localeCompare(b.ssmName) || a.id.localeCompare(b.id));
  for (const r of sorted) if (r.ownedName && NAME_PATTERN.test(r.ownedName) && scope.reserve(r.ownedName)) names.set(r, r.ownedName);
  for (const r of sorted) if (!names.has(r)) names.set(r, scope.unique(sanitizeName(r.ssmName, fallback)));
  return names;
}

/**
 * Unowned resources sharing one SSM name cannot be adopted unambiguously (adoption
 * pairs by SSM name): they are left out with a warning.
 */
function withoutAmbiguous<T extends { id: string; ssmName: string; ownedName?: string }>(items: T[], kind: string, warnings: string[]): T[] {
  const byName = new Map<string, T[]>();
  for (const r of items) if (!r.ownedName) byName.set(r.ssmName, [...(byName.get(r.ssmName) ?? []), r]);
  const drop = new Set<T>();
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    list.forEach((r) => drop.add(r));
    warnings.push(`${kind} '${name}': ${list.length} of them share this name (${list.map((r) => r.id).join(", ")}); left out, because adoption pairs by SSM name. Rename all but one in SSM and import again.`);
  }
  return items.filter((r) => !drop.has(r));
}

export function buildImport(read: ImportRead, opts: BuildOptions): ImportBuild {
  const warnings = read.skipped.map((s) => `left out ${s} (never adopted by another owner)`);
  const generated: GeneratedName[] = [];
  const files: ImportedFile[] = [];

  const config: ConfigDoc = { apiVersion: API_VERSION, kind: "Config", owner: opts.owner, ...(opts.region ? { region: opts.region } : {}) };
  files.push({
    path: "patchctl.yaml",
    doc: config,
    header: [
      "Imported by `patchctl import`. Next: `patchctl reconcile <dir> --plan --adopt` shows the",
      `patchctl:owner/patchctl:name tags being added; \`patchctl reconcile <dir> --adopt\` makes owner '${opts.owner}' own them.`,
    ],
    comments: [],
  });

  const baselines = withoutAmbiguous(read.baselines, "PatchBaseline", warnings);
  const baselineNames = logicalNames(baselines, "baseline");
  for (const b of baselines) files.push(baselineFile(b, baselineNames.get(b)!));

  // Roles first: tasks that run as an imported role name it (serviceRole:) instead of giving its ARN.
  const roleNames = logicalNames(read.roles, "role");
  const roleByArn = new Map<string, string>();
  for (const r of read.roles) {
    const logical = roleNames.get(r)!;
    roleByArn.set(r.id, logical);
    files.push(roleFile(r, logical));
  }

  const windows = withoutAmbiguous(read.windows, "MaintenanceWindow", warnings);
  const windowNames = logicalNames(windows, "window");
  for (const w of windows) files.push(windowFile(w, windowNames.get(w)!, opts, generated, warnings, roleByArn));

  const associations = withoutAmbiguous(read.associations, "PatchAssociation", warnings);
  const associationNames = logicalNames(associations, "association");
  for (const a of associations) files.push(associationFile(a, associationNames.get(a)!));

  files.sort((a, b) => (a.path === "patchctl.yaml" ? -1 : b.path === "patchctl.yaml" ? 1 : a.path.localeCompare(b.path)));
  return { files, generated, warnings };
}

function header(kind: string, ssmName: string, id: string): string[] {
  return [`Imported by \`patchctl import\` from ${kind} '${ssmName}' (${id}).`];
}

function baselineFile(b: RawBaseline, logical: string): ImportedFile {
  const actual = withoutTags(b.spec);
  const docOf = (spec: JsonObject): PatchBaselineDoc => ({ apiVersion: API_VERSION, kind: "PatchBaseline", metadata: { name: logical }, spec: spec as unknown as PatchBaselineDoc["spec"] });
  const spec = pruneDefaults(actual, (s) => canonicalJson(baselineFromDesired(docOf(s), {})), new Set(["operatingSystem"]));
  const full: PatchBaselineDoc["spec"] = {
    ...(spec as unknown as PatchBaselineDoc["spec"]),
    ...(b.patchGroups.length ? { patchGroups: b.patchGroups } : {}),
    ...(b.isDefault ? { defaultForOperatingSystem: true } : {}),
  };
  const tags = userTags(b.tags);
  const doc: PatchBaselineDoc = { apiVersion: API_VERSION, kind: "PatchBaseline", metadata: { name: logical, ...(tags ? { tags } : {}) }, spec: full };
  const lines = header("patch baseline", b.ssmName, b.id);
  const sensitive = sensitiveIn(spec, patchBaselineHandler, "");
  if (sensitive.length) lines.push(...SENSITIVE_NOTE(sensitive));
  return { path: `baselines/${logical}.yaml`, doc, header: lines, comments: [] };
}

/**
 * A role as a ServiceRole document: its IAM name (written explicitly, the logical name may
 * differ), the trust policy always (it says who may use the role), everything else only
 * when it differs from what the format assumes.
 */
function roleFile(r: RawRole, logical: string): ImportedFile {
  const inline = Object.keys(r.inline).sort().map((policyName) => ({ policyName, policyDocument: decodePolicy(r.inline[policyName]) }));
  const actual: JsonObject = {
    roleName: r.ssmName,
    path: r.role.Path ?? "/",
    ...(r.role.Description ? { description: r.role.Description } : {}),
    ...(r.role.MaxSessionDuration !== undefined ? { maxSessionDuration: r.role.MaxSessionDuration } : {}),
    assumeRolePolicyDocument: decodePolicy(r.role.AssumeRolePolicyDocument),
    ...(r.managed.length ? { managedPolicyArns: [...r.managed].sort() } : {}),
    ...(inline.length ? { inlinePolicies: inline } : {}),
  } as JsonObject;
  const docOf = (spec: JsonObject): ServiceRoleDoc => ({ apiVersion: API_VERSION, kind: "ServiceRole", metadata: { name: logical }, spec: spec as unknown as ServiceRoleDoc["spec"] });
  const spec = pruneDefaults(actual, (sp) => canonicalJson(serviceRoleFromDesired(docOf(sp), {})), new Set(["roleName", "assumeRolePolicyDocument"]));
  const tags = userTags(r.tags);
  const doc: ServiceRoleDoc = { apiVersion: API_VERSION, kind: "ServiceRole", metadata: { name: logical, ...(tags ? { tags } : {}) }, spec: spec as unknown as ServiceRoleDoc["spec"] };
  return { path: `roles/${logical}.yaml`, doc, header: [`Imported by \`patchctl import\` from IAM role '${r.ssmName}' (${r.id}).`, "Tasks that run as it name it with serviceRole: instead of its ARN."], comments: [] };
}

type Child = { spec: JsonObject; id: string; name?: string };

/** A spec's key/values list (targets) as SSM writes it, for naming and re-pointing. */
function keyValues(list: Json | undefined): { Key?: string; Values?: string[] }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return [];
    const values = Array.isArray(item.values) ? item.values.map(String) : undefined;
    return [{ Key: typeof item.key === "string" ? item.key : undefined, Values: values }];
  });
}

/**
 * Names for a window's targets or tasks: an SSM Name is kept when the format accepts it and
 * no earlier-listed sibling has it (the engine pairs by name and keeps the first); the others
 * get one derived from what they do, unique in the window, assigned in id order so it is
 * the same on every import.
 */
function childNames(children: Child[], derive: (c: Child) => string): Map<string, { name: string; was?: GeneratedName["was"] }> {
  const scope = new NameScope();
  const out = new Map<string, { name: string; was?: GeneratedName["was"] }>();
  for (const c of children) if (c.name !== undefined && NAME_PATTERN.test(c.name) && scope.reserve(c.name)) out.set(c.id, { name: c.name });
  for (const c of [...children].sort((a, b) => a.id.localeCompare(b.id))) {
    if (out.has(c.id)) continue;
    const was: GeneratedName["was"] = c.name === undefined ? { reason: "unnamed" } : { reason: NAME_PATTERN.test(c.name) ? "duplicate" : "invalid", name: c.name };
    out.set(c.id, { name: scope.unique(derive(c)), was });
  }
  return out;
}

/** A task's Operation parameter (the handler's read maps legacy TaskParameters onto runCommand.parameters). */
function operationOf(task: JsonObject): string | undefined {
  const run = task.runCommand;
  const parameters = run !== null && typeof run === "object" && !Array.isArray(run) ? run.parameters : undefined;
  const op = parameters !== null && typeof parameters === "object" && !Array.isArray(parameters) ? parameters.Operation : undefined;
  return Array.isArray(op) && typeof op[0] === "string" ? op[0] : undefined;
}

/** The SSM Name of a target or task as read ("id:…" when it has none: SSM names hold no colon). */
function ssmNameOf(r: ActualResource): string | undefined {
  return isIdRefText(r.ssmName) ? undefined : r.ssmName;
}

function generatedComment(kind: "target" | "task", g: GeneratedName, namesWritten: boolean): string[] {
  const idName = kind === "target" ? "WindowTargetId" : "WindowTaskId";
  const what = g.was.reason === "unnamed" ? "has no Name in SSM" : g.was.reason === "duplicate" ? `shares its SSM Name '${g.was.name}' with another ${kind} of this window` : `has an SSM Name ('${g.was.name}') the format does not accept`;
  const first = `Generated name: this ${kind} (${idName} ${g.id}) ${what}.`;
  if (namesWritten) return [first, "`patchctl import --name-unnamed` wrote this name into SSM, so adoption pairs it in place."];
  return [
    first,
    `Not in SSM yet: \`reconcile --adopt\` writes it as this ${kind}'s Name in place (it pairs the ${kind} that`,
    "equals this entry in everything but the name); `patchctl import --name-unnamed` writes it now.",
  ];
}

function withRoleName(task: WindowTaskSpec, roleByArn: Map<string, string>): WindowTaskSpec {
  const logical = task.serviceRoleArn ? roleByArn.get(task.serviceRoleArn) : undefined;
  if (logical === undefined) return task;
  // In serviceRoleArn's place, so the key order stays readable.
  return Object.fromEntries(Object.entries(task).map(([k, v]) => (k === "serviceRoleArn" ? ["serviceRole", logical] : [k, v]))) as unknown as WindowTaskSpec;
}

function windowFile(w: RawWindow, logical: string, opts: BuildOptions, generated: GeneratedName[], warnings: string[], roleByArn: Map<string, string>): ImportedFile {
  const actual = withoutTags(w.spec);
  const docOf = (spec: JsonObject): MaintenanceWindowDoc => ({ apiVersion: API_VERSION, kind: "MaintenanceWindow", metadata: { name: logical }, spec: spec as unknown as MaintenanceWindowDoc["spec"] });
  const spec = pruneDefaults(actual, (s) => canonicalJson(windowFromDesired(docOf(s), {})));
  const comments: NodeComment[] = [];
  const sensitive = sensitiveIn(spec, maintenanceWindowHandler, "");

  // Targets.
  const targetChildren: Child[] = w.targets.map((t) => ({ spec: t.spec, id: t.id, name: ssmNameOf(t) }));
  const targetNames = childNames(targetChildren, (c) => derivedTargetName(keyValues(c.spec.targets)));
  const nameById = new Map([...targetNames].map(([id, n]) => [id, n.name]));
  const targets = targetChildren
    .map((c) => {
      const chosen = targetNames.get(c.id)!;
      const normalized = windowTargetHandler.normalize({ ...c.spec, name: chosen.name });
      const t = pruneDefaults(normalized, (s) => canonicalJson(targetFromDesired(s as unknown as WindowTargetSpec))) as unknown as WindowTargetSpec;
      return { c, chosen, t };
    })
    .sort((a, b) => a.chosen.name.localeCompare(b.chosen.name));

  // Tasks: WindowTargetIds (read by id) become target names; references to targets that no longer exist are dropped.
  const taskChildren: Child[] = w.tasks.map((t) => ({ spec: t.spec, id: t.id, name: ssmNameOf(t) }));
  const taskNames = childNames(taskChildren, (c) => derivedTaskName(c.spec.taskArn as string | undefined, operationOf(c.spec)));
  const tasks = taskChildren
    .map((c) => {
      const chosen = taskNames.get(c.id)!;
      const selectors = keyValues(c.spec.targets).map((sel) => {
        if (sel.Key !== "WindowTargetIds") return { key: sel.Key, values: sel.Values };
        const values = (sel.Values ?? []).flatMap((ref) => {
          const parsed = parseRefText(ref);
          const id = "id" in parsed ? parsed.id : parsed.logical;
          const name = nameById.get(id);
          if (name !== undefined) return [name];
          warnings.push(`MaintenanceWindow '${w.ssmName}' task '${chosen.name}': target ${id} is not registered with the window; reference dropped`);
          return [];
        });
        return { key: sel.Key, values };
      }).filter((sel) => (sel.values ?? []).length > 0);
      const normalized = windowTaskHandler.normalize({ ...c.spec, name: chosen.name, targets: selectors as unknown as Json });
      // Priority 1 is what a task registered without one reads back (the endpoint; AWS's examples all pass 1):
      // left out, like the other read-back defaults (a desired task without a priority accepts any).
      const priority = typeof normalized.priority === "number" ? normalized.priority : 1;
      if (normalized.priority === 1) delete normalized.priority;
      const t = withRoleName(pruneDefaults(normalized, (s) => canonicalJson(taskFromDesired(s as unknown as WindowTaskSpec, []))) as unknown as WindowTaskSpec, roleByArn);
      return { c, chosen, t, priority };
    })
    .sort((a, b) => a.priority - b.priority || a.chosen.name.localeCompare(b.chosen.name));

  targets.forEach(({ c, chosen, t }, i) => {
    sensitive.push(...sensitiveIn(t as unknown as JsonObject, windowTargetHandler, `targets[${chosen.name}].`));
    if (!chosen.was) return;
    const g: GeneratedName = { kind: "WindowTarget", windowId: w.id, windowName: w.ssmName, id: c.id, name: chosen.name, was: chosen.was };
    generated.push(g);
    comments.push({ path: ["spec", "targets", i], lines: generatedComment("target", g, opts.namesWrittenToSsm) });
  });
  tasks.forEach(({ c, chosen, t }, i) => {
    sensitive.push(...sensitiveIn(t as unknown as JsonObject, windowTaskHandler, `tasks[${chosen.name}].`));
    if (!chosen.was) return;
    const g: GeneratedName = { kind: "WindowTask", windowId: w.id, windowName: w.ssmName, id: c.id, name: chosen.name, was: chosen.was };
    generated.push(g);
    comments.push({ path: ["spec", "tasks", i], lines: generatedComment("task", g, opts.namesWrittenToSsm) });
  });

  const full: MaintenanceWindowDoc["spec"] = {
    ...(spec as unknown as MaintenanceWindowDoc["spec"]),
    ...(targets.length ? { targets: targets.map((x) => x.t) } : {}),
    ...(tasks.length ? { tasks: tasks.map((x) => x.t) } : {}),
  };
  const tags = userTags(w.tags);
  const doc: MaintenanceWindowDoc = { apiVersion: API_VERSION, kind: "MaintenanceWindow", metadata: { name: logical, ...(tags ? { tags } : {}) }, spec: full };
  const lines = header("maintenance window", w.ssmName, w.id);
  if (sensitive.length) lines.push(...SENSITIVE_NOTE(sensitive));
  return { path: `windows/${logical}.yaml`, doc, header: lines, comments };
}

/**
 * An association as a PatchAssociation document: its AssociationName written only when the logical
 * name differs, the service's defaults left out. Its parameters are sensitive in SSM; those of the
 * patching documents that say what a run does are not (the handler's isSensitive), so the note names
 * only the others.
 */
function associationFile(a: RawAssociation, logical: string): ImportedFile {
  const actual = withoutTags(a.spec);
  const docOf = (spec: JsonObject): PatchAssociationDoc => ({ apiVersion: API_VERSION, kind: "PatchAssociation", metadata: { name: logical }, spec: spec as unknown as PatchAssociationDoc["spec"] });
  const spec = pruneDefaults(actual, (s) => canonicalJson(withoutTags(associationFromDesired(docOf(s), {}))), new Set(["documentName", "targets", "parameters.Operation"]));
  const tags = userTags(a.tags);
  const doc: PatchAssociationDoc = { apiVersion: API_VERSION, kind: "PatchAssociation", metadata: { name: logical, ...(tags ? { tags } : {}) }, spec: spec as unknown as PatchAssociationDoc["spec"] };
  const lines = [`Imported by \`patchctl import\` from association '${a.ssmName}' (${a.id}).`];
  const parameters = Object.keys((spec.parameters as JsonObject | undefined) ?? {});
  const sensitive = parameters.filter((p) => patchAssociationHandler.isSensitive(`parameters.${p}`, spec)).map((p) => `parameters.${p}`);
  if (sensitive.length) lines.push(...SENSITIVE_NOTE(sensitive));
  return { path: `associations/${logical}.yaml`, doc, header: lines, comments: [] };
}
