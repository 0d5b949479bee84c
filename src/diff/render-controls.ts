import type { Change, JsonObject, Plan } from "../model/plan.js";
import { actionWord } from "../model/plan.js";

/*
 * What the operator's controls (docs/operator-controls.md) add to a rendered plan or drift report:
 * that it is partial (--target), the fields left as the account has them (ignoreFields), and the
 * suspended resources with their reasons. Field paths only, never values: nothing sensitive shows.
 */

type Mode = "plan" | "drift";

/** The line under the title of a partial plan; undefined for a full one. */
export function partialLine(plan: Plan): string | undefined {
  if (!plan.partial) return undefined;
  return `Partial plan (--target ${plan.partial.targets.join(", ")}): only these resources and what they need are compared; nothing else is changed or deleted.`;
}

function ignoredOf(plan: Plan): Change[] {
  return [...plan.changes, ...(plan.suspended ?? [])].filter((c) => c.ignoredFields?.length);
}

function suspendedWord(c: Change, mode: Mode): string {
  if (c.action === "noop") return mode === "drift" ? "in sync" : "nothing to change";
  const fields = c.fields.length ? `: ${c.fields.map((f) => f.path).join(", ")}` : "";
  return `${mode === "drift" ? "drift, would" : "would"} ${actionWord(c.action)}${fields}`;
}

/** Text sections: ignored fields, suspended resources. */
export function controlSectionsText(plan: Plan, mode: Mode): string[] {
  const lines: string[] = [];
  const ignored = ignoredOf(plan);
  if (ignored.length) {
    lines.push("", "Ignored (metadata.ignoreFields: they differ in the account and are not reverted):");
    for (const c of ignored) lines.push(`  = ${c.key}: ${c.ignoredFields!.join(", ")}`);
  }
  if (plan.suspended?.length) {
    lines.push("", "Suspended (patchctl/suspend: not created, updated or deleted):");
    for (const c of plan.suspended) lines.push(`  ‖ ${c.key}  (suspended: ${c.suspended}; ${suspendedWord(c, mode)})`);
  }
  return lines;
}

/** Markdown sections, the same. */
export function controlSectionsMarkdown(plan: Plan, mode: Mode, escape: (s: string) => string): string[] {
  const lines: string[] = [];
  const partial = partialLine(plan);
  if (partial) lines.push("", `> ${escape(partial)}`);
  const ignored = ignoredOf(plan);
  if (ignored.length) {
    lines.push("", "#### Ignored fields (metadata.ignoreFields, not reverted)", "");
    for (const c of ignored) lines.push(`- \`${escape(c.key)}\`: ${c.ignoredFields!.map((p) => `\`${escape(p)}\``).join(", ")}`);
  }
  if (plan.suspended?.length) {
    lines.push("", "#### Suspended (patchctl/suspend, nothing applied)", "");
    for (const c of plan.suspended) lines.push(`- \`${escape(c.key)}\` — ${escape(c.suspended ?? "")} (${escape(suspendedWord(c, mode))})`);
  }
  return lines;
}

/** JSON members added to the report (formatVersion 2: added only, absent when unused). */
export function controlsJson(plan: Plan): JsonObject {
  const out: JsonObject = {};
  if (plan.partial) out.partial = { targets: plan.partial.targets };
  const ignored = ignoredOf(plan);
  if (ignored.length) out.ignored = ignored.map((c) => ({ key: c.key, type: c.type, fields: c.ignoredFields! }));
  if (plan.suspended?.length) {
    out.suspended = plan.suspended.map((c) => {
      const o: JsonObject = { key: c.key, type: c.type, name: c.name, action: c.action, reason: c.suspended ?? "", fields: c.fields.map((f) => f.path) };
      if (c.before?.id) o.id = c.before.id;
      return o;
    });
  }
  return out;
}
