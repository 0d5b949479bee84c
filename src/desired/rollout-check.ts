import type { Diagnostic, FieldPath } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import type { OperatingSystem, PatchBaselineDoc, RolloutDoc } from "../model/desired.js";
import type { LoadedResource } from "./state.js";

/** Operating systems whose baselines approve at once: no approveUntilDate, so no rollout can stage them. */
const NO_CUTOFF_OSES: readonly OperatingSystem[] = ["DEBIAN", "UBUNTU"];

function finding(res: LoadedResource, path: FieldPath, message: string): Diagnostic {
  const pos = res.source.locate(path);
  return { severity: "error", file: pos.file, line: pos.line, column: pos.column, resource: res.key, field: formatFieldPath(path) || undefined, message, code: "rollout" };
}

/** The baselines every Rollout drives (logical name → the rollout and stage), for the baseline checks. */
export function rolloutBaselines(rollouts: readonly LoadedResource<RolloutDoc>[]): Map<string, { rollout: string; stage: string }> {
  const out = new Map<string, { rollout: string; stage: string }>();
  for (const r of rollouts) for (const s of r.doc.spec.stages) for (const b of s.baselines) if (!out.has(b)) out.set(b, { rollout: r.doc.metadata.name, stage: s.name });
  return out;
}

/**
 * A rollout's rules the schema cannot say: unique stage names, promoteWhen on every stage but the
 * first and naming an earlier stage, baselines that exist, belong to one stage of one rollout, and
 * take a cut-off (their rules name no approveAfterDays, their OS takes approveUntilDate).
 */
export function checkRollouts(rollouts: readonly LoadedResource<RolloutDoc>[], baselines: readonly LoadedResource<PatchBaselineDoc>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map(baselines.map((b) => [b.doc.metadata.name, b]));
  const claimed = new Map<string, string>();
  for (const r of rollouts) {
    const seen = new Map<string, number>();
    r.doc.spec.stages.forEach((stage, i) => {
      const at: FieldPath = ["spec", "stages", i];
      if (seen.has(stage.name)) out.push(finding(r, [...at, "name"], `stage name '${stage.name}' is already used by stages[${seen.get(stage.name)}]`));
      const when = stage.promoteWhen;
      if (i === 0 && when) out.push(finding(r, [...at, "promoteWhen"], "the first stage has no promoteWhen: its cut-off moves to today at each run"));
      if (i > 0 && !when) out.push(finding(r, at, `stage '${stage.name}' needs promoteWhen: {stage, compliantPercent, soak} (when it takes an earlier stage's cut-off)`));
      if (i > 0 && when && !seen.has(when.stage)) {
        const later = r.doc.spec.stages.some((s) => s.name === when.stage);
        out.push(finding(r, [...at, "promoteWhen", "stage"], later ? `promoteWhen.stage '${when.stage}' is not an earlier stage: a stage is promoted from one before it` : `promoteWhen.stage '${when.stage}' names no stage of this rollout (stages: ${r.doc.spec.stages.map((s) => s.name).join(", ")})`));
      }
      seen.set(stage.name, i);
      stage.baselines.forEach((name, j) => {
        const path: FieldPath = [...at, "baselines", j];
        const b = byName.get(name);
        if (!b) {
          out.push(finding(r, path, `no PatchBaseline named '${name}' in the desired state`));
          return;
        }
        const where = `${r.doc.metadata.name}/${stage.name}`;
        const before = claimed.get(name);
        if (before !== undefined) {
          out.push(finding(r, path, `baseline '${name}' is already driven by stage ${before}: a baseline's cut-off has one owner`));
          return;
        }
        claimed.set(name, where);
        const os = b.doc.spec.operatingSystem ?? "WINDOWS";
        if (NO_CUTOFF_OSES.includes(os)) out.push(finding(r, path, `baseline '${name}' is ${os}: its patches are approved as soon as they are released (no approveUntilDate), so no rollout can stage them`));
        (b.doc.spec.approvalRules?.patchRules ?? []).forEach((rule, k) => {
          if (rule.approveAfterDays !== undefined) {
            out.push(finding(b, ["spec", "approvalRules", "patchRules", k, "approveAfterDays"], `baseline '${name}' is driven by Rollout ${where}: its rules approve up to the rollout's cut-off (approveUntilDate), not after a delay; remove approveAfterDays`));
          }
        });
      });
    });
  }
  return out;
}
