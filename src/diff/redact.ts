import type { JsonObject } from "../model/plan.js";
import { joinPath, REDACTED } from "../resources/field-paths.js";
import type { ResourceHandler } from "../resources/handler.js";
import { allHandlers } from "../resources/registry.js";

/**
 * Masking SSM call inputs for the dry-run listing and recorded calls. What is sensitive is
 * the resource handler's answer (ResourceHandler.isSensitive), asked for each member of the
 * input under the spec path it carries: `TaskInvocationParameters.RunCommand.Parameters.Operation`
 * is the task's `runCommand.parameters.Operation`, decided with the call's TaskArn.
 */
export { REDACTED };

/** The handler whose calls make an operation (tag calls: the one whose ResourceType they name); undefined: masked whole. */
function handlerOf(operation: string, input: Record<string, unknown>): ResourceHandler | undefined {
  if (operation === "AddTagsToResource" || operation === "RemoveTagsFromResource") {
    return allHandlers().find((h) => h.tagResourceType !== undefined && h.tagResourceType === input.ResourceType);
  }
  return allHandlers().find((h) => h.writes.includes(operation));
}

/** Members whose keys are names users chose (document parameters): kept as written in spec paths. */
const VERBATIM_MAPS = new Set(["Parameters", "TaskParameters"]);

function camel(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** A copy of an SSM (or IAM) call's input, safe to print. */
export function redactCallInput(operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const handler = handlerOf(operation, input);
  if (handler === undefined) return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined).map(([k]) => [k, REDACTED]));
  // The part of the resource's spec the decision may depend on (a task's TaskArn and TaskType, an
  // association's document Name): the input's top-level strings, under their spec names.
  const context: JsonObject = {};
  for (const [k, v] of Object.entries(input)) if (typeof v === "string") context[camel(k)] = v;
  const walk = (value: unknown, path: string, verbatim: boolean): unknown => {
    if (value instanceof Uint8Array) return REDACTED; // blobs (a Lambda Payload) are never printed
    if (Array.isArray(value)) {
      if (handler.isSensitive(path, context) && value.every((_, i) => handler.isSensitive(joinPath(path, i), context))) return REDACTED;
      return value.map((v, i) => walk(v, joinPath(path, i), false));
    }
    if (value !== null && typeof value === "object") {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      const child = (k: string): string => (path === "" && k === "TaskInvocationParameters" ? "" : joinPath(path, verbatim ? k : camel(k)));
      if (path !== "" && handler.isSensitive(path, context) && entries.every(([k]) => handler.isSensitive(child(k), context))) return REDACTED;
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        const p = child(k);
        out[k] = p === "" ? walk(v, "", false) : walk(v, p, VERBATIM_MAPS.has(k));
      }
      return out;
    }
    return handler.isSensitive(path, context) ? REDACTED : value;
  };
  return walk(input, "", false) as Record<string, unknown>;
}
