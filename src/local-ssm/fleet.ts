import { readFileSync, statSync } from "node:fs";
import { parse } from "yaml";

/**
 * A simulated fleet of managed instances, so the compliance reads
 * (DescribePatchGroupState, DescribeInstancePatchStatesForPatchGroup) and
 * DescribeMaintenanceWindowExecutions return something real. Loaded from YAML or
 * JSON; see examples/fleet/fleet.yaml.
 *
 *   instances:
 *     - InstanceId: i-0a1b2c3d4e5f60001
 *       OperatingSystem: WINDOWS          # default WINDOWS
 *       Tags: {Patch Group: Database Servers, Name: db-1}   # or [{Key, Value}]; or PatchGroup: ...
 *       Region: eu-west-1                 # optional: only there (default: every region)
 *       AccountId: "111111111111"         # optional: only that account (default: every account)
 *       BaselineId: pb-...                # optional: else the baseline that applies to its group and OS
 *       Operation: Install                # Scan | Install
 *       OperationStartTime: 2026-11-17T22:05:00Z
 *       OperationEndTime: 2026-11-17T22:31:00Z
 *       InstalledCount: 212               # and the other counts; absent = 0
 *   executions:                           # runs, by maintenance window name
 *     Production-Tuesdays:
 *       - {Status: SUCCESS, StartTime: 2026-11-17T22:00:00Z, EndTime: 2026-11-17T22:41:00Z}
 *       - {Status: IN_PROGRESS, StartTime: 2026-11-24T22:00:00Z}   # running: no EndTime
 *
 * The endpoint reads the file again whenever it changes (size or modification time), so a test or
 * a demo can start an execution and end it (rewrite the entry with an EndTime and a final status)
 * while the endpoint runs. Write the file whole (to a temporary file, then rename it): a file that
 * does not parse is reported once and the previous fleet stays in force until it does.
 */

export const PATCH_COUNT_FIELDS = [
  "InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount", "InstalledRejectedCount", "MissingCount", "FailedCount",
  "UnreportedNotApplicableCount", "NotApplicableCount", "AvailableSecurityUpdateCount", "CriticalNonCompliantCount", "SecurityNonCompliantCount", "OtherNonCompliantCount",
] as const;
export type PatchCountField = (typeof PATCH_COUNT_FIELDS)[number];

export interface FleetInstance {
  InstanceId: string;
  OperatingSystem: string;
  PatchGroup?: string;
  Tags: { Key: string; Value: string }[];
  Region?: string;
  AccountId?: string;
  BaselineId?: string;
  Operation: "Scan" | "Install";
  /** Epoch seconds. */
  OperationStartTime: number;
  OperationEndTime: number;
  LastNoRebootInstallOperationTime?: number;
  RebootOption?: "RebootIfNeeded" | "NoReboot";
  OwnerInformation?: string;
  SnapshotId?: string;
  InstallOverrideList?: string;
  counts: Record<PatchCountField, number>;
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
  /** Past executions by maintenance window name. */
  executions: Record<string, FleetExecution[]>;
}

export const EMPTY_FLEET: Fleet = { instances: [], executions: {} };

const EXECUTION_STATUSES = ["PENDING", "IN_PROGRESS", "SUCCESS", "FAILED", "TIMED_OUT", "CANCELLING", "CANCELLED", "SKIPPED_OVERLAPPING"];
/** Statuses of an execution that has not ended: it has no EndTime yet (the recorded describe-maintenance-window-executions example). */
const RUNNING_STATUSES = ["PENDING", "IN_PROGRESS", "CANCELLING"];
const INSTANCE_ID = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;

class FleetError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function seconds(v: unknown, where: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (v instanceof Date) return v.getTime() / 1000;
  if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return Date.parse(v) / 1000;
  throw new FleetError(`${where}: expected an ISO-8601 date-time or epoch seconds`);
}

function optionalString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" && typeof v !== "number") throw new FleetError(`${where}: expected a string`);
  return String(v);
}

function tagsOf(v: unknown, where: string): { Key: string; Value: string }[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    return v.map((t, i) => {
      if (!isRecord(t) || typeof t.Key !== "string") throw new FleetError(`${where}[${i}]: expected {Key, Value}`);
      return { Key: t.Key, Value: String(t.Value ?? "") };
    });
  }
  if (isRecord(v)) return Object.entries(v).map(([Key, Value]) => ({ Key, Value: String(Value ?? "") }));
  throw new FleetError(`${where}: expected a map of tags or a list of {Key, Value}`);
}

function instanceOf(raw: unknown, i: number): FleetInstance {
  const where = `instances[${i}]`;
  if (!isRecord(raw)) throw new FleetError(`${where}: expected a mapping`);
  const id = raw.InstanceId;
  if (typeof id !== "string" || !INSTANCE_ID.test(id)) throw new FleetError(`${where}.InstanceId: expected i-xxxxxxxx, i-xxxxxxxxxxxxxxxxx or mi-xxxxxxxxxxxxxxxxx`);
  const tags = tagsOf(raw.Tags, `${where}.Tags`);
  const group = optionalString(raw.PatchGroup, `${where}.PatchGroup`) ?? tags.find((t) => t.Key === "Patch Group")?.Value ?? tags.find((t) => t.Key === "PatchGroup")?.Value;
  const operation = raw.Operation ?? "Scan";
  if (operation !== "Scan" && operation !== "Install") throw new FleetError(`${where}.Operation: expected Scan or Install`);
  const reboot = raw.RebootOption ?? "RebootIfNeeded";
  if (reboot !== "RebootIfNeeded" && reboot !== "NoReboot") throw new FleetError(`${where}.RebootOption: expected RebootIfNeeded or NoReboot`);
  const counts = {} as Record<PatchCountField, number>;
  for (const f of PATCH_COUNT_FIELDS) {
    const n = raw[f] ?? 0;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new FleetError(`${where}.${f}: expected a whole number ≥ 0`);
    counts[f] = n;
  }
  const start = raw.OperationStartTime === undefined ? Date.now() / 1000 : seconds(raw.OperationStartTime, `${where}.OperationStartTime`);
  const inst: FleetInstance = {
    InstanceId: id,
    OperatingSystem: optionalString(raw.OperatingSystem, `${where}.OperatingSystem`) ?? "WINDOWS",
    Tags: tags,
    Operation: operation,
    OperationStartTime: start,
    OperationEndTime: raw.OperationEndTime === undefined ? start : seconds(raw.OperationEndTime, `${where}.OperationEndTime`),
    RebootOption: reboot,
    counts,
  };
  if (group !== undefined) inst.PatchGroup = group;
  for (const k of ["Region", "AccountId", "BaselineId", "OwnerInformation", "SnapshotId", "InstallOverrideList"] as const) {
    const s = optionalString(raw[k], `${where}.${k}`);
    if (s !== undefined) inst[k] = s;
  }
  if (raw.LastNoRebootInstallOperationTime !== undefined) inst.LastNoRebootInstallOperationTime = seconds(raw.LastNoRebootInstallOperationTime, `${where}.LastNoRebootInstallOperationTime`);
  return inst;
}

function executionOf(raw: unknown, where: string): FleetExecution {
  if (!isRecord(raw)) throw new FleetError(`${where}: expected a mapping`);
  const status = String(raw.Status ?? "SUCCESS");
  if (!EXECUTION_STATUSES.includes(status)) throw new FleetError(`${where}.Status: expected one of ${EXECUTION_STATUSES.join(", ")}`);
  const e: FleetExecution = { Status: status, StartTime: seconds(raw.StartTime, `${where}.StartTime`) };
  if (raw.EndTime !== undefined) {
    if (RUNNING_STATUSES.includes(status)) throw new FleetError(`${where}.EndTime: an execution that is ${status} has not ended; leave EndTime out (or give it a final status)`);
    e.EndTime = seconds(raw.EndTime, `${where}.EndTime`);
  }
  const details = optionalString(raw.StatusDetails, `${where}.StatusDetails`);
  if (details !== undefined) e.StatusDetails = details;
  const id = optionalString(raw.WindowExecutionId, `${where}.WindowExecutionId`);
  if (id !== undefined) e.WindowExecutionId = id;
  return e;
}

/** Reads a fleet file; a clear error naming the file and the entry when it is malformed. */
export function loadFleet(file: string): Fleet {
  try {
    const raw: unknown = parse(readFileSync(file, "utf8"));
    if (raw === null || raw === undefined) return EMPTY_FLEET;
    if (!isRecord(raw)) throw new FleetError("expected a mapping with instances: and executions:");
    const list = raw.instances ?? [];
    if (!Array.isArray(list)) throw new FleetError("instances: expected a list");
    const instances = list.map(instanceOf);
    const executions: Record<string, FleetExecution[]> = {};
    const byWindow = raw.executions ?? {};
    if (!isRecord(byWindow)) throw new FleetError("executions: expected a mapping of window name to a list of executions");
    for (const [name, runs] of Object.entries(byWindow)) {
      if (!Array.isArray(runs)) throw new FleetError(`executions.${name}: expected a list`);
      executions[name] = runs.map((r, i) => executionOf(r, `executions.${name}[${i}]`));
    }
    return { instances, executions };
  } catch (err) {
    throw new Error(`fleet file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The fleet of a file, read again when the file changes (its size or modification time), so
 * executions can start and end while the endpoint runs. Without a file, the empty fleet.
 */
export class FleetSource {
  private fleet: Fleet = EMPTY_FLEET;
  private seen = "";
  private reported = "";

  constructor(private readonly file?: string) {
    if (file) {
      this.fleet = loadFleet(file);
      this.seen = this.signature() ?? "";
    }
  }

  private signature(): string | undefined {
    try {
      const st = statSync(this.file!);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return undefined;
    }
  }

  current(): Fleet {
    if (!this.file) return this.fleet;
    const sig = this.signature();
    if (sig === undefined || sig === this.seen) return this.fleet;
    try {
      this.fleet = loadFleet(this.file);
      this.seen = sig;
    } catch (err) {
      // Half-written, or wrong: keep the previous fleet, say so once, read it again on the next call.
      if (this.reported !== sig) process.stderr.write(`local-ssm: ${err instanceof Error ? err.message : String(err)}; keeping the previous fleet\n`);
      this.reported = sig;
    }
    return this.fleet;
  }
}
