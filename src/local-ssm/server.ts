import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { AwsError } from "./errors.js";
import type { Fleet } from "./fleet.js";
import { runSsmOperation } from "./ssm-service.js";
import type { Store } from "./store.js";

export interface ServerOptions {
  store: Store;
  fleet: Fleet;
  latencyMs: number;
  /** Calls per second per account and region; over it, ThrottlingException. 0 = unlimited. */
  tps: number;
  /** Fraction of calls answered with InternalServerError. */
  failRate: number;
  /** Fraction of calls answered with ThrottlingException, on top of --tps. */
  throttleRate: number;
  defaultAccount: string;
}

export interface LocalStats {
  calls: Record<string, number>;
  errors: Record<string, number>;
  throttled: number;
  total: number;
}

const MAX_BODY = 1024 * 1024;

/** A token bucket per account and region: `tps` tokens a second, at most `tps` saved up. */
class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly tps: number) {}
  take(key: string): boolean {
    if (this.tps <= 0) return true;
    const now = Date.now();
    const b = this.buckets.get(key) ?? { tokens: this.tps, at: now };
    b.tokens = Math.min(this.tps, b.tokens + ((now - b.at) / 1000) * this.tps);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** Region from the SigV4 credential scope; account from the access key (AKIA + 12 digits → those digits). */
export function callerOf(req: IncomingMessage, defaultAccount: string): { account: string; region: string } {
  const auth = String(req.headers.authorization ?? "");
  const m = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/[^/]+\/aws4_request/.exec(auth);
  const key = m?.[1] ?? "";
  const digits = /^AKIA(\d{12})/.exec(key)?.[1];
  return { account: digits ?? defaultAccount, region: m?.[2] ?? "us-east-1" };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AwsError("SerializationException", `Request body is larger than ${MAX_BODY} bytes`, 413));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function createLocalServer(opts: ServerOptions): { server: Server; stats: () => LocalStats; resetStats: () => void } {
  let stats: LocalStats = { calls: {}, errors: {}, throttled: 0, total: 0 };
  const limiter = new RateLimiter(opts.tps);

  const send = (res: ServerResponse, status: number, body: unknown, contentType = "application/x-amz-json-1.1"): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": contentType, "x-amzn-requestid": randomUUID(), "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const sendError = (res: ServerResponse, err: AwsError): void => {
    stats.errors[err.code] = (stats.errors[err.code] ?? 0) + 1;
    res.setHeader("x-amzn-errortype", err.code);
    send(res, err.status, { __type: err.code, message: err.message });
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://local");
      if (url.pathname.startsWith("/_local/")) {
        if (req.method === "GET" && url.pathname === "/_local/health") return send(res, 200, { ok: true }, "application/json");
        if (req.method === "GET" && url.pathname === "/_local/stats") return send(res, 200, stats, "application/json");
        if (req.method === "POST" && url.pathname === "/_local/stats/reset") {
          stats = { calls: {}, errors: {}, throttled: 0, total: 0 };
          return send(res, 200, { ok: true }, "application/json");
        }
        return send(res, 404, { message: "not found" }, "application/json");
      }
      try {
        const body = await readBody(req);
        if (req.method !== "POST") throw new AwsError("UnknownOperationException", `Unsupported method ${req.method}; the AWS JSON 1.1 protocol uses POST /`);
        const target = String(req.headers["x-amz-target"] ?? "");
        const m = /^AmazonSSM\.(\w+)$/.exec(target);
        if (!m) throw new AwsError("UnknownOperationException", target ? `Unknown operation ${target}` : "Missing X-Amz-Target header");
        const operation = m[1]!;
        stats.total++;
        stats.calls[operation] = (stats.calls[operation] ?? 0) + 1;
        if (opts.latencyMs > 0) await new Promise((r) => setTimeout(r, opts.latencyMs));
        const caller = callerOf(req, opts.defaultAccount);
        if (!limiter.take(`${caller.account}/${caller.region}`) || (opts.throttleRate > 0 && Math.random() < opts.throttleRate)) {
          stats.throttled++;
          throw new AwsError("ThrottlingException", "Rate exceeded");
        }
        if (opts.failRate > 0 && Math.random() < opts.failRate) throw new AwsError("InternalServerError", "An internal error occurred (injected by --fail-rate)", 500);
        let input: unknown;
        try {
          input = body.trim() === "" ? {} : JSON.parse(body);
        } catch {
          throw new AwsError("SerializationException", "Request body is not valid JSON");
        }
        if (input === null || typeof input !== "object" || Array.isArray(input)) throw new AwsError("SerializationException", "Request body must be a JSON object");
        const ctx = { state: opts.store.region(caller.account, caller.region), account: caller.account, region: caller.region, fleet: opts.fleet, mutated: false };
        const out = runSsmOperation(operation, input as Record<string, unknown>, ctx);
        if (ctx.mutated) opts.store.persist();
        send(res, 200, out);
      } catch (err) {
        if (err instanceof AwsError) return sendError(res, err);
        sendError(res, new AwsError("InternalServerError", err instanceof Error ? err.message : String(err), 500));
      }
    })();
  });
  return { server, stats: () => JSON.parse(JSON.stringify(stats)) as LocalStats, resetStats: () => (stats = { calls: {}, errors: {}, throttled: 0, total: 0 }) };
}
