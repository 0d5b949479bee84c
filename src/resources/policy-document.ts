import type { Json, JsonObject } from "../model/plan.js";

/**
 * IAM policy documents compared by meaning: key order does not matter, a single
 * value equals a one-element list (Action, Resource, principals, condition values,
 * Statement itself), and the order of values in those lists does not matter.
 */

/** Members whose value may be a string or a list of strings, with the same meaning. */
const LIST_MEMBERS = new Set(["Action", "NotAction", "Resource", "NotResource"]);

export class PolicyDocumentError extends Error {}

/** A document from YAML (mapping) or a JSON string, as a JSON object; throws PolicyDocumentError. */
export function parsePolicyDocument(doc: unknown): JsonObject {
  let value: unknown = doc;
  if (typeof doc === "string") {
    try {
      value = JSON.parse(doc);
    } catch (err) {
      throw new PolicyDocumentError(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new PolicyDocumentError("a policy document must be a JSON object");
  const obj = value as JsonObject;
  if (!("Statement" in obj)) throw new PolicyDocumentError("a policy document needs a Statement");
  const statements = Array.isArray(obj.Statement) ? obj.Statement : [obj.Statement];
  statements.forEach((s, i) => {
    if (s === null || typeof s !== "object" || Array.isArray(s)) throw new PolicyDocumentError(`Statement[${i}] must be an object`);
    if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new PolicyDocumentError(`Statement[${i}].Effect must be Allow or Deny`);
  });
  return obj;
}

/** A single value and a one-element list become the plain string (the form people write and
 * the form sent to IAM); longer lists become sorted and de-duplicated. */
function sortedStrings(v: Json): Json {
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
    const values = [...new Set(v as string[])].sort();
    return values.length === 1 ? values[0]! : values;
  }
  return v;
}

/**
 * IAM stores an account given as a principal by its id as the account's root ARN, and reads it back
 * that way ("Principal": {"AWS": "123456789012"} becomes "arn:aws:iam::123456789012:root"; IAM
 * user guide, AWS JSON policy elements: Principal): both forms compare equal.
 */
function accountPrincipal(v: Json): Json {
  return typeof v === "string" && /^\d{12}$/.test(v) ? `arn:aws:iam::${v}:root` : v;
}

function principal(v: Json): Json {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v; // "*"
  return Object.fromEntries(
    Object.keys(v).sort().map((k) => {
      const values = v[k]!;
      const mapped = k !== "AWS" ? values : Array.isArray(values) ? values.map(accountPrincipal) : accountPrincipal(values);
      return [k, sortedStrings(mapped)];
    }),
  );
}

function condition(v: Json): Json {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.keys(v).sort().map((op) => {
      const inner = v[op]!;
      if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return [op, inner];
      return [op, Object.fromEntries(Object.keys(inner).sort().map((k) => [k, sortedStrings(inner[k]!)]))];
    }),
  );
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k]!)]));
  return v;
}

function statement(s: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(s).sort()) {
    const v = s[k]!;
    if (LIST_MEMBERS.has(k)) out[k] = sortedStrings(v);
    else if (k === "Principal" || k === "NotPrincipal") out[k] = principal(v);
    else if (k === "Condition") out[k] = condition(v);
    else out[k] = sortKeys(v);
  }
  return out;
}

/** The canonical form of a (valid) policy document: equal documents by meaning give equal values. */
export function canonicalPolicy(doc: unknown): JsonObject {
  const obj = parsePolicyDocument(doc);
  const statements = (Array.isArray(obj.Statement) ? obj.Statement : [obj.Statement]) as JsonObject[];
  const out: JsonObject = {};
  for (const k of Object.keys(obj).sort()) {
    if (k === "Statement") {
      const list = statements.map(statement);
      out.Statement = list.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    } else out[k] = sortKeys(obj[k]!);
  }
  return out;
}

/** The trust policy a ServiceRole gets when none is given: Systems Manager may assume it. */
export const SSM_TRUST_POLICY: JsonObject = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/** Whether a trust policy lets a service principal assume the role. */
export function trustsService(doc: unknown, service: string): boolean {
  try {
    const canon = canonicalPolicy(doc);
    return (canon.Statement as JsonObject[]).some((s) => {
      const p = s.Principal;
      if (s.Effect !== "Allow" || p === null || typeof p !== "object" || Array.isArray(p)) return false;
      const services = p.Service;
      return services === service || (Array.isArray(services) && services.includes(service));
    });
  } catch {
    return false;
  }
}
