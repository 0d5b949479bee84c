import path from "node:path";
import type { Plan } from "../model/plan.js";
import { actionWord } from "../model/plan.js";
import { driftWord, safeFields, show } from "../diff/render-plan.js";
import type { PolicyResult } from "../policy/index.js";
import type { CycleSample, RegionState, StatusChange, StatusExemption, StatusFinding, StatusRollout } from "./model.js";

/**
 * From the pipeline's outcome to the page's view model: changes masked by the same function every
 * plan output uses (safeFields: the handlers' isSensitive), then shown on one line each.
 */
/** Each Rollout's stage decisions, as the plan's notes on it say them (the resolved rollout carries one per stage). */
export function statusRollouts(plan: Plan): StatusRollout[] {
  return plan.changes.filter((c) => c.type === "Rollout").map((c) => ({ key: c.key, stages: [...(c.after?.notes ?? [])] }));
}

export function statusChanges(plan: Plan, deferred: readonly { key: string; reason: string }[] = []): StatusChange[] {
  const held = new Map(deferred.map((d) => [d.key, d.reason]));
  return plan.changes
    .filter((c) => c.action !== "noop")
    .map((c) => {
      const change: StatusChange = {
        key: c.key,
        action: actionWord(c.action),
        drift: driftWord(c),
        fields: safeFields(c).map((f) => ({
          path: f.path,
          ...(f.before !== undefined ? { before: show(f.before) } : {}),
          ...(f.after !== undefined ? { after: show(f.after) } : {}),
          sensitive: f.sensitive === true,
        })),
      };
      const why = held.get(c.key);
      if (why !== undefined) change.deferred = why;
      return change;
    });
}

/** Findings and exemptions, their files named relative to `root` (the desired-state directory) when given. */
export function statusFindings(policy: PolicyResult, root?: string): { findings: StatusFinding[]; exemptions: StatusExemption[] } {
  const file = (f: string): string => (root !== undefined && path.isAbsolute(f) ? path.relative(root, f) || f : f);
  return {
    findings: policy.findings.map((f) => ({ policyId: f.policyId, severity: f.severity, resource: f.resource, message: f.message, ...(f.field !== undefined ? { field: f.field } : {}), where: `${file(f.file)}:${f.line}` })),
    exemptions: policy.exemptions.map((e) => ({ policyId: e.policyId, resource: e.resource, reason: e.reason, where: `${file(e.file)}:${e.line}` })),
  };
}

/** What decides a card's state; the first that holds wins (REGION_STATES' order). */
export interface StateInputs {
  failed?: string;
  applying?: boolean;
  frozen?: string;
  suspended?: string;
  changes: number;
}

export function regionState(i: StateInputs): { state: RegionState; reason?: string } {
  if (i.failed !== undefined) return { state: "failed", reason: i.failed };
  if (i.applying) return { state: "applying", reason: "applying changes now" };
  if (i.frozen !== undefined) return { state: "frozen", reason: i.frozen };
  if (i.suspended !== undefined) return { state: "suspended", reason: i.suspended };
  if (i.changes > 0) return { state: "drifted", reason: `${i.changes} resource(s) differ from the desired state` };
  return { state: "in-sync" };
}

/** A fixed-size history: the newest `size` cycles, oldest first. */
export function pushSample(history: CycleSample[], sample: CycleSample, size = 30): void {
  history.push(sample);
  if (history.length > size) history.splice(0, history.length - size);
}
