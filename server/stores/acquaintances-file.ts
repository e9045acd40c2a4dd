import { z } from "zod";

import { jsonPieces } from "./json-pieces.js";
import type { KeptPart } from "./kept-presence.js";
import { FORGET_AFTER_MS, MET_NPCS_KEY, MET_PREFIX, metKeyOf } from "../../rooms/npc/npc-acquaintances.js";

/** Meetings written at a time: ~150 kB of JSON, a few ms of the event loop. */
const PAIRS_A_PIECE = 5000;

/** An NPC's meetings: [account, when it last greeted it (epoch ms)] pairs, or older servers' object of account → time. */
const MEETINGS = z.union([z.array(z.tuple([z.string(), z.number()])), z.record(z.string(), z.number())]);
const SNAPSHOT = z.object({
  v: z.literal(1),
  /** NPC id → its meetings: pairs, written a few thousand at a time (an object was built and written whole). */
  met: z.record(z.string(), MEETINGS),
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
  keepsUnreadable: false,
  schema: SNAPSHOT,
  async *json(presence) {
    yield '{"v":1,"met":{';
    let npcs = 0;
    for (const key of presence.hashKeysUnder(MET_PREFIX)) {
      const fields = presence.hashEntries(key);
      if (fields.size === 0) continue;
      yield `${npcs++ > 0 ? "," : ""}${JSON.stringify(key.slice(MET_PREFIX.length))}:[`;
      yield* jsonPieces(fields, PAIRS_A_PIECE, (batch) => JSON.stringify(batch.map(([account, at]) => [account, Number(at)])));
      yield "]";
    }
    yield "}}";
  },
  async restore(presence, kept) {
    const since = Date.now() - FORGET_AFTER_MS;
    let meetings = 0;
    for (const [npcId, met] of Object.entries(kept.met))
      for (const [account, at] of Array.isArray(met) ? met : Object.entries(met)) {
        if (at < since) continue;
        await presence.sadd(MET_NPCS_KEY, npcId);
        await presence.hset(metKeyOf(npcId), account, String(at));
        meetings++;
      }
    return { npcs: Object.keys(kept.met).length, meetings };
  },
};
