/**
 * Which patch filter keys a patch baseline of each operating system takes, and
 * which values each key takes: one table, read by the offline validator
 * (src/desired/semantic-check.ts) and by the local endpoint (its
 * CreatePatchBaseline/UpdatePatchBaseline rules and its DescribePatchProperties).
 * It imports nothing, so both sides can use it without a cycle.
 *
 * Every entry names its source; docs/ssm-fidelity.md lists the decisions. In short:
 * - Keys: DescribePatchProperties' documentation in the SSM model (botocore and
 *   @aws-sdk/client-ssm) lists the properties per OS; PatchFilter's documentation
 *   adds PATCH_SET for WINDOWS. The DescribeAvailablePatches-only keys (NAME, ARCH,
 *   CVE_ID, BUGZILLA_ID, ADVISORY_ID, EPOCH, RELEASE, REPOSITORY, VERSION, PATCH_ID,
 *   SECURITY) are not baseline filter keys. Global filters and approval rules share
 *   one PatchFilter type and AWS documents no difference between them, so they take
 *   the same keys.
 * - Values: a closed list where AWS documents the whole list (older model
 *   documentation of PatchFilter, real "Invalid Filter Value" errors, recorded AWS CLI
 *   examples, the Linux rules page of the user guide); an open list (any value of 1-64
 *   characters, examples only) where AWS documents none, so that patchctl never
 *   refuses offline what the service may accept. `*` matches every value of a key.
 */

/** The OperatingSystem enum of the SSM model (botocore), plus ALMA_LINUX and AMAZON_LINUX_2023 from the SDK's newer copy. */
export const PATCH_OPERATING_SYSTEMS = [
  "WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "AMAZON_LINUX_2023", "UBUNTU", "DEBIAN", "RASPBIAN",
  "REDHAT_ENTERPRISE_LINUX", "CENTOS", "ORACLE_LINUX", "ROCKY_LINUX", "ALMA_LINUX", "SUSE", "MACOS",
] as const;
export type PatchOperatingSystem = (typeof PATCH_OPERATING_SYSTEMS)[number];

/** The keys a baseline filter may use. */
export type BaselineFilterKey = "PATCH_SET" | "PRODUCT" | "PRODUCT_FAMILY" | "CLASSIFICATION" | "MSRC_SEVERITY" | "SEVERITY" | "PRIORITY" | "SECTION";

/** The PatchProperty enum of DescribePatchProperties (PATCH_SET and SECTION are filter keys but not properties). */
export const PATCH_PROPERTIES = ["PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY", "PRIORITY", "SEVERITY"] as const;
export type PatchProperty = (typeof PATCH_PROPERTIES)[number];

/** Windows patch sets (the PatchSet enum): operating-system updates, or Microsoft application updates. */
export type PatchSet = "OS" | "APPLICATION";

/** The value that matches every value of a key (PatchFilter documentation). */
export const WILDCARD = "*";

export interface PropertyValues {
  /** The values AWS documents, in the order DescribePatchProperties serves them. */
  readonly values: readonly string[];
  /** true: a value outside `values` (other than `*`) is refused. false: `values` are examples only. */
  readonly closed: boolean;
  /** Where the list comes from. */
  readonly source: string;
}

const SRC = {
  model2017: "SSM model documentation of PatchFilter, 2017 (docs.rs/rusoto_ssm/0.34.0 PatchFilter)",
  patchFilter: "SSM model documentation of PatchFilter (keys for WINDOWS) and the PatchSet enum",
  alError: "real ValidationException 'Invalid Filter Value: All for Key: PRODUCT, valid values are: …' (hashicorp/terraform-provider-aws#18359) and the recorded describe-patch-properties example",
  winError: "real ValidationException for Windows PRODUCT (hashicorp/terraform#21678), the 2017 model documentation, recorded AWS CLI examples",
  linuxRules: "user guide, 'How patch baseline rules work on Linux-based systems' (updateinfo.xml type and severity), and the 2017 model documentation",
  availablePatches: "SSM model documentation of DescribeAvailablePatches (sample values only)",
  derived: "not documented as a list: named after the documented scheme for versions Patch Manager supports (examples only)",
  none: "not documented: any value accepted (examples only)",
} as const;

const closed = (values: readonly string[], source: string): PropertyValues => ({ values, closed: true, source });
const open = (values: readonly string[], source: string): PropertyValues => ({ values, closed: false, source });

const range = (prefix: string, major: number, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${major}.${from + i}`);

const WINDOWS_OS_PRODUCTS = closed(
  [
    "Windows7", "Windows8", "Windows8.1", "Windows8Embedded", "Windows10", "Windows10LTSB", "Windows11",
    "WindowsServer2008", "WindowsServer2008R2", "WindowsServer2012", "WindowsServer2012R2", "WindowsServer2016", "WindowsServer2019",
    "WindowsServer2022", "WindowsServer2025", "MicrosoftDefenderAntivirus",
  ],
  `${SRC.winError}; Windows11, WindowsServer2022, WindowsServer2025 named after that scheme; MicrosoftDefenderAntivirus from ${SRC.availablePatches}`,
);
const WINDOWS_APPLICATION_PRODUCTS = open(["Office 2010", "Office 2013", "Office 2016"], `Microsoft application products: ${SRC.none}; examples from the PatchFilter and DescribeAvailablePatches documentation`);
const WINDOWS_CLASSIFICATION = closed(["CriticalUpdates", "DefinitionUpdates", "Drivers", "FeaturePacks", "SecurityUpdates", "ServicePacks", "Tools", "UpdateRollups", "Updates", "Upgrades"], SRC.model2017);
const MSRC_SEVERITY = closed(["Critical", "Important", "Moderate", "Low", "Unspecified"], SRC.model2017);
const PATCH_SETS = closed(["OS", "APPLICATION"], SRC.patchFilter);

const YUM_CLASSIFICATION = closed(["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"], SRC.linuxRules);
const YUM_SEVERITY = closed(["Critical", "Important", "Medium", "Low"], SRC.linuxRules);
const RHEL_LIKE_CLASSIFICATION = open(YUM_CLASSIFICATION.values, `${SRC.none}; examples are the RHEL values`);
const RHEL_LIKE_SEVERITY = open(YUM_SEVERITY.values, `${SRC.none}; examples are the RHEL values`);
const DEB_PRIORITY = closed(["Required", "Important", "Standard", "Optional", "Extra"], `${SRC.model2017} (Ubuntu); Debian and Raspberry Pi OS packages carry the same priority field`);
const DEB_SECTION = open([], "2017 model documentation: 'Only the length of the key value is validated' (SECTION is not a DescribePatchProperties property)");

interface OsTable {
  /** Keys the OS takes, in DescribePatchProperties' order. */
  readonly keys: readonly BaselineFilterKey[];
  readonly keysSource: string;
  /** Values per key; for WINDOWS, PRODUCT and PRODUCT_FAMILY depend on the patch set. */
  readonly values: Partial<Record<BaselineFilterKey, PropertyValues>>;
  readonly application?: Partial<Record<BaselineFilterKey, PropertyValues>>;
}

const KEYS_DOC = "DescribePatchProperties documentation in the SSM model";
const yumLike = (products: PropertyValues, keysSource = KEYS_DOC): OsTable => ({
  keys: ["PRODUCT", "CLASSIFICATION", "SEVERITY"],
  keysSource,
  values: { PRODUCT: products, CLASSIFICATION: YUM_CLASSIFICATION, SEVERITY: YUM_SEVERITY },
});
const rhelLike = (products: PropertyValues, keysSource: string): OsTable => ({
  keys: ["PRODUCT", "CLASSIFICATION", "SEVERITY"],
  keysSource,
  values: { PRODUCT: products, CLASSIFICATION: RHEL_LIKE_CLASSIFICATION, SEVERITY: RHEL_LIKE_SEVERITY },
});
const debLike = (products: PropertyValues, keysSource: string): OsTable => ({
  keys: ["PRODUCT", "PRIORITY", "SECTION"],
  keysSource,
  values: { PRODUCT: products, PRIORITY: DEB_PRIORITY, SECTION: DEB_SECTION },
});

const TABLE: Readonly<Record<PatchOperatingSystem, OsTable>> = {
  WINDOWS: {
    keys: ["PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY"],
    keysSource: `${KEYS_DOC}; PATCH_SET from the PatchFilter documentation`,
    values: { PATCH_SET: PATCH_SETS, PRODUCT: WINDOWS_OS_PRODUCTS, PRODUCT_FAMILY: open(["Windows"], `${SRC.none}; example from ${SRC.availablePatches}`), CLASSIFICATION: WINDOWS_CLASSIFICATION, MSRC_SEVERITY: MSRC_SEVERITY },
    application: { PRODUCT: WINDOWS_APPLICATION_PRODUCTS, PRODUCT_FAMILY: open(["Office"], `${SRC.none}; example from ${SRC.availablePatches}`) },
  },
  AMAZON_LINUX: yumLike(closed(["2012.03", "2012.09", "2013.03", "2013.09", "2014.03", "2014.09", "2015.03", "2015.09", "2016.03", "2016.09", "2017.03", "2017.09", "2018.03"].map((v) => `AmazonLinux${v}`), SRC.alError)),
  AMAZON_LINUX_2: yumLike(closed(["AmazonLinux2", "AmazonLinux2.0"], `AmazonLinux2.0 from ${SRC.availablePatches}; AmazonLinux2 as the AWS CLI and Terraform users send it`)),
  AMAZON_LINUX_2022: yumLike(closed(["AmazonLinux2022"], SRC.derived), `${KEYS_DOC} (as AMAZON_LINUX_2023; the user guide describes both together)`),
  AMAZON_LINUX_2023: yumLike(closed(["AmazonLinux2023"], SRC.derived)),
  REDHAT_ENTERPRISE_LINUX: yumLike(
    closed(
      [...range("RedhatEnterpriseLinux", 6, 5, 10), ...range("RedhatEnterpriseLinux", 7, 0, 9), ...range("RedhatEnterpriseLinux", 8, 0, 10), ...range("RedhatEnterpriseLinux", 9, 0, 6), "RedhatEnterpriseLinux10.0"],
      `${SRC.model2017} (6.5-7.4); later minor versions named after that scheme`,
    ),
  ),
  SUSE: {
    keys: ["PRODUCT", "CLASSIFICATION", "SEVERITY"],
    keysSource: KEYS_DOC,
    values: {
      PRODUCT: closed([...range("Suse", 12, 0, 9), ...range("Suse", 15, 0, 6)], `${SRC.model2017} (12.0-12.9); 15.x named after that scheme`),
      CLASSIFICATION: closed(["Security", "Recommended", "Optional", "Feature", "Document", "Yast"], SRC.model2017),
      SEVERITY: closed(["Critical", "Important", "Moderate", "Low"], SRC.model2017),
    },
  },
  CENTOS: rhelLike(open([...range("CentOS", 6, 5, 10), ...range("CentOS", 7, 0, 9), ...range("CentOS", 8, 0, 5), "CentOSStream8", "CentOSStream9"], SRC.none), KEYS_DOC),
  ORACLE_LINUX: rhelLike(open([...range("OracleLinux", 7, 5, 9), ...range("OracleLinux", 8, 0, 10), ...range("OracleLinux", 9, 0, 6)], SRC.none), KEYS_DOC),
  ROCKY_LINUX: rhelLike(open([...range("RockyLinux", 8, 0, 10), ...range("RockyLinux", 9, 0, 6)], SRC.none), "not in DescribePatchProperties' documentation: the RHEL keys (the user guide describes AlmaLinux, RHEL and Rocky Linux together)"),
  ALMA_LINUX: rhelLike(open([...range("AlmaLinux", 8, 0, 10), ...range("AlmaLinux", 9, 0, 6)], SRC.none), "not in DescribePatchProperties' documentation: the RHEL keys (the user guide describes AlmaLinux, RHEL and Rocky Linux together)"),
  UBUNTU: debLike(
    closed(
      ["14.04", "16.04", "18.04", "18.10", "19.04", "19.10", "20.04", "20.10", "21.04", "21.10", "22.04", "22.10", "23.04", "23.10", "24.04", "24.10", "25.04"].map((v) => `Ubuntu${v}`),
      `${SRC.model2017} (14.04, 16.04); later releases named after that scheme`,
    ),
    `${KEYS_DOC} (PRODUCT, PRIORITY); SECTION from the 2017 model documentation`,
  ),
  DEBIAN: debLike(open(["Debian8", "Debian9", "Debian10", "Debian11", "Debian12"], SRC.none), `${KEYS_DOC} (PRODUCT, PRIORITY); SECTION as on UBUNTU`),
  RASPBIAN: debLike(open(["Raspbian9", "Raspbian10", "Raspbian11", "Raspbian12"], SRC.none), "not in DescribePatchProperties' documentation: the DEBIAN keys (the user guide describes Debian Server and Raspberry Pi OS together)"),
  MACOS: {
    keys: ["PRODUCT", "CLASSIFICATION"],
    keysSource: KEYS_DOC,
    values: { PRODUCT: open([], SRC.none), CLASSIFICATION: open([], SRC.none) },
  },
};

export function isPatchOperatingSystem(os: string): os is PatchOperatingSystem {
  return Object.hasOwn(TABLE, os);
}

/** Filter keys a baseline of `os` accepts, in global filters and approval rules alike. */
export function baselineFilterKeys(os: string): readonly BaselineFilterKey[] {
  return isPatchOperatingSystem(os) ? TABLE[os].keys : [];
}

/** The source of `os`'s key list. */
export function baselineFilterKeysSource(os: string): string {
  return isPatchOperatingSystem(os) ? TABLE[os].keysSource : "unknown operating system";
}

/** The values `key` takes on `os` for one patch set (only WINDOWS distinguishes them). */
export function propertyValues(os: string, key: string, patchSet: PatchSet = "OS"): PropertyValues | undefined {
  if (!isPatchOperatingSystem(os)) return undefined;
  const table = TABLE[os];
  if (!(table.keys as readonly string[]).includes(key)) return undefined;
  const k = key as BaselineFilterKey;
  return (patchSet === "APPLICATION" ? table.application?.[k] : undefined) ?? table.values[k];
}

/**
 * The patch sets a filter group covers: its PATCH_SET filter's values (`*` is both),
 * OS when it has none (the service's default, as the Terraform provider documents).
 */
export function patchSetsOf(filters: readonly { key: string; values: readonly string[] }[], os: string): readonly PatchSet[] {
  if (os !== "WINDOWS") return ["OS"];
  const f = filters.find((x) => x.key === "PATCH_SET");
  if (!f) return ["OS"];
  if (f.values.includes(WILDCARD)) return ["OS", "APPLICATION"];
  const sets = f.values.filter((v): v is PatchSet => v === "OS" || v === "APPLICATION");
  return sets.length > 0 ? sets : ["OS"];
}

export interface ValueVerdict {
  /** The value is accepted. */
  readonly ok: boolean;
  /** The documented values, for the error message (closed lists only). */
  readonly valid: readonly string[];
}

/** Whether `value` is a valid value of `key` on `os` for any of `patchSets`. Unknown keys are the key check's business: accepted here. */
export function checkFilterValue(os: string, key: string, value: string, patchSets: readonly PatchSet[] = ["OS"]): ValueVerdict {
  const lists = patchSets.map((s) => propertyValues(os, key, s)).filter((x): x is PropertyValues => x !== undefined);
  if (lists.length === 0) return { ok: true, valid: [] };
  if (lists.some((l) => !l.closed)) return { ok: true, valid: [] };
  const valid = [...new Set(lists.flatMap((l) => l.values))];
  return { ok: value === WILDCARD || valid.includes(value), valid };
}

/**
 * DescribePatchProperties' entries for one OS and property: one map per value,
 * `{Name: value}` as the recorded describe-patch-properties example shows. A
 * property the OS does not have lists nothing.
 */
export function describePatchProperties(os: string, property: string, patchSet: PatchSet = "OS"): Record<string, string>[] {
  const list = propertyValues(os, property, os === "WINDOWS" ? patchSet : "OS");
  if (!list || !(PATCH_PROPERTIES as readonly string[]).includes(property)) return [];
  return list.values.map((Name) => ({ Name }));
}

/**
 * Values an account lists besides the shipped catalog's (a product AWS added after
 * this catalog was built). The local endpoint takes them as a test-only option
 * (startLocalSsm's patchProperties) to stand for such an account: it lists them in
 * DescribePatchProperties and accepts them in CreatePatchBaseline/UpdatePatchBaseline.
 */
export interface ExtraPropertyValues {
  readonly operatingSystem: string;
  readonly property: string;
  /** WINDOWS only; OS when absent. */
  readonly patchSet?: PatchSet;
  readonly values: readonly string[];
}

/** The extra values of `property` on `os` for one patch set. */
export function extraValuesOf(extras: readonly ExtraPropertyValues[], os: string, property: string, patchSet: PatchSet = "OS"): readonly string[] {
  return extras.filter((e) => e.operatingSystem === os && e.property === property && (e.patchSet ?? "OS") === (os === "WINDOWS" ? patchSet : "OS")).flatMap((e) => e.values);
}
