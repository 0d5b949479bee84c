import { randomUUID } from "node:crypto";
import type { Caller } from "./caller.js";
import { AwsError } from "./errors.js";
import type { Protocol, ProtocolRequest, ProtocolResponse } from "./protocol.js";
import type { Shape, StructureShape } from "./validation.js";
import { memberPath } from "./validation.js";
import { escapeXml, xmlElement } from "./xml.js";

/** A service reachable over the AWS Query protocol: an operation and its decoded parameters in, a result out. */
export interface QueryService {
  /** The API version requests must name (`Version=`). */
  readonly version: string;
  /** The xmlns of responses. */
  readonly xmlNamespace: string;
  /** The operation's input shape, used to decode the flat parameters; undefined when the service has no such operation. */
  inputShape(operation: string): StructureShape | undefined;
  /**
   * Runs the operation. Returns the members of `<Operation>Result`, or undefined
   * for an operation the model gives no output (its response has no Result element).
   */
  invoke(operation: string, input: Record<string, unknown>, caller: Caller): object | undefined;
}

const FORM = "application/x-www-form-urlencoded";

/** The form parameters of a Query request, or undefined when it is not one (not a form POST). */
function formOf(req: ProtocolRequest): URLSearchParams | undefined {
  if (req.method !== "POST") return undefined;
  const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  return type === FORM ? new URLSearchParams(req.body) : undefined;
}

/**
 * The AWS Query protocol (IAM, SNS, STS…): `POST /` with a form body
 * `Action=<Operation>&Version=<api version>&<flattened parameters>`; answers are
 * XML, `<OperationResponse><OperationResult>…</OperationResult><ResponseMetadata>`,
 * errors `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
 */
export class AwsQueryProtocol implements Protocol {
  constructor(private readonly service: QueryService) {}

  operationOf(req: ProtocolRequest): string | undefined {
    const form = formOf(req);
    const action = form?.get("Action");
    if (!form || !action || form.get("Version") !== this.service.version) return undefined;
    return this.service.inputShape(action) ? action : undefined;
  }

  unknownOperation(req: ProtocolRequest): AwsError | undefined {
    const form = formOf(req);
    if (!form) return undefined;
    const action = form.get("Action");
    if (!action) return new AwsError("MissingAction", "The request must contain the parameter Action.");
    const version = form.get("Version");
    return new AwsError("InvalidAction", `Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`);
  }

  handle(req: ProtocolRequest, operation: string, caller: Caller): ProtocolResponse {
    const form = formOf(req)!;
    const shape = this.service.inputShape(operation)!;
    const result = this.service.invoke(operation, decodeStructure(shape, form, ""), caller);
    const requestId = randomUUID();
    const body =
      `<${operation}Response xmlns="${escapeXml(this.service.xmlNamespace)}">` +
      (result === undefined ? "" : xmlElement(`${operation}Result`, result)) +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
      `</${operation}Response>`;
    return xmlResponse(200, body, requestId);
  }

  errorResponse(err: AwsError, requestId: string): ProtocolResponse {
    const type = err.status >= 500 ? "Receiver" : "Sender";
    const body =
      `<ErrorResponse xmlns="${escapeXml(this.service.xmlNamespace)}">` +
      `<Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId>` +
      `</ErrorResponse>`;
    return xmlResponse(err.status, body, requestId);
  }
}

function xmlResponse(status: number, body: string, requestId: string): ProtocolResponse {
  return { status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}

/** A parameter that does not parse as its member's type (`MaxItems=ten`): a ValidationError, as the service's framework reports it. */
function badValue(value: string, path: string, expected: string): AwsError {
  return new AwsError("ValidationError", `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must be ${expected}`);
}

/**
 * The members of `shape` from flattened parameters (`Name`, `Tags.member.1.Key`,
 * `Map.entry.1.key`), typed as the JSON the validator expects. Parameters the shape
 * does not name are ignored.
 */
function decodeStructure(shape: StructureShape, form: URLSearchParams, prefix: string, path = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const value = decode(member, form, `${prefix}${name}`, memberPath(path, name));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The 1-based indexes N present under `<key>.<infix>.N` (in order, gaps allowed). */
function indexes(form: URLSearchParams, key: string): number[] {
  const found = new Set<number>();
  const start = `${key}.`;
  for (const k of form.keys()) {
    if (!k.startsWith(start)) continue;
    const m = /^(?:member|entry)\.([1-9]\d{0,5})(?:\.|$)/.exec(k.slice(start.length));
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

function hasAny(form: URLSearchParams, prefix: string): boolean {
  for (const k of form.keys()) if (k.startsWith(prefix)) return true;
  return false;
}

function decode(shape: Shape, form: URLSearchParams, key: string, path: string): unknown {
  switch (shape.type) {
    case "structure":
      return hasAny(form, `${key}.`) ? decodeStructure(shape, form, `${key}.`, path) : undefined;
    case "list": {
      const at = indexes(form, key);
      // An empty list travels as the bare name with an empty value (`Tags=`).
      if (at.length === 0) return form.get(key) === "" ? [] : undefined;
      return at.map((n, i) => decode(shape.member, form, `${key}.member.${n}`, `${path}.${i + 1}.member`) ?? null);
    }
    case "map": {
      const out: Record<string, unknown> = {};
      for (const n of indexes(form, key)) {
        const k = form.get(`${key}.entry.${n}.key`);
        // defineProperty: a key is user input ("__proto__" must stay a key).
        if (k !== null) Object.defineProperty(out, k, { value: decode(shape.value, form, `${key}.entry.${n}.value`, `${path}.${k}`) ?? null, enumerable: true, writable: true, configurable: true });
      }
      return form.has(key) || Object.keys(out).length > 0 ? out : undefined;
    }
    default:
      return scalar(shape, form.get(key), path);
  }
}

function scalar(shape: Shape, raw: string | null, path: string): unknown {
  if (raw === null) return undefined;
  switch (shape.type) {
    case "integer":
    case "long": {
      if (!/^-?\d{1,15}$/.test(raw.trim())) throw badValue(raw, path, "an integer");
      return Number(raw.trim());
    }
    case "boolean":
      if (raw !== "true" && raw !== "false") throw badValue(raw, path, "a boolean (true or false)");
      return raw === "true";
    case "timestamp": {
      const t = Date.parse(raw);
      if (Number.isNaN(t)) throw badValue(raw, path, "an ISO 8601 timestamp");
      return t / 1000;
    }
    default:
      return raw;
  }
}
