import { Client as Elasticsearch } from "@elastic/elasticsearch";

import { ChatIndexer } from "../chatlog/chat-indexer.js";
import { installTemplateWhenReachable } from "../chatlog/index-template.js";
import type { Logger } from "../common/log.js";
import type { ChatLogPublisher } from "../kafka/chat-log-transport.js";
import { DailyFileChatLog, fanOut } from "../kafka/daily-file-chat-log.js";
import { discardChatLog } from "../kafka/discard-chat-log.js";
import type { InProcessBus } from "../kafka/in-process-transport.js";
import { InProcessChatLog } from "../kafka/in-process-chat-log.js";
import { brainlessAnswers } from "../npc/worker/brainless-answers.js";
import { ModelFileMissing, NpcError } from "../npc/errors.js";
import { type NpcBrainSpec, warnIfNotCast } from "../npc/npc-cast.js";
import { ThreadedNpcWorker } from "../npc/worker/threaded-worker.js";
import type { ServerConfig } from "./config.js";
import type { EmbeddedModel } from "./npc-readiness.js";
import { reloadKnowledgeOnChange } from "./world-files/knowledge-reload.js";

/**
 * The NPC worker of the embedded default, on its own thread so inference never stalls the rooms.
 * A missing or broken model does not stop the game: the NPC answers every question at once with a
 * fallback line that says why.
 */
export async function startEmbeddedWorker(
  config: ServerConfig,
  bus: InProcessBus,
  log: Logger,
): Promise<{ worker: ThreadedNpcWorker | undefined; model: EmbeddedModel; takeWorld(brains: NpcBrainSpec[]): void }> {
  try {
    const worker = await ThreadedNpcWorker.start(
      {
        brains: config.brains,
        ...(config.model.dtype ? { dtype: config.model.dtype } : {}),
        maxBatch: config.model.maxBatch,
        maxQuestionAgeMs: config.world.questionTimeoutMs,
        serverId: config.serverId,
      },
      bus.workerChannel(),
      log,
      { readyWithinMs: config.model.loadWithinMs },
    );
    // A studio editing an NPC's knowledge file hears the new lines without a restart.
    const knowledge = reloadKnowledgeOnChange(config.brains, config.moderator, log, (file, pairs) => worker.replaceKnowledge(file, pairs), config.fileWatch);
    worker.closeOnStop(knowledge);
    // An edit of the world file: its NPCs' decoding and unsure lines, and the NPCs added with their knowledge files.
    const takeWorld = (brains: NpcBrainSpec[]) => {
      knowledge.follow(brains);
      void worker.replaceSettings(brains).then((taken) => warnIfNotCast(brains, taken, log));
    };
    return { worker, model: "loaded", takeWorld };
  } catch (error) {
    if (!(error instanceof NpcError)) throw error;
    log.error("NPC model not loaded; the NPC will only say fallback lines", { error, code: error.code });
    await bus.workerChannel().start(brainlessAnswers(error));
    // /health tells a folder not there from one whose files do not read: they are fixed differently.
    return { worker: undefined, model: error instanceof ModelFileMissing ? "missing" : "unreadable", takeWorld() {} };
  }
}

/**
 * The embedded chat log: archived as daily JSON-lines files under DATA_DIR (for analytics), and
 * indexed into Elasticsearch in-process when ES_URL is set.
 */
export async function startEmbeddedChatLog(
  config: ServerConfig,
  es: Elasticsearch | undefined,
  log: Logger,
): Promise<{ chatLog: ChatLogPublisher; indexer: ChatIndexer | undefined; archive: DailyFileChatLog | undefined }> {
  const files = config.archiveDir
    ? new DailyFileChatLog(config.archiveDir, config.serverId, log.child({ service: "chat-archive" }))
    : undefined;
  const archive = files ?? discardChatLog;
  if (config.archiveDir) log.info("chat archive", { dir: config.archiveDir });
  if (!es || !config.elasticsearch) {
    log.info("chat search off: set ES_URL to index the chat in Elasticsearch");
    return { chatLog: archive, indexer: undefined, archive: files };
  }
  const indexLog = log.child({ service: "chat-indexer" });
  const indexer = new ChatIndexer(es, indexLog, config.elasticsearch.indexPrefix);
  const chatLog = new InProcessChatLog({
    log: indexLog,
    onUnstored: (lines) =>
      indexLog.warn("chat lines not indexed: Elasticsearch did not take them before shutdown", {
        lines,
        archived: config.archiveDir ? `kept in ${config.archiveDir}` : "no (DATA_DIR=off)",
      }),
  });
  // Waits for Elasticsearch in the background: the game starts even while it is down.
  void installTemplateWhenReachable(es, config.elasticsearch.indexPrefix, indexLog).then(
    () =>
      chatLog.source().start(async (records) => {
        const dead = await indexer.index(records);
        for (const letter of dead) indexLog.error("chat line refused by Elasticsearch", { reason: letter.reason });
        return dead;
      }),
    (error: unknown) => indexLog.error("chat search off: Elasticsearch refused the chat index template (ES_URL, ES_INDEX_PREFIX); lines are not indexed", { error }),
  );
  return { chatLog: fanOut(archive, chatLog.publisher()), indexer, archive: files };
}
