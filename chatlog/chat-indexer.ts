import type { Client } from "@elastic/elasticsearch";

import type { Logger } from "../common/log.js";
import { chatIndexed, chatIndexRetries } from "../common/metrics.js";
import type { ChatLogRecord, DeadLetter } from "../kafka/chat-log.js";
import { ErasureMarks } from "./erasure-marks.js";
import { CHAT_INDEX_PREFIX, documentFor, indexFor, installTemplate } from "./index-template.js";

export interface IndexerStats {
  indexed: number;
  dead: number;
  retries: number;
  /** Lines kept out because their player's erasure came first (chatlog/erasure-marks.ts). */
  erased: number;
}

const MAX_BACKOFF_MS = 5000;
/** Kept-out lines remembered for answers to them: an answer follows its question in the same partition. */
const KEPT_OUT_LINES = 100_000;
/** How long a month's index seen behind the chat alias is taken to be so (a node that went away is looked at again). */
const ALIAS_RECHECK_MS = 60_000;

/**
 * Bulk-indexes chat-log records with `_id` = the line's id, so a re-delivered line overwrites its
 * own copy instead of doubling. Waits out an unreachable or overloaded Elasticsearch (retrying
 * with backoff, never dropping), and returns the records it refuses for good as dead letters.
 */
export class ChatIndexer {
  readonly stats: IndexerStats = { indexed: 0, dead: 0, retries: 0, erased: 0 };
  private stopped = false;
  /** Month indices seen behind the chat alias, and when (performance.now()). */
  private readonly behindAlias = new Map<string, number>();
  private readonly marks: ErasureMarks;
  /** Lines kept out (their player erased), newest last: answers to them are kept out too. */
  private readonly keptOutLines = new Set<string>();

  constructor(
    private readonly es: Client,
    private readonly log: Logger,
    private readonly prefix = CHAT_INDEX_PREFIX,
  ) {
    this.marks = new ErasureMarks(es, prefix);
  }

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
        const { retry, refused } = await this.bulk(pending);
        pending = retry;
        dead.push(...refused);
      } catch (error) {
        // No answer at all: Elasticsearch down or unreachable. Keep everything and wait; what comes back may be
        // another node, without the template.
        this.behindAlias.clear();
        this.log.warn("elasticsearch unavailable; retrying", { records: pending.length, attempt, error });
      }
    }
    this.stats.dead += dead.length;
    if (dead.length > 0) chatIndexed.inc({ outcome: "refused" }, dead.length);
    return dead;
  }

  /**
   * One bulk request; returns the records to try again (429 and 5xx items) and those refused, once it is done: a
   * batch tried again after a failure on its way (the marks read again) gave its refused lines as dead letters twice.
   * A line whose player was erased after writing it is kept out, and deleted should a copy be there (a batch tried
   * again after it was stored); the marks are looked at again once the batch is stored, for an erasure that ran while
   * it was written.
   */
  private async bulk(records: ChatLogRecord[]): Promise<{ retry: ChatLogRecord[]; refused: DeadLetter[] }> {
    await this.marks.refresh();
    const gone: ChatLogRecord[] = [];
    const kept: ChatLogRecord[] = [];
    for (const record of records) (this.erased(record) ? gone : kept).push(record);
    await this.aliased(new Set(records.map((record) => indexFor(this.prefix, record.ts))));
    const response = await this.es.bulk({
      operations: [
        ...kept.flatMap((record) => [{ index: { _index: indexFor(this.prefix, record.ts), _id: record.id } }, documentFor(record)]),
        ...gone.map((record) => ({ delete: { _index: indexFor(this.prefix, record.ts), _id: record.id } })),
      ],
    });
    const retry: ChatLogRecord[] = [];
    const refused: DeadLetter[] = [];
    const stored: ChatLogRecord[] = [];
    let keptOut = 0;
    response.items.forEach((item, i) => {
      const record = i < kept.length ? kept[i]! : gone[i - kept.length]!;
      const result = (item.index ?? item.delete)!;
      if (!result.error || (item.delete && result.status === 404)) {
        if (item.index) stored.push(record);
        else keptOut++;
      } else if (result.status === 429 || result.status >= 500) {
        retry.push(record);
      } else if (item.index) {
        refused.push({ payload: JSON.stringify(record), record, reason: `${result.error.type}: ${result.error.reason ?? ""}` });
      } else {
        // Never a dead letter: that would keep the words the player asked to erase.
        this.log.error("an erased player's line not deleted from the index: erase the account again", { id: record.id, error: result.error });
      }
    });
    // Whether or not the marks changed since this process last read them: another batch (partitions are indexed side
    // by side) may have read the new mark while this one was being written, after the erasure had looked.
    await this.marks.refresh();
    const caught = stored.filter((record) => this.erased(record));
    if (caught.length > 0) {
      const deleted = await this.es.bulk({ operations: caught.map((record) => ({ delete: { _index: indexFor(this.prefix, record.ts), _id: record.id } })) });
      if (deleted.errors) throw new Error("lines erased while their batch was written not deleted"); // tried again: kept out then
    }
    keptOut += caught.length;
    this.stats.indexed += stored.length - caught.length;
    this.stats.erased += keptOut;
    if (stored.length > caught.length) chatIndexed.inc({ outcome: "indexed" }, stored.length - caught.length);
    if (keptOut > 0) chatIndexed.inc({ outcome: "erased" }, keptOut);
    return { retry, refused };
  }

  /**
   * Whether the record holds words of a player erased after it was written; such a line's id is kept a while, for an
   * NPC's answer to it that names no asker (an older server's, from before answers carried `npc.asker`: a dead letter,
   * a backlog across the upgrade).
   */
  private erased(record: ChatLogRecord): boolean {
    const erased = this.marks.erasedBefore(record) || (record.replyTo !== undefined && this.keptOutLines.has(record.replyTo));
    if (erased && record.kind !== "npc") {
      this.keptOutLines.add(record.id);
      if (this.keptOutLines.size > KEPT_OUT_LINES) this.keptOutLines.delete(this.keptOutLines.values().next().value!);
    }
    return erased;
  }

  /**
   * Each month's index a batch goes to is behind the chat alias, or will be as the batch makes it: a node that came back
   * without the template (replaced, its volume lost) made the month's index itself, with guessed mappings and no
   * alias, and search and erasure, which read the alias, missed every line since (an erasure answered 0, 20 lines left).
   */
  private async aliased(indices: Set<string>): Promise<void> {
    const now = performance.now();
    for (const index of indices) {
      if (now - (this.behindAlias.get(index) ?? -Infinity) < ALIAS_RECHECK_MS) continue;
      if (!(await this.es.indices.existsAlias({ name: this.prefix, index }))) {
        await installTemplate(this.es, this.prefix); // the index this batch makes follows it
        if (await this.es.indices.exists({ index })) {
          await this.es.indices.putAlias({ index, name: this.prefix });
          this.log.error("a month's chat index was made without the chat template (Elasticsearch lost it): now behind the alias; reindex it, or search misses fields its guessed mappings hold otherwise", { index });
        }
      }
      this.behindAlias.set(index, now);
    }
  }

  stop(): void {
    this.stopped = true;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
