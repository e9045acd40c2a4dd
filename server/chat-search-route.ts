import type { Client } from "@elastic/elasticsearch";
import type { Application } from "express";
import { z } from "zod";

import { searchChat, SearchParams } from "../chatlog/chat-search.js";
import type { Logger } from "../common/log.js";
import { adminOnly } from "./admin-auth.js";

/** `GET /api/chat/search?q=&room=&player=&kind=&from=&to=&size=` (admin): chat lines with highlights. */
export function chatSearchRoute(
  app: Application,
  es: { client: Client; indexPrefix: string } | undefined,
  admin: { user: string; password: string } | undefined,
  log: Logger,
): void {
  app.get("/api/chat/search", adminOnly(admin), async (req, res) => {
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
      res.json(await searchChat(es.client, params.data, es.indexPrefix));
    } catch (error) {
      log.error("chat search failed", { error });
      res.status(502).json({ error: "Elasticsearch did not answer the search", details: (error as Error).message });
    }
  });
}
