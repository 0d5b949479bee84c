import { createHash } from "node:crypto";
import type { BaselineRecord, PatchFilter, PatchRule, RegionState } from "./records.js";

/** The account AWS's predefined baselines live in (their ARNs carry it). */
export const AWS_OWNED_ACCOUNT = "012345678901";

/** Predefined baselines are old; a fixed date keeps reads identical across restarts. */
const PREDEFINED_DATE = Date.UTC(2018, 10, 20) / 1000;

interface Predefined {
  name: string;
  os: string;
  description: string;
  rules: PatchRule[];
  /** The initial default for its operating system. */
  isDefault: boolean;
}

const filter = (Key: string, ...Values: string[]): PatchFilter => ({ Key, Values });
const rule = (filters: PatchFilter[], opts: { days?: number; level?: string; nonSecurity?: boolean } = {}): PatchRule => {
  const r: PatchRule = { PatchFilterGroup: { PatchFilters: filters }, ComplianceLevel: opts.level ?? "UNSPECIFIED", EnableNonSecurity: opts.nonSecurity ?? false };
  if (opts.days !== undefined) r.ApproveAfterDays = opts.days;
  return r;
};

function linux(name: string, os: string, label: string, days = 7): Predefined {
  return {
    name,
    os,
    isDefault: true,
    description: `Default Patch Baseline for ${label} Provided by AWS.`,
    rules: [
      rule([filter("PRODUCT", "*"), filter("CLASSIFICATION", "Security"), filter("SEVERITY", "Critical", "Important")], { days }),
      rule([filter("PRODUCT", "*"), filter("CLASSIFICATION", "Bugfix")], { days }),
    ],
  };
}

function debianLike(name: string, os: string, label: string): Predefined {
  return { name, os, isDefault: true, description: `Default Patch Baseline for ${label} Provided by AWS.`, rules: [rule([filter("PRODUCT", "*"), filter("PRIORITY", "Required", "Important", "Standard", "Optional", "Extra")])] };
}

const PREDEFINED: readonly Predefined[] = [
  {
    name: "AWS-DefaultPatchBaseline",
    os: "WINDOWS",
    isDefault: true,
    description: "Default Patch Baseline Provided by AWS.",
    rules: [rule([filter("PRODUCT", "*"), filter("CLASSIFICATION", "CriticalUpdates", "SecurityUpdates"), filter("MSRC_SEVERITY", "Critical", "Important")], { days: 7 })],
  },
  {
    name: "AWS-WindowsPredefinedPatchBaseline-OS",
    os: "WINDOWS",
    isDefault: false,
    description: "Windows Patch Baseline Provided by AWS (operating system updates).",
    rules: [rule([filter("PATCH_SET", "OS"), filter("PRODUCT", "*"), filter("CLASSIFICATION", "CriticalUpdates", "SecurityUpdates"), filter("MSRC_SEVERITY", "Critical", "Important")], { days: 7 })],
  },
  {
    name: "AWS-WindowsPredefinedPatchBaseline-OS-Applications",
    os: "WINDOWS",
    isDefault: false,
    description: "Windows Patch Baseline Provided by AWS (operating system and Microsoft application updates).",
    rules: [
      rule([filter("PATCH_SET", "OS"), filter("PRODUCT", "*"), filter("CLASSIFICATION", "CriticalUpdates", "SecurityUpdates"), filter("MSRC_SEVERITY", "Critical", "Important")], { days: 7 }),
      rule([filter("PATCH_SET", "APPLICATION"), filter("PRODUCT", "*"), filter("PRODUCT_FAMILY", "*"), filter("CLASSIFICATION", "CriticalUpdates", "SecurityUpdates"), filter("MSRC_SEVERITY", "Critical", "Important")], { days: 7 }),
    ],
  },
  linux("AWS-AmazonLinuxDefaultPatchBaseline", "AMAZON_LINUX", "Amazon Linux"),
  linux("AWS-AmazonLinux2DefaultPatchBaseline", "AMAZON_LINUX_2", "Amazon Linux 2"),
  linux("AWS-AmazonLinux2022DefaultPatchBaseline", "AMAZON_LINUX_2022", "Amazon Linux 2022"),
  linux("AWS-AmazonLinux2023DefaultPatchBaseline", "AMAZON_LINUX_2023", "Amazon Linux 2023"),
  debianLike("AWS-UbuntuDefaultPatchBaseline", "UBUNTU", "Ubuntu"),
  debianLike("AWS-DebianDefaultPatchBaseline", "DEBIAN", "Debian"),
  debianLike("AWS-RaspbianDefaultPatchBaseline", "RASPBIAN", "Raspberry Pi OS"),
  linux("AWS-RedHatDefaultPatchBaseline", "REDHAT_ENTERPRISE_LINUX", "Red Hat Enterprise Linux"),
  linux("AWS-SuseDefaultPatchBaseline", "SUSE", "SUSE"),
  linux("AWS-CentOSDefaultPatchBaseline", "CENTOS", "CentOS"),
  linux("AWS-OracleLinuxDefaultPatchBaseline", "ORACLE_LINUX", "Oracle Linux"),
  linux("AWS-RockyLinuxDefaultPatchBaseline", "ROCKY_LINUX", "Rocky Linux"),
  linux("AWS-AlmaLinuxDefaultPatchBaseline", "ALMA_LINUX", "AlmaLinux"),
  {
    name: "AWS-MacOSDefaultPatchBaseline",
    os: "MACOS",
    isDefault: true,
    description: "Default Patch Baseline for MacOS Provided by AWS.",
    rules: [rule([filter("PRODUCT", "*"), filter("CLASSIFICATION", "*")], { days: 7 })],
  },
];

/** The same ids in every account of a region, stable across restarts (as AWS's are). */
function predefinedId(region: string, name: string): string {
  const hex = createHash("sha256").update(`${region}/${name}`).digest("hex").slice(0, 17);
  return `arn:aws:ssm:${region}:${AWS_OWNED_ACCOUNT}:patchbaseline/pb-${hex}`;
}

/** A new account-and-region: AWS's predefined baselines, each default for its OS. */
export function freshRegionState(region: string): RegionState {
  const state: RegionState = { baselines: {}, patchGroups: [], defaults: {}, windows: {}, targets: {}, tasks: {}, parameters: {}, documents: {}, associations: {}, tokens: {} };
  for (const p of PREDEFINED) {
    const id = predefinedId(region, p.name);
    const b: BaselineRecord = {
      BaselineId: id,
      Name: p.name,
      OperatingSystem: p.os,
      Description: p.description,
      GlobalFilters: { PatchFilters: [] },
      ApprovalRules: { PatchRules: p.rules },
      ApprovedPatches: [],
      ApprovedPatchesComplianceLevel: "UNSPECIFIED",
      ApprovedPatchesEnableNonSecurity: false,
      RejectedPatches: [],
      RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
      Sources: [],
      CreatedDate: PREDEFINED_DATE,
      ModifiedDate: PREDEFINED_DATE,
      Tags: [],
      AwsOwned: true,
    };
    state.baselines[id] = b;
    if (p.isDefault) state.defaults[p.os] = id;
  }
  return state;
}

/** Brings a region state written by an older version up to date (in place). */
export function upgradeRegionState(state: RegionState): RegionState {
  state.patchGroups ??= [];
  state.documents ??= {};
  state.associations ??= {};
  for (const b of Object.values(state.baselines)) {
    const legacy = b as BaselineRecord & { PatchGroups?: string[] };
    if (legacy.PatchGroups) {
      for (const g of legacy.PatchGroups) state.patchGroups.push({ PatchGroup: g, BaselineId: b.BaselineId });
      delete legacy.PatchGroups;
    }
  }
  for (const t of Object.values(state.tasks)) {
    const legacy = t as typeof t & { Type?: string };
    if (legacy.Type !== undefined) {
      legacy.TaskType ??= legacy.Type;
      delete legacy.Type;
    }
  }
  for (const [key, token] of Object.entries(state.tokens)) {
    const legacy = token as typeof token & { operation?: string };
    legacy.at ??= Date.now() / 1000;
    delete legacy.operation;
    state.tokens[key] = legacy;
  }
  return state;
}
