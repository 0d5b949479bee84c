import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { createHash, randomBytes, randomUUID } from "node:crypto";

export interface Tag {
  Key: string;
  Value: string;
}

export interface BaselineRecord {
  BaselineId: string;
  Name: string;
  OperatingSystem: string;
  Description?: string;
  GlobalFilters: Record<string, unknown>;
  ApprovalRules: Record<string, unknown>;
  ApprovedPatches: string[];
  ApprovedPatchesComplianceLevel: string;
  ApprovedPatchesEnableNonSecurity: boolean;
  RejectedPatches: string[];
  RejectedPatchesAction: string;
  Sources: Record<string, unknown>[];
  AvailableSecurityUpdatesComplianceStatus?: string;
  PatchGroups: string[];
  CreatedDate: number;
  ModifiedDate: number;
  Tags: Tag[];
  AwsOwned?: boolean;
}

export interface WindowRecord {
  WindowId: string;
  Name: string;
  Description?: string;
  StartDate?: string;
  EndDate?: string;
  Schedule: string;
  ScheduleTimezone?: string;
  ScheduleOffset?: number;
  Duration: number;
  Cutoff: number;
  AllowUnassociatedTargets: boolean;
  Enabled: boolean;
  CreatedDate: number;
  ModifiedDate: number;
  Tags: Tag[];
}

export interface TargetRecord {
  WindowId: string;
  WindowTargetId: string;
  ResourceType: string;
  Targets: { Key: string; Values: string[] }[];
  OwnerInformation?: string;
  Name?: string;
  Description?: string;
}

export interface TaskRecord {
  WindowId: string;
  WindowTaskId: string;
  TaskArn: string;
  Type: string;
  Targets: { Key: string; Values: string[] }[];
  TaskParameters?: Record<string, unknown>;
  TaskInvocationParameters?: Record<string, unknown>;
  Priority: number;
  LoggingInfo?: Record<string, unknown>;
  ServiceRoleArn: string;
  MaxConcurrency?: string;
  MaxErrors?: string;
  Name?: string;
  Description?: string;
  CutoffBehavior: string;
  AlarmConfiguration?: Record<string, unknown>;
}

export interface ParameterRecord {
  Name: string;
  Value: string;
  Type: string;
  Version: number;
  LastModifiedDate: number;
  Description?: string;
}

/** State of one account in one region: what SSM keeps. */
export interface RegionState {
  baselines: Record<string, BaselineRecord>;
  defaults: Record<string, string>;
  windows: Record<string, WindowRecord>;
  targets: Record<string, TargetRecord>;
  tasks: Record<string, TaskRecord>;
  parameters: Record<string, ParameterRecord>;
  /** ClientToken → the request it was first used with and the id it returned. */
  tokens: Record<string, { operation: string; hash: string; id: string }>;
}

export interface StoreData {
  version: 1;
  regions: Record<string, RegionState>;
}

export const AWS_OWNED_ACCOUNT = "012345678901";

/** AWS-owned baseline names per OS (as in the real service). */
const AWS_BASELINE_NAMES: Record<string, string> = {
  WINDOWS: "AWS-DefaultPatchBaseline",
  AMAZON_LINUX: "AWS-AmazonLinuxDefaultPatchBaseline",
  AMAZON_LINUX_2: "AWS-AmazonLinux2DefaultPatchBaseline",
  AMAZON_LINUX_2022: "AWS-AmazonLinux2022DefaultPatchBaseline",
  AMAZON_LINUX_2023: "AWS-AmazonLinux2023DefaultPatchBaseline",
  UBUNTU: "AWS-UbuntuDefaultPatchBaseline",
  DEBIAN: "AWS-DebianDefaultPatchBaseline",
  REDHAT_ENTERPRISE_LINUX: "AWS-RedHatDefaultPatchBaseline",
  SUSE: "AWS-SuseDefaultPatchBaseline",
  CENTOS: "AWS-CentOSDefaultPatchBaseline",
  ORACLE_LINUX: "AWS-OracleLinuxDefaultPatchBaseline",
  MACOS: "AWS-MacOSDefaultPatchBaseline",
  RASPBIAN: "AWS-RaspbianDefaultPatchBaseline",
  ROCKY_LINUX: "AWS-RockyLinuxDefaultPatchBaseline",
  ALMA_LINUX: "AWS-AlmaLinuxDefaultPatchBaseline",
};

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function hex17(): string {
  return randomBytes(9).toString("hex").slice(0, 17);
}

export function newUuid(): string {
  return randomUUID();
}

function deterministicHex(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 17);
}

function freshRegion(region: string): RegionState {
  const state: RegionState = { baselines: {}, defaults: {}, windows: {}, targets: {}, tasks: {}, parameters: {}, tokens: {} };
  const t = nowSeconds();
  for (const [os, name] of Object.entries(AWS_BASELINE_NAMES)) {
    const id = `arn:aws:ssm:${region}:${AWS_OWNED_ACCOUNT}:patchbaseline/pb-${deterministicHex(`${region}/${os}`)}`;
    state.baselines[id] = {
      BaselineId: id,
      Name: name,
      OperatingSystem: os,
      Description: `Default Patch Baseline for ${os} Provided by AWS.`,
      GlobalFilters: { PatchFilters: [] },
      ApprovalRules: {
        PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: os === "WINDOWS" ? ["CriticalUpdates", "SecurityUpdates"] : ["Security"] }] }, ComplianceLevel: "UNSPECIFIED", ApproveAfterDays: 7, EnableNonSecurity: false }],
      },
      ApprovedPatches: [],
      ApprovedPatchesComplianceLevel: "UNSPECIFIED",
      ApprovedPatchesEnableNonSecurity: false,
      RejectedPatches: [],
      RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
      Sources: [],
      PatchGroups: [],
      CreatedDate: t,
      ModifiedDate: t,
      Tags: [],
      AwsOwned: true,
    };
    state.defaults[os] = id;
  }
  return state;
}

/**
 * All state, keyed by account and region. With a data file, every acknowledged
 * mutation is written (temp file, fsync, rename) before the response is sent, so a
 * kill -9 at any moment loses nothing that was acknowledged.
 */
export class Store {
  private data: StoreData = { version: 1, regions: {} };

  constructor(private readonly dataFile?: string) {
    if (dataFile && existsSync(dataFile)) {
      const text = readFileSync(dataFile, "utf8");
      if (text.trim()) this.data = JSON.parse(text) as StoreData;
    }
  }

  region(account: string, region: string): RegionState {
    const key = `${account}/${region}`;
    return (this.data.regions[key] ??= freshRegion(region));
  }

  /** Makes the current state durable. */
  persist(): void {
    if (!this.dataFile) return;
    const tmp = `${this.dataFile}.tmp-${process.pid}`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(this.data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.dataFile);
  }

  snapshot(): StoreData {
    return JSON.parse(JSON.stringify(this.data)) as StoreData;
  }
}
