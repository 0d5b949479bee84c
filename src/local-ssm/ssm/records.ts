import type { AlarmConfiguration, InstanceAssociationOutputLocation, LoggingInfo, MaintenanceWindowTaskInvocationParameters, MaintenanceWindowTaskParameterValueExpression, TargetLocation } from "@aws-sdk/client-ssm";

/**
 * A type as it travels in AWS JSON 1.1: blobs are base64 strings and timestamps
 * epoch seconds. Used to read request bodies with the SDK's own request types.
 */
export type Wire<T> = T extends Uint8Array ? string : T extends Date ? number : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export interface Tag {
  Key: string;
  Value: string;
}

export interface PatchFilter {
  Key: string;
  Values: string[];
}

export interface PatchFilterGroup {
  PatchFilters: PatchFilter[];
}

export interface PatchRule {
  PatchFilterGroup: PatchFilterGroup;
  ComplianceLevel: string;
  ApproveAfterDays?: number;
  ApproveUntilDate?: string;
  EnableNonSecurity: boolean;
}

export interface PatchSource {
  Name: string;
  Products: string[];
  Configuration: string;
}

export interface BaselineRecord {
  BaselineId: string;
  Name: string;
  OperatingSystem: string;
  Description?: string;
  GlobalFilters: PatchFilterGroup;
  ApprovalRules: { PatchRules: PatchRule[] };
  ApprovedPatches: string[];
  ApprovedPatchesComplianceLevel: string;
  ApprovedPatchesEnableNonSecurity: boolean;
  RejectedPatches: string[];
  RejectedPatchesAction: string;
  Sources: PatchSource[];
  AvailableSecurityUpdatesComplianceStatus?: string;
  /** Epoch seconds. */
  CreatedDate: number;
  ModifiedDate: number;
  Tags: Tag[];
  /** Predefined by AWS (addressed by ARN, read-only). */
  AwsOwned?: boolean;
}

export interface PatchGroupRegistration {
  PatchGroup: string;
  BaselineId: string;
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

export interface Target {
  Key: string;
  Values: string[];
}

export interface TargetRecord {
  WindowId: string;
  WindowTargetId: string;
  ResourceType: string;
  Targets: Target[];
  OwnerInformation?: string;
  Name?: string;
  Description?: string;
}

export type TaskInvocationParameters = Wire<MaintenanceWindowTaskInvocationParameters>;

export interface TaskRecord {
  WindowId: string;
  WindowTaskId: string;
  TaskArn: string;
  TaskType: string;
  Targets: Target[];
  ServiceRoleArn: string;
  TaskParameters?: Record<string, Wire<MaintenanceWindowTaskParameterValueExpression>>;
  TaskInvocationParameters?: TaskInvocationParameters;
  Priority: number;
  /** Absent on targetless tasks (read back as the placeholder "1"). */
  MaxConcurrency?: string;
  MaxErrors?: string;
  LoggingInfo?: Wire<LoggingInfo>;
  Name?: string;
  Description?: string;
  /** Absent when never set: the service then omits it (recorded get-maintenance-window-task example) and applies CONTINUE_TASK. */
  CutoffBehavior?: string;
  AlarmConfiguration?: Wire<AlarmConfiguration>;
}

export interface ParameterRecord {
  Name: string;
  Value: string;
  Type: string;
  Version: number;
  LastModifiedDate: number;
  Description?: string;
  Tier: string;
  DataType: string;
  AllowedPattern?: string;
  KeyId?: string;
  Tags: Tag[];
}

/** One version of an SSM document. */
export interface DocumentVersionRecord {
  DocumentVersion: string;
  Content: string;
  DocumentFormat: string;
  /** Sha256 of the content, hex. */
  Hash: string;
  /** Epoch seconds. */
  CreatedDate: number;
  VersionName?: string;
  DisplayName?: string;
}

/** An SSM document (served: type ChangeCalendar), with its versions in order. */
export interface DocumentRecord {
  Name: string;
  DocumentType: string;
  TargetType?: string;
  /** Epoch seconds. */
  CreatedDate: number;
  DefaultVersion: string;
  LatestVersion: string;
  Versions: DocumentVersionRecord[];
  Tags: Tag[];
}

/** One version of a State Manager association: what CreateAssociation / UpdateAssociation set. */
export interface AssociationVersionRecord {
  AssociationVersion: string;
  /** Epoch seconds. */
  CreatedDate: number;
  /** The document. */
  Name: string;
  DocumentVersion: string;
  Parameters?: Record<string, string[]>;
  Targets: Target[];
  ScheduleExpression?: string;
  OutputLocation?: Wire<InstanceAssociationOutputLocation>;
  AssociationName?: string;
  MaxErrors?: string;
  MaxConcurrency?: string;
  ComplianceSeverity?: string;
  SyncCompliance?: string;
  ApplyOnlyAtCronInterval: boolean;
  CalendarNames?: string[];
  TargetLocations?: Wire<TargetLocation>[];
  ScheduleOffset?: number;
  Duration?: number;
  TargetMaps?: Record<string, string[]>[];
  AlarmConfiguration?: Wire<AlarmConfiguration>;
  AutomationTargetParameterName?: string;
  AssociationDispatchAssumeRole?: string;
}

/** One run of an association (DescribeAssociationExecutions). */
export interface AssociationExecutionRecord {
  ExecutionId: string;
  AssociationVersion: string;
  Status: string;
  DetailedStatus: string;
  /** Epoch seconds. */
  CreatedTime: number;
  /** "{Success=3}" */
  ResourceCountByStatus: string;
}

export interface AssociationRecord {
  AssociationId: string;
  /** Legacy single-instance associations. */
  InstanceId?: string;
  /** Epoch seconds. */
  Date: number;
  LastUpdateAssociationDate: number;
  /** Every version, oldest first; the last is in force. */
  Versions: AssociationVersionRecord[];
  /** Newest last. */
  Executions: AssociationExecutionRecord[];
  Tags: Tag[];
}

/** A ClientToken seen by a create operation: the request it came with and the id it returned. */
export interface TokenRecord {
  hash: string;
  id: string;
  /** Epoch seconds. */
  at: number;
}

/** Everything SSM keeps for one account in one region. */
export interface RegionState {
  baselines: Record<string, BaselineRecord>;
  /** Registration order is the order DescribePatchGroups lists them in. */
  patchGroups: PatchGroupRegistration[];
  /** Default baseline id per operating system. */
  defaults: Record<string, string>;
  windows: Record<string, WindowRecord>;
  targets: Record<string, TargetRecord>;
  tasks: Record<string, TaskRecord>;
  parameters: Record<string, ParameterRecord>;
  /** SSM documents by name. */
  documents: Record<string, DocumentRecord>;
  /** State Manager associations by AssociationId, in creation order. */
  associations: Record<string, AssociationRecord>;
  /** Keyed by `${operation}/${clientToken}`. */
  tokens: Record<string, TokenRecord>;
}
