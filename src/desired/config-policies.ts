import type { Diagnostic } from "../model/diagnostics.js";
import { formatFieldPath } from "../model/diagnostics.js";
import { builtInPolicyIds } from "./built-in-policies.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * patchctl.yaml `policies:` names built-in policies only (the schema checks the values:
 * deny, warn or off). A policy of one's own states its severity in its own file.
 */
export function checkConfigPolicies(config: Record<string, unknown>, source: SourceDocument): Diagnostic[] {
  const settings = config.policies;
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) return [];
  const known = builtInPolicyIds();
  const out: Diagnostic[] = [];
  for (const id of Object.keys(settings)) {
    if (known.has(id)) continue;
    const at = ["policies", id];
    const pos = source.locateKey(at);
    out.push({
      severity: "error",
      file: pos.file,
      line: pos.line,
      column: pos.column,
      resource: "Config",
      field: formatFieldPath(at),
      message: `unknown policy '${id}': policies sets the severity of built-in policies (${[...known].sort().join(", ")}); a policy of your own (--policies DIR) sets its severity in its own file`,
      code: "config",
    });
  }
  return out;
}
