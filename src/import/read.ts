import { mapLimit } from "../util/limit.js";
import type { ActualResource, JsonObject, ResourceType } from "../model/plan.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import { readActualState } from "../reconciler/read-actual.js";
import { IAM_NOT_FOUND, unlessGone } from "../aws/not-found.js";
import { ACCESS_DENIED, readRolePolicies } from "../resources/service-role.js";
import type { AwsGateway } from "../aws/gateway.js";
import type { IamRole } from "../resources/service-role.js";
import { quickSetupAssociation } from "../resources/patch-association.js";
import { PATCHING_DOCUMENTS } from "../model/desired.js";

export type Tag = { Key?: string; Value?: string };

/** A custom baseline as the handler read it, with what hangs off it. */
export interface RawBaseline {
  id: string;
  ssmName: string;
  /** The handler's shape of it (tags included). */
  spec: JsonObject;
  tags: Tag[];
  /** Patch groups registered to this baseline. */
  patchGroups: string[];
  /** The default baseline for its operating system. */
  isDefault: boolean;
  /** patchctl:name, when the baseline is already owned by the importing owner. */
  ownedName?: string;
}

/** A maintenance window with its targets and tasks, as the handlers read them. */
export interface RawWindow {
  id: string;
  ssmName: string;
  spec: JsonObject;
  tags: Tag[];
  /** Its targets (ssmName "id:…" when SSM has no Name). */
  targets: ActualResource[];
  /** Its tasks; WindowTargetIds name targets by id ("id:…"). */
  tasks: ActualResource[];
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

/** A State Manager association running a patching document, as the handler read it. */
export interface RawAssociation {
  id: string;
  /** AssociationName. */
  ssmName: string;
  spec: JsonObject;
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

/** The tags of a resource read in full (its spec's tags), as SSM lists them. */
function tagsOf(spec: JsonObject): Tag[] {
  const tags = spec.tags;
  if (tags === null || typeof tags !== "object" || Array.isArray(tags)) return [];
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) }));
}

/** Whom a resource belongs to: skipped when another patchctl owner has it. */
function ownership(r: ActualResource, owner: string): { skipOwner?: string; ownedName?: string } {
  if (r.ownerTag === undefined) return {};
  if (r.ownerTag !== owner) return { skipOwner: r.ownerTag };
  return { ownedName: tagsOf(r.spec).find((t) => t.Key === NAME_TAG)?.Value };
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

/** Import's kinds that the SSM handlers read (roles are read by the ARNs the tasks name, below). */
const SSM_KINDS: readonly ImportKind[] = ["PatchBaseline", "MaintenanceWindow", "PatchAssociation"];

/**
 * Reads what `patchctl import` writes out, through the same handler reads as a plan (in full:
 * every resource no other owner has): custom baselines (never AWS-owned ones) with their
 * patch-group registrations and default status, maintenance windows with their targets and tasks,
 * patching associations — all of them, or those selected — and the roles the tasks run as.
 * Changes nothing.
 */
export async function readForImport(gw: AwsGateway, opts: { owner: string; selectors: Selector[]; concurrency?: number }): Promise<ImportRead> {
  const concurrency = opts.concurrency ?? 8;
  const wanted = (kind: ImportKind): boolean => opts.selectors.length === 0 || opts.selectors.some((s) => s.kind === kind);
  const types = SSM_KINDS.filter(wanted);
  const actual = types.length ? await readActualState(gw, { owner: opts.owner, desiredNames: {}, full: true, types, concurrency }) : undefined;
  const resources = actual?.resources ?? [];
  const ofType = (type: ResourceType): ActualResource[] => resources.filter((r) => r.type === type);
  const skipped: string[] = [];
  /** The resources no other owner has (noting the others), with their ownership. */
  const mine = (list: ActualResource[], label: (r: ActualResource) => string): { r: ActualResource; ownedName?: string }[] =>
    list.flatMap((r) => {
      const who = ownership(r, opts.owner);
      if (who.skipOwner === undefined) return [{ r, ownedName: who.ownedName }];
      skipped.push(`${label(r)}: owned by patchctl owner '${who.skipOwner}'`);
      return [];
    });

  const allBaselines = ofType("PatchBaseline");
  const baselinesChosen = choose(allBaselines, opts.selectors, "PatchBaseline", (b) => b.id, (b) => b.ssmName, (s) =>
    // AWS-owned baselines: ids are ARNs, names carry AWS's reserved "AWS-" prefix.
    s.ref.startsWith("arn:") || s.ref.startsWith("AWS-")
      ? `--select ${s.text}: that is an AWS-owned baseline; import covers custom baselines only`
      : `--select ${s.text}: no custom patch baseline with that name or id`,
  );
  const baselines = mine(baselinesChosen, (b) => `PatchBaseline '${b.ssmName}' (${b.id})`).map(({ r, ownedName }): RawBaseline => ({
    id: r.id,
    ssmName: r.ssmName,
    spec: r.spec,
    tags: tagsOf(r.spec),
    patchGroups: ofType("PatchGroupRegistration").filter((g) => g.id === r.id).map((g) => g.ssmName).sort(),
    isDefault: ofType("DefaultBaseline").some((d) => d.id === r.id),
    ownedName,
  }));

  const windowsChosen = choose(ofType("MaintenanceWindow"), opts.selectors, "MaintenanceWindow", (w) => w.id, (w) => w.ssmName, (s) => `--select ${s.text}: no maintenance window with that name or id`);
  const windows = mine(windowsChosen, (w) => `MaintenanceWindow '${w.ssmName}' (${w.id})`).map(({ r, ownedName }): RawWindow => ({
    id: r.id,
    ssmName: r.ssmName,
    spec: r.spec,
    tags: tagsOf(r.spec),
    targets: ofType("WindowTarget").filter((t) => t.parentKey === r.key),
    tasks: ofType("WindowTask").filter((t) => t.parentKey === r.key),
    ownedName,
  }));

  const roles = await readRoles(gw, windows, opts, skipped);
  const associations = wanted("PatchAssociation") ? associationsOf(ofType("PatchAssociation"), opts, skipped) : [];
  return { baselines, windows, roles, associations, skipped: skipped.sort() };
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
      const arn = typeof t.spec.serviceRoleArn === "string" ? t.spec.serviceRoleArn : undefined;
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
    const who = roleOwnership(tags, opts.owner);
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


/** Whom a role belongs to, from its tags: skipped when another patchctl owner has it. */
function roleOwnership(tags: Tag[], owner: string): { skipOwner?: string; ownedName?: string } {
  const tagOwner = tags.find((t) => t.Key === OWNER_TAG)?.Value;
  if (tagOwner === undefined) return {};
  if (tagOwner !== owner) return { skipOwner: tagOwner };
  return { ownedName: tags.find((t) => t.Key === NAME_TAG)?.Value };
}

/**
 * The associations that run a patching document (all, or those selected), as the handler read them.
 * Left out, saying why: another owner's, Quick Setup's (its patch policies manage them), and unnamed
 * ones (patchctl identifies associations by name; name it with `aws ssm update-association
 * --association-name` and import again).
 */
function associationsOf(items: ActualResource[], opts: { owner: string; selectors: Selector[] }, skipped: string[]): RawAssociation[] {
  const patching = (doc: string | undefined): boolean => doc !== undefined && PATCHING_DOCUMENTS.some((d) => doc === d || doc.endsWith(`:document/${d}`));
  const nameOf = (a: ActualResource): string | undefined => (typeof a.spec.associationName === "string" ? a.spec.associationName : undefined);
  const chosen = choose(items, opts.selectors, "PatchAssociation", (a) => a.id, (a) => nameOf(a) ?? "", (s) => `--select ${s.text}: no association with that name or id`);
  return chosen.flatMap((a): RawAssociation[] => {
    const label = `PatchAssociation '${nameOf(a) ?? a.id}' (${a.id})`;
    const documentName = typeof a.spec.documentName === "string" && a.spec.documentName !== "" ? a.spec.documentName : undefined;
    if (!patching(documentName)) {
      if (opts.selectors.some((s) => s.kind === "PatchAssociation")) skipped.push(`${label}: runs ${documentName ?? "an unknown document"}, not a patching document`);
      return [];
    }
    const tags = tagsOf(a.spec);
    if (quickSetupAssociation(nameOf(a) ?? "", documentName ?? "", tags.map((t) => t.Key ?? ""))) {
      skipped.push(`${label}: managed by AWS Quick Setup (change it in its patch policy)`);
      return [];
    }
    const who = ownership(a, opts.owner);
    if (who.skipOwner !== undefined) {
      skipped.push(`${label}: owned by patchctl owner '${who.skipOwner}'`);
      return [];
    }
    const name = nameOf(a);
    if (name === undefined) {
      skipped.push(`${label}: has no AssociationName; patchctl identifies associations by name (name it with aws ssm update-association --association-name, passing its other settings too, and import again)`);
      return [];
    }
    return [{ id: a.id, ssmName: name, spec: a.spec, tags, ownedName: who.ownedName }];
  });
}
