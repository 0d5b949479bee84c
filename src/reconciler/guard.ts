import type { Plan } from "../model/plan.js";
import { isRemoval } from "../model/plan.js";

export interface DeleteGuardOptions {
  /** Refuse when deletions exceed this share of owned resources. Default 30. */
  maxDeletePercent: number;
  allowMassDelete: boolean;
}

/**
 * A broken checkout (an empty directory, a wrong path) must not wipe production
 * patching: a plan deleting every owned resource, or more than the allowed share,
 * is refused unless the run says --allow-mass-delete. Returns the refusal, if any.
 */
export function checkDeleteGuard(plan: Plan, opts: DeleteGuardOptions): string | undefined {
  if (opts.allowMassDelete) return undefined;
  const owned = plan.changes.filter((c) => c.before !== undefined).length;
  // A window's targets and tasks deleted with it count as deletions too.
  const deletes = plan.changes.filter((c) => isRemoval(c.action)).length;
  if (deletes === 0 || owned === 0) return undefined;
  if (deletes === owned) {
    return `refusing to delete all ${owned} resources owned by '${plan.owner}' (is the desired-state directory right?); rerun with --allow-mass-delete if this is intended`;
  }
  const percent = (deletes * 100) / owned;
  if (percent > opts.maxDeletePercent) {
    return `refusing to delete ${deletes} of ${owned} owned resources (${percent.toFixed(0)}% > --max-delete-percent ${opts.maxDeletePercent}); rerun with --allow-mass-delete or a higher --max-delete-percent if this is intended`;
  }
  return undefined;
}
