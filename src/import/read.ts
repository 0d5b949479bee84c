import { mapLimit } from "../util/limit.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import { IAM_NOT_FOUND, unlessGone } from "../aws/not-found.js";
import { ACCESS_DENIED, readRolePolicies } from "../resources/service-role.js";
import type { AwsGateway } from "../aws/gateway.js";
import type { IamRole } from "../resources/service-role.js";
import { quickSetupAssociation } from "../resources/patch-association.js";
import { PATCHING_DOCUMENTS } from "../model/desired.js";

export type Tag = { Key?: string; Value?: string };
type SsmObject = Record<string, unknown>;

/** A custom baseline as SSM holds it, with what hangs off it. */
export interface RawBaseline {
  id: string;
  ssmName: string;
  operatingSystem: string;
  /** GetPatchBaseline output. */
  get: SsmObject;
  tags: Tag[];
  /** Patch groups registered to this baseline (DescribePatchGroups). */
  patchGroups: string[];
  /** The default baseline for its operating system. */
  isDefault: boolean;
  /** patchctl:name, when the baseline is already owned by the importing owner. */
  ownedName?: string;
}

/** A maintenance window with its targets and tasks. */
export interface RawWindow {
  id: string;
  ssmName: string;
  /** GetMaintenanceWindow output. */
  get: SsmObject;
  tags: Tag[];
  /** DescribeMaintenanceWindowTargets items. */
  targets: SsmObject[];
  /** GetMaintenanceWindowTask outputs (Describe omits the invocation parameters). */
  tasks: SsmObject[];
  ownedName?: string;
}

/** An IAM role that imported tasks run as (or that was selected), with its policies. */
export interface RawRole {
  /** The role's ARN (what tasks give as ServiceRoleArn). */
  id: string;
  /** IAM RoleName. */
  ssmName: string;
  role: IamRole;
  tags: Tag[];
  managed: string[];
  /** Inline policy name → document as IAM returns it (URL-encoded JSON). */
  inline: Record<string, string>;
  ownedName?: string;
}

/** A State Manager association running a patching document. */
export interface RawAssociation {
  id: string;
  /** AssociationName. */
  ssmName: string;
  /** DescribeAssociation's AssociationDescription. */
  description: SsmObject;
  tags: Tag[];
  ownedName?: string;
}

export type ImportKind = "PatchBaseline" | "MaintenanceWindow" | "ServiceRole" | "PatchAssociation";

/** `--select PatchBaseline/<name or pb-id>`, `MaintenanceWindow/<name or mw-id>` or `ServiceRole/<role name>`. */
export interface Selector {
  kind: ImportKind;
  ref: string;
  text: string;
}

export interface ImportRead {
  baselines: RawBaseline[];
  windows: RawWindow[];
  /** The roles imported tasks run as, and selected roles. */
  roles: RawRole[];
  associations: RawAssociation[];
  /** Resources left out, with why (owned by another patchctl owner). */
  skipped: string[];
}

export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectionError";
  }
}

const KIND_ALIASES: Record<string, ImportKind> = {
  patchbaseline: "PatchBaseline",
  baseline: "PatchBaseline",
  maintenancewindow: "MaintenanceWindow",
  window: "MaintenanceWindow",
  servicerole: "ServiceRole",
  role: "ServiceRole",
  patchassociation: "PatchAssociation",
  association: "PatchAssociation",
};

export function parseSelector(text: string): Selector {
  const slash = text.indexOf("/");
  const kind = slash > 0 ? KIND_ALIASES[text.slice(0, slash).toLowerCase()] : undefined;
  const ref = slash > 0 ? text.slice(slash + 1) : "";
  if (!kind || !ref) throw new SelectionError(`--select '${text}': expected PatchBaseline/<name or pb-id>, MaintenanceWindow/<name or mw-id>, ServiceRole/<role name> or PatchAssociation/<name or association id>`);
  return { kind, ref, text };
}

type BaselineIdentity = { BaselineId?: string; BaselineName?: string; OperatingSystem?: string; DefaultBaseline?: boolean };
type WindowIdentity = { WindowId?: string; Name?: string };
type PatchGroupMapping = { PatchGroup?: string; BaselineIdentity?: BaselineIdentity };

function tagValue(tags: Tag[], key: string): string | undefined {
  return tags.find((t) => t.Key === key)?.Value;
}

/** Whom a resource belongs to: skipped when another patchctl owner has it. */
function ownership(tags: Tag[], owner: string): { skipOwner?: string; ownedName?: string } {
  const tagOwner = tagValue(tags, OWNER_TAG);
  if (tagOwner === undefined) return {};
  if (tagOwner !== owner) return { skipOwner: tagOwner };
  return { ownedName: tagValue(tags, NAME_TAG) };
}

/** Picks the listed items a selector names (by name or id); every selector must match something. */
function choose<T>(items: T[], selectors: Selector[], kind: ImportKind, idOf: (t: T) => string, nameOf: (t: T) => string, missing: (s: Selector) => string): T[] {
  const mine = selectors.filter((s) => s.kind === kind);
  if (selectors.length === 0) return items;
  const chosen = new Set<T>();
  for (const s of mine) {
    const hits = items.filter((t) => idOf(t) === s.ref || nameOf(t) === s.ref);
    if (hits.length === 0) throw new SelectionError(missing(s));
    for (const h of hits) chosen.add(h);
  }
  return items.filter((t) => chosen.has(t));
}

/**
 * Reads what `patchctl import` writes out: custom baselines (never AWS-owned ones) with
 * their patch-group registrations and default status, and maintenance windows with their
 * targets and tasks — all of them, or those selected. Changes nothing.
 */
export async function readForImport(gw: AwsGateway, opts: { owner: string; selectors: Selector[]; concurrency?: number }): Promise<ImportRead> {
  const concurrency = opts.concurrency ?? 8;
  const wantBaselines = opts.selectors.length === 0 || opts.selectors.some((s) => s.kind === "PatchBaseline");
  const wantWindows = opts.selectors.length === 0 || opts.selectors.some((s) => s.kind === "MaintenanceWindow");
  const [identities, mappings, windowIds] = await Promise.all([
    wantBaselines ? gw.paginate<BaselineIdentity>("DescribePatchBaselines", {}, "BaselineIdentities", 100) : Promise.resolve([]),
    wantBaselines ? gw.paginate<PatchGroupMapping>("DescribePatchGroups", {}, "Mappings", 100) : Promise.resolve([]),
    wantWindows ? gw.paginate<WindowIdentity>("DescribeMaintenanceWindows", {}, "WindowIdentities", 100) : Promise.resolve([]),
  ]);
  const skipped: string[] = [];

  const custom = identities.filter((b) => b.BaselineId && !b.BaselineId.startsWith("arn:"));
  const baselinesChosen = choose(custom, opts.selectors, "PatchBaseline", (b) => b.BaselineId!, (b) => b.BaselineName ?? "", (s) =>
    identities.some((b) => b.BaselineName === s.ref || b.BaselineId === s.ref)
      ? `--select ${s.text}: that is an AWS-owned baseline; import covers custom baselines only`
      : `--select ${s.text}: no custom patch baseline with that name or id`,
  );
  const baselines = await mapLimit(baselinesChosen, concurrency, async (b): Promise<RawBaseline | undefined> => {
    const id = b.BaselineId!;
    const ssmName = b.BaselineName ?? id;
    const tags = (await gw.call<{ TagList?: Tag[] }>("ListTagsForResource", { ResourceType: "PatchBaseline", ResourceId: id })).TagList ?? [];
    const who = ownership(tags, opts.owner);
    if (who.skipOwner !== undefined) {
      skipped.push(`PatchBaseline '${ssmName}' (${id}): owned by patchctl owner '${who.skipOwner}'`);
      return undefined;
    }
    const get = await unlessGone(() => gw.call<SsmObject>("GetPatchBaseline", { BaselineId: id }));
    if (!get) return undefined;
    const os = String(get.OperatingSystem ?? b.OperatingSystem ?? "WINDOWS");
    const patchGroups = mappings
      .filter((m) => m.PatchGroup !== undefined && m.BaselineIdentity?.BaselineId === id)
      .map((m) => m.PatchGroup!)
      .sort();
    return { id, ssmName, operatingSystem: os, get, tags, patchGroups, isDefault: b.DefaultBaseline === true, ownedName: who.ownedName };
  });

  const windowsChosen = choose(windowIds, opts.selectors, "MaintenanceWindow", (w) => w.WindowId ?? "", (w) => w.Name ?? "", (s) => `--select ${s.text}: no maintenance window with that name or id`);
  const windows = await mapLimit(windowsChosen, concurrency, async (w): Promise<RawWindow | undefined> => {
    const id = w.WindowId!;
    const ssmName = w.Name ?? id;
    const tags = (await gw.call<{ TagList?: Tag[] }>("ListTagsForResource", { ResourceType: "MaintenanceWindow", ResourceId: id })).TagList ?? [];
    const who = ownership(tags, opts.owner);
    if (who.skipOwner !== undefined) {
      skipped.push(`MaintenanceWindow '${ssmName}' (${id}): owned by patchctl owner '${who.skipOwner}'`);
      return undefined;
    }
    const get = await unlessGone(() => gw.call<SsmObject>("GetMaintenanceWindow", { WindowId: id }));
    if (!get) return undefined;
    const [targets, described] = await Promise.all([
      gw.paginate<SsmObject>("DescribeMaintenanceWindowTargets", { WindowId: id }, "Targets", 100),
      gw.paginate<SsmObject>("DescribeMaintenanceWindowTasks", { WindowId: id }, "Tasks", 100),
    ]);
    const tasks = await mapLimit(described, 4, (t) => unlessGone(() => gw.call<SsmObject>("GetMaintenanceWindowTask", { WindowId: id, WindowTaskId: t.WindowTaskId })));
    return { id, ssmName, get, tags, targets, tasks: tasks.filter((t): t is SsmObject => t !== undefined), ownedName: who.ownedName };
  });

  const keptWindows = windows.filter((w): w is RawWindow => w !== undefined);
  const roles = await readRoles(gw, keptWindows, opts, skipped);
  const associations = opts.selectors.length === 0 || opts.selectors.some((s) => s.kind === "PatchAssociation") ? await readAssociations(gw, opts, skipped) : [];
  return {
    baselines: baselines.filter((b): b is RawBaseline => b !== undefined),
    windows: keptWindows,
    roles,
    associations,
    skipped: skipped.sort(),
  };
}

/** The role name in an IAM role ARN (`arn:aws:iam::123456789012:role/path/Name` → `Name`). */
export function roleNameOfArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[^/]+\/)*([\w+=,.@-]{1,64})$/.exec(arn);
  return m?.[1];
}

/**
 * The roles the imported tasks run as (when they are in this account: the role of that name
 * has exactly that ARN) and the selected ones. Service-linked roles are left out (IAM
 * manages them). Without IAM read permission, task roles stay ARNs (a warning says so);
 * a selected role then is an error.
 */
async function readRoles(gw: AwsGateway, windows: RawWindow[], opts: { owner: string; selectors: Selector[]; concurrency?: number }, skipped: string[]): Promise<RawRole[]> {
  const selected = opts.selectors.filter((s) => s.kind === "ServiceRole");
  const wanted = new Map<string, { arn?: string; selector?: Selector }>();
  for (const w of windows) {
    for (const t of w.tasks) {
      const arn = typeof t.ServiceRoleArn === "string" ? t.ServiceRoleArn : undefined;
      const name = arn ? roleNameOfArn(arn) : undefined;
      if (arn && name && !wanted.has(name.toLowerCase())) wanted.set(name.toLowerCase(), { arn });
    }
  }
  for (const s of selected) wanted.set(s.ref.toLowerCase(), { selector: s });
  if (wanted.size === 0) return [];

  const read = await mapLimit([...wanted.values()], opts.concurrency ?? 8, async (want): Promise<RawRole | undefined> => {
    const name = want.selector?.ref ?? roleNameOfArn(want.arn!)!;
    let role: IamRole | undefined;
    try {
      role = (await unlessGone(() => gw.callIam<{ Role?: IamRole }>("GetRole", { RoleName: name }), IAM_NOT_FOUND))?.Role;
    } catch (err) {
      if (err instanceof Error && ACCESS_DENIED.has(err.name) && !want.selector) {
        skipped.push(`ServiceRole '${name}': IAM roles are not readable here (access denied); tasks keep its ARN`);
        return undefined;
      }
      throw err;
    }
    if (!role?.Arn) {
      if (want.selector) throw new SelectionError(`--select ${want.selector.text}: no IAM role with that name`);
      return undefined; // another account's role, or gone: the tasks keep the ARN
    }
    if (want.arn && role.Arn !== want.arn) return undefined;
    if ((role.Path ?? "/").startsWith("/aws-service-role/")) {
      if (want.selector) throw new SelectionError(`--select ${want.selector.text}: a service-linked role is managed by AWS and cannot be imported`);
      return undefined;
    }
    const tags = (await unlessGone(() => gw.paginateIam<Tag>("ListRoleTags", { RoleName: name }, "Tags", 100), IAM_NOT_FOUND)) ?? [];
    const who = ownership(tags, opts.owner);
    if (who.skipOwner !== undefined) {
      skipped.push(`ServiceRole '${role.RoleName}' (${role.Arn}): owned by patchctl owner '${who.skipOwner}'`);
      return undefined;
    }
    const policies = await unlessGone(() => readRolePolicies(gw, role.RoleName ?? name), IAM_NOT_FOUND);
    if (!policies) return undefined;
    return { id: role.Arn, ssmName: role.RoleName ?? name, role, tags, managed: policies.managed, inline: policies.inline, ownedName: who.ownedName };
  });
  return read.filter((r): r is RawRole => r !== undefined);
}


type AssociationItem = { AssociationId?: string; AssociationName?: string; Name?: string };

/**
 * The associations that run a patching document (all, or those selected): one ListAssociations walk,
 * tags and DescribeAssociation per candidate. Left out, saying why: another owner's, Quick Setup's
 * (its patch policies manage them), and unnamed ones (patchctl identifies associations by name; name
 * it with `aws ssm update-association --association-name` and import again).
 */
async function readAssociations(gw: AwsGateway, opts: { owner: string; selectors: Selector[]; concurrency?: number }, skipped: string[]): Promise<RawAssociation[]> {
  const items = await gw.paginate<AssociationItem>("ListAssociations", {}, "Associations", 50);
  const patching = (doc: string | undefined): boolean => doc !== undefined && PATCHING_DOCUMENTS.some((d) => doc === d || doc.endsWith(`:document/${d}`));
  const chosen = choose(items.filter((a) => a.AssociationId), opts.selectors, "PatchAssociation", (a) => a.AssociationId!, (a) => a.AssociationName ?? "", (s) => `--select ${s.text}: no association with that name or id`);
  const read = await mapLimit(chosen, opts.concurrency ?? 8, async (a): Promise<RawAssociation | undefined> => {
    const id = a.AssociationId!;
    const label = `PatchAssociation '${a.AssociationName ?? id}' (${id})`;
    if (!patching(a.Name)) {
      if (opts.selectors.some((s) => s.kind === "PatchAssociation")) skipped.push(`${label}: runs ${a.Name ?? "an unknown document"}, not a patching document`);
      return undefined;
    }
    const tags = (await unlessGone(() => gw.call<{ TagList?: Tag[] }>("ListTagsForResource", { ResourceType: "Association", ResourceId: id }), "InvalidResourceId"))?.TagList;
    if (!tags) return undefined;
    if (quickSetupAssociation(a.AssociationName ?? "", a.Name ?? "", tags.map((t) => t.Key ?? ""))) {
      skipped.push(`${label}: managed by AWS Quick Setup (change it in its patch policy)`);
      return undefined;
    }
    const who = ownership(tags, opts.owner);
    if (who.skipOwner !== undefined) {
      skipped.push(`${label}: owned by patchctl owner '${who.skipOwner}'`);
      return undefined;
    }
    if (a.AssociationName === undefined) {
      skipped.push(`${label}: has no AssociationName; patchctl identifies associations by name (name it with aws ssm update-association --association-name, passing its other settings too, and import again)`);
      return undefined;
    }
    const described = await unlessGone(() => gw.call<{ AssociationDescription?: SsmObject }>("DescribeAssociation", { AssociationId: id }), "AssociationDoesNotExist");
    if (!described?.AssociationDescription) return undefined;
    return { id, ssmName: a.AssociationName, description: described.AssociationDescription, tags, ownedName: who.ownedName };
  });
  return read.filter((r): r is RawAssociation => r !== undefined);
}
