import type { DesiredState, LoadedResource } from "../desired/load.js";
import { handlerForDocument } from "../resources/registry.js";
import { controlsOfMetadata } from "../resources/controls.js";
import type { Resource } from "../model/plan.js";
import type { FieldPath } from "../model/diagnostics.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";

/** The document itself (shared: paths are only read). */
const NO_PATH: FieldPath = Object.freeze([]);

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
    private readonly path: FieldPath,
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

function sourceOf(r: LoadedResource, path: FieldPath = NO_PATH): { file: string; line: number } {
  return new LazySource(r, path);
}

/**
 * The desired state as the engine's resources, normalised by each handler: every document is
 * expanded by the handler of its kind (itself and what it declares: registrations, targets, tasks).
 */
export function expandDesired(state: DesiredState, owner: string = state.config.owner): Resource[] {
  const out: Resource[] = [];
  for (const r of state.resources) {
    const handler = handlerForDocument(r.doc.kind);
    if (!handler?.expand) throw new Error(`${r.source.file}: no handler expands documents of kind ${r.doc.kind}`);
    const ownership = { [OWNER_TAG]: owner, [NAME_TAG]: r.doc.metadata.name };
    const expanded = handler.expand(r.doc, { ownership, source: (path = NO_PATH) => sourceOf(r, path) });
    const controls = controlsOfMetadata(r.doc.metadata);
    if (controls) withControls(expanded, handler.key(r.doc.metadata.name), controls);
    out.push(...expanded);
  }
  return out;
}

/**
 * The document's controls on what it expands to: previous names and ignored fields on the resource
 * the document names, a suspension on everything it declares too (targets, tasks, registrations).
 */
function withControls(resources: Resource[], key: string, controls: NonNullable<Resource["controls"]>): void {
  for (const res of resources) {
    if (res.key === key) res.controls = { ...res.controls, ...controls };
    else if (controls.suspended !== undefined) res.controls = { ...res.controls, suspended: controls.suspended };
  }
}
