/** An AWS-style error: the JSON 1.1 body is {"__type": code, "message": message}. */
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

export function validationError(value: unknown, member: string, constraint: string): AwsError {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return new AwsError("ValidationException", `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function doesNotExist(message: string): AwsError {
  return new AwsError("DoesNotExistException", message);
}
