/**
 * Values SSM marks sensitive (ssm-api-notes §0): window, target and task Description,
 * OwnerInformation, PatchSource Configuration, TaskParameters, RunCommand and
 * Automation Parameters, Lambda Payload, StepFunctions Input. They never appear in output or logs.
 */
export const REDACTED = "(sensitive)";

const ALWAYS = new Set(["OwnerInformation", "Configuration", "TaskParameters", "Parameters", "Payload", "Input"]);
/** A baseline's Description is not sensitive; every other Description is. */
const BASELINE_OPS = new Set(["CreatePatchBaseline", "UpdatePatchBaseline"]);

function redact(value: unknown, describeIsSensitive: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => redact(v, describeIsSensitive));
  if (value instanceof Uint8Array) return REDACTED;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = ALWAYS.has(k) || (k === "Description" && describeIsSensitive) ? REDACTED : redact(v, describeIsSensitive);
    }
    return out;
  }
  return value;
}

/** A copy of an SSM call's input, safe to print. */
export function redactCallInput(operation: string, input: Record<string, unknown>): Record<string, unknown> {
  return redact(input, !BASELINE_OPS.has(operation)) as Record<string, unknown>;
}
