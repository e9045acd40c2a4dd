import type { Presence } from "@colyseus/core";
import express, { type Application, type RequestHandler } from "express";
import { z } from "zod";

import type { Logger } from "../common/log.js";
import { muteAccount, unmuteAccount } from "../rooms/account-mutes.js";

const WEEK_MINUTES = 7 * 24 * 60;

const MuteRequest = z
  .object({
    account: z.string().min(1).max(128),
    minutes: z.number().int().min(1).max(WEEK_MINUTES),
    /** Why, for the log: who reads it later knows what the mute was for. */
    reason: z.string().max(200).optional(),
  })
  .strict();

/**
 * `POST /api/mutes {account, minutes, reason?}` and `DELETE /api/mutes/:account` (admin): a moderator silences a
 * signed-in player's account (rooms/account-mutes.ts) in every room of every process sharing the presence.
 */
export function muteRoute(app: Application, presence: () => Presence, adminOnly: RequestHandler, log: Logger): void {
  app.post("/api/mutes", adminOnly, express.json({ limit: "4kb" }), async (req, res) => {
    const request = MuteRequest.safeParse(req.body);
    if (!request.success) {
      res.status(400).json({ error: "bad mute", details: z.prettifyError(request.error) });
      return;
    }
    const { account, minutes, reason } = request.data;
    const until = await muteAccount(presence(), account, minutes * 60_000);
    log.info("account muted", { account, minutes, reason });
    res.json({ account, until });
  });
  app.delete("/api/mutes/:account", adminOnly, async (req, res) => {
    const account = String(req.params.account);
    await unmuteAccount(presence(), account);
    log.info("account unmuted", { account });
    res.status(204).end();
  });
}
