import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** A simulated managed instance with its patch state (DescribeInstancePatchStatesForPatchGroup fields). */
export interface FleetInstance {
  InstanceId: string;
  PatchGroup: string;
  BaselineId: string;
  Operation: "Scan" | "Install";
  OperationStartTime: number;
  OperationEndTime: number;
  InstalledCount: number;
  InstalledOtherCount: number;
  InstalledPendingRebootCount: number;
  InstalledRejectedCount: number;
  MissingCount: number;
  FailedCount: number;
  NotApplicableCount: number;
  UnreportedNotApplicableCount: number;
  CriticalNonCompliantCount: number;
  SecurityNonCompliantCount: number;
  OtherNonCompliantCount: number;
  AvailableSecurityUpdateCount: number;
  RebootOption?: string;
  OwnerInformation?: string;
}

export interface FleetExecution {
  WindowExecutionId?: string;
  Status: string;
  StatusDetails?: string;
  StartTime: number;
  EndTime?: number;
}

export interface Fleet {
  instances: FleetInstance[];
  /** Past executions by window name. */
  executions: Record<string, FleetExecution[]>;
}

export const EMPTY_FLEET: Fleet = { instances: [], executions: {} };

const COUNT_FIELDS = [
  "InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount", "InstalledRejectedCount", "MissingCount", "FailedCount", "NotApplicableCount",
  "UnreportedNotApplicableCount", "CriticalNonCompliantCount", "SecurityNonCompliantCount", "OtherNonCompliantCount", "AvailableSecurityUpdateCount",
] as const;

function seconds(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") return Math.floor(Date.parse(v) / 1000);
  return Math.floor(Date.now() / 1000);
}

/** Reads a fleet file (YAML or JSON): `instances:` with InstanceId, PatchGroup and counts; `executions:` by window name. */
export function loadFleet(file: string): Fleet {
  const raw = parse(readFileSync(file, "utf8")) as { instances?: Record<string, unknown>[]; executions?: Record<string, Record<string, unknown>[]> } | null;
  const instances = (raw?.instances ?? []).map((i) => {
    if (typeof i.InstanceId !== "string" || typeof i.PatchGroup !== "string") throw new Error(`${file}: every instance needs InstanceId and PatchGroup`);
    const out: Record<string, unknown> = {
      InstanceId: i.InstanceId,
      PatchGroup: i.PatchGroup,
      BaselineId: i.BaselineId ?? "pb-00000000000000000",
      Operation: i.Operation ?? "Scan",
      OperationStartTime: seconds(i.OperationStartTime),
      OperationEndTime: seconds(i.OperationEndTime ?? i.OperationStartTime),
      RebootOption: i.RebootOption ?? "RebootIfNeeded",
    };
    for (const f of COUNT_FIELDS) out[f] = typeof i[f] === "number" ? i[f] : 0;
    return out as unknown as FleetInstance;
  });
  const executions: Record<string, FleetExecution[]> = {};
  for (const [name, list] of Object.entries(raw?.executions ?? {})) {
    executions[name] = list.map((e) => ({ Status: String(e.Status ?? "SUCCESS"), StatusDetails: e.StatusDetails as string | undefined, StartTime: seconds(e.StartTime), EndTime: e.EndTime === undefined ? undefined : seconds(e.EndTime) }));
  }
  return { instances, executions };
}

/** DescribePatchGroupState: instance counts per state for one group. */
export function countsFor(fleet: Fleet, group: string): Record<string, number> {
  const list = fleet.instances.filter((i) => i.PatchGroup === group);
  const n = (f: (i: FleetInstance) => boolean): number => list.filter(f).length;
  return {
    Instances: list.length,
    InstancesWithInstalledPatches: n((i) => i.InstalledCount > 0),
    InstancesWithInstalledOtherPatches: n((i) => i.InstalledOtherCount > 0),
    InstancesWithInstalledPendingRebootPatches: n((i) => i.InstalledPendingRebootCount > 0),
    InstancesWithInstalledRejectedPatches: n((i) => i.InstalledRejectedCount > 0),
    InstancesWithMissingPatches: n((i) => i.MissingCount > 0),
    InstancesWithFailedPatches: n((i) => i.FailedCount > 0),
    InstancesWithNotApplicablePatches: n((i) => i.NotApplicableCount > 0),
    InstancesWithUnreportedNotApplicablePatches: n((i) => i.UnreportedNotApplicableCount > 0),
    InstancesWithCriticalNonCompliantPatches: n((i) => i.CriticalNonCompliantCount > 0),
    InstancesWithSecurityNonCompliantPatches: n((i) => i.SecurityNonCompliantCount > 0),
    InstancesWithOtherNonCompliantPatches: n((i) => i.OtherNonCompliantCount > 0),
    InstancesWithAvailableSecurityUpdates: n((i) => i.AvailableSecurityUpdateCount > 0),
  };
}
