import type { DesiredState } from "../desired/load.js";
import type { MaintenanceWindowDoc, PatchAssociationDoc, PatchBaselineDoc } from "../model/desired.js";
import { PATCHING_DOCUMENTS } from "../model/desired.js";
import { mapLimit } from "../util/limit.js";
import { NAME_TAG, OWNER_TAG } from "../model/plan.js";
import type { AwsGateway } from "../aws/gateway.js";

/** DescribePatchGroupState counts, by their SSM names. */
export const GROUP_STATE_FIELDS = [
  "Instances",
  "InstancesWithInstalledPatches",
  "InstancesWithInstalledOtherPatches",
  "InstancesWithInstalledPendingRebootPatches",
  "InstancesWithInstalledRejectedPatches",
  "InstancesWithMissingPatches",
  "InstancesWithFailedPatches",
  "InstancesWithNotApplicablePatches",
  "InstancesWithUnreportedNotApplicablePatches",
  "InstancesWithCriticalNonCompliantPatches",
  "InstancesWithSecurityNonCompliantPatches",
  "InstancesWithOtherNonCompliantPatches",
  "InstancesWithAvailableSecurityUpdates",
] as const;

export type GroupState = Partial<Record<(typeof GROUP_STATE_FIELDS)[number], number>>;

export interface InstanceState {
  InstanceId: string;
  BaselineId?: string;
  Operation?: string;
  OperationEndTime?: string;
  MissingCount?: number;
  FailedCount?: number;
  InstalledPendingRebootCount?: number;
  CriticalNonCompliantCount?: number;
  SecurityNonCompliantCount?: number;
  InstalledCount?: number;
}

export interface GroupCompliance {
  patchGroup: string;
  state: GroupState;
  instances?: InstanceState[];
}

export interface WindowExecution {
  window: string;
  windowId: string;
  executions: { id: string; status: string; start?: string; end?: string }[];
}

/** One of the owner's associations, with its status (Overview) and last executions. */
export interface AssociationExecutions {
  association: string;
  associationId: string;
  /** Overview.Status: Pending, Success, Failed … */
  status?: string;
  lastExecution?: string;
  executions: { id: string; status: string; detailedStatus?: string; created?: string; resources?: string }[];
}

export interface ComplianceReport {
  formatVersion: 1;
  kind: "compliance";
  groups: GroupCompliance[];
  windows: WindowExecution[];
  associations: AssociationExecutions[];
}

/** States `--fail-on` understands, and what counts as "in that state". */
export const FAIL_ON: Record<string, { group: keyof GroupState; instance: keyof InstanceState }> = {
  missing: { group: "InstancesWithMissingPatches", instance: "MissingCount" },
  failed: { group: "InstancesWithFailedPatches", instance: "FailedCount" },
  critical: { group: "InstancesWithCriticalNonCompliantPatches", instance: "CriticalNonCompliantCount" },
  security: { group: "InstancesWithSecurityNonCompliantPatches", instance: "SecurityNonCompliantCount" },
  "pending-reboot": { group: "InstancesWithInstalledPendingRebootPatches", instance: "InstalledPendingRebootCount" },
};

function iso(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number") return new Date(v * 1000).toISOString();
  return typeof v === "string" ? v : undefined;
}

/** Every patch group the desired state registers, or that a window or an association targets through tag:Patch Group / tag:PatchGroup. */
export function desiredPatchGroups(state: DesiredState): string[] {
  const groups = new Set<string>();
  for (const r of state.resources) {
    if (r.doc.kind === "PatchBaseline") for (const g of (r.doc as PatchBaselineDoc).spec.patchGroups ?? []) groups.add(g);
    if (r.doc.kind === "MaintenanceWindow") {
      for (const t of (r.doc as MaintenanceWindowDoc).spec.targets ?? []) {
        for (const sel of t.targets) if (sel.key === "tag:Patch Group" || sel.key === "tag:PatchGroup") sel.values.forEach((v) => groups.add(v));
      }
    }
    if (r.doc.kind === "PatchAssociation") {
      for (const sel of (r.doc as PatchAssociationDoc).spec.targets) if (sel.key === "tag:Patch Group" || sel.key === "tag:PatchGroup") sel.values.forEach((v) => groups.add(v));
    }
  }
  return [...groups].sort();
}

export interface ComplianceOptions {
  patchGroups: string[];
  owner: string;
  instances: boolean;
  /** Executions per window. */
  executions?: number;
  concurrency?: number;
}

export async function readCompliance(gw: AwsGateway, opts: ComplianceOptions): Promise<ComplianceReport> {
  const concurrency = opts.concurrency ?? 8;
  const groups = await mapLimit(opts.patchGroups, concurrency, async (patchGroup) => {
    const out = await gw.call<Record<string, unknown>>("DescribePatchGroupState", { PatchGroup: patchGroup });
    const state: GroupState = {};
    for (const f of GROUP_STATE_FIELDS) if (typeof out[f] === "number") state[f] = out[f] as number;
    const entry: GroupCompliance = { patchGroup, state };
    if (opts.instances) {
      const list = await gw.paginate<Record<string, unknown>>("DescribeInstancePatchStatesForPatchGroup", { PatchGroup: patchGroup }, "InstancePatchStates", 100);
      entry.instances = list.map((i) => ({
        InstanceId: String(i.InstanceId),
        BaselineId: i.BaselineId as string | undefined,
        Operation: i.Operation as string | undefined,
        OperationEndTime: iso(i.OperationEndTime),
        MissingCount: i.MissingCount as number | undefined,
        FailedCount: i.FailedCount as number | undefined,
        InstalledPendingRebootCount: i.InstalledPendingRebootCount as number | undefined,
        CriticalNonCompliantCount: i.CriticalNonCompliantCount as number | undefined,
        SecurityNonCompliantCount: i.SecurityNonCompliantCount as number | undefined,
        InstalledCount: i.InstalledCount as number | undefined,
      }));
    }
    return entry;
  });

  // The owner's windows: the last executions of each show whether patching actually ran.
  const windowIds = await gw.paginate<{ WindowId?: string; Name?: string }>("DescribeMaintenanceWindows", {}, "WindowIdentities", 100);
  const windows = (
    await mapLimit(windowIds, concurrency, async (w): Promise<WindowExecution | undefined> => {
      const tags = (await gw.call<{ TagList?: { Key?: string; Value?: string }[] }>("ListTagsForResource", { ResourceType: "MaintenanceWindow", ResourceId: w.WindowId })).TagList ?? [];
      if (tags.find((t) => t.Key === OWNER_TAG)?.Value !== opts.owner) return undefined;
      const out = await gw.call<{ WindowExecutions?: Record<string, unknown>[] }>("DescribeMaintenanceWindowExecutions", { WindowId: w.WindowId, MaxResults: Math.max(10, opts.executions ?? 10) });
      const executions = (out.WindowExecutions ?? [])
        .map((e) => ({ id: String(e.WindowExecutionId), status: String(e.Status), start: iso(e.StartTime), end: iso(e.EndTime) }))
        .sort((a, b) => String(b.start).localeCompare(String(a.start)))
        .slice(0, opts.executions ?? 5);
      return { window: tags.find((t) => t.Key === NAME_TAG)?.Value ?? w.Name ?? String(w.WindowId), windowId: String(w.WindowId), executions };
    })
  ).filter((w): w is WindowExecution => w !== undefined);

  const associations = await readAssociationExecutions(gw, opts, concurrency);
  return { formatVersion: 1, kind: "compliance", groups, windows: windows.sort((a, b) => a.window.localeCompare(b.window)), associations };
}

/**
 * The owner's patching associations: ListAssociations (it carries Overview and LastExecutionDate),
 * tags of those running a patching document, DescribeAssociationExecutions of the owner's.
 */
async function readAssociationExecutions(gw: AwsGateway, opts: ComplianceOptions, concurrency: number): Promise<AssociationExecutions[]> {
  type Item = { AssociationId?: string; AssociationName?: string; Name?: string; Overview?: { Status?: string }; LastExecutionDate?: unknown };
  const items = await gw.paginate<Item>("ListAssociations", {}, "Associations", 50);
  const patching = items.filter((a) => a.AssociationId && PATCHING_DOCUMENTS.some((d) => a.Name === d || a.Name?.endsWith(`:document/${d}`)));
  const read = await mapLimit(patching, concurrency, async (a): Promise<AssociationExecutions | undefined> => {
    const tags = (await gw.call<{ TagList?: { Key?: string; Value?: string }[] }>("ListTagsForResource", { ResourceType: "Association", ResourceId: a.AssociationId })).TagList ?? [];
    if (tags.find((t) => t.Key === OWNER_TAG)?.Value !== opts.owner) return undefined;
    const out = await gw.call<{ AssociationExecutions?: Record<string, unknown>[] }>("DescribeAssociationExecutions", { AssociationId: a.AssociationId, MaxResults: Math.min(50, Math.max(1, opts.executions ?? 5)) });
    const executions = (out.AssociationExecutions ?? [])
      .map((e) => ({ id: String(e.ExecutionId), status: String(e.Status), detailedStatus: e.DetailedStatus as string | undefined, created: iso(e.CreatedTime), resources: e.ResourceCountByStatus as string | undefined }))
      .sort((x, y) => String(y.created).localeCompare(String(x.created)))
      .slice(0, opts.executions ?? 5);
    return {
      association: tags.find((t) => t.Key === NAME_TAG)?.Value ?? a.AssociationName ?? String(a.AssociationId),
      associationId: String(a.AssociationId),
      ...(a.Overview?.Status !== undefined ? { status: a.Overview.Status } : {}),
      ...(iso(a.LastExecutionDate) !== undefined ? { lastExecution: iso(a.LastExecutionDate) } : {}),
      executions,
    };
  });
  return read.filter((x): x is AssociationExecutions => x !== undefined).sort((x, y) => x.association.localeCompare(y.association));
}

/** Which `--fail-on` states are present, e.g. ["missing: 2 instance(s) in Database Servers"]. */
export function failures(report: ComplianceReport, failOn: string[]): string[] {
  const out: string[] = [];
  for (const state of failOn) {
    const spec = FAIL_ON[state];
    if (!spec) continue;
    for (const g of report.groups) {
      const n = g.instances ? g.instances.filter((i) => ((i[spec.instance] as number | undefined) ?? 0) > 0).length : g.state[spec.group] ?? 0;
      if (n > 0) out.push(`${state}: ${n} instance(s) in ${g.patchGroup}`);
    }
  }
  return out;
}

const COLUMNS: [string, keyof GroupState][] = [
  ["Instances", "Instances"],
  ["Missing", "InstancesWithMissingPatches"],
  ["Failed", "InstancesWithFailedPatches"],
  ["Pending reboot", "InstancesWithInstalledPendingRebootPatches"],
  ["Critical NC", "InstancesWithCriticalNonCompliantPatches"],
  ["Security NC", "InstancesWithSecurityNonCompliantPatches"],
  ["Installed", "InstancesWithInstalledPatches"],
];

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

export function renderComplianceText(report: ComplianceReport): string {
  const lines: string[] = ["Patch compliance by patch group", ""];
  lines.push(...table(["Patch group", ...COLUMNS.map(([h]) => h)], report.groups.map((g) => [g.patchGroup, ...COLUMNS.map(([, f]) => String(g.state[f] ?? 0))])));
  for (const g of report.groups) {
    if (!g.instances) continue;
    lines.push("", `${g.patchGroup}: ${g.instances.length} instance(s)`);
    lines.push(...table(["Instance", "Operation", "Missing", "Failed", "Critical NC", "Last operation end"], g.instances.map((i) => [i.InstanceId, i.Operation ?? "-", String(i.MissingCount ?? 0), String(i.FailedCount ?? 0), String(i.CriticalNonCompliantCount ?? 0), i.OperationEndTime ?? "-"])).map((l) => `  ${l}`));
  }
  lines.push("", "Recent maintenance window executions");
  if (report.windows.length === 0) lines.push("  (no managed windows)");
  for (const w of report.windows) {
    lines.push(`  ${w.window} (${w.windowId}): ${w.executions.length === 0 ? "never ran" : w.executions.map((e) => `${e.status} ${e.start ?? ""}`.trim()).join(", ")}`);
  }
  if (report.associations.length > 0) {
    lines.push("", "Recent association executions");
    for (const a of report.associations) lines.push(`  ${a.association} (${a.associationId})${a.status ? ` ${a.status}` : ""}: ${associationRuns(a)}`);
  }
  return lines.join("\n");
}

function associationRuns(a: AssociationExecutions): string {
  if (a.executions.length === 0) return "never ran";
  return a.executions.map((e) => `${e.status} ${e.created ?? ""}${e.resources && e.resources !== "{}" ? ` ${e.resources}` : ""}`.trim()).join(", ");
}

export function renderComplianceMarkdown(report: ComplianceReport): string {
  const lines = ["### Patch compliance", "", `| Patch group | ${COLUMNS.map(([h]) => h).join(" | ")} |`, `|---|${COLUMNS.map(() => "---:").join("|")}|`];
  for (const g of report.groups) lines.push(`| ${g.patchGroup} | ${COLUMNS.map(([, f]) => String(g.state[f] ?? 0)).join(" | ")} |`);
  lines.push("", "#### Recent maintenance window executions", "", "| Window | Last executions |", "|---|---|");
  for (const w of report.windows) lines.push(`| ${w.window} | ${w.executions.map((e) => `${e.status} ${e.start ?? ""}`.trim()).join(", ") || "never ran"} |`);
  if (report.associations.length > 0) {
    lines.push("", "#### Recent association executions", "", "| Association | Status | Last executions |", "|---|---|---|");
    for (const a of report.associations) lines.push(`| ${a.association} | ${a.status ?? ""} | ${associationRuns(a)} |`);
  }
  return lines.join("\n");
}
