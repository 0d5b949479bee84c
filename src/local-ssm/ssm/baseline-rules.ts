import { DateTime } from "luxon";
import type { ExtraPropertyValues } from "../../catalog/patch-properties.js";
import { baselineFilterKeys, checkFilterValue, extraValuesOf, patchSetsOf } from "../../catalog/patch-properties.js";
import { invalid } from "../errors.js";
import type { BaselineRecord, PatchFilterGroup } from "./records.js";

/**
 * The service's rules on a patch baseline's content beyond the model's
 * constraints (ValidationException), checked on the whole baseline after a
 * Create or an Update is applied. Filter keys and values come from the shared
 * catalog (src/catalog/patch-properties.ts); docs/ssm-fidelity.md gives each
 * rule's source.
 */

/**
 * Operating systems whose rules carry no approval delay: the model documents
 * ApproveAfterDays and ApproveUntilDate as "Not supported on Debian Server or
 * Ubuntu Server". ApproveAfterDays 0 (no delay) is accepted there all the same: the
 * Terraform provider sends it for every rule without approve_until_date.
 * RASPBIAN is not named, so its rules need one of the two like every other OS.
 */
const APPROVES_IMMEDIATELY = new Set(["UBUNTU", "DEBIAN"]);

function checkFilterGroup(group: PatchFilterGroup, os: string, where: string, extras: readonly ExtraPropertyValues[]): void {
  const allowed = baselineFilterKeys(os);
  const seen = new Set<string>();
  const patchSets = patchSetsOf(group.PatchFilters.map((f) => ({ key: f.Key, values: f.Values })), os);
  for (const f of group.PatchFilters) {
    if (!(allowed as readonly string[]).includes(f.Key)) throw invalid(`${where}: the patch filter key ${f.Key} is not supported for operating system ${os}. Supported keys: ${allowed.join(", ")}.`);
    if (seen.has(f.Key)) throw invalid(`${where}: the patch filter key ${f.Key} appears more than once in a patch filter group.`);
    seen.add(f.Key);
    for (const v of f.Values) {
      const sets = f.Key === "PATCH_SET" ? (["OS"] as const) : patchSets;
      const verdict = checkFilterValue(os, f.Key, v, sets);
      if (!verdict.ok && sets.some((s) => extraValuesOf(extras, os, f.Key, s).includes(v))) continue;
      // AWS's words (hashicorp/terraform-provider-aws#18359).
      if (!verdict.ok) throw invalid(`Invalid Filter Value: ${v} for Key: ${f.Key}, valid values are: ${verdict.valid.join(", ")}`);
    }
  }
}

/** `extras`: values this endpoint accepts besides the catalog's (startLocalSsm's patchProperties). */
export function checkBaselineContent(b: BaselineRecord, extras: readonly ExtraPropertyValues[] = []): void {
  const os = b.OperatingSystem;
  checkFilterGroup(b.GlobalFilters, os, "GlobalFilters", extras);
  b.ApprovalRules.PatchRules.forEach((rule, i) => {
    const where = `ApprovalRules.PatchRules[${i + 1}]`;
    checkFilterGroup(rule.PatchFilterGroup, os, where, extras);
    const days = rule.ApproveAfterDays !== undefined;
    const until = rule.ApproveUntilDate !== undefined;
    if (days && until) throw invalid(`${where}: specify either ApproveAfterDays or ApproveUntilDate, not both.`);
    if (APPROVES_IMMEDIATELY.has(os)) {
      if (until || (days && rule.ApproveAfterDays !== 0)) throw invalid(`${where}: ApproveAfterDays and ApproveUntilDate are not supported for operating system ${os}; its patches are approved immediately.`);
    } else if (!days && !until) {
      throw invalid(`${where}: a patch rule must specify ApproveAfterDays or ApproveUntilDate.`);
    }
    if (until && !(/^\d{4}-\d{2}-\d{2}$/.test(rule.ApproveUntilDate!) && DateTime.fromISO(rule.ApproveUntilDate!, { zone: "UTC" }).isValid)) {
      throw invalid(`${where}: ApproveUntilDate must be a date in the format YYYY-MM-DD (got '${rule.ApproveUntilDate}').`);
    }
    if (rule.EnableNonSecurity && os === "WINDOWS") throw invalid(`${where}: EnableNonSecurity is supported for Linux operating systems only.`);
  });
  if (os === "WINDOWS" && b.Sources.length > 0) throw invalid("Sources (alternative patch source repositories) are supported for Linux operating systems only.");
  if (os === "WINDOWS" && b.ApprovedPatchesEnableNonSecurity) throw invalid("ApprovedPatchesEnableNonSecurity is supported for Linux operating systems only.");
  if (os !== "WINDOWS" && b.AvailableSecurityUpdatesComplianceStatus !== undefined) throw invalid("AvailableSecurityUpdatesComplianceStatus is supported for WINDOWS only.");
  const sourceNames = new Set<string>();
  for (const s of b.Sources) {
    if (sourceNames.has(s.Name)) throw invalid(`Sources: the patch source name ${s.Name} appears more than once.`);
    sourceNames.add(s.Name);
  }
  // Required one of, checked last (issue 19's audit; the service's wording is unconfirmed): a baseline approves something.
  if (b.ApprovalRules.PatchRules.length === 0 && b.ApprovedPatches.length === 0) {
    throw invalid("A patch baseline must have at least one approval rule (ApprovalRules) or one approved patch (ApprovedPatches).");
  }
}
