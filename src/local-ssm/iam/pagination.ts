import { createHash } from "node:crypto";
import { validationError } from "./context.js";

/**
 * IAM's Marker/MaxItems/IsTruncated paging. A Marker names the last item of the
 * page it ends (and its index, for when that item has since gone), so the next
 * page stays correct when an item before it, or that item itself, is deleted.
 * MaxItems defaults to 100.
 */
export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

interface MarkerBody {
  v: 1;
  /** Hash of the key of the last item returned (keys may be long ARNs; a Marker is at most 320 characters). */
  k: string;
  /** Its index. */
  i: number;
}

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 16);
}

function invalidMarker(): Error {
  return validationError("Invalid Marker.");
}

function decodeMarker(marker: string): MarkerBody {
  try {
    const body = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as Partial<MarkerBody>;
    if (body.v === 1 && typeof body.k === "string" && typeof body.i === "number" && Number.isInteger(body.i) && body.i >= 0) return body as MarkerBody;
  } catch {
    // fall through
  }
  throw invalidMarker();
}

export function paginate<T>(items: readonly T[], keyOf: (item: T) => string, marker: string | undefined, maxItems: number | undefined): Page<T> {
  const size = maxItems ?? 100;
  let start = 0;
  if (marker !== undefined) {
    const m = decodeMarker(marker);
    const at = items.findIndex((item) => hashKey(keyOf(item)) === m.k);
    // When that item is gone, the one after it has moved up into its place.
    start = at >= 0 ? at + 1 : Math.min(m.i, items.length);
  }
  const page = items.slice(start, start + size);
  if (start + page.length >= items.length) return { items: page, IsTruncated: false };
  const body: MarkerBody = { v: 1, k: hashKey(keyOf(page[page.length - 1]!)), i: start + page.length - 1 };
  return { items: page, IsTruncated: true, Marker: Buffer.from(JSON.stringify(body)).toString("base64url") };
}
