import type { Violation } from "./errors.js";
import { serializationError, showValue, validationErrors } from "./errors.js";

/**
 * A small, hand-written description of an API's input shapes (the subset of the
 * Smithy/botocore model the service validates), and a validator that behaves like
 * AWS's service framework:
 *
 * 1. Deserialization: a member of the wrong JSON type, or a member the shape does
 *    not have, is a SerializationException (the request could not be read).
 * 2. Constraints: every violated length, range, pattern, enum and required rule is
 *    collected and reported at once as one ValidationException, in AWS's words
 *    ("2 validation errors detected: Value 'x' at 'name' failed to satisfy
 *    constraint: Member must satisfy regular expression pattern: ...; ...").
 *
 * Patterns are the model's (Java) regular expressions; like Java's
 * Matcher.matches(), they must match the whole value.
 */
export type Shape = StringShape | NumberShape | BooleanShape | BlobShape | TimestampShape | ListShape | MapShape | StructureShape;

export interface StringShape {
  type: "string";
  min?: number;
  max?: number;
  pattern?: string;
  enum?: readonly string[];
  sensitive?: boolean;
}
export interface NumberShape {
  type: "integer" | "long";
  min?: number;
  max?: number;
}
export interface BooleanShape {
  type: "boolean";
}
export interface BlobShape {
  type: "blob";
  min?: number;
  max?: number;
  sensitive?: boolean;
}
export interface TimestampShape {
  type: "timestamp";
}
export interface ListShape {
  type: "list";
  member: Shape;
  min?: number;
  max?: number;
  sensitive?: boolean;
}
export interface MapShape {
  type: "map";
  key: StringShape;
  value: Shape;
  min?: number;
  max?: number;
  sensitive?: boolean;
}
export interface StructureShape {
  type: "structure";
  name: string;
  members: Readonly<Record<string, Shape>>;
  required: readonly string[];
  sensitive?: boolean;
}

type Limits = { min?: number; max?: number };

export const str = (c: Omit<StringShape, "type"> = {}): StringShape => ({ type: "string", ...c });
export const int = (c: Limits = {}): NumberShape => ({ type: "integer", ...c });
export const long = (c: Limits = {}): NumberShape => ({ type: "long", ...c });
export const bool = (): BooleanShape => ({ type: "boolean" });
export const blob = (c: Omit<BlobShape, "type"> = {}): BlobShape => ({ type: "blob", ...c });
export const timestamp = (): TimestampShape => ({ type: "timestamp" });
export const list = (member: Shape, c: Omit<ListShape, "type" | "member"> = {}): ListShape => ({ type: "list", member, ...c });
export const map = (key: StringShape, value: Shape, c: Omit<MapShape, "type" | "key" | "value"> = {}): MapShape => ({ type: "map", key, value, ...c });
export const struct = (name: string, members: Record<string, Shape>, required: readonly string[] = [], opts: { sensitive?: boolean } = {}): StructureShape => ({ type: "structure", name, members, required, ...opts });

/** The member path segment AWS uses: the member name with a lower-case first letter. */
export function memberPath(parent: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent ? `${parent}.${name}` : name;
}

/**
 * A Java regular expression as a JavaScript one (Unicode mode). The model's
 * patterns differ only in escapes Java allows anywhere and JavaScript's Unicode
 * mode does not: `\-` outside a character class, and a backslash before
 * punctuation that is no syntax character (`\:` in DocumentDisplayName), which
 * Java reads as the character itself.
 */
const JS_ESCAPABLE_PUNCTUATION = new Set([..."^$\\.*+?()[]{}|/"]);
function javaToJs(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (next === "-") out += inClass ? "\\-" : "-";
      else if (/[\p{P}\p{S}]/u.test(next) && !JS_ESCAPABLE_PUNCTUATION.has(next)) out += next;
      else out += c + next;
      i++;
      continue;
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return out;
}

const compiled = new Map<string, RegExp>();
function fullMatch(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${javaToJs(pattern)})$`, "u");
    compiled.set(pattern, re);
  }
  return re;
}

export function matchesPattern(value: string, pattern: string): boolean {
  return fullMatch(pattern).test(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "a structure";
  if (typeof v === "number") return "a number";
  return `a ${typeof v}`;
}

/** Step 1: JSON types and unknown members (SerializationException on the first problem). */
function deserialize(shape: Shape, value: unknown, path: string): void {
  const where = path || "the request";
  const wrong = (expected: string): never => {
    throw serializationError(`Cannot deserialize ${where}: expected ${expected} but got ${jsonType(value)}`);
  };
  switch (shape.type) {
    case "string":
      if (typeof value !== "string") wrong("a string");
      return;
    case "integer":
    case "long": {
      if (typeof value !== "number" || !Number.isFinite(value)) return wrong(`an ${shape.type}`);
      const limit = shape.type === "integer" ? 2 ** 31 : Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(value) || value >= limit || value < -limit) throw serializationError(`Cannot deserialize ${where}: ${value} is not a valid ${shape.type}`);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") wrong("a boolean");
      return;
    case "timestamp":
      if (typeof value !== "number" || !Number.isFinite(value)) wrong("a timestamp (epoch seconds)");
      return;
    case "blob":
      if (typeof value !== "string") return wrong("a base64-encoded string");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw serializationError(`Cannot deserialize ${where}: not valid base64`);
      return;
    case "list":
      if (!Array.isArray(value)) return wrong("a list");
      value.forEach((item, i) => {
        if (item === null) throw serializationError(`Cannot deserialize ${where}: null is not allowed in a list`);
        deserialize(shape.member, item, `${path}.${i + 1}.member`);
      });
      return;
    case "map":
      if (!isRecord(value)) return wrong("a map");
      for (const [k, v] of Object.entries(value)) {
        if (v === null) throw serializationError(`Cannot deserialize ${where}: null is not allowed as a map value`);
        deserialize(shape.value, v, `${path}.${k}`);
      }
      return;
    case "structure":
      if (!isRecord(value)) return wrong("a structure");
      for (const [k, v] of Object.entries(value)) {
        const member = shape.members[k];
        if (!member) throw serializationError(`Unrecognized field "${k}" (${shape.name}), not marked as ignorable`);
        if (v !== null && v !== undefined) deserialize(member, v, memberPath(path, k));
      }
      return;
  }
}

function lengthViolations(len: number, c: Limits, out: (constraint: string) => void): void {
  if (c.max !== undefined && len > c.max) out(`Member must have length less than or equal to ${c.max}`);
  if (c.min !== undefined && len < c.min) out(`Member must have length greater than or equal to ${c.min}`);
}

function stringViolations(shape: StringShape, value: string): string[] {
  const out: string[] = [];
  lengthViolations([...value].length, shape, (c) => out.push(c));
  if (shape.pattern !== undefined && !matchesPattern(value, shape.pattern)) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (shape.enum && !shape.enum.includes(value)) out.push(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
  return out;
}

/** Step 2: model constraints, all of them. */
function constraints(shape: Shape, value: unknown, path: string, sensitive: boolean, out: Violation[]): void {
  const add = (constraint: string): void => {
    out.push({ shown: sensitive ? undefined : showValue(value), path, constraint });
  };
  switch (shape.type) {
    case "string":
      for (const c of stringViolations(shape, value as string)) add(c);
      return;
    case "integer":
    case "long": {
      const n = value as number;
      if (shape.max !== undefined && n > shape.max) add(`Member must have value less than or equal to ${shape.max}`);
      if (shape.min !== undefined && n < shape.min) add(`Member must have value greater than or equal to ${shape.min}`);
      return;
    }
    case "blob":
      lengthViolations(Buffer.from(value as string, "base64").length, shape, add);
      return;
    case "boolean":
    case "timestamp":
      return;
    case "list": {
      const items = value as unknown[];
      lengthViolations(items.length, shape, add);
      items.forEach((item, i) => constraints(shape.member, item, `${path}.${i + 1}.member`, sensitive || isSensitive(shape.member), out));
      return;
    }
    case "map": {
      const entries = Object.entries(value as Record<string, unknown>);
      lengthViolations(entries.length, shape, add);
      const keyProblems = new Set<string>();
      for (const [k] of entries) for (const c of stringViolations(shape.key, k)) keyProblems.add(c);
      if (keyProblems.size > 0) add(`Map keys must satisfy constraint: [${[...keyProblems].join(", ")}]`);
      for (const [k, v] of entries) constraints(shape.value, v, `${path}.${k}`, sensitive || isSensitive(shape.value), out);
      return;
    }
    case "structure": {
      const record = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members)) {
        const v = record[name];
        const p = memberPath(path, name);
        if (v === undefined || v === null) {
          if (shape.required.includes(name)) out.push({ shown: "null", path: p, constraint: "Member must not be null" });
          continue;
        }
        constraints(member, v, p, sensitive || isSensitive(member), out);
      }
      return;
    }
  }
}

function isSensitive(shape: Shape): boolean {
  return "sensitive" in shape && shape.sensitive === true;
}

/**
 * Validates a request body against its input shape. Returns the body typed as T
 * (with null members removed, as AWS treats an explicit null as absent).
 */
export function validateInput<T>(shape: StructureShape, body: unknown): T {
  deserialize(shape, body, "");
  const cleaned = dropNulls(body) as Record<string, unknown>;
  const violations: Violation[] = [];
  constraints(shape, cleaned, "", false, violations);
  if (violations.length > 0) throw validationErrors(violations);
  return cleaned as T;
}

/** "Member must not be null" for each missing name (e.g. the members Replace=true makes required). */
export function requireMembers(record: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  const violations: Violation[] = [];
  for (const name of names) {
    if (record[name] === undefined || record[name] === null) violations.push({ shown: "null", path: memberPath("", name), constraint: "Member must not be null" });
  }
  if (violations.length > 0) throw validationErrors(violations);
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = dropNulls(x);
    return out;
  }
  return v;
}
