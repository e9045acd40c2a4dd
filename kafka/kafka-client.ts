import { type Consumer, type ConsumerRunConfig, Kafka, logLevel, type LogEntry, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "../common/log.js";
import { logThrottle, repeatsField } from "../common/log-throttle.js";
import { untilReachable } from "../common/until-reachable.js";
import { restartWhenGivenUp } from "./consumer-restart.js";
import { DEFAULT_RETENTION_MS, retentionConfig, warnOfOtherRetention } from "./topic-retention.js";
import { withAdmin } from "./with-admin.js";

// A fetch with no data returns after this long; data that arrives ends it at once. Each idle fetch is a request
// the client and the broker both handle: at 10 ms an idle server, worker and broker took 14%, 9% and 23% of a core,
// at 100 ms 6%, 5% and 8% (bench:idle), with answers as fast within bench:chat's noise (at 500 ms its p95 grew ~30 ms).
export const FETCH_WAIT_MS = 100;

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "debug", // kafkajs is chatty at info (every join and commit)
  [logLevel.DEBUG]: "debug",
};

/**
 * Errors kafkajs logs as it meets them, that it (or we) try again at once and that are routine: a group rebalancing (a
 * worker joined or left: scaling), no coordinator yet or another one (a fresh broker, a group just made), and topics
 * that two processes starting together both created (the second's creation fails; a real failure of ensureTopics is
 * thrown to its caller and said there). As errors, they would wake whoever watches error logs at every start.
 */
const ROUTINE = ["group is rebalancing", "The group coordinator is not available", "This is not the correct coordinator for this group", "Topic creation errors"];

/** kafkajs's log entries through our structured logger, the routine ones (ROUTINE) as info. */
export function kafkaLogEntries(log: Logger): (entry: LogEntry) => void {
  // With a broker away every client tries again every few hundred ms, and each try's errors were lines of their own
  // (a server logged 339 in its first 10 s): the same one is logged once in 10 s, with how many were held back.
  const throttle = logThrottle(10_000);
  return ({ namespace, level, log: entry }) => {
    const { message, ...fields } = entry;
    const routine = typeof fields.error === "string" && ROUTINE.some((words) => (fields.error as string).includes(words));
    const as = routine ? "info" : (LEVELS[level] ?? "info");
    const held = as === "debug" ? 0 : throttle(`${namespace} ${message} ${String(fields.error ?? "")}`);
    if (held === undefined) return;
    log[as](message, { kafka: namespace, ...fields, ...repeatsField(held) });
  };
}

/**
 * Records are stamped with the broker's clock as it appends them, not the producer's: a server whose clock is a day
 * behind would stamp lines the archive's one-day dedupe watermark then drops as late (analytics archive.py), and one
 * ahead would keep players' words past the retention an erasure request promises (topic-retention.ts longestKeptMs).
 */
const BROKER_TIME = { name: "message.timestamp.type", value: "LogAppendTime" };

/** How long the topics a client creates keep records (KAFKA_RETENTION_HOURS), and its log, by client: ensureTopics reads them. */
const settingsOf = new WeakMap<Kafka, { retentionMs: number; log: Logger }>();

/** A kafkajs client that logs through our structured logger; the topics it creates keep records `retentionMs`. */
export function createKafka(brokers: string[], clientId: string, log: Logger, retentionMs = DEFAULT_RETENTION_MS): Kafka {
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: () => kafkaLogEntries(log),
    // No wait between tries longer than 2 s (kafkajs's 30 s): a broker that comes back is used again within
    // seconds. Consumers and producers inherit it; past the retries a consumer restarts and tries again.
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 8 },
  });
  settingsOf.set(kafka, { retentionMs, log });
  return kafka;
}

/**
 * Whether an error is Kafka's (a broker away, no coordinator yet): tried again, where others (a SERVER_ID in use) are
 * not. By name: kafkajs's error classes are not named exports Node's ESM import can see.
 */
export const isKafkaError = (error: unknown): boolean => error instanceof Error && error.name.startsWith("KafkaJS");

/** Resolves when the brokers answer a look at `topic`'s partitions (connecting takes the client's tries: ~9 s when none listens). */
export async function brokerAnswers(kafka: Kafka, topic: string): Promise<void> {
  await withAdmin(kafka, (admin) => admin.fetchTopicMetadata({ topics: [topic] }), { retry: { retries: 1 } });
}

/** Runs `connect`; when it fails, disconnects `clients` (those it had connected) first, so that a next try starts clean. */
export async function disconnectedOnFailure(connect: () => Promise<void>, ...clients: Array<{ disconnect(): Promise<void> }>): Promise<void> {
  try {
    await connect();
  } catch (error) {
    await Promise.allSettled(clients.map((client) => client.disconnect()));
    throw error;
  }
}

/**
 * Creates the topics if they do not exist yet (idempotent; several processes may race to do it), keeping records as
 * long as their client says (createKafka). Topics that exist keep their settings (an operator's, or another process's):
 * one that keeps records another time than the client's is logged as a warning, with the command that changes it.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], partitions = 4): Promise<void> {
  const { retentionMs, log } = settingsOf.get(kafka) ?? { retentionMs: DEFAULT_RETENTION_MS };
  await withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        // Replication factor left to the broker default (default.replication.factor).
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, configEntries: [...retentionConfig(retentionMs), BROKER_TIME] })),
      });
    }
    const found = topics.filter((topic) => existing.has(topic));
    if (log && found.length > 0) await warnOfOtherRetention(admin, found, retentionMs, log);
  });
}

/**
 * A producer for our topics: never creates a topic by accident; keyed messages go to their key's
 * partition (murmur2, as the Java client). Not idempotent: the contracts are at-least-once and the
 * consumers drop repeats (rooms by question id, the index and archive by line id).
 */
export function newProducer(kafka: Kafka): Producer {
  return kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}

/**
 * Connects, subscribes and runs a consumer, resolving once it has joined its group and holds its
 * partitions: only then are messages sent after this call sure to reach it. It is started again whenever
 * kafkajs gives up on it (consumer-restart.ts; `restartAfterMs` later, its RESTART_AFTER_MS by default); stop it with
 * the returned stop.
 */
export async function runConsumer(
  consumer: Consumer,
  topic: string,
  fromBeginning: boolean,
  run: ConsumerRunConfig,
  log: Logger,
  restartAfterMs?: number,
): Promise<{ stop(): Promise<void> }> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  let stopWatching = () => {};
  const joined = new Promise<void>((resolve) => (stopWatching = consumer.on(consumer.events.GROUP_JOIN, () => resolve())));
  const running = restartWhenGivenUp(consumer, run, log, restartAfterMs);
  try {
    await consumer.run(run);
    await joined;
    return running;
  } catch (error) {
    // Tried again by the caller: this try's restarter would run the consumer too (a listener more each try).
    running.forget();
    throw error;
  } finally {
    stopWatching();
  }
}

/** What a process that reads one topic and writes to others (an NPC worker, the chat indexer) connects. */
export interface ReadingClients {
  producer: Producer;
  consumer: Consumer;
  /** Created first if missing (ensureTopics). */
  topics: string[];
  /** The topic the consumer reads, from its beginning when its group has no offsets yet. */
  read: string;
  run: ConsumerRunConfig;
  /** Checked before each try: once true, the tries end (the process is stopping). */
  stopped: () => boolean;
  /** Before each try to join the group (its members read only `read`): an error of its own, not Kafka's, ends the tries. */
  beforeJoining?: () => Promise<void>;
}

/**
 * Creates the topics, connects the producer and runs the consumer (runConsumer), trying again while the broker is
 * away (no start order, as in Kubernetes; a broker restarting); a failed try disconnects what it had connected.
 */
export async function readWhenReachable(kafka: Kafka, clients: ReadingClients, log: Logger): Promise<{ stop(): Promise<void> }> {
  const { producer, consumer, topics, read, run, stopped, beforeJoining } = clients;
  let running!: { stop(): Promise<void> };
  const connect = () =>
    disconnectedOnFailure(async () => {
      await beforeJoining?.();
      await ensureTopics(kafka, topics);
      await producer.connect();
      running = await runConsumer(consumer, read, true, run, log);
    }, producer, consumer);
  await untilReachable("kafka", connect, log, { retries: isKafkaError, stopped });
  return running;
}

/**
 * Stops a reader (an NPC channel, the chat indexer) whose tries have been told to end: its consumer once it runs (its
 * stop also cancels a restart that waits, consumer-restart.ts), or, not running yet, disconnected; then its producer.
 */
export async function stopReading(running: { stop(): Promise<void> } | undefined, consumer: Consumer, producer: Producer): Promise<void> {
  await (running?.stop() ?? consumer.disconnect());
  await producer.disconnect();
}
