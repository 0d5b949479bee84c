import { validateInput } from "../validation.js";
import type { OperationHandler, SsmContext } from "./context.js";
import type { Wire } from "./records.js";
import { INPUT_SHAPES } from "./shapes.js";

/**
 * An operation: its request body is checked against the hand-written input shape
 * (SerializationException, ValidationException) before the handler sees it, typed
 * with the SDK's request type as it travels on the wire.
 */
export function defineOperation<I extends object>(name: string, handler: (input: Wire<I>, ctx: SsmContext) => object): OperationHandler {
  const shape = INPUT_SHAPES[name];
  if (!shape) throw new Error(`no input shape for ${name}`);
  return (body, ctx) => handler(validateInput<Wire<I>>(shape, body), ctx);
}
