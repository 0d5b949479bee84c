import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Controller } from "./controller.js";
import type { ControllerMetrics } from "./metrics.js";
import { renderStatusPage, STATUS_PAGE_CSP } from "../status-page/index.js";
import type { StatusPageSource } from "./status-page.js";

/**
 * Read-only HTTP: / (the status page, HTML, under a strict CSP), /healthz (alive), /readyz (after the first successful cycle),
 * /metrics (Prometheus), /status (JSON). Anything else is 404; any method but GET/HEAD is 405.
 * Nothing here exposes credentials or sensitive SSM values (status lists keys and field paths only).
 */
export function startHttpServer(listen: string, controllers: Controller[], metrics: ControllerMetrics, page?: StatusPageSource, replica?: () => unknown): Promise<{ server: Server; port: number }> {
  const ready = (): boolean => controllers.every((c) => c.status.ready);
  // One controller: its status; several (deployments): one entry per deployment-region.
  const status = (): unknown => (controllers.length === 1 ? { ...controllers[0]!.status, ...(replica ? { replica: replica() } : {}) } : { ready: ready(), ...(replica ? { replica: replica() } : {}), deployments: controllers.map((c) => c.status) });
  const { host, port } = parseListen(listen);
  const server = createServer((req, res) => {
    const send = (code: number, type: string, body: string): void => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed\n");
    const url = new URL(req.url ?? "/", "http://localhost");
    switch (url.pathname) {
      case "/":
        if (!page) return send(404, "text/plain", "not found\n");
        page.page().then(
          (model) => {
            res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": STATUS_PAGE_CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY" });
            res.end(req.method === "HEAD" ? undefined : renderStatusPage(model));
          },
          () => send(500, "text/plain", "status page unavailable\n"),
        );
        return;
      case "/healthz":
        return send(200, "text/plain", "ok\n");
      case "/readyz":
        return ready() ? send(200, "text/plain", "ready\n") : send(503, "text/plain", "not ready: no successful cycle yet\n");
      case "/status":
        return send(200, "application/json", `${JSON.stringify(status(), null, 2)}\n`);
      case "/metrics":
        metrics.registry.metrics().then(
          (text) => send(200, metrics.registry.contentType, text),
          () => send(500, "text/plain", "metrics unavailable\n"),
        );
        return;
      default:
        return send(404, "text/plain", "not found\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

/** ":8080", "127.0.0.1:8080", "8080" */
export function parseListen(listen: string): { host?: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be [HOST]:PORT (got '${listen}')`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`--listen port out of range: ${port}`);
  return { host: m[1] || undefined, port };
}
