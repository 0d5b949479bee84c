import { limitExceeded, malformedPolicyDocument } from "./context.js";

/**
 * Policy documents: what the endpoint checks of them, and how they travel back.
 * IAM parses a document fully (grammar, actions, ARNs); here a document must be a
 * JSON object with a Statement that is an object or a non-empty list of objects,
 * and a trust policy's statements must name a Principal and no Resource.
 */

function parse(document: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    throw malformedPolicyDocument("This policy contains invalid Json");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw malformedPolicyDocument("This policy contains invalid Json");
  return doc as Record<string, unknown>;
}

function statements(doc: Record<string, unknown>): Record<string, unknown>[] {
  const s = doc.Statement;
  const list = Array.isArray(s) ? (s as unknown[]) : s === undefined ? [] : [s];
  if (list.length === 0 || list.some((x) => typeof x !== "object" || x === null || Array.isArray(x))) throw malformedPolicyDocument("Syntax errors in policy.");
  return list as Record<string, unknown>[];
}

/** An identity-based (inline) policy. */
export function checkPolicyDocument(document: string): void {
  statements(parse(document));
}

/** Characters of a trust policy (whitespace not counted). */
export const MAX_TRUST_POLICY_CHARS = 2048;

/** A role's trust policy (AssumeRolePolicyDocument). */
export function checkTrustPolicy(document: string): void {
  for (const s of statements(parse(document))) {
    if (!("Principal" in s) && !("NotPrincipal" in s)) throw malformedPolicyDocument("AssumeRolePolicy policy: Missing required field Principal");
    if ("Resource" in s || "NotResource" in s) throw malformedPolicyDocument("Has prohibited field Resource");
  }
  if (nonWhitespaceLength(document) > MAX_TRUST_POLICY_CHARS) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${MAX_TRUST_POLICY_CHARS}`);
}

/** IAM counts policy sizes without whitespace. */
export function nonWhitespaceLength(document: string): number {
  return document.replace(/\s/g, "").length;
}

/** How IAM returns a document: URL-encoded (the AWS CLI decodes it; the SDKs hand it over as is). */
export function encodeDocument(document: string): string {
  return encodeURIComponent(document);
}
