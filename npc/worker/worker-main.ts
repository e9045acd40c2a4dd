/**
 * `npm run worker`: an NPC worker on Kafka. Start as many as you like: they share one consumer
 * group, so each question is answered by one of them. Needs KAFKA_BROKERS.
 */
import "../../common/node-version.js"; // first: says so on an older Node
import type { Kafka } from "kafkajs";

import { errorLine } from "../../common/error-line.js";
import { createLogger } from "../../common/log.js";
import { withTimeout } from "../../common/with-timeout.js";
import { createKafka } from "../../kafka/kafka-client.js";
import { KafkaWorkerChannel } from "../../kafka/kafka-worker-channel.js";
import { unloadedByMembers } from "../../kafka/unloaded-folders.js";
import { ConfigError, loadWorkerConfig } from "../../server/config.js";
import { ensureGroupOwn } from "../../server/own-group.js";
import { reloadKnowledgeOnChange } from "../../server/world-files/knowledge-reload.js";
import { serveMetrics } from "../../common/metrics-server.js";
import { onTerminate } from "../../common/terminate.js";
import { reloadWorldOnChange } from "../../server/world-files/world-reload.js";
import { watchHangsOffThread } from "./hang-watch.js";
import { NpcCast, warnIfNotCast } from "../npc-cast.js";
import { InFlightRecord } from "./in-flight-record.js";
import { HANG_GRACE_MS } from "./threaded-worker.js";
import { NpcWorker } from "./worker.js";

/**
 * Whether another worker in the group now loaded a folder that this one could not (one that does not say which it
 * could not load, an older version, may have). Unknown (the broker does not answer yet, or its group is still
 * rebalancing after 15 s) counts as none.
 */
async function othersLoaded(kafka: Kafka, group: string, unloaded: readonly string[]): Promise<boolean> {
  const members = (await withTimeout(unloadedByMembers(kafka, group), 25_000).catch(() => undefined)) ?? [];
  return members.some((theirs) => theirs === undefined || unloaded.some((dir) => !theirs.includes(dir)));
}

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  if (!config.kafka) throw new ConfigError("npm run worker needs KAFKA_BROKERS (host:port[,host:port…])");
  const log = createLogger({ service: "npc-worker", pid: process.pid });
  if (config.metricsPort) await serveMetrics(config.metricsPort, log, config.metricsToken); // before the model: a taken port fails fast
  // Before the model too: what the last worker died with is counted. A folder it cannot write is said, not fatal.
  const record = config.stateDir === undefined ? undefined : await InFlightRecord.openIfWritable(config.stateDir, log);
  // Watched from here: a model whose warm-up hangs (a native call that never returns) ends the process too.
  const hangs = watchHangsOffThread(config.world.questionTimeoutMs + HANG_GRACE_MS, { service: "npc-worker", pid: process.pid }, config.model.loadWithinMs);
  const loaded = hangs.loading();
  // A worker without any of its models must not join the group and take questions: fail loudly instead.
  const cast = await NpcCast.load(config.brains, { ...(config.model.dtype ? { dtype: config.model.dtype } : {}), maxBatch: config.model.maxBatch });
  loaded();
  const kafka = createKafka(config.kafka.brokers, "kobot-npc-worker", log, config.kafka.retentionMs);
  const unloaded = [...cast.unloaded.keys()];
  if (unloaded.length > 0 && (await othersLoaded(kafka, config.kafka.workerGroup, unloaded))) {
    // An NPC's questions in a room all go to one partition: joined, this worker would fail every question to those NPCs
    // in the rooms of its partitions, for good ("ask again" never helped), where the others answer them. Alone, or beside
    // workers that could not load the folder either (one image for the fleet), it answers what it can (the log names
    // the folders; kobot_npc_models_unloaded on /metrics): one worker of a fleet was left for every NPC.
    log.error("NPC worker not started: a model folder of its world did not load here, and other workers answer every NPC", {
      models: Object.fromEntries([...cast.unloaded].map(([dir, error]) => [dir, error.message])),
    });
    await cast.dispose();
    process.exit(1);
  }
  const { topics, workerGroup } = config.kafka;
  const channel = new KafkaWorkerChannel(kafka, topics, workerGroup, log, 2 * config.model.maxBatch, unloaded, () =>
    ensureGroupOwn(kafka, "KAFKA_WORKER_GROUP", workerGroup, topics.question),
  );
  const worker = new NpcWorker(cast, channel, log, {
    maxQuestionAgeMs: config.world.questionTimeoutMs,
    maxBatch: config.model.maxBatch,
    // A hung model stops this worker's heartbeats: the group gives its partitions to the others, and this process
    // would sit there for good. It ends instead, and is started again (compose: restart unless-stopped); its
    // uncommitted questions go to another worker, which answers those past their deadline `expired`.
    hangs,
    // A question that kills the process (a native crash, out of memory, the hang watch) is not committed: Kafka gives
    // it to the next worker, which died on it too. Once, it runs alone; twice, it is answered worker_error.
    ...(record ? { record } : {}),
  });
  await worker.start();
  // A studio editing an NPC's knowledge file hears the new lines without a restart.
  const knowledge = reloadKnowledgeOnChange(config.brains, config.moderator, log, async (file, pairs) => cast.replaceKnowledge(file, pairs), config.fileWatch);
  // …and one editing the world file hears an NPC's new decoding and unsure lines, and NPCs added, with their knowledge.
  const world = reloadWorldOnChange(config, log, (edited) => {
    knowledge.follow(edited.brains);
    warnIfNotCast(edited.brains, cast.replaceSettings(edited.brains), log);
  });
  onTerminate(log, async () => {
    knowledge.close();
    world.close();
    await worker.stop();
    await hangs.stop();
    await record?.close();
    await cast.dispose();
  });
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `npc worker failed to start: ${errorLine(error)}`;
  process.stderr.write(message + "\n");
  process.exit(1);
});
