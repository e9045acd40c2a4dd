import { createHash, randomUUID } from "node:crypto";

import type { Client, errors, estypes } from "@elastic/elasticsearch";

import type { ChatLogRecord } from "../kafka/chat-log.js";
import { CHAT_INDEX_PREFIX } from "./index-template.js";

/**
 * The erasures asked of the chat index, one mark an account: when. An erasure deletes what is indexed as it runs, but
 * lines came back after it: dead letters sent back by `npm run chatlog:redrive`, and lines an indexer had still to
 * read (a backlog after an outage, a slow node). The indexers keep out every line an account wrote, or an answer it
 * was given, before its erasure. A mark keeps only a hash of the account (what is needed to recognise it).
 *
 * The index is named outside the chat template's pattern (`<prefix>-*`), or it would take the chat's mappings and
 * stand behind its alias.
 */
export function marksIndex(prefix = CHAT_INDEX_PREFIX): string {
  return `erasures-of-${prefix}`;
}

/**
 * Rewritten after every mark with a value of its own: an indexer reads this one document (a realtime get) before and
 * after each batch, and all the marks again only when it changed. Reading each batch's accounts' marks instead cost a
 * third of the indexing rate. A random value, not the document's place in the index: the index made again (deleted
 * by hand, a node that lost its volume) gave its first mark the place the old one's had, and indexers kept old marks.
 */
const GENERATION = "generation";
const PAGE = 10_000;

type Mark = { at: number; mark: string };

/** Writes the mark of an erasure asked now: before the lines are deleted, so a batch stored meanwhile sees it. */
export async function markErased(es: Client, account: string, prefix = CHAT_INDEX_PREFIX): Promise<void> {
  const index = marksIndex(prefix);
  try {
    await es.indices.create({
      index,
      settings: { number_of_shards: 1, auto_expand_replicas: "0-1" },
      mappings: { dynamic: "strict", properties: { at: { type: "date", format: "epoch_millis" }, mark: { type: "keyword" } } },
    });
  } catch (error) {
    if ((error as errors.ResponseError).body?.error?.type !== "resource_already_exists_exception") throw error;
  }
  const at = Date.now();
  await es.index({ index, id: markOf(account), document: { at, mark: markOf(account) } satisfies Mark });
  await es.index({ index, id: GENERATION, document: { at, mark: randomUUID() } satisfies Mark });
}

/** One indexer's copy of the marks. */
export class ErasureMarks {
  /** When each account (by its hash) was erased, ms since the epoch. */
  private erasedAt = new Map<string, number>();
  /** The generation document's value when the marks were read ("none": no marks index); undefined: never read. */
  private generation: string | undefined;

  constructor(
    private readonly es: Client,
    private readonly prefix = CHAT_INDEX_PREFIX,
  ) {}

  /** Reads the marks again if any was written since they were last read; says whether they were. */
  async refresh(): Promise<boolean> {
    const generation = await this.currentGeneration();
    if (generation === this.generation) return false;
    this.erasedAt = generation === "none" ? new Map() : await this.readAll();
    this.generation = generation;
    return true;
  }

  /**
   * Whether the record was written before an erasure of an account it holds words of: its writer's, or its asker's
   * (an NPC's answer, by when its question was asked: logged after the erasure by a room that had not heard of it, the
   * answer carried the question still).
   */
  erasedBefore(record: ChatLogRecord): boolean {
    if (this.erasedAt.size === 0) return false;
    const by = (account: string | undefined, ts: number) => account !== undefined && (this.erasedAt.get(markOf(account)) ?? -Infinity) >= ts;
    return by(record.account, record.ts) || by(record.npc?.asker, record.ts - (record.npc?.latencyMs ?? 0));
  }

  private async currentGeneration(): Promise<string> {
    const index = marksIndex(this.prefix);
    try {
      return (await this.es.get<Mark>({ index, id: GENERATION }))._source!.mark;
    } catch (error) {
      const { statusCode, body } = error as errors.ResponseError;
      if (statusCode === 404) return "none"; // no erasure asked yet
      // Every line waits, as it should (one might be an erased player's): the log says why.
      throw new Error(`the erasure marks (${index}) are unreadable: ${body?.error?.reason ?? (error as Error).message}; every line waits for them (a closed index: open it)`);
    }
  }

  private async readAll(): Promise<Map<string, number>> {
    const index = marksIndex(this.prefix);
    await this.es.indices.refresh({ index }); // a mark written a moment ago is searched too
    const marks = new Map<string, number>();
    for (let after: estypes.FieldValue[] | undefined; ; ) {
      const page = await this.es.search<Mark>({
        index,
        query: { bool: { must_not: { ids: { values: [GENERATION] } } } },
        size: PAGE,
        sort: [{ at: "asc" }, { mark: "asc" }],
        ...(after ? { search_after: after } : {}),
      });
      for (const hit of page.hits.hits) marks.set(hit._source!.mark, hit._source!.at);
      if (page.hits.hits.length < PAGE) return marks;
      after = page.hits.hits.at(-1)!.sort;
    }
  }
}

const markOf = (account: string) => createHash("sha256").update(account).digest("hex");
