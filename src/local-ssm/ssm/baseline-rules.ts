import { DateTime } from "luxon";
import { invalid } from "../errors.js";
import type { BaselineRecord, PatchFilterGroup } from "./records.js";

/**
 * The service's rules on a patch baseline's content beyond the model's
 * constraints (ValidationException), checked on the whole baseline after a
 * Create or an Update is applied.
 */

const WINDOWS_KEYS = ["PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY"];
const RPM_KEYS = ["PRODUCT", "CLASSIFICATION", "SEVERITY", "SECURITY"];
const DEB_KEYS = ["PRODUCT", "PRIORITY", "SECTION"];
const MAC_KEYS = ["PRODUCT", "CLASSIFICATION"];

/** Patch filter keys a baseline of each operating system accepts (DescribePatchProperties). */
export const FILTER_KEYS_BY_OS: Readonly<Record<string, readonly string[]>> = {
  WINDOWS: WINDOWS_KEYS,
  AMAZON_LINUX: RPM_KEYS,
  AMAZON_LINUX_2: RPM_KEYS,
  AMAZON_LINUX_2022: RPM_KEYS,
  AMAZON_LINUX_2023: RPM_KEYS,
  REDHAT_ENTERPRISE_LINUX: RPM_KEYS,
  CENTOS: RPM_KEYS,
  ORACLE_LINUX: RPM_KEYS,
  ROCKY_LINUX: RPM_KEYS,
  ALMA_LINUX: RPM_KEYS,
  SUSE: RPM_KEYS,
  UBUNTU: DEB_KEYS,
  DEBIAN: DEB_KEYS,
  RASPBIAN: DEB_KEYS,
  MACOS: MAC_KEYS,
};

/** Operating systems whose rules approve at once: neither ApproveAfterDays nor ApproveUntilDate. */
const APPROVES_IMMEDIATELY = new Set(["UBUNTU", "DEBIAN", "RASPBIAN"]);

function checkFilterGroup(group: PatchFilterGroup, os: string, where: string): void {
  const allowed = FILTER_KEYS_BY_OS[os] ?? [];
  const seen = new Set<string>();
  for (const f of group.PatchFilters) {
    if (!allowed.includes(f.Key)) throw invalid(`${where}: the patch filter key ${f.Key} is not supported for operating system ${os}. Supported keys: ${allowed.join(", ")}.`);
    if (seen.has(f.Key)) throw invalid(`${where}: the patch filter key ${f.Key} appears more than once in a patch filter group.`);
    seen.add(f.Key);
    if (f.Key === "PATCH_SET") for (const v of f.Values) if (v !== "OS" && v !== "APPLICATION") throw invalid(`${where}: PATCH_SET values must be OS or APPLICATION (got '${v}').`);
  }
}

export function checkBaselineContent(b: BaselineRecord): void {
  const os = b.OperatingSystem;
  checkFilterGroup(b.GlobalFilters, os, "GlobalFilters");
  b.ApprovalRules.PatchRules.forEach((rule, i) => {
    const where = `ApprovalRules.PatchRules[${i + 1}]`;
    checkFilterGroup(rule.PatchFilterGroup, os, where);
    const days = rule.ApproveAfterDays !== undefined;
    const until = rule.ApproveUntilDate !== undefined;
    if (days && until) throw invalid(`${where}: specify either ApproveAfterDays or ApproveUntilDate, not both.`);
    if (APPROVES_IMMEDIATELY.has(os)) {
      if (days || until) throw invalid(`${where}: ApproveAfterDays and ApproveUntilDate are not supported for operating system ${os}; its patches are approved immediately.`);
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
}
