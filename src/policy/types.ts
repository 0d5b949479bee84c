import type { Diagnostic } from "../model/diagnostics.js";

export type PolicySeverity = "deny" | "warn";

/** Kinds a spec policy can match: resources, and the targets and tasks nested in windows. */
export type SpecKind = "PatchBaseline" | "MaintenanceWindow" | "WindowTask" | "WindowTarget" | "ServiceRole" | "PatchAssociation";
export const SPEC_KINDS: readonly SpecKind[] = ["PatchBaseline", "MaintenanceWindow", "WindowTask", "WindowTarget", "ServiceRole", "PatchAssociation"];

/** Kinds a selector may name; plan policies also see registrations and default baselines. */
export type MatchKind = SpecKind | "PatchGroupRegistration" | "DefaultBaseline" | "Any";

/** A JSON Schema (draft-07), as written in a policy. */
export type JsonSchema = { [key: string]: unknown } | boolean;

/**
 * Which resources a policy applies to. Every given condition must hold.
 * A policy's `match` is one selector or a list of them (any may match).
 */
export interface PolicySelector {
  kind: MatchKind;
  /** metadata.tags, all must be equal; for tasks and targets, their window's tags. */
  tags?: Record<string, string>;
  /** Instance tags the subject's targets select (`tag:KEY` targets); for tasks, through WindowTargetIds; for associations, their own targets. */
  targetTags?: Record<string, string>;
  /** Logical names, `*` and `?` wildcards; tasks and targets match by window name or `window/child`. */
  names?: string[];
  /** A JSON Schema the spec must satisfy for the policy to apply (e.g. "install tasks only"). */
  spec?: JsonSchema;
}

export const SPEC_CHECKS = ["stage-staggering", "patch-groups-registered", "rejected-not-approved"] as const;
export const PLAN_CHECKS = ["destructive-changes", "max-deletions", "overlapping-schedules"] as const;
export type SpecCheck = (typeof SPEC_CHECKS)[number];
export type PlanCheck = (typeof PLAN_CHECKS)[number];
export type PolicyCheck = SpecCheck | PlanCheck;

export interface Policy {
  id: string;
  description: string;
  severity: PolicySeverity;
  /** spec: on the desired state, offline. plan: on a plan. */
  scope: "spec" | "plan";
  /** Normalised to a list: the policy applies to a subject matched by any selector. */
  match: PolicySelector[];
  /** A JSON Schema evaluated against the matched spec (spec scope only). */
  rule?: JsonSchema;
  /** A named built-in check across resources or on the plan. */
  check?: PolicyCheck;
  parameters: Record<string, unknown>;
  /** What to do about a finding. */
  message: string;
  /** "file:line" of the policy document. */
  source: string;
  origin: "built-in" | "user";
}

export interface PolicyFinding {
  policyId: string;
  severity: PolicySeverity;
  message: string;
  file: string;
  line: number;
  column: number;
  /** "PatchBaseline/prod", "WindowTask/Production-Tuesdays/Install-Patches", or "Plan". */
  resource: string;
  /** "spec.tasks[0].maxConcurrency" */
  field?: string;
}

export interface PolicyExemption {
  policyId: string;
  reason: string;
  resource: string;
  /** Where the exemption is written (the patchctl/exempt annotation). */
  file: string;
  line: number;
}

/** A policy whose severity patchctl.yaml sets (`policies: {<id>: deny|warn|off}`), listed so reviewers see it. */
export interface SeverityOverride {
  policyId: string;
  /** What patchctl.yaml sets. */
  severity: PolicySeverity | "off";
  /** The policy's own severity (its file's). */
  was: PolicySeverity;
  /** Where patchctl.yaml sets it. */
  file: string;
  line: number;
}

export interface PolicyResult {
  findings: PolicyFinding[];
  exemptions: PolicyExemption[];
  /** Malformed exemptions (severity error: they deny like a finding); unknown or unneeded exemptions (severity warning). */
  errors: Diagnostic[];
  /** Severities patchctl.yaml changes (present only when it changes any). */
  overrides?: SeverityOverride[];
}

export const EXEMPT_ANNOTATION = "patchctl/exempt";
