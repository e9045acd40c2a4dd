import type { ChatLogRecord, DeadLetter } from "./chat-log.js";
import type { ChatLogPublisher, ChatLogSource, StoreChatLog } from "./chat-log-transport.js";

/**
 * The chat log in the embedded default: records queue in memory until the consumer has stored them.
 * A failed batch stays at the head of the queue and is tried again, as with an uncommitted offset.
 */
const MAX_QUEUED = 100_000;

export class InProcessChatLog {
  private readonly queue: ChatLogRecord[] = [];
  private consumer: StoreChatLog | undefined;
  private draining = false;
  private readonly waiters: Array<() => void> = [];
  readonly deadLetters: DeadLetter[] = [];
  dropped = 0;

  constructor(private readonly maxBatch = 500) {}

  publisher(): ChatLogPublisher {
    return {
      publish: (record) => {
        this.queue.push(record);
        // Bounded like the Kafka publisher's buffer: a long store outage drops the oldest lines, counted.
        if (this.queue.length > MAX_QUEUED && !this.draining) this.dropped += this.queue.splice(0, this.queue.length - MAX_QUEUED).length;
        queueMicrotask(() => void this.drain());
      },
      flush: () => this.drained(),
      stop: async () => {},
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

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves when every record published so far has been stored (or there is no consumer). */
  drained(): Promise<void> {
    if (this.queue.length === 0 || !this.consumer) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.consumer) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.consumer) {
        const batch = this.queue.slice(0, this.maxBatch);
        const dead = await this.consumer(batch, async () => {});
        this.deadLetters.push(...dead);
        this.queue.splice(0, batch.length);
      }
    } catch {
      // The consumer failed (its store is down past its own retries): keep the batch, try later.
      setTimeout(() => void this.drain(), 1000).unref();
    } finally {
      this.draining = false;
      if (this.queue.length === 0) this.waiters.splice(0).forEach((wake) => wake());
    }
  }
}
