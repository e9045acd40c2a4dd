import { type FSWatcher, watch } from "node:fs";
import { dirname, resolve } from "node:path";

import type { Logger } from "../common/log.js";
import type { Moderator } from "../moderation/moderator.js";
import type { KnowledgePair } from "../npc/knowledge-index.js";
import type { NpcBrainSpec } from "../npc/npc-cast.js";
import { readCheckedKnowledge } from "./world-file.js";

/** How long a file must stay still before it is read: an editor saves in several writes, or a write and a rename. */
const SETTLE_MS = 150;

/**
 * Watches the NPCs' knowledge files while the server runs, so a studio editing an NPC's lines hears them without a
 * restart. A file that changes is checked as at start (world-file.ts: every line parses, fits a chat line and passes
 * moderation) and its pairs go to `apply`; one that fails a check is logged, and its NPCs keep the lines they had.
 * `apply` resolves with the ids of the NPCs that took the pairs. Returns what stops watching.
 */
export function reloadKnowledgeOnChange(
  brains: readonly NpcBrainSpec[],
  moderator: Moderator | undefined,
  log: Logger,
  apply: (file: string, pairs: KnowledgePair[]) => Promise<string[]>,
): { close(): void } {
  const files = new Set(brains.flatMap((brain) => (brain.knowledge ? [resolve(brain.knowledge)] : [])));
  const settling = new Map<string, NodeJS.Timeout>();
  const reload = async (file: string) => {
    // Read once: the pairs taken are the pairs checked, even if the file changes again meanwhile.
    const read = readCheckedKnowledge(file, moderator);
    if ("problem" in read) return log.error("knowledge file changed but not taken: its NPCs keep the lines they had", { file, problem: read.problem });
    const { pairs } = read;
    const npcs = await apply(file, pairs);
    log.info("knowledge file reloaded", { file, lines: pairs.length, npcs });
  };
  const watchers: FSWatcher[] = [];
  for (const folder of new Set([...files].map(dirname))) {
    try {
      // The folder, not the file: an editor that saves by renaming a new file over the old leaves a file watcher blind.
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        const file = name && resolve(folder, name.toString());
        if (!file || !files.has(file)) return;
        clearTimeout(settling.get(file));
        settling.set(file, setTimeout(() => {
          settling.delete(file);
          reload(file).catch((error: unknown) => log.error("knowledge file not reloaded", { file, error }));
        }, SETTLE_MS));
      });
      watcher.on("error", (error) => log.warn("knowledge files here are no longer watched: edits need a restart", { folder, error }));
      watchers.push(watcher);
    } catch (error) {
      // Out of inotify watches (ENOSPC), say: the game runs on, with the lines read at start.
      log.warn("knowledge files here are not watched: edits need a restart", { folder, error });
    }
  }
  return {
    close() {
      for (const watcher of watchers) watcher.close();
      for (const timer of settling.values()) clearTimeout(timer);
    },
  };
}
