/**
 * `npm start`: the world server. With KAFKA_BROKERS unset it is the whole game in one process
 * (rooms + in-process NPC worker + chat indexer when ES_URL is set, no broker); with KAFKA_BROKERS
 * set it is the server only, and NPC workers (`npm run worker`) and the chat indexer
 * (`npm run indexer`) run separately.
 */
import "../common/node-version.js"; // first: says so on an older Node
import { Client as Elasticsearch } from "@elastic/elasticsearch";

import type { Kafka } from "kafkajs";

import { createLogger } from "../common/log.js";
import type { GroupTopic } from "../kafka/consumer-lag.js";
import type { ChatLogPublisher } from "../kafka/chat-log-transport.js";
import type { DailyFileChatLog } from "../kafka/daily-file-chat-log.js";
import { InProcessBus } from "../kafka/in-process-transport.js";
import { KafkaChatLogPublisher } from "../kafka/kafka-chat-log.js";
import { createKafka } from "../kafka/kafka-client.js";
import { answerGroupOf, KafkaQuestionChannel, SERVER_SESSION_TIMEOUT_MS } from "../kafka/kafka-question-channel.js";
import { membersAfter } from "../kafka/group-members.js";
import type { QuestionChannel } from "../kafka/npc-transport.js";
import type { NpcBrainSpec } from "../npc/npc-cast.js";
import type { ThreadedNpcWorker } from "../npc/worker/threaded-worker.js";
import { ConfigError, loadConfig } from "./config.js";
import { startEmbeddedChatLog, startEmbeddedWorker } from "./embedded.js";
import { embeddedNpcCheck, kafkaNpcCheck, type NpcCheck, servedAtOnce } from "./npc-readiness.js";
import { onTerminate } from "../common/terminate.js";
import { logUnhandledRejections } from "../common/unhandled-rejections.js";
import type { WorldFile } from "./world-files/world-file.js";
import { startWorldServer } from "./world-server.js";
import { watchWorkerAbsence } from "./worker-absence.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ service: "server", serverId: config.serverId });
  logUnhandledRejections(log);
  const es = config.elasticsearch ? new Elasticsearch({ node: config.elasticsearch.url }) : undefined;
  let channel: QuestionChannel;
  let chatLog: ChatLogPublisher;
  let archive: DailyFileChatLog | undefined;
  let worker: ThreadedNpcWorker | undefined;
  let takeWorld: ((brains: NpcBrainSpec[]) => void) | undefined;
  let npcCheck: () => NpcCheck | Promise<NpcCheck>;
  let kafkaForMetrics: { client: Kafka; watched: GroupTopic[] } | undefined;
  let firstLook: (() => Promise<NpcCheck>) | undefined;

  if (config.kafka) {
    const kafka = createKafka(config.kafka.brokers, `kobot-server-${config.serverId}`, log, config.kafka.retentionMs);
    // Without the broker the rooms still open (the world server awaits only the channel's first try) and the
    // channel keeps trying: a server that exited until Kafka was back left its players no game at all.
    const workers = watchWorkerAbsence(kafkaNpcCheck(kafka, config.kafka.workerGroup, config.kafka.topics.question, log), config.world.questionTimeoutMs);
    const kafkaChannel = new KafkaQuestionChannel(kafka, config.kafka.topics, config.serverId, log, {
      beforeJoining: () => ensureServerIdFree(kafka, config.serverId),
      workersLongGone: () => workers.long(),
    });
    channel = kafkaChannel;
    const publisher = new KafkaChatLogPublisher(kafka, config.kafka.chatLog.log, log);
    publisher.start().catch(failedToStart); // not awaited: lines are kept until it has connected
    chatLog = publisher;
    // /health answers at once: a broker away held each call for the group look's 3 s timeout. A failed send says so
    // sooner than the look; the first look is taken as the channel connects (below), so no probe waits for it.
    const health = servedAtOnce(() => workers.check());
    firstLook = health;
    npcCheck = () => (kafkaChannel.takingQuestions ? health() : { npc: "broker_down", workers: null });
    kafkaForMetrics = {
      client: kafka,
      watched: [
        { group: config.kafka.workerGroup, topic: config.kafka.topics.question },
        { group: config.kafka.indexerGroup, topic: config.kafka.chatLog.log },
      ],
    };
  } else {
    const bus = new InProcessBus(config.model.maxBatch);
    channel = bus.serverChannel(config.serverId);
    const embedded = await startEmbeddedWorker(config, bus, log.child({ service: "npc-worker" }));
    worker = embedded.worker;
    takeWorld = embedded.takeWorld;
    npcCheck = () => embeddedNpcCheck(embedded.model, embedded.worker?.answering === true, embedded.worker?.unloadedInUse.length);
    ({ chatLog, archive } = await startEmbeddedChatLog(config, es, log));
  }

  // An edit of the world file: the rooms take theirs (world-server.ts), the embedded worker its NPCs' decoding and
  // unsure lines, and NPCs added (Kafka workers watch the file themselves).
  const onWorldEdit = (world: WorldFile) => takeWorld?.(world.brains);
  const server = await startWorldServer({ config, channel, chatLog, archive, elasticsearch: es, log, npcCheck, kafka: kafkaForMetrics, onWorldEdit });
  // A SERVER_ID in use, found once a broker that was down at start answers, ends the server as it would have at start;
  // once connected, /health's first look is taken.
  if (channel instanceof KafkaQuestionChannel) channel.connection.then(() => void firstLook?.(), failedToStart);
  if (!config.admin) log.info("admin routes are off (chat search, monitor, moderation): set ADMIN_USER and ADMIN_PASSWORD");
  // A blank AUTH_SECRET is unset on purpose (compose passes `${AUTH_SECRET:-}`), so the open door is said once here:
  // a secret meant to be set that came through empty (' ' in an env file) started an open server without a word.
  // Unset and blank read the same: compose's empty value for a secret nobody set is no operator's mistake.
  if (!config.accounts) {
    log.warn("sign-in is off (AUTH_SECRET and AUTH_PUBLIC_KEY_FILE unset or blank): anyone joins as a guest under a name of their choosing; set one to take only players the game's login signed in");
  }
  if (!config.metricsToken) log.info("/metrics is public: set METRICS_TOKEN to ask scrapers for a bearer token");
  if (config.accounts?.takesOtherAppsTokens) {
    log.warn("AUTH_PUBLIC_KEY_FILE without AUTH_AUDIENCE: a token the login service signed for any of its apps signs a player in here; set AUTH_AUDIENCE to this game's");
  }
  onTerminate(log, async () => {
    await server.shutdown();
    await worker?.stop();
    await es?.close();
  });
}

/**
 * Two servers with one SERVER_ID share one answer group: each gets half the answer topic's partitions and drops the
 * answers for the other's rooms, so whole rooms get only fallbacks. A member still there after a crashed server's
 * session (6 s) is another server.
 */
async function ensureServerIdFree(kafka: Kafka, serverId: string): Promise<void> {
  const members = await membersAfter(kafka, answerGroupOf(serverId), SERVER_SESSION_TIMEOUT_MS + 2000);
  if (members > 0) {
    throw new ConfigError(
      `SERVER_ID=${serverId} is in use: another server reads answers as ${JSON.stringify(serverId)}. ` +
        "Give each server process its own SERVER_ID (answers return to the server that asked by it).",
    );
  }
}

function failedToStart(error: unknown): never {
  // The port or host is the operator's to change, and Node's message names it: no stack, which said nothing more.
  const { syscall } = error as NodeJS.ErrnoException;
  const message =
    error instanceof ConfigError
      ? error.message
      : syscall === "listen" || syscall === "getaddrinfo"
        ? `server failed to start: ${(error as Error).message}: set PORT (and HOST) to an address this server may listen at`
        : `server failed to start: ${(error as Error).stack ?? error}`;
  process.stderr.write(message + "\n");
  process.exit(1);
}

main().catch(failedToStart);
