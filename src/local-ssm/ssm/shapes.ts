import { PATCH_PROPERTIES } from "../../catalog/patch-properties.js";
import type { StructureShape } from "../validation.js";
import { blob, bool, int, list, map, str, struct } from "../validation.js";

/**
 * Input shapes of the SSM operations served, hand-written from the SSM service
 * model (botocore's ssm/2014-11-06/service-2.json and @aws-sdk/client-ssm). Not
 * read from the model at run time. test/local-ssm/model-conformance.test.ts checks
 * them against the model wherever it is installed.
 */

export const OPERATING_SYSTEMS = [
  "WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "UBUNTU", "REDHAT_ENTERPRISE_LINUX", "SUSE", "CENTOS",
  "ORACLE_LINUX", "DEBIAN", "MACOS", "RASPBIAN", "ROCKY_LINUX", "ALMA_LINUX", "AMAZON_LINUX_2023",
] as const;
export const COMPLIANCE_LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"] as const;
export const PATCH_FILTER_KEYS = [
  "ARCH", "ADVISORY_ID", "BUGZILLA_ID", "PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "CVE_ID", "EPOCH", "MSRC_SEVERITY",
  "NAME", "PATCH_ID", "SECTION", "PRIORITY", "REPOSITORY", "RELEASE", "SEVERITY", "SECURITY", "VERSION",
] as const;
export const TASK_TYPES = ["RUN_COMMAND", "AUTOMATION", "STEP_FUNCTIONS", "LAMBDA"] as const;
export const RESOURCE_TYPES = ["INSTANCE", "RESOURCE_GROUP"] as const;
export const TAGGABLE_TYPES = ["Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"] as const;

const TAG_TEXT = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";
const UUID = "^[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}$";

export const PATTERNS = {
  baselineId: "^[a-zA-Z0-9_\\-:/]{20,128}$",
  name: "^[a-zA-Z0-9_\\-.]{3,128}$",
  windowId: "^mw-[0-9a-f]{17}$",
  uuid: UUID,
  tag: TAG_TEXT,
} as const;

// Shared shapes.
const BaselineId = str({ min: 20, max: 128, pattern: PATTERNS.baselineId });
const BaselineName = str({ min: 3, max: 128, pattern: PATTERNS.name });
const BaselineDescription = str({ min: 1, max: 1024 });
const OperatingSystem = str({ enum: OPERATING_SYSTEMS });
const ComplianceLevel = str({ enum: COMPLIANCE_LEVELS });
const PatchGroup = str({ min: 1, max: 256, pattern: TAG_TEXT });
const ClientToken = str({ min: 1, max: 64 });
const NextToken = str();
const Tag = struct("Tag", { Key: str({ min: 1, max: 128, pattern: TAG_TEXT }), Value: str({ min: 0, max: 256, pattern: TAG_TEXT }) }, ["Key", "Value"]);
const TagList = list(Tag, { max: 1000 });

const PatchFilter = struct("PatchFilter", { Key: str({ enum: PATCH_FILTER_KEYS }), Values: list(str({ min: 1, max: 64 }), { min: 1, max: 20 }) }, ["Key", "Values"]);
const PatchFilterGroup = struct("PatchFilterGroup", { PatchFilters: list(PatchFilter, { min: 0, max: 4 }) }, ["PatchFilters"]);
const PatchRule = struct(
  "PatchRule",
  { PatchFilterGroup, ComplianceLevel, ApproveAfterDays: int({ min: 0, max: 360 }), ApproveUntilDate: str({ min: 1, max: 10 }), EnableNonSecurity: bool() },
  ["PatchFilterGroup"],
);
const PatchRuleGroup = struct("PatchRuleGroup", { PatchRules: list(PatchRule, { min: 0, max: 10 }) }, ["PatchRules"]);
const PatchIdList = list(str({ min: 1, max: 100 }), { min: 0, max: 50 });
const PatchSource = struct(
  "PatchSource",
  { Name: str({ pattern: "^[a-zA-Z0-9_\\-.]{3,50}$" }), Products: list(str({ min: 1, max: 128 }), { min: 1, max: 20 }), Configuration: str({ min: 1, max: 1024, sensitive: true }) },
  ["Name", "Products", "Configuration"],
);
const PatchSourceList = list(PatchSource, { min: 0, max: 20 });
const PatchOrchestratorFilterList = list(struct("PatchOrchestratorFilter", { Key: str({ min: 1, max: 128 }), Values: list(str({ min: 1, max: 256 })) }), { min: 0, max: 5 });

const WindowId = str({ min: 20, max: 20, pattern: PATTERNS.windowId });
const WindowName = str({ min: 3, max: 128, pattern: PATTERNS.name });
const WindowDescription = str({ min: 1, max: 128, sensitive: true });
/** The model gives no length; the service rejects '' ("Member must have length greater than or equal to 1"). */
const WindowDateTime = str({ min: 1 });
const WindowFilterList = list(struct("MaintenanceWindowFilter", { Key: str({ min: 1, max: 128 }), Values: list(str({ min: 1, max: 256 })) }), { min: 0, max: 5 });
const WindowMaxResults = int({ min: 10, max: 100 });
const TargetId = str({ min: 36, max: 36, pattern: UUID });
const Targets = list(
  struct("Target", {
    Key: str({ min: 1, max: 163, pattern: "^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name" }),
    Values: list(str(), { min: 0, max: 50 }),
  }),
  { min: 0, max: 5 },
);
const OwnerInformation = str({ min: 1, max: 128, sensitive: true });
const S3BucketName = str({ min: 3, max: 63 });
const S3KeyPrefix = str({ max: 500 });
const DocumentVersion = str({ pattern: "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)" });
const LoggingInfo = struct("LoggingInfo", { S3BucketName, S3KeyPrefix, S3Region: str({ min: 3, max: 20 }) }, ["S3BucketName", "S3Region"]);
const TaskParameters = map(
  str({ min: 1, max: 255 }),
  struct("MaintenanceWindowTaskParameterValueExpression", { Values: list(str({ min: 1, max: 255, sensitive: true }), { sensitive: true }) }, [], { sensitive: true }),
  { sensitive: true },
);
const TaskInvocationParameters = struct("MaintenanceWindowTaskInvocationParameters", {
  RunCommand: struct("MaintenanceWindowRunCommandParameters", {
    Comment: str({ max: 100 }),
    CloudWatchOutputConfig: struct("CloudWatchOutputConfig", { CloudWatchLogGroupName: str({ min: 1, max: 512 }), CloudWatchOutputEnabled: bool() }),
    DocumentHash: str({ max: 256 }),
    DocumentHashType: str({ enum: ["Sha256", "Sha1"] }),
    DocumentVersion,
    NotificationConfig: struct("NotificationConfig", {
      NotificationArn: str(),
      NotificationEvents: list(str({ enum: ["All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"] })),
      NotificationType: str({ enum: ["Command", "Invocation"] }),
    }),
    OutputS3BucketName: S3BucketName,
    OutputS3KeyPrefix: S3KeyPrefix,
    Parameters: map(str(), list(str()), { sensitive: true }),
    ServiceRoleArn: str(),
    TimeoutSeconds: int({ min: 30, max: 2592000 }),
  }),
  Automation: struct("MaintenanceWindowAutomationParameters", {
    DocumentVersion,
    Parameters: map(str({ min: 1, max: 50 }), list(str({ min: 1, max: 512 }), { min: 0, max: 50 }), { min: 1, max: 200 }),
  }),
  StepFunctions: struct("MaintenanceWindowStepFunctionsParameters", { Input: str({ max: 4096, sensitive: true }), Name: str({ min: 1, max: 80 }) }),
  Lambda: struct("MaintenanceWindowLambdaParameters", { ClientContext: str({ min: 1, max: 8000 }), Qualifier: str({ min: 1, max: 128 }), Payload: blob({ max: 4096, sensitive: true }) }),
});
const AlarmConfiguration = struct(
  "AlarmConfiguration",
  { IgnorePollAlarmFailure: bool(), Alarms: list(struct("Alarm", { Name: str({ min: 1, max: 255, pattern: "^(?!\\s*$).+" }) }, ["Name"]), { min: 1, max: 1 }) },
  ["Alarms"],
);
const TaskFields = {
  Targets,
  TaskArn: str({ min: 1, max: 1600 }),
  ServiceRoleArn: str(),
  TaskParameters,
  TaskInvocationParameters,
  Priority: int({ min: 0 }),
  MaxConcurrency: str({ min: 1, max: 7, pattern: "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$" }),
  MaxErrors: str({ min: 1, max: 7, pattern: "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$" }),
  LoggingInfo,
  Name: WindowName,
  Description: WindowDescription,
  CutoffBehavior: str({ enum: ["CONTINUE_TASK", "CANCEL_TASK"] }),
  AlarmConfiguration,
};

const BaselineFields = {
  Name: BaselineName,
  GlobalFilters: PatchFilterGroup,
  ApprovalRules: PatchRuleGroup,
  ApprovedPatches: PatchIdList,
  ApprovedPatchesComplianceLevel: ComplianceLevel,
  ApprovedPatchesEnableNonSecurity: bool(),
  RejectedPatches: PatchIdList,
  RejectedPatchesAction: str({ enum: ["ALLOW_AS_DEPENDENCY", "BLOCK"] }),
  Description: BaselineDescription,
  Sources: PatchSourceList,
  AvailableSecurityUpdatesComplianceStatus: str({ enum: ["COMPLIANT", "NON_COMPLIANT"] }),
};

const WindowFields = {
  Name: WindowName,
  Description: WindowDescription,
  StartDate: WindowDateTime,
  EndDate: WindowDateTime,
  Schedule: str({ min: 1, max: 256 }),
  ScheduleTimezone: str(),
  ScheduleOffset: int({ min: 1, max: 6 }),
  Duration: int({ min: 1, max: 24 }),
  Cutoff: int({ min: 0, max: 23 }),
  AllowUnassociatedTargets: bool(),
};

const ParameterName = str({ min: 1, max: 2048 });

const DocumentName = str({ pattern: "^[a-zA-Z0-9_\\-.]{3,128}$" });
const DocumentArn = str({ pattern: "^[a-zA-Z0-9_\\-.:/]{3,128}$" });
const DocumentVersionName = str({ pattern: "^[a-zA-Z0-9_\\-.]{1,128}$" });
const DocumentFormat = str({ enum: ["YAML", "JSON", "TEXT"] });
export const DOCUMENT_TYPES = [
  "Command", "Policy", "Automation", "Session", "Package", "ApplicationConfiguration", "ApplicationConfigurationSchema", "DeploymentStrategy", "ChangeCalendar",
  "Automation.ChangeTemplate", "ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup",
] as const;
const DocumentDisplayName = str({ max: 1024, pattern: "^[\\w\\.\\-\\:\\/ ]*$" });
const TargetType = str({ max: 200, pattern: "^\\/[\\w\\.\\-\\:\\/]*$" });
const AttachmentsSourceList = list(
  struct("AttachmentsSource", {
    Key: str({ enum: ["SourceUrl", "S3FileUrl", "AttachmentReference"] }),
    Values: list(str({ min: 1, max: 1024 }), { min: 1, max: 1 }),
    Name: str({ pattern: "^[a-zA-Z0-9_\\-.]{3,128}$" }),
  }),
  { min: 0, max: 20 },
);
const DocumentRequiresList = list(
  struct("DocumentRequires", { Name: DocumentArn, Version: DocumentVersion, RequireType: str({ max: 128, pattern: "^[a-zA-Z0-9_\\-.]{1,128}$" }), VersionName: DocumentVersionName }, ["Name"]),
  { min: 1 },
);

const AssociationId = str({ pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" });
const AssociationVersion = str({ pattern: "([$]LATEST)|([1-9][0-9]*)" });
const AssociationDocument = str({ pattern: "^[a-zA-Z0-9_\\-.:/]{3,128}$" });
const InstanceId = str({ pattern: "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)" });
const MaxErrors = str({ min: 1, max: 7, pattern: "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$" });
const MaxConcurrency = str({ min: 1, max: 7, pattern: "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$" });
const AssociationMaxResults = int({ min: 1, max: 50 });
const AssociationFields = {
  Parameters: map(str(), list(str()), { sensitive: true }),
  DocumentVersion,
  ScheduleExpression: str({ min: 1, max: 256 }),
  OutputLocation: struct("InstanceAssociationOutputLocation", {
    S3Location: struct("S3OutputLocation", { OutputS3Region: str({ min: 3, max: 20 }), OutputS3BucketName: S3BucketName, OutputS3KeyPrefix: S3KeyPrefix }),
  }),
  Targets,
  AssociationName: str({ pattern: "^[a-zA-Z0-9_\\-.]{3,128}$" }),
  AutomationTargetParameterName: str({ min: 1, max: 50 }),
  MaxErrors,
  MaxConcurrency,
  ComplianceSeverity: str({ enum: ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"] }),
  SyncCompliance: str({ enum: ["AUTO", "MANUAL"] }),
  ApplyOnlyAtCronInterval: bool(),
  CalendarNames: list(str()),
  TargetLocations: list(
    struct("TargetLocation", {
      Accounts: list(str(), { min: 1, max: 50 }),
      Regions: list(str(), { min: 1, max: 50 }),
      TargetLocationMaxConcurrency: MaxConcurrency,
      TargetLocationMaxErrors: MaxErrors,
      ExecutionRoleName: str({ min: 1, max: 64, pattern: "[\\w+=,.@/-]+" }),
      TargetLocationAlarmConfiguration: AlarmConfiguration,
    }),
    { min: 1, max: 100 },
  ),
  ScheduleOffset: int({ min: 1, max: 6 }),
  /** Newer than the CLI's model: hours, 1-24 (API reference). */
  Duration: int({ min: 1, max: 24 }),
  TargetMaps: list(map(str({ min: 1, max: 50 }), list(str({ min: 1, max: 50 }), { min: 0, max: 25 }), { min: 1, max: 20 }), { min: 0, max: 300 }),
  AlarmConfiguration,
  /** Newer than the CLI's model; its constraints are not in either copy (unconfirmed). */
  AssociationDispatchAssumeRole: str(),
};

/** Input shape of every operation served, by operation name. */
export const INPUT_SHAPES: Readonly<Record<string, StructureShape>> = {
  CreatePatchBaseline: struct("CreatePatchBaselineRequest", { OperatingSystem, ...BaselineFields, ClientToken, Tags: TagList }, ["Name"]),
  UpdatePatchBaseline: struct("UpdatePatchBaselineRequest", { BaselineId, ...BaselineFields, Replace: bool() }, ["BaselineId"]),
  GetPatchBaseline: struct("GetPatchBaselineRequest", { BaselineId }, ["BaselineId"]),
  DeletePatchBaseline: struct("DeletePatchBaselineRequest", { BaselineId }, ["BaselineId"]),
  DescribePatchBaselines: struct("DescribePatchBaselinesRequest", { Filters: PatchOrchestratorFilterList, MaxResults: int({ min: 1, max: 100 }), NextToken }),
  RegisterPatchBaselineForPatchGroup: struct("RegisterPatchBaselineForPatchGroupRequest", { BaselineId, PatchGroup }, ["BaselineId", "PatchGroup"]),
  DeregisterPatchBaselineForPatchGroup: struct("DeregisterPatchBaselineForPatchGroupRequest", { BaselineId, PatchGroup }, ["BaselineId", "PatchGroup"]),
  DescribePatchGroups: struct("DescribePatchGroupsRequest", { MaxResults: int({ min: 1, max: 100 }), Filters: PatchOrchestratorFilterList, NextToken }),
  GetPatchBaselineForPatchGroup: struct("GetPatchBaselineForPatchGroupRequest", { PatchGroup, OperatingSystem }, ["PatchGroup"]),
  RegisterDefaultPatchBaseline: struct("RegisterDefaultPatchBaselineRequest", { BaselineId }, ["BaselineId"]),
  GetDefaultPatchBaseline: struct("GetDefaultPatchBaselineRequest", { OperatingSystem }),
  DescribePatchProperties: struct(
    "DescribePatchPropertiesRequest",
    { OperatingSystem, Property: str({ enum: PATCH_PROPERTIES }), PatchSet: str({ enum: ["OS", "APPLICATION"] }), MaxResults: int({ min: 1, max: 50 }), NextToken },
    ["OperatingSystem", "Property"],
  ),

  CreateMaintenanceWindow: struct("CreateMaintenanceWindowRequest", { ...WindowFields, ClientToken, Tags: TagList }, ["Name", "Schedule", "Duration", "Cutoff", "AllowUnassociatedTargets"]),
  UpdateMaintenanceWindow: struct("UpdateMaintenanceWindowRequest", { WindowId, ...WindowFields, Enabled: bool(), Replace: bool() }, ["WindowId"]),
  GetMaintenanceWindow: struct("GetMaintenanceWindowRequest", { WindowId }, ["WindowId"]),
  DeleteMaintenanceWindow: struct("DeleteMaintenanceWindowRequest", { WindowId }, ["WindowId"]),
  DescribeMaintenanceWindows: struct("DescribeMaintenanceWindowsRequest", { Filters: WindowFilterList, MaxResults: WindowMaxResults, NextToken }),
  DescribeMaintenanceWindowSchedule: struct("DescribeMaintenanceWindowScheduleRequest", {
    WindowId,
    Targets,
    ResourceType: str({ enum: RESOURCE_TYPES }),
    Filters: PatchOrchestratorFilterList,
    MaxResults: int({ min: 1 }),
    NextToken,
  }),
  DescribeMaintenanceWindowExecutions: struct("DescribeMaintenanceWindowExecutionsRequest", { WindowId, Filters: WindowFilterList, MaxResults: WindowMaxResults, NextToken }, ["WindowId"]),

  RegisterTargetWithMaintenanceWindow: struct(
    "RegisterTargetWithMaintenanceWindowRequest",
    { WindowId, ResourceType: str({ enum: RESOURCE_TYPES }), Targets, OwnerInformation, Name: WindowName, Description: WindowDescription, ClientToken },
    ["WindowId", "ResourceType", "Targets"],
  ),
  UpdateMaintenanceWindowTarget: struct(
    "UpdateMaintenanceWindowTargetRequest",
    { WindowId, WindowTargetId: TargetId, Targets, OwnerInformation, Name: WindowName, Description: WindowDescription, Replace: bool() },
    ["WindowId", "WindowTargetId"],
  ),
  DeregisterTargetFromMaintenanceWindow: struct("DeregisterTargetFromMaintenanceWindowRequest", { WindowId, WindowTargetId: TargetId, Safe: bool() }, ["WindowId", "WindowTargetId"]),
  DescribeMaintenanceWindowTargets: struct("DescribeMaintenanceWindowTargetsRequest", { WindowId, Filters: WindowFilterList, MaxResults: WindowMaxResults, NextToken }, ["WindowId"]),

  RegisterTaskWithMaintenanceWindow: struct(
    "RegisterTaskWithMaintenanceWindowRequest",
    { WindowId, ...TaskFields, TaskType: str({ enum: TASK_TYPES }), ClientToken },
    ["WindowId", "TaskArn", "TaskType"],
  ),
  UpdateMaintenanceWindowTask: struct("UpdateMaintenanceWindowTaskRequest", { WindowId, WindowTaskId: TargetId, ...TaskFields, Replace: bool() }, ["WindowId", "WindowTaskId"]),
  GetMaintenanceWindowTask: struct("GetMaintenanceWindowTaskRequest", { WindowId, WindowTaskId: TargetId }, ["WindowId", "WindowTaskId"]),
  DeregisterTaskFromMaintenanceWindow: struct("DeregisterTaskFromMaintenanceWindowRequest", { WindowId, WindowTaskId: TargetId }, ["WindowId", "WindowTaskId"]),
  DescribeMaintenanceWindowTasks: struct("DescribeMaintenanceWindowTasksRequest", { WindowId, Filters: WindowFilterList, MaxResults: WindowMaxResults, NextToken }, ["WindowId"]),

  AddTagsToResource: struct("AddTagsToResourceRequest", { ResourceType: str({ enum: TAGGABLE_TYPES }), ResourceId: str(), Tags: TagList }, ["ResourceType", "ResourceId", "Tags"]),
  RemoveTagsFromResource: struct(
    "RemoveTagsFromResourceRequest",
    { ResourceType: str({ enum: TAGGABLE_TYPES }), ResourceId: str(), TagKeys: list(str({ min: 1, max: 128, pattern: TAG_TEXT })) },
    ["ResourceType", "ResourceId", "TagKeys"],
  ),
  ListTagsForResource: struct("ListTagsForResourceRequest", { ResourceType: str({ enum: TAGGABLE_TYPES }), ResourceId: str() }, ["ResourceType", "ResourceId"]),

  DescribePatchGroupState: struct("DescribePatchGroupStateRequest", { PatchGroup }, ["PatchGroup"]),
  DescribeInstancePatchStatesForPatchGroup: struct(
    "DescribeInstancePatchStatesForPatchGroupRequest",
    {
      PatchGroup,
      Filters: list(
        struct(
          "InstancePatchStateFilter",
          { Key: str({ min: 1, max: 200 }), Values: list(str(), { min: 1, max: 1 }), Type: str({ enum: ["Equal", "NotEqual", "LessThan", "GreaterThan"] }) },
          ["Key", "Values", "Type"],
        ),
        { min: 0, max: 4 },
      ),
      NextToken,
      MaxResults: int({ min: 10, max: 100 }),
    },
    ["PatchGroup"],
  ),

  PutParameter: struct(
    "PutParameterRequest",
    {
      Name: ParameterName,
      Description: str({ min: 0, max: 1024 }),
      Value: str({ sensitive: true }),
      Type: str({ enum: ["String", "StringList", "SecureString"] }),
      KeyId: str({ min: 1, max: 256, pattern: "^([a-zA-Z0-9:/_-]+)$" }),
      Overwrite: bool(),
      AllowedPattern: str({ min: 0, max: 1024 }),
      Tags: TagList,
      Tier: str({ enum: ["Standard", "Advanced", "Intelligent-Tiering"] }),
      Policies: str({ min: 1, max: 4096 }),
      DataType: str({ min: 0, max: 128 }),
    },
    ["Name", "Value"],
  ),
  GetParameter: struct("GetParameterRequest", { Name: ParameterName, WithDecryption: bool() }, ["Name"]),
  DeleteParameter: struct("DeleteParameterRequest", { Name: ParameterName }, ["Name"]),
  GetParametersByPath: struct(
    "GetParametersByPathRequest",
    {
      Path: str({ min: 1, max: 2048 }),
      Recursive: bool(),
      ParameterFilters: list(
        struct("ParameterStringFilter", { Key: str({ min: 1, max: 132, pattern: "tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType" }), Option: str({ min: 1, max: 10 }), Values: list(str({ min: 1, max: 1024 }), { min: 1, max: 50 }) }, ["Key"]),
      ),
      WithDecryption: bool(),
      MaxResults: int({ min: 1, max: 10 }),
      NextToken: NextToken,
    },
    ["Path"],
  ),

  CreateDocument: struct(
    "CreateDocumentRequest",
    {
      Content: str({ min: 1 }),
      Requires: DocumentRequiresList,
      Attachments: AttachmentsSourceList,
      Name: DocumentName,
      DisplayName: DocumentDisplayName,
      VersionName: DocumentVersionName,
      DocumentType: str({ enum: DOCUMENT_TYPES }),
      DocumentFormat,
      TargetType,
      Tags: TagList,
    },
    ["Content", "Name"],
  ),
  UpdateDocument: struct(
    "UpdateDocumentRequest",
    { Content: str({ min: 1 }), Attachments: AttachmentsSourceList, Name: DocumentName, DisplayName: DocumentDisplayName, VersionName: DocumentVersionName, DocumentVersion, DocumentFormat, TargetType },
    ["Content", "Name"],
  ),
  UpdateDocumentDefaultVersion: struct("UpdateDocumentDefaultVersionRequest", { Name: DocumentName, DocumentVersion: str({ pattern: "(^[1-9][0-9]*$)" }) }, ["Name", "DocumentVersion"]),
  DeleteDocument: struct("DeleteDocumentRequest", { Name: DocumentName, DocumentVersion, VersionName: DocumentVersionName, Force: bool() }, ["Name"]),
  GetDocument: struct("GetDocumentRequest", { Name: DocumentArn, VersionName: DocumentVersionName, DocumentVersion, DocumentFormat }, ["Name"]),
  DescribeDocument: struct("DescribeDocumentRequest", { Name: DocumentArn, DocumentVersion, VersionName: DocumentVersionName }, ["Name"]),
  GetCalendarState: struct("GetCalendarStateRequest", { CalendarNames: list(str()), AtTime: str() }, ["CalendarNames"]),

  CreateAssociation: struct("CreateAssociationRequest", { Name: AssociationDocument, InstanceId, ...AssociationFields, Tags: TagList }, ["Name"]),
  UpdateAssociation: struct("UpdateAssociationRequest", { AssociationId, Name: AssociationDocument, AssociationVersion, ...AssociationFields }, ["AssociationId"]),
  DeleteAssociation: struct("DeleteAssociationRequest", { Name: AssociationDocument, InstanceId, AssociationId }),
  DescribeAssociation: struct("DescribeAssociationRequest", { Name: AssociationDocument, InstanceId, AssociationId, AssociationVersion }),
  ListAssociations: struct("ListAssociationsRequest", {
    AssociationFilterList: list(
      struct("AssociationFilter", {
        key: str({ enum: ["InstanceId", "Name", "AssociationId", "AssociationStatusName", "LastExecutedBefore", "LastExecutedAfter", "AssociationName", "ResourceGroupName"] }),
        value: str({ min: 1 }),
      }, ["key", "value"]),
      { min: 1 },
    ),
    MaxResults: AssociationMaxResults,
    NextToken,
  }),
  ListAssociationVersions: struct("ListAssociationVersionsRequest", { AssociationId, MaxResults: AssociationMaxResults, NextToken }, ["AssociationId"]),
  DescribeAssociationExecutions: struct("DescribeAssociationExecutionsRequest", {
    AssociationId,
    Filters: list(
      struct("AssociationExecutionFilter", { Key: str({ enum: ["ExecutionId", "Status", "CreatedTime"] }), Value: str({ min: 1 }), Type: str({ enum: ["EQUAL", "LESS_THAN", "GREATER_THAN"] }) }, ["Key", "Value", "Type"]),
      { min: 1 },
    ),
    MaxResults: AssociationMaxResults,
    NextToken,
  }, ["AssociationId"]),
};

/** Members that must be present when an Update is sent with Replace=true (those the Create/Register requires). */
export const REPLACE_REQUIRES: Readonly<Record<string, readonly string[]>> = {
  UpdatePatchBaseline: ["Name"],
  UpdateMaintenanceWindow: ["Name", "Schedule", "Duration", "Cutoff", "AllowUnassociatedTargets"],
  UpdateMaintenanceWindowTarget: ["Targets"],
  UpdateMaintenanceWindowTask: ["TaskArn"],
};
