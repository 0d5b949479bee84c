/**
 * An AWS-style error. The JSON 1.1 protocol renders it as HTTP `status` with the
 * body {"__type": code, "message": message}; other protocols (AWS Query, for IAM)
 * render the same object their own way.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** One violated model constraint, rendered as AWS does ("Value 'x' at 'name' failed to satisfy constraint: ..."). */
export interface Violation {
  /** The offending value as AWS prints it; undefined for sensitive members (AWS leaves the value out). */
  shown: string | undefined;
  /** Member path in AWS's style: lowerCamel names, list elements as `.N.member` (1-based). */
  path: string;
  constraint: string;
}

export function validationErrors(violations: readonly Violation[]): AwsError {
  const n = violations.length;
  const parts = violations.map((v) => `${v.shown === undefined ? "Value" : `Value ${v.shown}`} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return new AwsError("ValidationException", `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`);
}

/** A single violation; `value` is shown the way AWS's (Java) service framework prints it. */
export function validationError(value: unknown, path: string, constraint: string, sensitive = false): AwsError {
  return validationErrors([{ shown: sensitive ? undefined : showValue(value), path, constraint }]);
}

/** How AWS prints a value in a validation message: strings quoted, null bare, lists as [a, b]. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  return `'${javaString(value)}'`;
}

function javaString(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map(javaString).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${javaString(v)}`).join(", ")}}`;
  }
  return String(value);
}

/** A service-level ValidationException (cross-field rules and the like), in free text as AWS words them. */
export function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

export function doesNotExist(message: string): AwsError {
  return new AwsError("DoesNotExistException", message);
}

export function serializationError(message: string): AwsError {
  return new AwsError("SerializationException", message);
}

export function internalError(message = "An internal error occurred."): AwsError {
  return new AwsError("InternalServerError", message, 500);
}
