import type { OperatingSystem } from "../model/desired.js";

/**
 * The properties of a hypothetical patch. Each is a list: the patch matches a
 * filter on that key when any listed value is among the filter's values (or the
 * filter has `*`). A property that is not given matches every filter on its key,
 * so `computeTimeline` with no properties answers "for a patch these rules would
 * approve". Values are compared case-insensitively.
 */
export interface PatchProperties {
  /** CLASSIFICATION filter (SecurityUpdates, CriticalUpdates, Security, Bugfix …). */
  classification?: string[];
  /** SEVERITY filter (Linux: Critical, Important …). */
  severity?: string[];
  /** MSRC_SEVERITY filter (Windows: Critical, Important …). */
  msrcSeverity?: string[];
  /** PRODUCT filter (WindowsServer2019, AmazonLinux2 …). */
  product?: string[];
}

export interface TimelineOptions extends PatchProperties {
  /** When the patch is released (approval delays count from here). */
  released: Date;
  /** "Now", for findings about windows that never run again; default the current time. */
  now?: Date;
}

/** Where the baseline that applies to a group comes from. */
export type BaselineSource = "registered" | "desired-default" | "aws-default";

export interface AppliedBaseline {
  source: BaselineSource;
  /** SSM name of the baseline, or the AWS predefined baseline's name / "AWS default baseline". */
  name: string;
  /** "PatchBaseline/<logical name>" for baselines in the desired state. */
  resource?: string;
  /** Undefined only for an AWS default baseline when the OS cannot be told. */
  operatingSystem?: OperatingSystem;
  /** One line saying why this baseline applies. */
  explanation: string;
}

/** The approval rule that would approve the patch. */
export interface MatchedRule {
  /** 1-based index in approvalRules.patchRules (0 for a modelled AWS predefined rule). */
  index: number;
  approveAfterDays?: number;
  approveUntilDate?: string;
  /** The Rollout stage that writes the rule's cut-off ("monthly/staging"). */
  rollout?: string;
  complianceLevel?: string;
  /** "MSRC_SEVERITY in [Critical, Important], CLASSIFICATION in [...]" */
  filters: string;
}

export type ApprovalStatus = "approved" | "never" | "unknown";

export interface Approval {
  status: ApprovalStatus;
  /** ISO-8601 UTC; present when status is "approved". */
  at?: string;
  /** Why: "7 days after release (rule 1)", "never approved by this baseline: …". */
  reason: string;
}

/** One run of a maintenance window on behalf of one task, or of a State Manager association. */
export interface WindowRun {
  /** Logical name of the window (or of the association). */
  window: string;
  /** "MaintenanceWindow/<name>" (or "PatchAssociation/<name>") */
  resource: string;
  /** The task's name (an association's: its document). */
  task: string;
  /** Set for an association's run: it starts on its schedule, with no window duration or cutoff. */
  association?: true;
  /** ISO-8601 UTC of the window start (when its tasks are started). */
  at: string;
  /** The same instant in the window's timezone. */
  local: string;
  timezone: string;
  /** ISO-8601 UTC: the window's cutoff (start + duration - cutoff); no task starts after it (an association's: its start). */
  startBy: string;
  /** The window's duration (an association's `duration`, when it has one). */
  durationHours?: number;
  /** Absent for associations. */
  cutoffHours?: number;
  notes: string[];
  /** Freezes of patchctl.yaml in force when this run starts (the install still runs: SSM knows nothing of them). */
  frozen?: { freeze: string; reason?: string; until?: string }[];
}

export type Stage = "Development" | "Staging" | "Production";

export interface GroupTimeline {
  /** Unique row key: the group name, or "group (OS)" when a group has several baselines. */
  lane: string;
  group: string;
  baseline: AppliedBaseline;
  /** From the baseline's Environment tag, else the install window's. */
  stage?: Stage;
  rule?: MatchedRule;
  approval: Approval;
  /** The first Install run at or after approval; absent when never installed (or unknown). */
  install?: WindowRun;
  /** Why there is no install ("never installed: …"); absent when installed. */
  installNote?: string;
  /** Windows whose Install tasks reach the group (enabled or not). */
  installWindows: string[];
  /** Scan-only runs reaching the group: the first run of each at or after approval (or release). */
  scans: WindowRun[];
}

export type FindingKind =
  | "never-installed"
  | "unregistered-group"
  | "stage-order"
  | "window-never-runs"
  | "window-disabled"
  | "untracked-install-targets"
  | "install-in-freeze";

export interface Finding {
  kind: FindingKind;
  severity: "warning" | "info";
  message: string;
  group?: string;
  window?: string;
}

export interface Timeline {
  formatVersion: 1;
  /** ISO-8601 UTC */
  released: string;
  /** ISO-8601 UTC */
  now: string;
  patch: PatchProperties;
  /** Sorted by install time; never-installed rows last. */
  groups: GroupTimeline[];
  findings: Finding[];
}
