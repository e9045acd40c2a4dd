import { createLogger, type Logger } from "../common/log.js";
import { chatIndexWaiting } from "../common/metrics.js";
import { withTimeout } from "../common/with-timeout.js";
import { type ChatLogRecord, erasedWith, implausibleTs } from "./chat-log.js";
import type { ChatLogPublisher, ChatLogSource, StoreChatLog } from "./chat-log-transport.js";
import { DroppedLines } from "./dropped-lines.js";

/** Lines kept waiting for the store; beyond this the oldest are dropped, counted (as the Kafka publisher's buffer). */
const MAX_QUEUED = 100_000;
/** At shutdown, how long the lines still waiting get to be stored. */
const STOP_WAIT_MS = 5000;

export interface InProcessChatLogOptions {
  maxBatch?: number;
  maxQueued?: number;
  stopWaitMs?: number;
  /** Lines still not stored when the publisher stops (the store was down): gone from this log, so say so. */
  onUnstored?: (lines: number) => void;
  /** Where lines dropped past the cap are said. */
  log?: Logger;
}

/**
 * The chat log in the embedded default: records queue in memory until the consumer has stored them.
 * A failed batch goes back to the head of the queue and is tried again, as with an uncommitted offset.
 */
export class InProcessChatLog {
  private queue: ChatLogRecord[] = [];
  /** The batch with the consumer now: out of the queue, so the cap on the queue holds while a store waits. */
  private inFlight: ChatLogRecord[] = [];
  private consumer: StoreChatLog | undefined;
  private draining = false;
  private readonly waiters: Array<() => void> = [];
  /** Woken as each batch with the consumer ends, stored or not. */
  private readonly batchWaiters: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly droppedLines: DroppedLines;
  private readonly log: Logger;

  constructor(private readonly options: InProcessChatLogOptions = {}) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED;
    this.log = options.log ?? createLogger({ service: "chat-log" });
    this.droppedLines = new DroppedLines(this.log, "waiting to be indexed");
  }

  /** Lines dropped past the cap so far. */
  get dropped(): number {
    return this.droppedLines.total;
  }

  publisher(): ChatLogPublisher {
    return {
      publish: (record) => {
        this.queue.push(record);
        // A long store outage (the consumer retries its batch for as long as it takes) drops the oldest lines.
        this.droppedLines.trim(this.queue, this.maxQueued);
        this.showWaiting();
        queueMicrotask(() => void this.drain());
      },
      flush: () => this.drained(),
      dropWaiting: (account) => this.dropWaiting(account),
      stop: async () => {
        await withTimeout(this.drained(), this.options.stopWaitMs ?? STOP_WAIT_MS).catch(() => {}); // past it: said below
        this.droppedLines.say(this.maxQueued);
        if (this.waiting > 0) this.options.onUnstored?.(this.waiting);
      },
    };
  }

  source(): ChatLogSource {
    return {
      start: async (handle) => {
        this.consumer = handle;
        void this.drain();
      },
      stop: async () => {
        this.consumer = undefined;
      },
    };
  }

  /** Lines not yet stored, the batch with the consumer included. */
  get waiting(): number {
    return this.queue.length + this.inFlight.length;
  }

  /** On /metrics: with Elasticsearch down the lines piled up here, up to the cap, with no number saying so. */
  private showWaiting(): void {
    chatIndexWaiting.set(this.waiting);
  }

  /**
   * A player's erasure (server/http/erasure-routes.ts): their lines still queued, and the NPCs' answers to them, leave the
   * queue; resolves once no batch with the consumer holds one of theirs (stored by then: the index's erasure, next,
   * takes it out). An erasure while a backlog drained (Elasticsearch back after an outage) left 560 of 600 lines to be
   * indexed after it: searchable again.
   */
  async dropWaiting(account: string): Promise<void> {
    // The lines waiting now, once: the route answers after 5 s, and lines the player said after that, looked at
    // again when the stuck batch ended (Elasticsearch back), went unstored and uncounted.
    const waiting = [...this.inFlight, ...this.queue];
    const erased = erasedWith(account, new Set(waiting.filter((record) => record.account === account).map((record) => record.id)));
    const ids = new Set(waiting.filter(erased).map((record) => record.id));
    const theirs = (record: ChatLogRecord) => ids.has(record.id);
    for (;;) {
      this.queue = this.queue.filter((record) => !theirs(record));
      this.showWaiting();
      // A batch the store failed comes back to the queue: looked at again.
      if (!this.inFlight.some(theirs)) return;
      await new Promise<void>((resolve) => this.batchWaiters.push(resolve));
    }
  }

  /**
   * Resolves when every record published so far has been stored: once a consumer comes, where none is yet (the
   * embedded indexer starts when Elasticsearch first answers). Those who cannot wait for ever race it with a timeout.
   */
  drained(): Promise<void> {
    if (this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * The records whose `ts` can be a chat line's, by this process's clock (as the Kafka indexer judges by the broker's
   * append time): a junk one would make an index of its own. The others are said, not stored (the archive, DATA_DIR, keeps them).
   */
  private plausible(records: ChatLogRecord[]): ChatLogRecord[] {
    const now = Date.now();
    const kept: ChatLogRecord[] = [];
    const refused: Array<{ id: string; reason: string }> = [];
    for (const record of records) {
      const reason = implausibleTs(record.ts, now);
      if (reason === undefined) kept.push(record);
      else refused.push({ id: record.id, reason });
    }
    if (refused.length > 0) {
      this.log.error("chat lines not indexed: not a chat line's time", { lines: refused.length, ids: refused.slice(0, 10).map(({ id }) => id), first: refused[0]!.reason });
    }
    return kept;
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.consumer) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.consumer) {
        this.inFlight = this.plausible(this.queue.splice(0, this.maxBatch));
        // Records the store refused are its to say (the embedded indexer logs each; the archive keeps them all): kept
        // here too, they grew the server's memory for as long as Elasticsearch refused lines.
        if (this.inFlight.length > 0) await this.consumer(this.inFlight, async () => {});
        this.inFlight = [];
        this.showWaiting();
        this.batchWaiters.splice(0).forEach((wake) => wake());
      }
    } catch {
      // The consumer failed (its store is down past its own retries): keep the batch, try later.
      this.queue.unshift(...this.inFlight);
      this.inFlight = [];
      this.batchWaiters.splice(0).forEach((wake) => wake());
      setTimeout(() => void this.drain(), 1000).unref();
    } finally {
      this.draining = false;
      if (this.waiting === 0) this.waiters.splice(0).forEach((wake) => wake());
    }
  }
}
