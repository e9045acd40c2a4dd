import type { Client } from "@elastic/elasticsearch";
import type { Application, RequestHandler } from "express";
import { z } from "zod";

import { searchChat, SearchParams } from "../../chatlog/chat-search.js";
import type { Logger } from "../../common/log.js";

/**
 * `GET /api/chat/search?q=&room=&player=&account=&kind=&reported=&private=&minToxicity=&sort=&from=&to=&size=&after=` (admin): chat lines
 * with highlights, `next` for the page after, the closed months not searched, and whether shards failed (docs/chat-search.md).
 */
export function chatSearchRoute(
  app: Application,
  es: { client: Client; indexPrefix: string } | undefined,
  /** The admin check (admin-auth.ts), shared with the other admin routes. */
  adminOnly: RequestHandler,
  log: Logger,
): void {
  app.get("/api/chat/search", adminOnly, async (req, res) => {
    if (!es) {
      res.status(503).json({ error: "chat search is off: set ES_URL to an Elasticsearch node" });
      return;
    }
    const params = SearchParams.safeParse(req.query);
    if (!params.success) {
      res.status(400).json({ error: "bad search parameters", details: z.prettifyError(params.error) });
      return;
    }
    try {
      const found = await searchChat(es.client, params.data, es.indexPrefix);
      // The admin sees `partial`; the operator, who mends the index, the log.
      if (found.partial) log.warn("chat search: some shards failed, their lines left out", { failures: found.failures });
      res.json(found);
    } catch (error) {
      log.error("chat search failed", { error });
      res.status(502).json({ error: "Elasticsearch did not answer the search", details: (error as Error).message });
    }
  });
}
