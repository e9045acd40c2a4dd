import type { Presence } from "@colyseus/core";
import type { Application, RequestHandler } from "express";
import { z } from "zod";

import type { Logger } from "../../common/log.js";
import { npcEventsFired } from "../../common/metrics.js";
import { fireNpcEvent, npcEventProblem } from "../../rooms/npc/npc-events.js";
import type { NpcSettings } from "../../rooms/world-settings.js";
import { bodyOr400, jsonText } from "./json-body.js";

const EventRequest = z
  .object({
    npc: z.string().min(1).max(32),
    event: z.string().min(1).max(64),
    room: z.string().min(1).max(64).optional(),
    player: z.string().min(1).max(64).optional(),
    account: z.string().min(1).max(128).optional(),
  })
  .strict();

/**
 * `POST /api/events {npc, event, room?, player?, account?}` (the game's backend, by BACKEND_TOKEN, or an admin): the
 * NPC says one of its lines for the event (rooms/npc/npc-events.ts) in every room of every process that holds it (and the
 * player, when named), or in `room` only. 202: no process says back whether a room held them. A 400 says what is
 * wrong: an NPC or event the world file does not have, lines that need a player's name and no player.
 */
export function eventRoutes(app: Application, presence: () => Presence, npcs: () => readonly NpcSettings[], backendOnly: RequestHandler, log: Logger): void {
  app.post("/api/events", backendOnly, jsonText, async (req, res) => {
    const event = bodyOr400(EventRequest, req.body, res, "event");
    if (!event) return;
    const problem = npcEventProblem(npcs(), event);
    if (problem) return void res.status(400).json({ error: "bad event", details: problem });
    await fireNpcEvent(presence(), event);
    npcEventsFired.inc({ npc: event.npc });
    log.info("npc event fired", { ...event });
    res.status(202).json(event);
  });
}
