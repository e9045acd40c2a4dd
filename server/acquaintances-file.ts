import { z } from "zod";

import type { KeptPart } from "./kept-presence.js";
import { FORGET_AFTER_MS, MET_NPCS_KEY, MET_PREFIX, metKeyOf } from "../rooms/npc-acquaintances.js";

const SNAPSHOT = z.object({
  v: z.literal(1),
  /** NPC id → account → when the NPC last greeted it (epoch ms). */
  met: z.record(z.string(), z.record(z.string(), z.number())),
});
type Snapshot = z.infer<typeof SNAPSHOT>;

/**
 * Whom each NPC met, without Redis (DATA_DIR/npc-acquaintances.json), so that a restart does not greet every returning
 * player as new. Meetings past the forgetting time are left out as the file is read, so it does not grow forever.
 */
export const ACQUAINTANCES_PART: KeptPart<Snapshot> = {
  file: "npc-acquaintances.json",
  prefix: MET_PREFIX,
  holds: "players the NPCs met",
  schema: SNAPSHOT,
  async snapshot(presence) {
    const met: Snapshot["met"] = {};
    for (const key of presence.hashKeysUnder(MET_PREFIX)) {
      const fields = await presence.hgetall(key);
      if (Object.keys(fields).length === 0) continue;
      met[key.slice(MET_PREFIX.length)] = Object.fromEntries(Object.entries(fields).map(([account, at]) => [account, Number(at)]));
    }
    return { v: 1, met };
  },
  async restore(presence, kept) {
    const since = Date.now() - FORGET_AFTER_MS;
    let meetings = 0;
    for (const [npcId, accounts] of Object.entries(kept.met))
      for (const [account, at] of Object.entries(accounts)) {
        if (at < since) continue;
        await presence.sadd(MET_NPCS_KEY, npcId);
        await presence.hset(metKeyOf(npcId), account, String(at));
        meetings++;
      }
    return { npcs: Object.keys(kept.met).length, meetings };
  },
};
