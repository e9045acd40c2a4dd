import { createServer, type Server } from "node:http";

import type { Logger } from "./log.js";
import { collectProcessMetrics, register } from "./metrics.js";
import { METRICS_REFUSED, metricsGate } from "./metrics-token.js";

/**
 * `/metrics` for processes without an HTTP server of their own (NPC worker, chat indexer). Resolves once it
 * listens; a port in use is a clear start-up error (it was an uncaught error event after the model had loaded).
 */
export async function serveMetrics(port: number, log: Logger, token?: string): Promise<Server> {
  collectProcessMetrics();
  const allowed = metricsGate(token);
  const server = createServer(async (req, res) => {
    // As the servers' Express route reads it: a scrape's `params:` (a query) or a trailing slash are still /metrics.
    // Split, not parsed: a target URL refuses ("//[") threw, unhandled, and ended the process.
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" && path !== "/metrics/") {
      res.writeHead(404).end();
      return;
    }
    if (!allowed(req.headers.authorization)) {
      res.writeHead(401, { "www-authenticate": "Bearer", "content-type": "text/plain" }).end(METRICS_REFUSED);
      return;
    }
    res.writeHead(200, { "content-type": register.contentType }).end(await register.metrics());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`METRICS_PORT ${port}: ${error.code === "EADDRINUSE" ? "already in use" : error.message}`)));
    server.listen(port, resolve);
  });
  log.info("metrics on /metrics", { port });
  server.unref();
  return server;
}
