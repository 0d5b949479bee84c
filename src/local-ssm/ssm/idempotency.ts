import { createHash } from "node:crypto";
import { AwsError } from "../errors.js";
import type { SsmContext } from "./context.js";
import { epochSeconds } from "./context.js";

/**
 * How long a ClientToken is remembered. AWS does not document it (unconfirmed);
 * within it, the same token and the same request return the first call's id, even
 * if that resource has since been deleted.
 */
export const TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** Key-order-independent JSON, so the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
    .join(",")}}`;
}

/**
 * Runs `create` once per ClientToken: the same token with the same parameters
 * returns the id of the first call without creating anything; with different
 * parameters it fails with IdempotentParameterMismatch. Without a token, it
 * always creates. Tokens are kept with the state, so they survive restarts.
 */
export function idempotentCreate(ctx: SsmContext, operation: string, input: { ClientToken?: string | undefined }, create: () => string): string {
  const token = input.ClientToken;
  if (token === undefined) return create();
  const now = epochSeconds(ctx.now);
  const { ClientToken: _token, ...params } = input;
  const hash = createHash("sha256").update(canonicalJson(params)).digest("hex");
  const key = `${operation}/${token}`;
  const seen = ctx.state.tokens[key];
  if (seen && now - seen.at < TOKEN_LIFETIME_SECONDS) {
    if (seen.hash !== hash) throw new AwsError("IdempotentParameterMismatch", "Error occurred during operation 'ClientToken': the client token was already used with different parameters.");
    return seen.id;
  }
  const id = create();
  for (const [k, t] of Object.entries(ctx.state.tokens)) if (now - t.at >= TOKEN_LIFETIME_SECONDS) delete ctx.state.tokens[k];
  ctx.state.tokens[key] = { hash, id, at: now };
  ctx.mutated = true;
  return id;
}
