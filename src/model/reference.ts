/**
 * Typed references between resources. Inside the engine and the handlers' declarations, a
 * reference is either logical (a resource the plan knows by its key: one patchctl manages, or a
 * desired one) or by physical id (a resource it does not manage: an AWS-owned baseline's ARN, a
 * window target of another tool). Their text forms stay what the public formats have always said,
 * and are parsed and written only here, at the edges:
 *
 *   spec values and SSM names    `<logical name>`  or  `id:<id>`   (parseRefText / formatRefText)
 *   a second resource read with an existing key   `<key>#<id>`       (duplicateKey / isDuplicateKey)
 *
 * (`id:` cannot begin a logical name: names patchctl accepts hold no colon, nor do SSM Names.)
 */

/** A reference: `logical` is a name or key in the plan's namespace; `id` a physical id (ARN, pb-…, a WindowTargetId). */
export type ResourceRef = { logical: string } | { id: string };

const ID_PREFIX = "id:";

/** `id:<id>` → { id }; anything else → { logical } (the text as written). */
export function parseRefText(text: string): ResourceRef {
  return text.startsWith(ID_PREFIX) ? { id: text.slice(ID_PREFIX.length) } : { logical: text };
}

/** The text form of a reference, as specs, plans and SSM names carry it. */
export function formatRefText(ref: ResourceRef): string {
  return "id" in ref ? `${ID_PREFIX}${ref.id}` : ref.logical;
}

/** The logical name or key, or undefined for a reference by id. */
export function logicalOf(ref: ResourceRef): string | undefined {
  return "logical" in ref ? ref.logical : undefined;
}

/** The physical id, or undefined for a logical reference. */
export function idOfRef(ref: ResourceRef): string | undefined {
  return "id" in ref ? ref.id : undefined;
}

/** Whether a text form names its resource by id (`id:…`): an unnamed child, a resource that is not ours. */
export function isIdRefText(text: string): boolean {
  return "id" in parseRefText(text);
}

/** A second actual resource with the key of another (duplicates left by an interrupted tool): `key#id`. */
export function duplicateKey(key: string, id: string): string {
  return `${key}#${id}`;
}

/** Whether a key is a duplicate's (`key#id`); names and keys patchctl makes hold no `#` otherwise. */
export function isDuplicateKey(key: string): boolean {
  return key.includes("#");
}
