import type { DesiredState } from "../desired/load.js";
import type { RolloutDoc } from "../model/desired.js";
import { heldFor, soakMs } from "../resources/rollout-evaluate.js";

/**
 * When a Rollout's stage approves a patch, offline: its baselines' rules carry no date of their
 * own (the rollout writes their approveUntilDate), so the earliest is the release plus the soaks of
 * every stage on the way to it (dev → staging → production: 3d + 7d), if each stage proves it.
 */
export interface RolloutGate {
  rollout: string;
  stage: string;
  /** Release to the earliest approval. */
  delayMs: number;
  /** "Rollout monthly: dev (at the next reconcile) → staging (95% compliant, soak 3d)". */
  path: string;
}

export function rolloutGates(state: DesiredState): Map<string, RolloutGate> {
  const out = new Map<string, RolloutGate>();
  for (const r of state.resources) {
    if (r.doc.kind !== "Rollout") continue;
    const doc = r.doc as RolloutDoc;
    const delay = new Map<string, number>();
    const path = new Map<string, string>();
    for (const [i, s] of doc.spec.stages.entries()) {
      const when = s.promoteWhen;
      if (i === 0 || !when || !delay.has(when.stage)) {
        delay.set(s.name, 0);
        path.set(s.name, `${s.name} (at the next reconcile)`);
      } else {
        delay.set(s.name, delay.get(when.stage)! + soakMs(when.soak));
        path.set(s.name, `${path.get(when.stage)!} → ${s.name} (${when.compliantPercent}% compliant${when.noFailedInstances ? ", no failed instance" : ""}, soak ${when.soak})`);
      }
      for (const b of s.baselines) if (!out.has(b)) out.set(b, { rollout: doc.metadata.name, stage: s.name, delayMs: delay.get(s.name)!, path: `Rollout ${doc.metadata.name}: ${path.get(s.name)!}` });
    }
  }
  return out;
}

export function gateReason(gate: RolloutGate): string {
  return `${gate.delayMs === 0 ? "at release" : `${heldFor(gate.delayMs)} after release at the earliest`}, as each stage proves it (${gate.path})`;
}
