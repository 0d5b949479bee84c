import { randomUUID } from "node:crypto";
import type { Caller } from "./caller.js";
import { AwsError, serializationError } from "./errors.js";
import type { Protocol, ProtocolRequest, ProtocolResponse } from "./protocol.js";

/** A service reachable over AWS JSON 1.1: an operation and a parsed body in, a body out. */
export interface JsonService {
  invoke(operation: string, body: unknown, caller: Caller): object;
}

const CONTENT_TYPE = "application/x-amz-json-1.1";

/**
 * AWS JSON 1.1: `POST /` with `X-Amz-Target: <Prefix>.<Operation>` and a JSON
 * body; 200 with a JSON body, or an error status with {"__type", "message"}.
 */
export class AwsJsonProtocol implements Protocol {
  constructor(
    private readonly targetPrefix: string,
    private readonly service: JsonService,
  ) {}

  operationOf(req: ProtocolRequest): string | undefined {
    const target = req.headers["x-amz-target"];
    if (typeof target !== "string") return undefined;
    const m = /^([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)$/.exec(target);
    return m && m[1] === this.targetPrefix ? m[2] : undefined;
  }

  handle(req: ProtocolRequest, operation: string, caller: Caller): ProtocolResponse {
    if (req.method !== "POST") throw new AwsError("UnknownOperationException", `The AWS JSON 1.1 protocol uses POST, not ${req.method}.`);
    let body: unknown;
    try {
      body = req.body.trim() === "" ? {} : JSON.parse(req.body);
    } catch {
      throw serializationError("Start of structure or map found where not expected: the request body is not valid JSON.");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw serializationError("The request body must be a JSON object.");
    const out = this.service.invoke(operation, body, caller);
    return jsonResponse(200, out, randomUUID());
  }

  errorResponse(err: AwsError, requestId: string): ProtocolResponse {
    return jsonErrorResponse(err, requestId);
  }
}

export function jsonResponse(status: number, body: unknown, requestId: string): ProtocolResponse {
  const text = JSON.stringify(body);
  return { status, headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId }, body: text };
}

export function jsonErrorResponse(err: AwsError, requestId: string): ProtocolResponse {
  const res = jsonResponse(err.status, { __type: err.code, message: err.message }, requestId);
  res.headers["x-amzn-errortype"] = err.code;
  return res;
}
