import type { DesiredState, LoadedResource } from "../desired/load.js";
import type { MaintenanceWindowDoc, PatchBaselineDoc } from "../model/desired.js";
import { defaultKey } from "../resources/default-baseline.js";
import { windowFromDesired } from "../resources/maintenance-window.js";
import { baselineFromDesired } from "../resources/patch-baseline.js";
import { registrationKey } from "../resources/patch-group-registration.js";
import { serviceRoleFromDesired, serviceRoleKey } from "../resources/service-role.js";
import { targetFromDesired, targetKey, taskFromDesired, taskKey, windowKey } from "../resources/window-children.js";
import type { Resource } from "../model/plan.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";

/**
 * Where a resource is written. The line is looked up when first read: finding it needs the
 * position-keeping parse, which a large desired state otherwise never pays for. A class (not
 * an object literal with a getter) because tens of thousands are made; toJSON keeps saved
 * plans and JSON output as {file, line}.
 */
class LazySource {
  readonly file: string;
  private cachedLine: number | undefined;
  constructor(
    private readonly resource: LoadedResource,
    private readonly path: (string | number)[],
  ) {
    this.file = resource.source.file;
  }
  get line(): number {
    this.cachedLine ??= this.resource.source.locate(this.path).line;
    return this.cachedLine;
  }
  toJSON(): { file: string; line: number } {
    return { file: this.file, line: this.line };
  }
}

function sourceOf(r: LoadedResource, path: (string | number)[] = []): { file: string; line: number } {
  return new LazySource(r, path);
}

/**
 * The desired state as the engine's resources, normalised by each handler:
 * a baseline yields itself, its patch-group registrations and possibly a default;
 * a window yields itself, its targets and its tasks; a service role yields itself.
 */
export function expandDesired(state: DesiredState, owner: string = state.config.owner): Resource[] {
  const out: Resource[] = [];
  for (const r of state.resources) {
    const ownership = { [OWNER_TAG]: owner, [NAME_TAG]: r.doc.metadata.name };
    if (r.doc.kind === "ServiceRole") {
      const name = r.doc.metadata.name;
      out.push({ type: "ServiceRole", key: serviceRoleKey(name), name, spec: serviceRoleFromDesired(r.doc, ownership), source: sourceOf(r) });
    } else if (r.doc.kind === "PatchBaseline") {
      const doc = r.doc as PatchBaselineDoc;
      const name = doc.metadata.name;
      const spec = baselineFromDesired(doc, ownership);
      const os = String(spec.operatingSystem);
      const key = `PatchBaseline/${name}`;
      out.push({ type: "PatchBaseline", key, name, spec, source: sourceOf(r) });
      (doc.spec.patchGroups ?? []).forEach((group, i) => {
        out.push({
          type: "PatchGroupRegistration",
          key: registrationKey(os, group),
          name: `${group} (${os})`,
          spec: { patchGroup: group, operatingSystem: os, baseline: name },
          source: sourceOf(r, ["spec", "patchGroups", i]),
        });
      });
      if (doc.spec.defaultForOperatingSystem) {
        out.push({ type: "DefaultBaseline", key: defaultKey(os), name: os, spec: { operatingSystem: os, baseline: name }, source: sourceOf(r, ["spec", "defaultForOperatingSystem"]) });
      }
    } else {
      const doc = r.doc as MaintenanceWindowDoc;
      const wName = doc.metadata.name;
      const wKey = windowKey(wName);
      out.push({ type: "MaintenanceWindow", key: wKey, name: wName, spec: windowFromDesired(doc, ownership), source: sourceOf(r) });
      (doc.spec.targets ?? []).forEach((t, i) => {
        out.push({ type: "WindowTarget", key: targetKey(wName, t.name), name: `${wName}/${t.name}`, parentKey: wKey, spec: targetFromDesired(t), source: sourceOf(r, ["spec", "targets", i]) });
      });
      (doc.spec.tasks ?? []).forEach((t, i) => {
        const notes: string[] = [];
        const spec = taskFromDesired(t, notes);
        out.push({ type: "WindowTask", key: taskKey(wName, t.name), name: `${wName}/${t.name}`, parentKey: wKey, spec, source: sourceOf(r, ["spec", "tasks", i]), notes: notes.length ? notes : undefined });
      });
    }
  }
  return out;
}

