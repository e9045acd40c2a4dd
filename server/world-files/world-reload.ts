import { isDeepStrictEqual } from "node:util";

import type { Logger } from "../../common/log.js";
import { fileReloads, forgetNpcs } from "../../common/metrics.js";
import type { NpcsConfig } from "../config.js";
import { watchFiles } from "./file-watch.js";
import { changesNeedingRestart, modelsOf } from "./world-changes.js";
import { loadWorldFile, type WorldFile, WorldFileError } from "./world-file.js";

/**
 * Watches the world file (WORLD_FILE) while the server or worker runs, so a studio moving an NPC or rewriting its
 * greetings or unsure lines sees the change in the game without a restart. A saved file is read and checked as at
 * start (world-file.ts), and goes to `apply` whole, or not at all: an edit that fails a check, or that changes what a
 * running process cannot take (world-changes.ts), is logged with what is wrong, and the world stays as it is.
 * The file is read once more as the watch begins: an edit saved while the process started (a model loading, the
 * server id checked on Kafka: seconds) came before the watch, and would go unseen until the next. An edit refused for
 * a knowledge file it names is read again when that file changes: mended, it was never taken (the world file had not
 * changed), and the game ran another world than the file's, without a word.
 */
export function reloadWorldOnChange(config: NpcsConfig, log: Logger, apply: (world: WorldFile) => void): { close(): void } {
  const path = config.worldFile;
  if (!path) return { close() {} };
  let taken: WorldFile = { npcs: config.world.npcs, hearing: config.world.hearing, sight: config.world.sight, brains: config.brains };
  // The models loaded at start stay loaded: an NPC may come back to one no NPC spoke with since.
  const loaded = modelsOf(taken);
  const changed = (file: string, sinceStart = false) => {
    let next: WorldFile;
    try {
      next = loadWorldFile(path, config.model.dir, config.world.bounds, config.moderator, config.model.dtype);
    } catch (error) {
      const problem = error instanceof WorldFileError ? error.message : String(error);
      fileReloads.inc({ file: "world", outcome: "refused" });
      watching.watch([path, ...(error instanceof WorldFileError ? error.knowledgeFiles : [])]);
      return log.error("world file changed but not taken: the world stays as it is", { file, problem });
    }
    watching.watch([path]);
    if (sinceStart && isDeepStrictEqual(next, taken)) return;
    const restart = changesNeedingRestart(taken, next, loaded);
    if (restart.length > 0) {
      fileReloads.inc({ file: "world", outcome: "needs_restart" });
      return log.error("world file changed but not taken: these changes need a restart of the servers and workers", { file, changes: restart });
    }
    const gone = taken.npcs.filter((npc) => !next.npcs.some((kept) => kept.id === npc.id)).map((npc) => npc.id);
    taken = next;
    apply(next);
    void forgetNpcs(gone);
    fileReloads.inc({ file: "world", outcome: "taken" });
    // Taken as a knowledge file it was refused for is mended: the log names both (it named the knowledge file alone).
    const mended = file === path ? {} : { file: path, afterMending: file };
    log.info("world file reloaded", { file, ...mended, npcs: next.npcs.map((npc) => npc.id), ...(sinceStart ? { savedWhileStarting: true } : {}) });
  };
  const watching = watchFiles([path], "world file", log, (file) => changed(file), config.fileWatch);
  changed(path, true);
  return watching;
}
