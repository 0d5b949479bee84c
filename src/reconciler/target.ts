import type { Change, Plan } from "../model/plan.js";
import { summarize } from "../model/plan.js";
import type { KeyedReference } from "./references.js";
import { logicalReferences } from "./references.js";

/** A --target that names nothing in the desired state or the account. */
export class UnknownTargetError extends Error {}

const refsOf = (c: Change): KeyedReference[] => [c.after, c.before].flatMap(logicalReferences);

/**
 * The plan narrowed to the named resources (KIND/NAME, as the plan prints them) and what they need,
 * from the declared references alone: what they hold or own (a window's targets and tasks, a
 * baseline's registrations and default) and what those use (a role a task names, a baseline a
 * registration names). A kept change that is planned (a Rollout's promotion of a baseline's cut-off)
 * takes what records the plan (the Rollout, `recordsPlanned`), and so what that uses: a promotion is
 * applied with its rollout's state and its other baselines, as targeting the rollout does, or not at
 * all. Everything else is left out, deletes included: a partial plan never prunes what it was not
 * asked about. A name that matches no change, no suspended resource and no conflict is an error.
 */
export function restrictToTargets(plan: Plan, targets: readonly string[]): Plan {
  const all = [...plan.changes, ...(plan.suspended ?? [])];
  const known = new Set([...all.map((c) => c.key), ...plan.conflicts.map((k) => k.key)]);
  const unknown = targets.filter((t) => !known.has(t));
  if (unknown.length) {
    throw new UnknownTargetError(`--target ${unknown.join(", ")}: no such resource in the desired state or the account (KIND/NAME as the plan prints it, e.g. MaintenanceWindow/Production-Tuesdays)`);
  }
  const keep = new Set(targets);
  const planned = new Set(all.filter((c) => c.planned !== undefined).map((c) => c.key));
  // To a fixed point: held or owned through a kept resource, or recording a kept planned change
  // (reverse), or used by a kept one (forward).
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of all) {
      const refs = refsOf(c);
      if (!keep.has(c.key) && refs.some((r) => ((r.role === "parent" || r.ownedThrough === true) && keep.has(r.key)) || (r.recordsPlanned === true && keep.has(r.key) && planned.has(r.key)))) {
        keep.add(c.key);
        grew = true;
      }
      if (!keep.has(c.key)) continue;
      for (const r of refs) {
        if (!keep.has(r.key) && known.has(r.key)) {
          keep.add(r.key);
          grew = true;
        }
      }
    }
  }
  const changes = plan.changes.filter((c) => keep.has(c.key)).map((c) => ({ ...c, dependsOn: c.dependsOn.filter((k) => keep.has(k)) }));
  const suspended = plan.suspended?.filter((c) => keep.has(c.key));
  return {
    ...plan,
    changes,
    conflicts: plan.conflicts.filter((k) => keep.has(k.key)),
    summary: summarize(changes),
    ...(suspended ? { suspended } : {}),
    partial: { targets: [...targets] },
  };
}
