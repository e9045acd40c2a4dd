import type { Logger } from "../common/log.js";
import type { LiveWorld } from "../rooms/world-edits.js";
import { watchFiles } from "./file-watch.js";
import { changesNeedingRestart } from "./world-changes.js";
import { type WorldFile, WorldFileError } from "./world-file.js";

/**
 * Watches the world file while the server runs, so a studio moving an NPC or rewriting its greetings sees the change
 * in the game without a restart. A saved file is read and checked as at start (`read`: world-file.ts); what it
 * changes goes to `apply` whole, or not at all: an edit that fails a check, or that changes something running rooms
 * cannot take (world-changes.ts), is logged with what is wrong, and the rooms keep the world they have.
 */
export function reloadWorldOnChange(
  path: string,
  atStart: WorldFile,
  read: () => WorldFile,
  log: Logger,
  apply: (world: LiveWorld) => void,
): { close(): void } {
  let taken = atStart;
  return watchFiles([path], "the world file", log, (file) => {
    let next: WorldFile;
    try {
      next = read();
    } catch (error) {
      const problem = error instanceof WorldFileError ? error.message : String(error);
      return log.error("world file changed but not taken: the rooms keep the world they have", { file, problem });
    }
    const restart = changesNeedingRestart(taken, next);
    if (restart.length > 0) {
      return log.error("world file changed but not taken: these changes need a restart of the servers and workers", { file, changes: restart });
    }
    taken = next;
    apply({ npcs: next.npcs, hearing: next.hearing, sight: next.sight });
    log.info("world file reloaded", { file, npcs: next.npcs.map((npc) => npc.id) });
  });
}
