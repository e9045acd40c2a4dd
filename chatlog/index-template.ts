import { type Client, errors } from "@elastic/elasticsearch";

import type { Logger } from "../common/log.js";
import { chatIndexTemplateFailures } from "../common/metrics.js";
import { untilReachable } from "../common/until-reachable.js";
import { elasticsearchAway } from "./elasticsearch-away.js";

import type { ChatLogRecord } from "../kafka/chat-log.js";

/**
 * Chat lines live in monthly indices (`kobot-chat-2026.11`) behind the alias `kobot-chat`. A line's
 * index follows from its own timestamp, so a re-delivered line always lands on its first copy.
 *
 * Korean text: the `cjk` analyzer (overlapping bigrams, so "날씨" matches inside "날씨가") where the
 * node has it (the official images do); else `standard`, which splits at spaces and punctuation so a
 * word keeps its particles ("날씨가") — the build the tests run (integ-test-zip) has only that one.
 * Search adds prefix queries on each word (see chat-search.ts), so "날씨" finds "날씨가" either way.
 */
export const CHAT_INDEX_PREFIX = "kobot-chat";

export function indexFor(prefix: string, ts: number): string {
  const date = new Date(ts);
  return `${prefix}-${date.getUTCFullYear()}.${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

const keyword = { type: "keyword" } as const;
const koreanText = { type: "text", fields: { keyword: { type: "keyword", ignore_above: 512 } } } as const;

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
    account: keyword,
    name: keyword,
    text: koreanText,
    replyTo: keyword,
    toNpc: keyword,
    moderated: { type: "boolean" },
    toxicity: { type: "float" },
    unasked: keyword,
    event: keyword,
    private: { type: "boolean" },
    report: {
      properties: {
        player: keyword,
        account: keyword,
        name: keyword,
        lineIds: keyword,
      },
    },
    npc: {
      properties: {
        questionId: keyword,
        question: koreanText,
        asker: keyword,
        latencyMs: { type: "float" },
        workerMs: { type: "float" },
        model: keyword,
        confidence: { type: "float" },
        withheld: koreanText,
        source: keyword,
        action: keyword,
        fallback: { type: "boolean" },
        reason: keyword,
      },
    },
  },
} as const;

/** The best Korean analyzer this node has. */
export async function koreanAnalyzer(es: Client): Promise<"cjk" | "standard"> {
  try {
    await es.indices.analyze({ analyzer: "cjk", text: "날씨" });
    return "cjk";
  } catch {
    return "standard";
  }
}

/** An index of the chat pattern that refused the chat mappings, and Elasticsearch's reason. */
export interface RefusedIndex {
  index: string;
  reason: string;
}

/**
 * Installs (or updates) the index template and the open indices' mappings; idempotent, safe from several indexers at
 * once. Returns the indices of the pattern that refused the mappings (made by hand with other types: their lines
 * become dead letters), where one such index failed the whole install.
 */
export async function installTemplate(es: Client, prefix = CHAT_INDEX_PREFIX): Promise<RefusedIndex[]> {
  const analyzer = await koreanAnalyzer(es);
  await es.indices.putIndexTemplate({
    name: prefix,
    index_patterns: [`${prefix}-*`],
    // Two deployments on one cluster whose prefixes nest (kobot-chat, kobot-chat-staging) match each other's indices
    // ("kobot-chat-*"); at the same priority the second template was refused. The longer prefix is the nearer match.
    priority: prefix.length,
    template: {
      settings: {
        number_of_shards: 1,
        // One replica where there is a second node to hold it; none on a single node (stays green).
        auto_expand_replicas: "0-1",
        refresh_interval: "1s",
        // Every text field (text, npc.question) gets the Korean analyzer.
        analysis: { analyzer: { default: { type: analyzer } } },
      },
      mappings: CHAT_MAPPINGS as never,
      aliases: { [prefix]: {} },
    },
  });
  // The template shapes only indices created after it: the month's index already open gets fields added since
  // (such as `account`) too, or its strict mapping would refuse every line carrying one until the next month.
  const indices = Object.keys(await es.indices.get({ index: `${prefix}-*`, allow_no_indices: true, expand_wildcards: "open", features: ["mappings"] }));
  const refused: RefusedIndex[] = [];
  for (const index of indices) {
    try {
      await es.indices.putMapping({ index, ...(CHAT_MAPPINGS as object) });
    } catch (error) {
      if (!(error instanceof errors.ResponseError) || error.statusCode !== 400) throw error;
      refused.push({ index, reason: String(error.body?.error?.reason ?? error.message) });
    }
  }
  return refused;
}

/**
 * `installTemplate` once Elasticsearch answers, saying which indices refused the mappings; rejects on any other refusal.
 * Each try that finds it away is counted: nothing is indexed meanwhile, and no other number said so.
 */
export async function installTemplateWhenReachable(es: Client, prefix: string, log: Logger): Promise<void> {
  let refused: RefusedIndex[] = [];
  const away = (error: unknown) => {
    const retried = elasticsearchAway(error);
    if (retried) chatIndexTemplateFailures.inc();
    return retried;
  };
  await untilReachable("elasticsearch", async () => void (refused = await installTemplate(es, prefix)), log, { retries: away });
  for (const { index, reason } of refused) {
    log.error("an index of the chat pattern refused the chat mappings: lines meant for it go to the dead letters until it is mended or deleted", { index, reason });
  }
}
