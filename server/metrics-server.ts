import { createServer, type Server } from "node:http";

import type { Logger } from "../common/log.js";
import { collectProcessMetrics, register } from "../common/metrics.js";

/** `/metrics` for processes without an HTTP server of their own (NPC worker, chat indexer). */
export function serveMetrics(port: number, log: Logger): Server {
  collectProcessMetrics();
  const server = createServer(async (req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": register.contentType }).end(await register.metrics());
  });
  server.listen(port, () => log.info("metrics on /metrics", { port }));
  server.unref();
  return server;
}
