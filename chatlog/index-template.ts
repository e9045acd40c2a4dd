import type { Client } from "@elastic/elasticsearch";

import type { ChatLogRecord } from "../kafka/chat-log.js";

/**
 * Chat lines live in monthly indices (`kobot-chat-2026.11`) behind the alias `kobot-chat`. A line's
 * index follows from its own timestamp, so a re-delivered line always lands on its first copy.
 *
 * Korean text: this mapping uses the `standard` analyzer, which splits at spaces and punctuation,
 * so a word keeps its particles ("날씨가"). Search compensates with prefix queries on each word
 * (see chat-search.ts): "날씨" finds "날씨가". The `cjk` bigram analyzer or the `nori` morphological
 * one would be better; neither ships in the Elasticsearch build the tests run (integ-test-zip).
 */
export const CHAT_INDEX_PREFIX = "kobot-chat";

export function indexFor(prefix: string, ts: number): string {
  const date = new Date(ts);
  return `${prefix}-${date.getUTCFullYear()}.${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

const keyword = { type: "keyword" } as const;
const koreanText = { type: "text", analyzer: "standard", fields: { keyword: { type: "keyword", ignore_above: 512 } } } as const;

/** The document stored for a chat-log record: the record, with `@timestamp` for Kibana. */
export function documentFor(record: ChatLogRecord): Record<string, unknown> {
  const { v: _v, ts, ...rest } = record;
  return { ...rest, "@timestamp": ts };
}

export const CHAT_MAPPINGS = {
  dynamic: "strict",
  properties: {
    "@timestamp": { type: "date", format: "epoch_millis||strict_date_optional_time" },
    id: keyword,
    roomId: keyword,
    serverId: keyword,
    kind: keyword,
    from: keyword,
    name: keyword,
    text: koreanText,
    replyTo: keyword,
    toNpc: keyword,
    npc: {
      properties: {
        questionId: keyword,
        question: koreanText,
        latencyMs: { type: "float" },
        workerMs: { type: "float" },
        model: keyword,
        fallback: { type: "boolean" },
        reason: keyword,
      },
    },
  },
} as const;

/** Installs (or updates) the index template; idempotent, safe from several indexers at once. */
export async function installTemplate(es: Client, prefix = CHAT_INDEX_PREFIX): Promise<void> {
  await es.indices.putIndexTemplate({
    name: prefix,
    index_patterns: [`${prefix}-*`],
    template: {
      // One replica where there is a second node to hold it; none on a single node (stays green).
      settings: { number_of_shards: 1, auto_expand_replicas: "0-1", refresh_interval: "1s" },
      mappings: CHAT_MAPPINGS as never,
      aliases: { [prefix]: {} },
    },
  });
}
