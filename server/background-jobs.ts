import { matchMaker } from "@colyseus/core";

import type { Logger } from "../common/log.js";
import { roomFailures } from "../common/metrics.js";
import type { HashPages } from "../rooms/hash-pages.js";
import { forgetLongAgo } from "../rooms/npc/npc-acquaintances.js";
import type { WorldEdits } from "../rooms/world-edits.js";
import type { ServerConfig } from "./config.js";
import type { WorldFile } from "./world-files/world-file.js";
import { reloadWorldOnChange } from "./world-files/world-reload.js";

const RELIST_EVERY_MS = 5000;
/** How often the NPCs' meetings past the forgetting time are dropped: a meeting is dropped at most this late. */
const FORGET_OLD_MEETINGS_EVERY_MS = 6 * 3_600_000;

/**
 * With Redis: a Redis that restarts empty forgets this process's rooms: nobody could join them again, and new players
 * got new rooms. Every few seconds the missing listings are written back.
 */
export function keepRoomsListed(): NodeJS.Timeout {
  const relist = setInterval(() => matchMaker.restoreMissingRoomCaches().catch(() => {}), RELIST_EVERY_MS);
  relist.unref();
  return relist;
}

/** Meetings past the forgetting time leave the NPCs' memory, now and then every few hours (every process does it; the second finds nothing). */
export function forgetOldMeetings(config: ServerConfig, hashes: () => HashPages, log: Logger): NodeJS.Timeout {
  const forget = () =>
    void forgetLongAgo(matchMaker.presence, config.world.npcs.map((npc) => npc.id), { hashes: hashes() }).then(
      (forgotten) => forgotten > 0 && log.info("npcs forgot meetings past the forgetting time", { forgotten }),
      (error: unknown) => log.warn("npcs' old meetings not forgotten; tried again later", { error }),
    );
  forget();
  const forgetting = setInterval(forget, FORGET_OLD_MEETINGS_EVERY_MS);
  forgetting.unref();
  return forgetting;
}

/** A studio moving an NPC or rewriting its greetings sees the change in the running game: the rooms take the world file's edits. */
export function takeWorldFileEdits(config: ServerConfig, worldEdits: WorldEdits, onWorldEdit: ((world: WorldFile) => void) | undefined, log: Logger): { close(): void } {
  return reloadWorldOnChange(config, log, (world) => {
    worldEdits.apply({ npcs: world.npcs, hearing: world.hearing, sight: world.sight }, (error) => {
      roomFailures.inc({ method: "takeWorldEdit" });
      log.error("a room did not take the world file's edit", { error });
    });
    onWorldEdit?.(world);
  });
}
