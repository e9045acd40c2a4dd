import type { Presence } from "@colyseus/core";
import type { Client } from "@elastic/elasticsearch";
import type { Application, RequestHandler } from "express";
import { z } from "zod";

import { eraseAccountLines } from "../chatlog/erase-account.js";
import type { Logger } from "../common/log.js";
import { forgetAccount } from "../rooms/npc-acquaintances.js";
import type { NpcSettings } from "../rooms/world-settings.js";
import { bodyOr400, jsonText } from "./json-body.js";

const ErasureRequest = z.object({ account: z.string().min(1).max(128) }).strict();

/**
 * `POST /api/erasures {account}` (admin): a player asked the game to erase what it keeps of them (Korea's PIPA, the
 * GDPR). Erased: their lines in the chat index (chatlog/erase-account.ts) and the NPCs' memory of meeting them.
 * 200 `{account, chatLines, npcMemories}`, how many of each; `chatLines` is null without ES_URL. Kept, and why:
 * mutes and bans in force (a sanction outlives the request) and other players' reports of them (evidence). Elsewhere:
 * the chat-log topic keeps its copy until Kafka's retention passes, and the archive until
 * `npm run analytics -- --job erase --account <id>` rewrites it. A 502 says Elasticsearch failed: ask again.
 */
export function erasureRoutes(
  app: Application,
  presence: () => Presence,
  npcs: () => readonly NpcSettings[],
  es: { client: Client; indexPrefix: string } | undefined,
  adminOnly: RequestHandler,
  log: Logger,
): void {
  app.post("/api/erasures", adminOnly, jsonText, async (req, res) => {
    const request = bodyOr400(ErasureRequest, req.body, res, "erasure");
    if (!request) return;
    const { account } = request;
    const npcMemories = await forgetAccount(presence(), npcs().map((npc) => npc.id), account);
    let chatLines: number | null = null;
    try {
      if (es) chatLines = await eraseAccountLines(es.client, account, es.indexPrefix);
    } catch (error) {
      log.error("erasure: chat lines not erased", { account, error });
      return void res.status(502).json({ error: "Elasticsearch did not erase the lines: ask again", details: (error as Error).message, npcMemories });
    }
    log.info("erasure: an account's lines and the NPCs' memory of it erased", { account, chatLines, npcMemories });
    res.json({ account, chatLines, npcMemories });
  });
}
