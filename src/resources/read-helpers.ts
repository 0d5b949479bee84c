/** Small pieces every kind's account read shares: ownership from tags, duplicate keys. */
import type { AwsGateway } from "../aws/gateway.js";
import type { ActualResource } from "../model/plan.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import { canonicalJson, sha256 } from "./shape.js";
import { duplicateKey } from "../model/reference.js";

export type Tag = { Key?: string; Value?: string };

export function tagValue(tags: Tag[], key: string): string | undefined {
  return tags.find((t) => t.Key === key)?.Value;
}

/** Tags of an SSM resource and what they say about ownership (one ListTagsForResource). */
export async function ownershipOf(gw: AwsGateway, resourceType: "PatchBaseline" | "MaintenanceWindow" | "Association", id: string, ssmName: string, owner: string) {
  const tags = (await gw.call<{ TagList?: Tag[] }>("ListTagsForResource", { ResourceType: resourceType, ResourceId: id })).TagList ?? [];
  const ownerTag = tagValue(tags, OWNER_TAG);
  const owned = ownerTag === owner;
  return { tags, ownerTag, owned, logical: owned ? tagValue(tags, NAME_TAG) ?? ssmName : ssmName };
}

/**
 * Two actual resources with one key (e.g. duplicates left by an interrupted
 * tool): the oldest-listed keeps the key, the others get `key#id` so they
 * show as owned extras to prune (or unmanaged when not ours).
 */
export function dedupe<T extends ActualResource>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.map((r) => {
    if (!seen.has(r.key)) {
      seen.add(r.key);
      return r;
    }
    return { ...r, key: duplicateKey(r.key, r.id) };
  });
}

/**
 * The digest of one list call's answer for a Listing: its entries in any order, without the fields
 * named in `volatile` (those that move by themselves, e.g. a window's NextExecutionTime).
 */
export function listingDigest(entries: readonly Record<string, unknown>[], volatile: readonly string[] = []): string {
  const kept = entries.map((e) => canonicalJson(Object.fromEntries(Object.entries(e).filter(([k]) => !volatile.includes(k)))));
  return sha256(kept.sort().join("\n"));
}
