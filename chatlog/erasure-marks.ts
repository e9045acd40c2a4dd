import { createHash } from "node:crypto";

import type { Client, errors } from "@elastic/elasticsearch";

import type { ChatLogRecord } from "../kafka/chat-log.js";
import { CHAT_INDEX_PREFIX } from "./index-template.js";

/**
 * The erasures asked of the chat index, one mark an account: when. An erasure deletes what is indexed as it runs, but
 * lines came back after it: dead letters sent back by `npm run chatlog:redrive`, and lines an indexer had still to
 * read (a backlog after an outage, a slow node). The indexers look the marks up before and after each batch and keep
 * out every line an account wrote, or an answer it was given, before its erasure. A mark keeps only a hash of the
 * account (what is needed to recognise it), never its lines.
 *
 * The index is named outside the chat template's pattern (`<prefix>-*`), or it would take the chat's mappings and
 * stand behind its alias.
 */
export function marksIndex(prefix = CHAT_INDEX_PREFIX): string {
  return `erasures-of-${prefix}`;
}

/** Writes the mark of an erasure asked now: before the lines are deleted, so a batch indexed meanwhile sees it. */
export async function markErased(es: Client, account: string, prefix = CHAT_INDEX_PREFIX): Promise<void> {
  const index = marksIndex(prefix);
  try {
    await es.indices.create({
      index,
      settings: { number_of_shards: 1, auto_expand_replicas: "0-1" },
      mappings: { dynamic: "strict", properties: { at: { type: "date", format: "epoch_millis" } } },
    });
  } catch (error) {
    if ((error as errors.ResponseError).body?.error?.type !== "resource_already_exists_exception") throw error;
  }
  await es.index({ index, id: markId(account), document: { at: Date.now() } });
}

/** When each of these accounts was erased (ms since the epoch); absent: never. A realtime get: no refresh to wait. */
export async function erasedAt(es: Client, accounts: Iterable<string>, prefix = CHAT_INDEX_PREFIX): Promise<Map<string, number>> {
  const byId = new Map([...new Set(accounts)].map((account) => [markId(account), account]));
  const at = new Map<string, number>();
  if (byId.size === 0) return at;
  const { docs } = await es.mget<{ at: number }>({ index: marksIndex(prefix), ids: [...byId.keys()] });
  for (const doc of docs) {
    if ("error" in doc) {
      if (doc.error.type === "index_not_found_exception") continue; // no erasure asked yet
      throw new Error(`erasure marks unreadable: ${doc.error.type}: ${doc.error.reason ?? ""}`);
    }
    if (doc.found && doc._source) at.set(byId.get(doc._id)!, doc._source.at);
  }
  return at;
}

/** The accounts a record holds words of: its writer's, and for an NPC's answer, its asker's. */
export function accountsIn(record: ChatLogRecord): string[] {
  return [record.account, record.npc?.asker].filter((account): account is string => account !== undefined);
}

/** Whether the record was written before an erasure of an account it holds words of. */
export function erasedBefore(record: ChatLogRecord, erased: ReadonlyMap<string, number>): boolean {
  return accountsIn(record).some((account) => (erased.get(account) ?? -Infinity) >= record.ts);
}

const markId = (account: string) => createHash("sha256").update(account).digest("hex");
