import { randomInt } from "node:crypto";
import { AwsError } from "../errors.js";
import type { StructureShape } from "../validation.js";
import { validateInput } from "../validation.js";
import type { IamAccountState } from "./records.js";
import { IAM_INPUT_SHAPES } from "./shapes.js";

/** What an IAM operation runs against: one account's state. */
export interface IamContext {
  state: IamAccountState;
  account: string;
  now: Date;
  /** Set by an operation that changed state: the response waits until it is on disk. */
  mutated: boolean;
}

/**
 * An operation: its input shape (for decoding and validation) and its handler,
 * which returns the members of the Result element, or undefined for operations
 * whose model has no output.
 */
export interface IamOperation {
  shape: StructureShape;
  run(input: Record<string, unknown>, ctx: IamContext): object | undefined;
}

/**
 * An operation whose input is checked against its shape first. IAM reports model
 * violations as ValidationError (the JSON services' ValidationException), in the
 * same words: "1 validation error detected: Value 'a b' at 'roleName' failed to
 * satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+".
 */
export function defineOperation<I extends object>(name: string, handler: (input: I, ctx: IamContext) => object | undefined): Record<string, IamOperation> {
  const shape = IAM_INPUT_SHAPES[name];
  if (!shape) throw new Error(`no IAM input shape for ${name}`);
  return {
    [name]: {
      shape,
      run: (input, ctx) => {
        let valid: I;
        try {
          valid = validateInput<I>(shape, input);
        } catch (err) {
          if (err instanceof AwsError && (err.code === "ValidationException" || err.code === "SerializationException")) throw validationError(err.message);
          throw err;
        }
        return handler(valid, ctx);
      },
    },
  };
}

export function validationError(message: string): AwsError {
  return new AwsError("ValidationError", message);
}

export function noSuchEntity(message: string): AwsError {
  return new AwsError("NoSuchEntity", message, 404);
}

export function entityAlreadyExists(message: string): AwsError {
  return new AwsError("EntityAlreadyExists", message, 409);
}

export function deleteConflict(message: string): AwsError {
  return new AwsError("DeleteConflict", message, 409);
}

export function limitExceeded(message: string): AwsError {
  return new AwsError("LimitExceeded", message, 409);
}

export function invalidInput(message: string): AwsError {
  return new AwsError("InvalidInput", message);
}

export function malformedPolicyDocument(message: string): AwsError {
  return new AwsError("MalformedPolicyDocument", message);
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A unique id as IAM makes them: a four-letter type prefix (AROA for roles) and 17 characters, 21 in all. */
export function iamId(prefix: string): string {
  let id = prefix;
  while (id.length < 21) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** ISO 8601 in whole seconds, as IAM's dates come back. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
