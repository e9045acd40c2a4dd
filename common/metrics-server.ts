import { createServer, type Server } from "node:http";

import { addressKey } from "./address-key.js";
import type { Logger } from "./log.js";
import { collectProcessMetrics, register } from "./metrics.js";
import { metricsGate } from "./metrics-token.js";

/**
 * `/metrics` for processes without an HTTP server of their own (NPC worker, chat indexer). Resolves once it
 * listens; a port in use is a clear start-up error (it was an uncaught error event after the model had loaded).
 */
export async function serveMetrics(port: number, log: Logger, token?: string): Promise<Server> {
  collectProcessMetrics();
  const refusal = metricsGate(token, log);
  const server = createServer(async (req, res) => {
    // As the servers' Express route reads it: a scrape's `params:` (a query) or a trailing slash are still /metrics.
    // Split, not parsed: a target URL refuses ("//[") threw, unhandled, and ended the process.
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" && path !== "/metrics/") {
      res.writeHead(404).end();
      return;
    }
    // The socket's address: no proxy is trusted here (the scraper reaches the port itself), and a header is the client's to write.
    const refused = refusal(req.headers.authorization, addressKey(req.socket.remoteAddress ?? "unknown"));
    if (refused) {
      res.writeHead(refused.status, refused.headers).end(refused.body);
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
