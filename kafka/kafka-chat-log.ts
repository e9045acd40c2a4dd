import type { Consumer, ConsumerRunConfig, Kafka, Producer } from "kafkajs";

import type { Logger } from "../common/log.js";
import { chatDeadLetters, chatLogKafkaWaiting } from "../common/metrics.js";
import { firstTryThenInBackground } from "../common/until-reachable.js";
import { withTimeout } from "../common/with-timeout.js";
import { type ChatLogRecord, implausibleTs, parseChatLogRecord, withoutAccount } from "./chat-log.js";
import type { ChatLogPublisher, ChatLogSource, StoreChatLog } from "./chat-log-transport.js";
import { ContractError } from "./contract.js";
import { DroppedLines } from "./dropped-lines.js";
import { disconnectedOnFailure, ensureTopics, isKafkaError, newProducer, readWhenReachable, stopReading } from "./kafka-client.js";
import { produceRequests } from "./produce-requests.js";

const FLUSH_EVERY_MS = 20;
/** After a send failed (kafkajs's retries spent: 10-17 s with the broker down), the pause before the next. */
const RETRY_MS = 1000;
/** At shutdown, how long the lines still buffered get to reach the broker (as the embedded chat log's wait). */
const STOP_WAIT_MS = 5000;
// Records per produce request, and their bytes: under the broker's 1 MB batch limit even when they all go to one
// partition (one busy room after an outage; a line with an NPC's answer is ~1 KB): a request over it was refused,
// tried again and again, and the buffer filled until lines were dropped.
const RECORDS_PER_REQUEST = 1000;
const BYTES_PER_REQUEST = 512 * 1024;
// Past this many unsent records (a long broker outage) the oldest are dropped, and counted, rather
// than let a game server run out of memory.
const MAX_BUFFERED = 100_000;

export interface KafkaChatLogOptions {
  maxBuffered?: number;
  stopWaitMs?: number;
  /** Lines still not sent when the publisher stops (the broker was down): logged as an error, and passed here. */
  onUnstored?: (lines: number) => void;
}

/** Whether the broker refused a request as larger than the topic takes (kafkajs's error, or one it wraps). */
function tooLarge(error: unknown): boolean {
  const seen = error as { type?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] } | undefined;
  if (!seen || typeof seen !== "object") return false;
  return seen.type === "MESSAGE_TOO_LARGE" || [seen.cause, seen.originalError, ...(seen.errors ?? [])].some((inner) => inner !== undefined && inner !== error && tooLarge(inner));
}

/** Records as the topic's messages, keyed by room id, each serialised as it is reached. */
function* asMessages(records: ChatLogRecord[]): Generator<{ key: string; value: string }> {
  for (const record of records) yield { key: record.roomId, value: JSON.stringify(record) };
}

/**
 * Chat lines to the chat-log topic, keyed by room id, sent in batches every few milliseconds. One send loop at most:
 * while a send waits on a broker that is down, flushes asked meanwhile join it (a chain of one flush per 20 ms of
 * chat, each waiting on the one before, grew for as long as the outage lasted and held shutdown for minutes).
 */
export class KafkaChatLogPublisher implements ChatLogPublisher {
  private readonly producer: Producer;
  private buffer: ChatLogRecord[] = [];
  /** Records of the send in flight: out of the buffer until it has failed. */
  private inFlight = 0;
  /** Accounts erased while a send was in flight: its records, back in the buffer if it fails, leave it again. */
  private readonly erasedInFlight = new Set<string>();
  /** A request's bytes at most: halved each time the topic refuses one as too large (its max.message.bytes, set lower). */
  private requestBytes = BYTES_PER_REQUEST;
  private timer: NodeJS.Timeout | undefined;
  /** The send loop while it runs: until the buffer is empty or a send fails. */
  private sending: Promise<void> | undefined;
  /** Stop's wait is over: no more sends or retries, what is left was reported. */
  private stopped = false;
  /** Whether the producer has connected: lines published before are kept until it has. */
  private connected = false;
  private readonly maxBuffered: number;
  private readonly droppedLines: DroppedLines;
  /** This publisher's share of kobot_chat_log_kafka_waiting, as last shown. */
  private shownWaiting = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly log: Logger,
    private readonly options: KafkaChatLogOptions = {},
  ) {
    this.producer = newProducer(kafka);
    this.maxBuffered = options.maxBuffered ?? MAX_BUFFERED;
    this.droppedLines = new DroppedLines(log, "waiting for Kafka");
  }

  /** Lines dropped past the cap so far. */
  get dropped(): number {
    return this.droppedLines.total;
  }

  /** Lines held for the broker, the send in flight included; none once stopped (those left were said not sent). */
  get waiting(): number {
    return this.stopped ? 0 : this.buffer.length + this.inFlight;
  }

  /** On /metrics: with the broker down, up to 100,000 lines piled up here while no number said so. */
  private showWaiting(): void {
    const waiting = this.waiting;
    if (waiting === this.shownWaiting) return;
    chatLogKafkaWaiting.inc(waiting - this.shownWaiting);
    this.shownWaiting = waiting;
  }

  /**
   * Connects. A broker that does not answer the first try does not hold the game server back: this resolves then,
   * lines are kept (up to the cap) and the tries go on in the background; the lines go out once one gets through.
   */
  async start(): Promise<void> {
    const { firstTry, reached } = firstTryThenInBackground("kafka (chat log)", () => this.connect(), this.log, { retries: isKafkaError, stopped: () => this.stopped });
    void reached.then(
      () => void this.flush(),
      (error: unknown) => this.stopped || this.log.error("the chat log will not reach Kafka", { error: String(error) }),
    );
    await firstTry;
  }

  private async connect(): Promise<void> {
    await disconnectedOnFailure(async () => {
      await ensureTopics(this.kafka, [this.topic]);
      await this.producer.connect();
    }, this.producer);
    this.connected = true;
  }

  publish(record: ChatLogRecord): void {
    this.buffer.push(record);
    this.droppedLines.trim(this.buffer, this.maxBuffered);
    this.showWaiting();
    // A running loop takes this line too, or arms the retry when its send fails.
    if (!this.sending && !this.stopped) this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /**
   * A player's erasure: their lines still waiting for the broker, and the NPCs' answers to them, are not sent (the
   * broker down, they went out after the erasure's answer and were indexed again). One with the broker now is sent.
   */
  async dropWaiting(account: string): Promise<void> {
    this.buffer = withoutAccount(this.buffer, account);
    this.showWaiting();
    if (this.inFlight > 0) this.erasedInFlight.add(account);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // The buffer is not empty, so the loop awaits its first send before its `finally` clears `sending`.
    if (!this.sending && !this.stopped && this.connected && this.buffer.length > 0) this.sending = this.sendBuffered();
    return this.sending ?? Promise.resolve();
  }

  private async sendBuffered(): Promise<void> {
    try {
      while (this.buffer.length > 0 && !this.stopped) {
        // The first request's records only: the rest of the buffer is not serialised yet.
        const [messages] = produceRequests(asMessages(this.buffer), ({ key, value }) => Buffer.byteLength(value) + key.length, this.requestBytes, RECORDS_PER_REQUEST);
        if (!(await this.send(this.buffer.splice(0, messages!.length), messages!))) return;
      }
    } finally {
      this.sending = undefined;
    }
  }

  private async send(batch: ChatLogRecord[], messages: Array<{ key: string; value: string }>): Promise<boolean> {
    this.inFlight = batch.length;
    try {
      await this.producer.send({ topic: this.topic, messages });
      return true;
    } catch (error) {
      const kept = [...this.erasedInFlight].reduce(withoutAccount, batch);
      if (tooLarge(error)) {
        // Refused for good, and tried again each second, it held every line of the server behind it while the topic
        // allowed less than a request (max.message.bytes set lower): smaller requests, and a line too large alone goes.
        // By the request as sent: one of two lines dropped by an erasure meanwhile left the other, never tried alone.
        if (batch.length > 1) {
          // Down to a record a request (a message larger than the budget goes alone): a floor of 1 KB of values left
          // two records' request over a topic's limit under ~1.1 KB (its batch's own bytes), refused again for ever.
          this.requestBytes = Math.max(1, Math.floor(this.requestBytes / 2));
          this.buffer = kept.concat(this.buffer);
          this.log.warn("chat log request larger than the topic takes; sending smaller ones", { records: kept.length, requestBytes: this.requestBytes });
        } else if (kept.length === 1) {
          this.droppedLines.dropOne();
          const [message] = messages;
          this.log.error("a chat line larger than the topic takes (its max.message.bytes): not logged", { id: kept[0]!.id, bytes: message ? Buffer.byteLength(message.value) + message.key.length : undefined });
        }
        return true;
      }
      this.buffer = kept.concat(this.buffer);
      if (this.stopped) return false; // counted as not sent by stop already
      // Broker unreachable past the client's retries: keep the lines and try again shortly.
      this.log.warn("chat log not sent; will retry", { records: batch.length, error });
      this.timer ??= setTimeout(() => void this.flush(), RETRY_MS).unref();
      return false;
    } finally {
      this.inFlight = 0;
      this.erasedInFlight.clear();
      this.showWaiting();
    }
  }

  /**
   * Gives the lines buffered a few seconds to reach the broker (the send in flight, then the rest), then says how
   * many did not: with the broker down, a send alone takes kafkajs 10-17 s, and the server must exit before its
   * grace period ends.
   */
  async stop(): Promise<void> {
    const waitMs = this.options.stopWaitMs ?? STOP_WAIT_MS;
    await withTimeout(this.flush(), waitMs).catch(() => {}); // past it: said below
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.droppedLines.say(this.maxBuffered);
    const unsent = this.buffer.length + this.inFlight;
    if (unsent > 0) {
      this.log.error("chat lines not sent: Kafka did not take them before shutdown", { lines: unsent, waitedMs: waitMs, dropped: this.dropped });
      this.options.onUnstored?.(unsent);
    }
    this.showWaiting(); // 0: given up
    await this.producer.disconnect();
  }
}

/**
 * Reads the chat-log topic in a consumer group. A batch's offsets are committed only after the
 * handler has stored it; records that are not valid chat-log records become dead letters, and
 * the handler's dead letters (records the store refused) go to the dead-letter topic with them.
 */
export class KafkaChatLogSource implements ChatLogSource {
  private readonly consumer: Consumer;
  /** The consumer once it runs: its stop also cancels a restart that waits (consumer-restart.ts). */
  private running: { stop(): Promise<void> } | undefined;
  private readonly producer: Producer;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: { log: string; dead: string },
    groupId: string,
    private readonly log: Logger,
    /** Before each try to join the group (indexer-main.ts: no member of it reads another topic). */
    private readonly beforeJoining?: () => Promise<void>,
  ) {
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 8 } });
    this.producer = newProducer(kafka);
  }

  /** Connects and starts storing; a broker not up yet is waited for. */
  async start(store: StoreChatLog): Promise<void> {
    this.running = await readWhenReachable(this.kafka, {
      producer: this.producer,
      consumer: this.consumer,
      topics: [this.topics.log, this.topics.dead],
      read: this.topics.log,
      run: this.storeRun(store),
      stopped: () => this.stopping,
      beforeJoining: this.beforeJoining,
    }, this.log);
  }

  private storeRun(store: StoreChatLog): ConsumerRunConfig {
    return {
      autoCommit: true,
      eachBatchAutoResolve: false,
      // Partitions are stored side by side: Elasticsearch indexes several bulk requests at once.
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        const records: ChatLogRecord[] = [];
        /** Each record's bytes as they came, which a dead letter sends on. */
        const received = new Map<ChatLogRecord, Buffer>();
        const malformed: Letter[] = [];
        for (const message of batch.messages) {
          try {
            const record = parseChatLogRecord(message.value);
            // Its time names the index it is stored in: a junk one would make an index of its own (chat-log.ts). The
            // topic is LogAppendTime (kafka-client.ts), so the record's timestamp is the broker's when it was taken (on
            // a topic made by hand with CreateTime, its producer's); none (-1, an old message format): this clock's.
            const appended = Number(message.timestamp);
            const implausible = implausibleTs(record.ts, appended > 0 ? appended : Date.now());
            if (implausible !== undefined) {
              malformed.push({ value: message.value!, reason: `not a chat line's time: ${implausible}` });
              continue;
            }
            records.push(record);
            if (message.value) received.set(record, message.value);
          } catch (error) {
            if (!(error instanceof ContractError)) throw error;
            malformed.push({ value: message.value ?? Buffer.alloc(0), reason: `not a chat-log record: ${error.message}` });
          }
        }
        if (!isRunning() || isStale()) return;
        const refused = (await store(records, heartbeat)).map(({ payload, record, reason }) => ({ value: (record && received.get(record)) ?? payload, reason }));
        const dead = [...malformed, ...refused];
        if (dead.length > 0) {
          this.log.warn("chat-log records sent to the dead-letter topic", { count: dead.length, first: dead[0]!.reason });
          chatDeadLetters.inc(dead.length);
          for (const messages of deadLetterRequests(dead, this.topics.log)) await this.producer.send({ topic: this.topics.dead, messages });
        }
        const last = batch.messages.at(-1);
        if (last) resolveOffset(last.offset);
        await commitOffsetsIfNecessary();
      },
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await stopReading(this.running, this.consumer, this.producer);
  }
}

/** A dead letter as it goes to the topic: the bytes as they came (not text: 400 KB of other bytes read as UTF-8 grew past 1 MB). */
type Letter = { value: Buffer | string; reason: string };

/** Bytes of one letter's payload kept at most: the broker refuses a batch over `message.max.bytes` (1 MB by default). */
export const DEAD_LETTER_MAX_BYTES = 256 * 1024;
/** Bytes of letters in one produce request at most, so that one partition's record batch stays under 1 MB too. */
const DEAD_LETTERS_PER_REQUEST_BYTES = 512 * 1024;
/** The reason header's characters at most. */
const REASON_MAX_CHARS = 1000;

/**
 * Dead letters as produce requests under the broker's limits. A letter the broker refused failed its batch, which
 * kafkajs then read again and again: the indexer stopped on it for good, and so did the next one given the partition.
 * A payload over DEAD_LETTER_MAX_BYTES keeps its beginning, and says so (`truncated`: the bytes it had).
 */
export function deadLetterRequests(letters: readonly Letter[], source: string): Array<Array<{ value: Buffer | string; headers: Record<string, string> }>> {
  const messages = letters.map(({ value, reason }) => {
    const size = Buffer.byteLength(value);
    const kept = size > DEAD_LETTER_MAX_BYTES ? Buffer.from(value).subarray(0, DEAD_LETTER_MAX_BYTES) : value;
    const headers: Record<string, string> = { reason: reason.slice(0, REASON_MAX_CHARS), source, ...(kept === value ? {} : { truncated: String(size) }) };
    return { value: kept, headers };
  });
  const bytesOf = ({ value, headers }: (typeof messages)[number]) => Buffer.byteLength(value) + Buffer.byteLength(headers.reason!) + 100;
  return [...produceRequests(messages, bytesOf, DEAD_LETTERS_PER_REQUEST_BYTES)];
}
