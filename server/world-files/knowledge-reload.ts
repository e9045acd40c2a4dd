import { resolve } from "node:path";

import type { Logger } from "../../common/log.js";
import { fileReloads } from "../../common/metrics.js";
import type { Moderator } from "../../moderation/moderator.js";
import type { KnowledgePair } from "../../npc/knowledge-index.js";
import type { NpcBrainSpec } from "../../npc/npc-cast.js";
import { watchFiles, type WatchOptions } from "./file-watch.js";
import { forgetKnowledgeCheck, readCheckedKnowledge } from "./world-file.js";

/**
 * Watches the NPCs' knowledge files while the server runs, so a studio editing an NPC's lines hears them without a
 * restart. A file that changes is checked as at start (world-file.ts: every line parses, fits a chat line and passes
 * moderation) and its pairs go to `apply`; one that fails a check is logged, and its NPCs keep the lines they had.
 * `apply` resolves with the ids of the NPCs that took the pairs. Returns what stops watching, and `follow`, which
 * watches the knowledge files of the NPCs an edit of the world file gives (an NPC added while the server runs), and
 * no longer those no NPC uses.
 */
export function reloadKnowledgeOnChange(
  brains: readonly NpcBrainSpec[],
  moderator: Moderator | undefined,
  log: Logger,
  apply: (file: string, pairs: KnowledgePair[]) => Promise<string[]>,
  watchOptions: WatchOptions = {},
): { close(): void; follow(brains: readonly NpcBrainSpec[]): void } {
  const filesOf = (brains: readonly NpcBrainSpec[]) => new Set(brains.flatMap((brain) => (brain.knowledge ? [resolve(brain.knowledge)] : [])));
  const reload = async (file: string) => {
    // The world file's next load checks it again too, even where the edit kept its size and time.
    forgetKnowledgeCheck(file);
    // Read once: the pairs taken are the pairs checked, even if the file changes again meanwhile.
    const read = readCheckedKnowledge(file, moderator);
    if ("problem" in read) {
      fileReloads.inc({ file: "knowledge", outcome: "refused" });
      return log.error("knowledge file changed but not taken: its NPCs keep the lines they had", { file, problem: read.problem });
    }
    const { pairs } = read;
    const npcs = await apply(file, pairs);
    fileReloads.inc({ file: "knowledge", outcome: "taken" });
    log.info("knowledge file reloaded", { file, lines: pairs.length, npcs });
  };
  // One watcher, its files changed in place: a watcher each edit's new files got (its own folder watch and timer) was
  // never closed, and went on reloading files no NPC used.
  const watcher = watchFiles(filesOf(brains), "knowledge files", log, (file) => {
    reload(file).catch((error: unknown) => log.error("knowledge file not reloaded", { file, error }));
  }, watchOptions);
  return { close: () => watcher.close(), follow: (brains) => watcher.watch(filesOf(brains)) };
}
