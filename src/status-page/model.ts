import type { ComplianceReport } from "../compliance/report.js";
import type { Timeline } from "../timeline/index.js";

/**
 * What the status page shows, as data: built by the controller (`watch` serves it at `/`) and by
 * `patchctl report`, rendered by one pure function (render.ts). Every value here is already
 * masked the way the plan masks it: the page and its JSON hold no credentials and no sensitive
 * field values.
 */

/** A deployment-region's state, in this precedence: failed, applying, frozen, suspended, drifted, in sync. */
export type RegionState = "in-sync" | "drifted" | "applying" | "failed" | "frozen" | "suspended";

export const REGION_STATES: readonly RegionState[] = ["failed", "applying", "frozen", "suspended", "drifted", "in-sync"];

/** One field of a change, its values already masked and shown on one line ("(sensitive)" for masked ones). */
export interface StatusField {
  path: string;
  before?: string;
  after?: string;
  sensitive: boolean;
}

export interface StatusChange {
  key: string;
  /** create, update, delete, replace. */
  action: string;
  /** The change as drift: "changed outside patchctl", "missing", … */
  drift: string;
  fields: StatusField[];
  /** Held back: its window is executing. */
  deferred?: string;
}

export interface StatusFinding {
  policyId: string;
  severity: string;
  resource: string;
  message: string;
  field?: string;
  /** file:line of the desired state it is about. */
  where: string;
}

export interface StatusExemption {
  policyId: string;
  resource: string;
  reason: string;
  where: string;
}

export interface CycleSample {
  /** ISO-8601 UTC, when the cycle ended. */
  at: string;
  ms: number;
  /** AWS calls the cycle made. */
  calls: number;
  /** Changes applied. */
  applied: number;
  ok: boolean;
}

export interface LastApply {
  at: string;
  applied: number;
  failed: number;
  ok: boolean;
}

/** A Rollout as its plan explains it: one line per stage (docs/rollout.md). */
export interface StatusRollout {
  key: string;
  stages: string[];
}

export interface StatusRegion {
  deployment?: string;
  region: string;
  owner?: string;
  state: RegionState;
  /** Why this state, in one line (the error, the freeze, the refusal). */
  reason?: string;
  commit?: string;
  /** The newest commit when it was refused (the commit in force stays). */
  badCommit?: string;
  lastCycle?: string;
  lastFullRead?: string;
  lastApply?: LastApply;
  /** Drifted changes (what the plan would apply). */
  changes: StatusChange[];
  /** Rollouts of the desired state and what their plan says of each stage (promote, wait, blocked and why). */
  rollouts?: StatusRollout[];
  /** Why the plan is refused (policy denial, delete guard): its changes are not applied. */
  refused: { code: string; message: string }[];
  findings: StatusFinding[];
  exemptions: StatusExemption[];
  compliance?: ComplianceReport;
  complianceError?: string;
  history: CycleSample[];
}

/** This watch process among replicas sharing the deployment-regions (docs/replicas.md), as /status `replica` has it. */
export interface StatusReplica {
  /** host:pid:random */
  id: string;
  /** Live replicas counted at the last heartbeat, this one included. */
  live: number;
  /** The most deployment-regions this replica may hold: ceil(deployment-regions / live). */
  share: number;
  /** The deployment-regions (`deployment/region`) whose write lease this replica holds. */
  holding: string[];
}

export interface StatusPage {
  title: string;
  /** ISO-8601 UTC */
  generatedAt: string;
  /** `<meta http-equiv="refresh">` every this many seconds; absent: a static report. */
  refreshSeconds?: number;
  regions: StatusRegion[];
  /** With replicas sharing the deployment-regions: this replica, its share and what it holds. */
  replica?: StatusReplica;
  timeline?: Timeline;
}
