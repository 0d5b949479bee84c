import type { DesiredState } from "../desired/load.js";
import type { Policy, PolicyResult, SeverityOverride } from "./types.js";

/** The policies as patchctl.yaml configures them, and what it changed. */
export interface ConfiguredPolicies {
  /** Without those switched off, with the severities patchctl.yaml sets. */
  policies: Policy[];
  /** Ids of loaded policies patchctl.yaml switches off. */
  off: ReadonlySet<string>;
  /** Every setting that changes a loaded policy, in patchctl.yaml's order. */
  overrides: SeverityOverride[];
}

/**
 * Applies `policies: {<id>: deny|warn|off}` of the state's patchctl.yaml to the loaded
 * policies (built-in or, by the same id, the user's). The loader has already refused ids
 * that name no built-in policy; a setting for a policy that is not loaded (disabled by
 * --policies) changes nothing. The caller's policies are not modified.
 */
export function configuredPolicies(policies: readonly Policy[], state: Pick<DesiredState, "config" | "configSource">): ConfiguredPolicies {
  const settings = state.config.policies ?? {};
  const byId = new Map(policies.map((p) => [p.id, p]));
  const off = new Set<string>();
  const overrides: SeverityOverride[] = [];
  for (const [id, severity] of Object.entries(settings)) {
    const p = byId.get(id);
    if (!p || p.severity === severity) continue;
    const pos = state.configSource.locate(["policies", id]);
    overrides.push({ policyId: id, severity, was: p.severity, file: pos.file, line: pos.line });
    if (severity === "off") off.add(id);
  }
  if (overrides.length === 0) return { policies: [...policies], off, overrides };
  const configured = policies.flatMap((p): Policy[] => {
    const s = settings[p.id];
    if (s === undefined || s === p.severity) return [p];
    return s === "off" ? [] : [{ ...p, severity: s }];
  });
  return { policies: configured, off, overrides };
}

/** `result` with the overrides listed (only when there are any). */
export function withOverrides(result: PolicyResult, overrides: readonly SeverityOverride[]): PolicyResult {
  return overrides.length > 0 ? { ...result, overrides: [...overrides] } : result;
}
