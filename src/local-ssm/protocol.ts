import type { IncomingHttpHeaders } from "node:http";
import type { Caller } from "./caller.js";
import type { AwsError } from "./errors.js";

/** An HTTP request as a protocol sees it (body already read). */
export interface ProtocolRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ProtocolResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An AWS wire protocol in front of a service: AWS JSON 1.1 for SSM, the AWS Query
 * protocol (form-encoded requests, XML responses) for IAM.
 */
export interface Protocol {
  /** The operation the request is for, or undefined when this protocol does not serve it. */
  operationOf(req: ProtocolRequest): string | undefined;
  /** Runs the operation; throws AwsError for an AWS error response. */
  handle(req: ProtocolRequest, operation: string, caller: Caller): ProtocolResponse;
  /** The error as this protocol renders it. */
  errorResponse(err: AwsError, requestId: string): ProtocolResponse;
  /**
   * For a request in this protocol's wire format that names no operation it
   * serves (operationOf gave undefined): the error to answer, rendered by this
   * protocol. Undefined when the request is not in this protocol's format.
   */
  unknownOperation?(req: ProtocolRequest): AwsError | undefined;
}
