import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { AwsJsonProtocol, jsonErrorResponse } from "./aws-json.js";
import { callerOf } from "./caller.js";
import { AwsError, internalError } from "./errors.js";
import type { ExtraPropertyValues } from "../catalog/patch-properties.js";
import type { FaultOptions } from "./faults.js";
import { Faults } from "./faults.js";
import type { FleetSource } from "./fleet.js";
import { IamService } from "./iam/service.js";
import type { Protocol, ProtocolRequest, ProtocolResponse } from "./protocol.js";
import { AwsQueryProtocol } from "./query-protocol.js";
import { SsmService } from "./ssm/service.js";
import type { LocalStats } from "./stats.js";
import { StatsCounter } from "./stats.js";
import type { Store } from "./store.js";

export type { LocalStats };

export interface ServerOptions extends FaultOptions {
  store: Store;
  /** The simulated fleet, read again when its file changes. */
  fleet: FleetSource;
  /** The account of callers whose access key names none. */
  defaultAccount: string;
  /** Patch property values listed and accepted besides the catalog's (test-only). */
  patchProperties?: readonly ExtraPropertyValues[];
  /** Operations answered AccessDeniedException, as for a caller whose policy lacks them (test-only). */
  deniedOperations?: readonly string[];
}

/** What AWS answers a caller whose policy does not allow `operation` (HTTP 400, AccessDeniedException; the wording follows AWS's). */
function accessDenied(operation: string, account: string): AwsError {
  return new AwsError("AccessDeniedException", `User: arn:aws:iam::${account}:user/local is not authorized to perform: ssm:${operation} because no identity-based policy allows the ssm:${operation} action`);
}

/** Larger request bodies are refused (413) without being read further. */
const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, out: ProtocolResponse): void {
  if (res.headersSent) return;
  res.writeHead(out.status, { ...out.headers, "content-length": String(Buffer.byteLength(out.body)) });
  res.end(out.body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/**
 * The HTTP layer: admin routes under /_local/, and AWS calls routed to the
 * protocol that serves them, with stats, latency, throttling and injected
 * failures applied the same way for every protocol and service.
 */
export function createLocalServer(opts: ServerOptions): { server: Server; stats: () => LocalStats; resetStats: () => void } {
  const stats = new StatsCounter();
  const faults = new Faults(opts);
  const protocols: Protocol[] = [new AwsJsonProtocol(SsmService.TARGET_PREFIX, new SsmService(opts.store, opts.fleet, opts.patchProperties ?? [])), new AwsQueryProtocol(new IamService(opts.store))];

  const admin = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (req.method === "GET" && path === "/_local/health") return sendJson(res, 200, { ok: true });
    if (req.method === "GET" && path === "/_local/stats") return sendJson(res, 200, stats.snapshot());
    if (req.method === "POST" && path === "/_local/stats/reset") {
      stats.reset();
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { message: `no such admin route: ${req.method} ${path}` });
  };

  const aws = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const requestId = randomUUID();
    let protocol: Protocol | undefined;
    const fail = (err: AwsError): void => {
      stats.error(err.code);
      send(res, (protocol ?? protocols[0]!).errorResponse(err, requestId));
    };
    let body: string;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        return fail(new AwsError("SerializationException", `The request body is larger than ${MAX_BODY_BYTES} bytes.`, 413));
      }
      throw err;
    }
    const request: ProtocolRequest = { method: req.method ?? "GET", path, headers: req.headers, body };
    let operation: string | undefined;
    for (const p of protocols) {
      operation = p.operationOf(request);
      if (operation !== undefined) {
        protocol = p;
        break;
      }
    }
    if (!protocol || operation === undefined) {
      // A request in a protocol's own format (a Query form naming an unknown Action) gets that protocol's error.
      for (const p of protocols) {
        const err = p.unknownOperation?.(request);
        if (err) {
          protocol = p;
          return fail(err);
        }
      }
      const target = req.headers["x-amz-target"];
      return fail(new AwsError("UnknownOperationException", typeof target === "string" ? `Unknown operation ${target}` : "Missing X-Amz-Target header: this endpoint speaks AWS JSON 1.1 (POST / with X-Amz-Target: AmazonSSM.<Operation>) and, for IAM, the AWS Query protocol (POST / with a form body Action=<Operation>&Version=2010-05-08)."));
    }
    stats.call(operation);
    try {
      await faults.delay();
      const caller = callerOf(req.headers, opts.defaultAccount);
      faults.check(`${caller.account}/${caller.region}`);
      if (opts.deniedOperations?.includes(operation)) throw accessDenied(operation, caller.account);
      send(res, protocol.handle(request, operation, caller));
    } catch (err) {
      fail(err instanceof AwsError ? err : internalError(err instanceof Error ? `An internal error occurred: ${err.message}` : undefined));
    }
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const work = path.startsWith("/_local/") ? Promise.resolve(admin(req, res, path)) : aws(req, res, path);
    work.catch((err: unknown) => {
      stats.error("InternalServerError");
      send(res, jsonErrorResponse(internalError(err instanceof Error ? err.message : String(err)), randomUUID()));
    });
  });
  return { server, stats: () => stats.snapshot(), resetStats: () => stats.reset() };
}
