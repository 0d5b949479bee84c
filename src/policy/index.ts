/**
 * Policies: guard rails checked before anything reaches an account.
 *
 * A policy (kind: Policy) matches resources, or the tasks and targets inside windows, by
 * kind, tags, target tags, names and a spec schema, and either holds a JSON Schema `rule`
 * for the matched spec or names a built-in `check` across resources (stage-staggering,
 * patch-groups-registered, rejected-not-approved) or on a plan (destructive-changes,
 * max-deletions). Built-ins live in <package>/policies; a user directory overrides them by id,
 * and patchctl.yaml `policies: {<id>: deny|warn|off}` sets a policy's severity.
 */
export type { JsonSchema, MatchKind, Policy, PolicyCheck, PolicyExemption, PolicyFinding, PolicyResult, PolicySelector, PolicySeverity, SeverityOverride, SpecKind } from "./types.js";
export { EXEMPT_ANNOTATION } from "./types.js";
export { builtInPolicyDir, builtInPolicyIds, loadPolicies } from "./load.js";
export { exemptionText } from "./collector.js";
export { configuredPolicies } from "./overrides.js";
export { evaluateSpecPolicies, exemptionHolder } from "./spec.js";
export { evaluatePlanPolicies } from "./plan.js";
export { hasDenials, mergeResults, policyResultToJson, renderPolicyMarkdown, renderPolicyText } from "./render.js";
