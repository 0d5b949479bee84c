import type { AwsGateway } from "../aws/gateway.js";
import type { PatchProperty, PatchSet } from "../catalog/patch-properties.js";
import { checkFilterValue, PATCH_PROPERTIES, patchSetsOf, WILDCARD } from "../catalog/patch-properties.js";
import type { LoadedResource } from "../desired/state.js";
import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import type { PatchBaselineDoc, PatchFilterGroup } from "../model/desired.js";

/**
 * The online pre-flight (validate --online, reconcile): every baseline's filter values of
 * DescribePatchProperties' properties checked against what the account lists for its OS, so a
 * product AWS added after the shipped catalog was built is accepted (the account's answer wins)
 * and a typo is a file:line error before anything is applied. One paginated DescribePatchProperties
 * per OS, property and patch set, cached for the run. Filter keys, PATCH_SET and SECTION values stay
 * with the offline check (they are not properties). When the account lists nothing for a property
 * (MACOS, say) or denies DescribePatchProperties, the shipped catalog decides, with a warning for
 * the denial. docs/preflight.md has the rules.
 */

/** What the account lists for one OS, property and patch set; undefined when it could not be asked. */
type Listing = readonly string[] | undefined;

/** AWS's answer to a caller whose policy does not allow the call (SSM: AccessDeniedException). */
function isAccessDenied(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === "AccessDeniedException" || name === "AccessDenied" || name === "UnauthorizedOperation";
}

/** DescribePatchProperties answers, cached per OS, property and patch set for one run. */
export class PatchPropertyCache {
  private readonly listings = new Map<string, Promise<Listing>>();
  /** The error name once DescribePatchProperties was denied: every later check uses the catalog. */
  denied?: string;

  constructor(private readonly gateway: AwsGateway) {}

  values(os: string, property: PatchProperty, patchSet: PatchSet): Promise<Listing> {
    const set = os === "WINDOWS" ? patchSet : "OS";
    const key = `${os}/${property}/${set}`;
    let listing = this.listings.get(key);
    if (!listing) {
      listing = this.fetch(os, property, set);
      this.listings.set(key, listing);
    }
    return listing;
  }

  private async fetch(os: string, property: PatchProperty, patchSet: PatchSet): Promise<Listing> {
    if (this.denied) return undefined;
    const input: Record<string, unknown> = { OperatingSystem: os, Property: property, ...(os === "WINDOWS" ? { PatchSet: patchSet } : {}) };
    try {
      const entries = await this.gateway.paginate<Record<string, string>>("DescribePatchProperties", input, "Properties", 50);
      return entries.map((e) => e.Name).filter((n): n is string => typeof n === "string");
    } catch (err) {
      if (!isAccessDenied(err)) throw err;
      // Only the error's name: its message names the caller's identity.
      this.denied = (err as { name?: string }).name ?? "AccessDenied";
      return undefined;
    }
  }
}

/** Edit distance (Levenshtein, case-insensitive): how near a typo is to each valid value. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[t.length]!;
}

/** Lists of up to this many values are named whole in an error; longer ones by the nearest values. */
const NAME_ALL_UP_TO = 12;
const NEAREST = 3;

/** The valid values an error names: all of a short list, the nearest few of a long one. */
export function validValuesText(value: string, valid: readonly string[]): string {
  if (valid.length <= NAME_ALL_UP_TO) return `valid values: ${valid.join(", ")} (or ${WILDCARD} for all)`;
  const nearest = [...valid].sort((a, b) => distance(value, a) - distance(value, b) || a.localeCompare(b)).slice(0, NEAREST);
  return `nearest valid values: ${nearest.join(", ")} (${valid.length} in all, or ${WILDCARD})`;
}

export interface PreflightResult {
  /** Errors (a value the account does not list) and warnings (the account could not be asked). */
  diagnostics: Diagnostic[];
}

function isBaseline(r: LoadedResource): r is LoadedResource<PatchBaselineDoc> {
  return r.doc.kind === "PatchBaseline";
}

interface GroupAt {
  group: PatchFilterGroup;
  path: FieldPath;
}

function filterGroups(doc: PatchBaselineDoc): GroupAt[] {
  const out: GroupAt[] = [];
  if (doc.spec.globalFilters) out.push({ group: doc.spec.globalFilters, path: ["spec", "globalFilters"] });
  (doc.spec.approvalRules?.patchRules ?? []).forEach((rule, i) => out.push({ group: rule.patchFilterGroup, path: ["spec", "approvalRules", "patchRules", i, "patchFilterGroup"] }));
  return out;
}

function isProperty(key: string): key is PatchProperty {
  return (PATCH_PROPERTIES as readonly string[]).includes(key);
}

/** Checks every baseline of `resources` against the account (through `cache`, shared by the whole run). */
export async function preflightBaselines(resources: readonly LoadedResource[], cache: PatchPropertyCache): Promise<PreflightResult> {
  const diagnostics: Diagnostic[] = [];
  const add = (b: LoadedResource, path: FieldPath, message: string, severity: Diagnostic["severity"]): void => {
    const pos = b.source.locate(path);
    diagnostics.push({ severity, file: pos.file, line: pos.line, column: pos.column, resource: b.key, field: formatFieldPath(path), message, code: "filter" });
  };
  for (const b of resources.filter(isBaseline)) {
    const os = b.doc.spec.operatingSystem ?? "WINDOWS";
    for (const { group, path } of filterGroups(b.doc)) {
      const patchSets = patchSetsOf(group.patchFilters, os);
      for (const [i, filter] of group.patchFilters.entries()) {
        const key = filter.key;
        if (!isProperty(key)) continue;
        const listings = await Promise.all(patchSets.map((s) => cache.values(os, key, s)));
        for (const [j, value] of filter.values.entries()) {
          if (value === WILDCARD) continue;
          const answered = listings.filter((l): l is readonly string[] => l !== undefined && l.length > 0);
          const at = [...path, "patchFilters", i, "values", j];
          if (answered.length === 0 || answered.length < listings.length) {
            // Not listed by the account (denied, or nothing listed for this property): the shipped catalog decides.
            const verdict = checkFilterValue(os, key, value, patchSets);
            if (!verdict.ok && !answered.some((l) => l.includes(value))) add(b, at, `'${value}' is not a valid ${key} value for ${os}; ${validValuesText(value, verdict.valid)} (shipped catalog)`, "error");
            continue;
          }
          if (answered.some((l) => l.includes(value))) continue;
          const valid = [...new Set(answered.flat())];
          add(b, at, `'${value}' is not a valid ${key} value for ${os} in this account (DescribePatchProperties); ${validValuesText(value, valid)}`, "error");
        }
      }
    }
  }
  return { diagnostics };
}

/** The warning a run prints when the account denied DescribePatchProperties. */
export function deniedWarning(cache: PatchPropertyCache): string | undefined {
  if (!cache.denied) return undefined;
  return `warning: DescribePatchProperties was denied (${cache.denied}); patch filter values were checked against the catalog shipped with patchctl instead. Allow ssm:DescribePatchProperties (patchctl iam-policy) to check them against the account.`;
}
