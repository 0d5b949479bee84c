/**
 * The desired-state format (apiVersion patchctl/v1).
 *
 * Field names are the SSM API's names in camelCase, one to one, so the AWS
 * documentation maps directly: `ApproveAfterDays` is `approveAfterDays`,
 * `TaskInvocationParameters.RunCommand` is `runCommand`. The JSON Schemas in
 * `schemas/` describe the same shapes and are what validation runs against.
 */

export const API_VERSION = "patchctl/v1";

export type OperatingSystem =
  | "WINDOWS"
  | "AMAZON_LINUX"
  | "AMAZON_LINUX_2"
  | "AMAZON_LINUX_2022"
  | "AMAZON_LINUX_2023"
  | "UBUNTU"
  | "DEBIAN"
  | "REDHAT_ENTERPRISE_LINUX"
  | "SUSE"
  | "CENTOS"
  | "ORACLE_LINUX"
  | "MACOS"
  | "RASPBIAN"
  | "ROCKY_LINUX"
  | "ALMA_LINUX";

export const OPERATING_SYSTEMS: readonly OperatingSystem[] = [
  "WINDOWS",
  "AMAZON_LINUX",
  "AMAZON_LINUX_2",
  "AMAZON_LINUX_2022",
  "AMAZON_LINUX_2023",
  "UBUNTU",
  "DEBIAN",
  "REDHAT_ENTERPRISE_LINUX",
  "SUSE",
  "CENTOS",
  "ORACLE_LINUX",
  "MACOS",
  "RASPBIAN",
  "ROCKY_LINUX",
  "ALMA_LINUX",
];

export type ComplianceLevel = "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "INFORMATIONAL" | "UNSPECIFIED";

export interface PatchFilter {
  key: string;
  values: string[];
}

export interface PatchFilterGroup {
  patchFilters: PatchFilter[];
}

export interface PatchRule {
  patchFilterGroup: PatchFilterGroup;
  complianceLevel?: ComplianceLevel;
  approveAfterDays?: number;
  approveUntilDate?: string;
  enableNonSecurity?: boolean;
}

export interface PatchRuleGroup {
  patchRules: PatchRule[];
}

export interface PatchSource {
  name: string;
  products: string[];
  /** Sensitive in SSM: never printed. */
  configuration: string;
}

export interface PatchBaselineSpec {
  /** SSM Name; defaults to metadata.name. */
  name?: string;
  operatingSystem?: OperatingSystem;
  description?: string;
  globalFilters?: PatchFilterGroup;
  approvalRules?: PatchRuleGroup;
  approvedPatches?: string[];
  approvedPatchesComplianceLevel?: ComplianceLevel;
  approvedPatchesEnableNonSecurity?: boolean;
  rejectedPatches?: string[];
  rejectedPatchesAction?: "ALLOW_AS_DEPENDENCY" | "BLOCK";
  sources?: PatchSource[];
  availableSecurityUpdatesComplianceStatus?: "COMPLIANT" | "NON_COMPLIANT";
  /** Patch groups registered to this baseline. */
  patchGroups?: string[];
  /** Register this baseline as the default for its operating system. */
  defaultForOperatingSystem?: boolean;
}

export interface Target {
  key: string;
  values: string[];
}

export interface WindowTargetSpec {
  /** Logical name inside the window; also the SSM Name. */
  name: string;
  /** Names it had in this window before: the target under one of them is renamed in place. */
  previousNames?: string[];
  /** Fields never reverted on the existing target (paths as the plan prints them). */
  ignoreFields?: string[];
  resourceType?: "INSTANCE" | "RESOURCE_GROUP";
  targets: Target[];
  /** Sensitive in SSM: never printed. */
  ownerInformation?: string;
  /** Sensitive in SSM: never printed. */
  description?: string;
}

export interface AlarmConfiguration {
  ignorePollAlarmFailure?: boolean;
  alarms: { name: string }[];
}

export interface RunCommandInvocation {
  comment?: string;
  cloudWatchOutputConfig?: { cloudWatchLogGroupName?: string; cloudWatchOutputEnabled?: boolean };
  documentHash?: string;
  documentHashType?: "Sha256" | "Sha1";
  documentVersion?: string;
  notificationConfig?: {
    notificationArn?: string;
    notificationEvents?: ("All" | "InProgress" | "Success" | "TimedOut" | "Cancelled" | "Failed")[];
    notificationType?: "Command" | "Invocation";
  };
  outputS3BucketName?: string;
  outputS3KeyPrefix?: string;
  /** Document parameters, verbatim names. Sensitive in SSM: never printed. */
  parameters?: Record<string, string[]>;
  serviceRoleArn?: string;
  timeoutSeconds?: number;
}

export interface AutomationInvocation {
  documentVersion?: string;
  parameters?: Record<string, string[]>;
}

export interface LambdaInvocation {
  clientContext?: string;
  qualifier?: string;
  /** Sensitive in SSM: never printed. */
  payload?: string;
}

export interface StepFunctionsInvocation {
  /** Sensitive in SSM: never printed. */
  input?: string;
  name?: string;
}

export interface LoggingInfo {
  s3BucketName: string;
  s3KeyPrefix?: string;
  s3Region: string;
}

export type TaskType = "RUN_COMMAND" | "AUTOMATION" | "LAMBDA" | "STEP_FUNCTIONS";

export interface WindowTaskSpec {
  /** Logical name inside the window; also the SSM Name. */
  name: string;
  /** Names it had in this window before: the task under one of them is renamed in place. */
  previousNames?: string[];
  /** Fields never reverted on the existing task (paths as the plan prints them). */
  ignoreFields?: string[];
  taskType: TaskType;
  taskArn: string;
  /**
   * `{key: WindowTargetIds, values: [<target name>…]}` naming this window's
   * targets, or `{key: InstanceIds, values: [...]}` when the window allows
   * unassociated targets.
   */
  targets?: Target[];
  serviceRoleArn?: string;
  /** The logical name of a ServiceRole in the desired state (instead of serviceRoleArn). */
  serviceRole?: string;
  priority?: number;
  /** A count (10) or a percentage ("25%"); SSM stores it as a string. */
  maxConcurrency?: string | number;
  maxErrors?: string | number;
  cutoffBehavior?: "CONTINUE_TASK" | "CANCEL_TASK";
  alarmConfiguration?: AlarmConfiguration;
  /** Sensitive in SSM: never printed. */
  description?: string;
  runCommand?: RunCommandInvocation;
  automation?: AutomationInvocation;
  lambda?: LambdaInvocation;
  stepFunctions?: StepFunctionsInvocation;
  /** Legacy (deprecated in SSM); RUN_COMMAND only. Sensitive: never printed. */
  taskParameters?: Record<string, { values: string[] }>;
  /** Legacy (deprecated in SSM); RUN_COMMAND only. */
  loggingInfo?: LoggingInfo;
}

export interface MaintenanceWindowSpec {
  /** SSM Name; defaults to metadata.name. */
  name?: string;
  /** Sensitive in SSM: never printed. */
  description?: string;
  schedule: string;
  scheduleTimezone?: string;
  scheduleOffset?: number;
  startDate?: string;
  endDate?: string;
  duration: number;
  cutoff: number;
  allowUnassociatedTargets?: boolean;
  enabled?: boolean;
  targets?: WindowTargetSpec[];
  tasks?: WindowTaskSpec[];
}

export interface Metadata {
  name: string;
  /** Deployments this resource is limited to (default: all). */
  deployments?: string[];
  tags?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Logical names it had before (not for ServiceRole: IAM cannot rename a role). */
  previousNames?: string[];
  /** Field paths, as the plan prints them, never reverted on the existing resource. */
  ignoreFields?: string[];
}

export interface PatchBaselineDoc {
  apiVersion: typeof API_VERSION;
  kind: "PatchBaseline";
  metadata: Metadata;
  spec: PatchBaselineSpec;
}

export interface MaintenanceWindowDoc {
  apiVersion: typeof API_VERSION;
  kind: "MaintenanceWindow";
  metadata: Metadata;
  spec: MaintenanceWindowSpec;
}

/** An IAM policy document: a JSON object (or the same as a JSON string). */
export type PolicyDocument = Record<string, unknown> | string;

export interface InlinePolicySpec {
  policyName: string;
  policyDocument: PolicyDocument;
}

/**
 * An IAM role for maintenance-window tasks (CreateRole fields in camelCase), with its
 * attached managed policies and inline policies. Tasks reference it as `serviceRole: <logical name>`.
 */
export interface ServiceRoleSpec {
  /** IAM RoleName; defaults to metadata.name. */
  roleName?: string;
  /** IAM Path; default "/". */
  path?: string;
  description?: string;
  maxSessionDuration?: number;
  /** Trust policy; default: trust ssm.amazonaws.com (sts:AssumeRole). */
  assumeRolePolicyDocument?: PolicyDocument;
  managedPolicyArns?: string[];
  inlinePolicies?: InlinePolicySpec[];
}

export interface ServiceRoleDoc {
  apiVersion: typeof API_VERSION;
  kind: "ServiceRole";
  metadata: Metadata;
  spec: ServiceRoleSpec;
}

/** AWS's own patching Command documents, what a PatchAssociation runs. */
export type PatchingDocument = "AWS-RunPatchBaseline" | "AWS-RunPatchBaselineAssociation" | "AWS-RunPatchBaselineWithHooks";
export const PATCHING_DOCUMENTS: readonly PatchingDocument[] = ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks"];

/** InstanceAssociationOutputLocation: where a run's output goes. */
export interface AssociationOutputLocation {
  s3Location: { outputS3Region?: string; outputS3BucketName: string; outputS3KeyPrefix?: string };
}

/**
 * A State Manager association running a patching document (CreateAssociation fields in camelCase,
 * `Name` as documentName). Left out: InstanceId (deprecated, targets say it), and the Automation-only
 * AutomationTargetParameterName, TargetMaps and TargetLocations.
 */
export interface PatchAssociationSpec {
  /** AssociationName; defaults to metadata.name. */
  associationName?: string;
  documentName: PatchingDocument;
  /** $DEFAULT (the default), $LATEST or a version number. */
  documentVersion?: string;
  /** Document parameters, verbatim names (Operation, RebootOption, ...). */
  parameters?: Record<string, string[]>;
  targets: Target[];
  /** cron(...), rate(...) or at(...), with State Manager's rules. */
  scheduleExpression?: string;
  scheduleOffset?: number;
  applyOnlyAtCronInterval?: boolean;
  /** Hours a run may take before it is cancelled (needs applyOnlyAtCronInterval). */
  duration?: number;
  maxConcurrency?: string | number;
  maxErrors?: string | number;
  complianceSeverity?: "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "UNSPECIFIED";
  syncCompliance?: "AUTO" | "MANUAL";
  outputLocation?: AssociationOutputLocation;
  /** Change Calendar documents (names or ARNs): the association runs only while they are open. */
  calendarNames?: string[];
  alarmConfiguration?: AlarmConfiguration;
  /** IAM role ARN State Manager assumes to dispatch the association (default: the service-linked role). */
  associationDispatchAssumeRole?: string;
}

export interface PatchAssociationDoc {
  apiVersion: typeof API_VERSION;
  kind: "PatchAssociation";
  metadata: Metadata;
  spec: PatchAssociationSpec;
}

/** When a later stage of a rollout takes the cut-off of an earlier one (see docs/rollout.md). */
export interface PromoteWhen {
  /** An earlier stage's name. */
  stage: string;
  /** Of that stage's instances, at least this share compliant (0-100). */
  compliantPercent: number;
  /** How long that stage must have held the cut-off: "3d", "12h". */
  soak: string;
  /** Also no instance of that stage with a failed patch. */
  noFailedInstances?: boolean;
}

export interface RolloutStage {
  name: string;
  /** PatchBaselines (logical names) whose approval cut-off (approveUntilDate) this stage drives. */
  baselines: string[];
  /** Absent on the first stage (its cut-off moves to today at each run), required on every later one. */
  promoteWhen?: PromoteWhen;
}

/** A staged rollout of patch approvals: each stage's baselines approve up to a cut-off the rollout moves. */
export interface RolloutSpec {
  stages: RolloutStage[];
}

export interface RolloutDoc {
  apiVersion: typeof API_VERSION;
  kind: "Rollout";
  metadata: Metadata;
  spec: RolloutSpec;
}

export type ResourceDoc = PatchBaselineDoc | MaintenanceWindowDoc | ServiceRoleDoc | PatchAssociationDoc | RolloutDoc;
export type ResourceKind = ResourceDoc["kind"];
export const RESOURCE_KINDS: readonly ResourceKind[] = ["PatchBaseline", "MaintenanceWindow", "ServiceRole", "PatchAssociation", "Rollout"];

export interface ConfigDoc {
  apiVersion: typeof API_VERSION;
  kind: "Config";
  /** Ownership id written onto everything patchctl creates. */
  owner: string;
  /** Default region when neither --region nor the environment says. */
  region?: string;
  /** Accounts and regions to apply to; absent means one account and region. */
  deployments?: DeploymentSpec[];
  /** Built-in policies' severity, by policy id, without copying their files ("off" switches one off). */
  policies?: Record<string, PolicySetting>;
  /** Change freezes: while one is in force, nothing is applied (without --ignore-freeze). */
  freezes?: FreezeSpec[];
  /** SSM Change Calendar documents (names or ARNs): applying is frozen while any is CLOSED (GetCalendarState). */
  changeCalendars?: string[];
  /** Suspends applying everything: reconcile and watch plan and report, apply nothing, and say this reason. */
  suspend?: string;
}

/**
 * A change freeze: a fixed period (`start`, `end`) or a recurring one (`schedule`, a cron expression
 * in SSM's syntax, opening a period of `duration` hours at each of its times, read in `timezone`).
 */
export interface FreezeSpec {
  name: string;
  /** Shown with every refusal and notification. */
  reason?: string;
  /** ISO-8601; without an offset it is read in `timezone`. */
  start?: string;
  end?: string;
  /** cron(...) in SSM's syntax. */
  schedule?: string;
  /** Hours each recurring period lasts. */
  duration?: number;
  /** IANA time zone of the schedule (and of offset-less start/end); default UTC. */
  timezone?: string;
}

/** A severity set in patchctl.yaml `policies:`. */
export type PolicySetting = "deny" | "warn" | "off";

export type DeploymentValue = string | number | boolean;

export interface DeploymentSpec {
  name: string;
  regions: string[];
  /** Assumed through STS (session name patchctl-<name>). */
  roleArn?: string;
  externalId?: string;
  profile?: string;
  endpointUrl?: string;
  /** Referenced from resources as ${values.NAME}. */
  values?: Record<string, DeploymentValue>;
}

/** The resource's name in AWS (SSM Name, IAM RoleName): the spec's, else the logical name. */
export function awsNameOf(doc: ResourceDoc): string {
  if (doc.kind === "ServiceRole") return doc.spec.roleName ?? doc.metadata.name;
  if (doc.kind === "PatchAssociation") return doc.spec.associationName ?? doc.metadata.name;
  if (doc.kind === "Rollout") return doc.metadata.name;
  return doc.spec.name ?? doc.metadata.name;
}
