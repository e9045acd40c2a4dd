import type { Presence } from "@colyseus/core";
import type { Application, RequestHandler } from "express";
import { z } from "zod";

import type { Logger } from "../../common/log.js";
import { sanctionsImposed } from "../../common/metrics.js";
import { impose, lift, LONGEST_SANCTION_MS, type Sanction, sanctionsInForce } from "../../rooms/moderation/account-sanctions.js";
import { kick } from "../../rooms/moderation/player-kicks.js";
import { bodyOr400, jsonText } from "./json-body.js";

const WEEK_MINUTES = LONGEST_SANCTION_MS / 60_000;

const SanctionRequest = z
  .object({
    account: z.string().min(1).max(128),
    minutes: z.number().int().min(1).max(WEEK_MINUTES),
    /** Why, for the log: who reads it later knows what it was for. */
    reason: z.string().max(200).optional(),
  })
  .strict();

const KickRequest = z
  .object({
    /** The player's session id (a report's, or a line's `from` in the chat search)… */
    player: z.string().min(1).max(64).optional(),
    /** …or a signed-in player's account: every session of it, whatever it joined as since. */
    account: z.string().min(1).max(128).optional(),
    reason: z.string().max(200).optional(),
  })
  .strict()
  .refine((request) => (request.player === undefined) !== (request.account === undefined), "name the player or the account, one of them");

/** The admin route of each sanction: `/api/mutes`, `/api/bans`. */
const ROUTES: Record<Sanction, string> = { mute: "/api/mutes", ban: "/api/bans" };

/**
 * `POST /api/mutes|bans {account, minutes, reason?}` and `DELETE /api/mutes|bans/:account` (admin): a moderator
 * mutes or bans a signed-in player's account (rooms/moderation/account-sanctions.ts) in every room of every process sharing the
 * presence; one in force that ends later stays (`{account, until, longerInForce: true}`): lift it first to shorten it. `GET /api/mutes|bans` lists those in force (`{mutes|bans: [{account, since, until, reason?}]}`).
 * `POST /api/kicks {player | account, reason?}` puts a player out of their room now (rooms/moderation/player-kicks.ts): by their
 * session, signed in or not, or every session of a signed-in player's account.
 */
export function sanctionRoutes(app: Application, presence: () => Presence, adminOnly: RequestHandler, log: Logger): void {
  for (const [sanction, route] of Object.entries(ROUTES) as Array<[Sanction, string]>) {
    app.post(route, adminOnly, jsonText, async (req, res) => {
      const request = bodyOr400(SanctionRequest, req.body, res, sanction);
      if (!request) return;
      const { account, minutes, reason } = request;
      const { until, longerInForce } = await impose(presence(), sanction, account, minutes * 60_000, reason);
      if (longerInForce) {
        log.info(`account: ${sanction} already in force for longer; kept`, { account, minutes, reason, until });
        return void res.json({ account, until, longerInForce });
      }
      sanctionsImposed.inc({ sanction });
      log.info(`account: ${sanction}`, { account, minutes, reason });
      res.json({ account, until });
    });
    app.get(route, adminOnly, async (_req, res) => {
      res.json({ [`${sanction}s`]: await sanctionsInForce(presence(), sanction) });
    });
    app.delete(`${route}/:account`, adminOnly, async (req, res) => {
      const account = String(req.params.account);
      await lift(presence(), sanction, account);
      log.info(`account: ${sanction} lifted`, { account });
      res.status(204).end();
    });
  }
  // A kick puts the player out of whichever room holds them, on any process; 202: no process says back whether one did.
  app.post("/api/kicks", adminOnly, jsonText, async (req, res) => {
    const request = bodyOr400(KickRequest, req.body, res, "kick");
    if (!request) return;
    const { player, account, reason } = request;
    const whom = player !== undefined ? { player } : { account: account! };
    await kick(presence(), whom);
    sanctionsImposed.inc({ sanction: "kick" });
    log.info("player: kick", { ...whom, reason });
    res.status(202).json(whom);
  });
}
