import { createHash } from "node:crypto";
import { AwsError } from "../errors.js";

/**
 * Opaque NextTokens. A token names the last item of the page it ends and the query
 * it belongs to, so a page stays correct when items before it are deleted, and a
 * token used with another operation or other filters is refused (InvalidNextToken).
 * The last page carries no NextToken.
 */
export interface PageRequest {
  operation: string;
  MaxResults?: number;
  NextToken?: string;
  /** Used when MaxResults is absent. The service's defaults are not documented (unconfirmed); the range's maximum is used. */
  defaultSize: number;
  /** The request's other inputs (filters, ids): a token only continues the same query. */
  query: unknown;
}

interface TokenBody {
  v: 1;
  op: string;
  q: string;
  /** Key of the last item returned. */
  k: string;
  /** Its index, for when that item has since disappeared. */
  i: number;
}

function queryHash(operation: string, query: unknown): string {
  return createHash("sha256").update(`${operation}\n${JSON.stringify(query ?? null)}`).digest("hex").slice(0, 16);
}

function invalidToken(): AwsError {
  return new AwsError("InvalidNextToken", "The specified token isn't valid.");
}

function decode(token: string): TokenBody {
  try {
    const body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<TokenBody>;
    if (body.v !== 1 || typeof body.op !== "string" || typeof body.q !== "string" || typeof body.k !== "string" || typeof body.i !== "number") throw invalidToken();
    return body as TokenBody;
  } catch {
    throw invalidToken();
  }
}

export function paginate<T>(items: readonly T[], keyOf: (item: T) => string, req: PageRequest): { page: T[]; nextToken?: string } {
  const size = req.MaxResults ?? req.defaultSize;
  const q = queryHash(req.operation, req.query);
  let start = 0;
  if (req.NextToken !== undefined && req.NextToken !== "") {
    const token = decode(req.NextToken);
    if (token.op !== req.operation || token.q !== q) throw invalidToken();
    const at = items.findIndex((item) => keyOf(item) === token.k);
    start = at >= 0 ? at + 1 : Math.min(token.i + 1, items.length);
  }
  const page = items.slice(start, start + size);
  if (start + size >= items.length || page.length === 0) return { page };
  const last = page[page.length - 1]!;
  const body: TokenBody = { v: 1, op: req.operation, q, k: keyOf(last), i: start + page.length - 1 };
  return { page, nextToken: Buffer.from(JSON.stringify(body)).toString("base64url") };
}
