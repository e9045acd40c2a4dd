import type { Client } from "@elastic/elasticsearch";

import type { Logger } from "../common/log.js";
import { chatIndexed, chatIndexRetries } from "../common/metrics.js";
import type { ChatLogRecord, DeadLetter } from "../kafka/chat-log.js";
import { CHAT_INDEX_PREFIX, documentFor, indexFor } from "./index-template.js";

export interface IndexerStats {
  indexed: number;
  dead: number;
  retries: number;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Bulk-indexes chat-log records with `_id` = the line's id, so a re-delivered line overwrites its
 * own copy instead of doubling. Waits out an unreachable or overloaded Elasticsearch (retrying
 * with backoff, never dropping), and returns the records it refuses for good as dead letters.
 */
export class ChatIndexer {
  readonly stats: IndexerStats = { indexed: 0, dead: 0, retries: 0 };
  private stopped = false;

  constructor(
    private readonly es: Client,
    private readonly log: Logger,
    private readonly prefix = CHAT_INDEX_PREFIX,
  ) {}

  /** Resolves once every record is stored or refused; rejects only when the indexer is stopped. */
  async index(records: ChatLogRecord[], heartbeat: () => Promise<void> = async () => {}): Promise<DeadLetter[]> {
    const dead: DeadLetter[] = [];
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (this.stopped) throw new Error("indexer stopped with records not yet indexed");
        this.stats.retries++;
        chatIndexRetries.inc();
        await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt));
        await heartbeat();
      }
      try {
        pending = await this.bulk(pending, dead);
      } catch (error) {
        // No answer at all: Elasticsearch down or unreachable. Keep everything and wait.
        this.log.warn("elasticsearch unavailable; retrying", { records: pending.length, attempt, error });
      }
    }
    this.stats.dead += dead.length;
    if (dead.length > 0) chatIndexed.inc({ outcome: "refused" }, dead.length);
    return dead;
  }

  /** One bulk request; returns the records to try again (429 and 5xx items). */
  private async bulk(records: ChatLogRecord[], dead: DeadLetter[]): Promise<ChatLogRecord[]> {
    const response = await this.es.bulk({
      operations: records.flatMap((record) => [
        { index: { _index: indexFor(this.prefix, record.ts), _id: record.id } },
        documentFor(record),
      ]),
    });
    const retry: ChatLogRecord[] = [];
    response.items.forEach((item, i) => {
      const result = item.index!;
      const record = records[i]!;
      if (!result.error) {
        this.stats.indexed++;
        chatIndexed.inc({ outcome: "indexed" });
      } else if (result.status === 429 || result.status >= 500) {
        retry.push(record);
      } else {
        dead.push({ payload: JSON.stringify(record), record, reason: `${result.error.type}: ${result.error.reason ?? ""}` });
      }
    });
    return retry;
  }

  stop(): void {
    this.stopped = true;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
