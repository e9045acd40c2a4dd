import type { Client } from "@elastic/elasticsearch";
import { z } from "zod";

import { CHAT_INDEX_PREFIX } from "./index-template.js";

/** A point in time as an ISO date (`2026-11-25`, `2026-11-25T10:00:00Z`) or epoch milliseconds. */
const instant = z
  .string()
  .refine((value) => /^\d{10,14}$/.test(value) || !Number.isNaN(Date.parse(value)), "an ISO date or epoch milliseconds")
  .transform((value) => (/^\d+$/.test(value) ? Number(value) : Date.parse(value)));

export const SearchParams = z
  .object({
    q: z.string().trim().max(200).optional(),
    room: z.string().max(64).optional(),
    /** A player's session id or name. */
    player: z.string().max(64).optional(),
    kind: z.enum(["player", "npc", "system"]).optional(),
    from: instant.optional(),
    to: instant.optional(),
    size: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || p.from <= p.to, { message: "from is after to", path: ["from"] });
export type SearchParams = z.infer<typeof SearchParams>;

export interface ChatHit {
  id: string;
  roomId: string;
  kind: string;
  from: string;
  name: string;
  text: string;
  ts: number;
  replyTo?: string;
  /** `text` with matches wrapped in <em>…</em>. */
  highlight?: string;
  npc?: Record<string, unknown>;
}

export interface SearchResult {
  total: number;
  hits: ChatHit[];
}

/**
 * Each word of `q` must match a word of the line, as a whole word or as its beginning, since
 * Korean words carry particles: "날씨" finds "날씨가 좋다". Exact words score higher.
 */
export function searchQuery(params: SearchParams): Record<string, unknown> {
  const must = (params.q ?? "")
    .toLowerCase()
    .split(/[\s,.!?~]+/)
    .filter(Boolean)
    .slice(0, 10)
    .map((word) => ({
      bool: { should: [{ match: { text: { query: word, boost: 2 } } }, { prefix: { text: { value: word } } }] },
    }));
  const filter: unknown[] = [];
  if (params.room) filter.push({ term: { roomId: params.room } });
  if (params.player) filter.push({ bool: { should: [{ term: { from: params.player } }, { term: { name: params.player } }] } });
  if (params.kind) filter.push({ term: { kind: params.kind } });
  if (params.from !== undefined || params.to !== undefined) {
    filter.push({ range: { "@timestamp": { gte: params.from, lte: params.to, format: "epoch_millis" } } });
  }
  return { bool: { must, filter } };
}

export async function searchChat(es: Client, params: SearchParams, prefix = CHAT_INDEX_PREFIX): Promise<SearchResult> {
  const response = await es.search<Record<string, any>>({
    index: prefix,
    ignore_unavailable: true,
    allow_no_indices: true,
    size: params.size,
    query: searchQuery(params),
    sort: params.q ? ["_score", { "@timestamp": "desc" }] : [{ "@timestamp": "desc" }],
    highlight: { fields: { text: {} }, pre_tags: ["<em>"], post_tags: ["</em>"] },
    track_total_hits: true,
  });
  const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
  return {
    total,
    hits: response.hits.hits.map((hit) => {
      const { "@timestamp": ts, ...doc } = hit._source!;
      return { ...(doc as ChatHit), ts: Number(ts), ...(hit.highlight?.text ? { highlight: hit.highlight.text[0] } : {}) };
    }),
  };
}
