import type { Metadata } from "../model/desired.js";
import type { ResourceControls } from "../model/plan.js";

/** The annotation that suspends a resource: its value is the reason (docs/operator-controls.md). */
export const SUSPEND_ANNOTATION = "patchctl/suspend";

/** What a document's metadata says about how its resource is reconciled; undefined when nothing. */
export function controlsOfMetadata(metadata: Metadata): ResourceControls | undefined {
  return compactControls({
    previousNames: metadata.previousNames,
    ignoreFields: metadata.ignoreFields,
    suspended: metadata.annotations?.[SUSPEND_ANNOTATION]?.trim() || undefined,
  });
}

/** What an entry inside a document (a window's target or task) says: its own previousNames and ignoreFields. */
export function controlsOfEntry(entry: { previousNames?: string[]; ignoreFields?: string[] }): ResourceControls | undefined {
  // Most entries have neither (a large window declares a hundred targets): nothing to allocate.
  if (!entry.previousNames?.length && !entry.ignoreFields?.length) return undefined;
  return compactControls({ previousNames: entry.previousNames, ignoreFields: entry.ignoreFields });
}

function compactControls(c: ResourceControls): ResourceControls | undefined {
  const out: ResourceControls = {};
  if (c.previousNames?.length) out.previousNames = c.previousNames;
  if (c.ignoreFields?.length) out.ignoreFields = c.ignoreFields;
  if (c.suspended !== undefined) out.suspended = c.suspended;
  return Object.keys(out).length ? out : undefined;
}
