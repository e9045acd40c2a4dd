import type { ChatLogRecord, DeadLetter } from "./chat-log.js";

/** Where rooms send their chat lines. Never blocks a room: records are buffered and sent in batches. */
export interface ChatLogPublisher {
  publish(record: ChatLogRecord): void;
  /** Sends what is buffered; resolves when it was handed over. */
  flush(): Promise<void>;
  stop(): Promise<void>;
  /**
   * A player's erasure: their lines still waiting here to be stored, and the NPCs' answers to them, go; resolves once
   * none of theirs is with the store any more. Where lines wait in this process: the embedded indexer's queue, the
   * Kafka publisher's buffer (a broker away).
   */
  dropWaiting?(account: string): Promise<void>;
}

/**
 * Stores a batch of chat-log records; resolves once they are stored, with the records the store
 * refused for good (those become dead letters). Only then is the batch acknowledged (offsets
 * committed), so a crash re-reads it. Calls `heartbeat` while it waits on a slow store.
 */
export type StoreChatLog = (records: ChatLogRecord[], heartbeat: () => Promise<void>) => Promise<DeadLetter[]>;

/** Consumers of the chat log (the Elasticsearch indexer; the archive later). */
export interface ChatLogSource {
  start(store: StoreChatLog): Promise<void>;
  stop(): Promise<void>;
}
