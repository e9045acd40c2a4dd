import type { Client, estypes } from "@elastic/elasticsearch";
import { z } from "zod";

import { closedIndices } from "./closed-indices.js";
import { CHAT_INDEX_PREFIX } from "./index-template.js";

/** An ISO date whose day exists (Date.parse reads `2026-02-30` as March 2, and `123` as the year 123). */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const isIsoDate = (value: string) => {
  const [, year, month, day] = ISO_DATE.exec(value) ?? [];
  if (!year) return false;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) && !Number.isNaN(Date.parse(value));
};

const DAY_MS = 24 * 3600_000;

/** The earliest epoch value taken: a smaller one is seconds (`1796604678`), which as milliseconds is January 1970. */
const EPOCH_FLOOR_MS = Date.UTC(2000, 0, 1);

/**
 * A point in time as an ISO date (`2026-11-25`, `2026-11-25T10:00:00Z`) or epoch milliseconds (10–14 digits, 2000 or
 * later); a time without a zone is UTC, as a date alone is (JavaScript reads it in the server's zone: on a server in
 * KST, 9 hours off). `to` a date alone is the end of that day: `from=D&to=D` is the day D (it was its first instant:
 * nothing found). A zone's `+` sent unencoded arrives as a space (`T09:00:00 09:00`), read as the `+` it was.
 */
const instant = (end: "from" | "to") =>
  z
    .string()
    .transform((value) => value.replace(/(T[\d:.]+) (\d{2}:\d{2})$/, "$1+$2"))
    .refine(
      (value) => /^\d{10,14}$/.test(value) || isIsoDate(value),
      "an ISO date (2026-11-25, 2026-11-25T10:00:00Z, a zone's + sent as %2B) or epoch milliseconds",
    )
    .refine((value) => !/^\d+$/.test(value) || Number(value) >= EPOCH_FLOOR_MS, "epoch milliseconds from 2000 on (946684800000): milliseconds, not seconds?")
    .transform((value) => {
      if (/^\d+$/.test(value)) return Number(value);
      if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(value) + (end === "to" ? DAY_MS - 1 : 0);
      return Date.parse(/T[\d:.]+$/.test(value) ? `${value}Z` : value);
    });

/** The most words a query may have (each one a clause). */
const QUERY_WORDS = 10;

/** Lines are stored composed (common/clean-text.ts): a query typed as separate jamo (NFD) must be too, or it finds none. */
const composed = (text: string) => text.normalize("NFC");

const NOT_A_CURSOR = "not a cursor this search gave: send back its `next` unchanged, with the other parameters the same";

/**
 * A search by toxicity's cursor begins with this name: its three values would fit a search by relevance (score, time,
 * id) too, and paged it from the wrong place, unsaid.
 */
const BY_TOXICITY = "toxicity";

/** One page's last hit, by its sort values; undefined for anything a search did not give. */
function pageAfter(cursor: string): SortValue[] | undefined {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const sortValue = (value: unknown) => typeof value === "string" || typeof value === "number" || value === null;
    return Array.isArray(values) && values.length >= 2 && values.length <= 5 && values.every(sortValue) ? (values as SortValue[]) : undefined;
  } catch {
    return undefined;
  }
}

type SortValue = string | number | null;

/** The cursor's values as the search's sort gave them (a search by toxicity's without its name), or undefined where it does not fit. */
function cursorValues(params: { q?: string; sort?: "toxicity" }, cursor: SortValue[]): SortValue[] | undefined {
  const named = cursor[0] === BY_TOXICITY;
  const values = named ? cursor.slice(1) : cursor;
  return named === (params.sort === "toxicity") && values.length === sortFor(params).length ? values : undefined;
}

/**
 * Newest first, or by relevance then newest, or (`sort=toxicity`) the highest score first, lines without one last;
 * the line's id last breaks ties (lines of one millisecond), so a page ends on one line and the next begins after
 * it. `unmapped_type`: an index made by hand, without the template.
 */
const sortFor = (params: { q?: string; sort?: "toxicity" }): estypes.SortCombinations[] => [
  ...(params.sort === "toxicity" ? [{ toxicity: { order: "desc" as const, missing: "_last", unmapped_type: "float" } }] : []),
  ...(params.q ? ["_score"] : []),
  { "@timestamp": { order: "desc", unmapped_type: "date" } },
  { id: { order: "desc", unmapped_type: "keyword" } },
];

/** A score from 0 to 1 as typed (`0.9`, `.9`, `1`): Number() took "" and " " as 0, and "0x1" as 1. */
const SCORE = /^(0|1)?(\.\d+)?$/;

export const SearchParams = z
  .object({
    q: z
      .string()
      .trim()
      .max(200)
      .transform(composed)
      .refine((q) => queryWords(q).length <= QUERY_WORDS, `at most ${QUERY_WORDS} words (the words after them were left out, unsaid)`)
      .optional(),
    room: z.string().max(64).optional(),
    /** A player's session id or name. */
    player: z.string().max(64).transform(composed).optional(),
    /**
     * A signed-in player's account: every line they said, whatever their sessions and names. Its ends' spaces cut (a
     * copy and paste), as an erasure request's are: no account has them (sign-in refuses such a `sub`).
     */
    account: z.string().trim().max(128).optional(),
    kind: z.enum(["player", "npc", "system", "report"]).optional(),
    /** Players' reports of this player: their account, session id or name (the reporter is `account`/`player`). */
    reported: z.string().trim().max(128).transform(composed).optional(),
    /** `true`: only lines one player heard alone (an NPC that talks in private); `false`: only lines others heard. */
    private: z.enum(["true", "false"]).transform((value) => value === "true").optional(),
    from: instant("from").optional(),
    to: instant("to").optional(),
    size: z.coerce.number().int().min(1).max(100).default(20),
    /**
     * Only lines whose learned toxicity score (moderation/toxicity.ts) is at least this, 0 to 1: a player's lines the
     * server scored; NPC, system and report lines have none, nor lines logged with TOXICITY_MODEL=off.
     */
    minToxicity: z
      .string()
      .trim()
      .refine((value) => value !== "" && SCORE.test(value) && Number(value) <= 1, "a score from 0 to 1, such as 0.9")
      .transform(Number)
      .optional(),
    /** `toxicity`: the highest score first (then newest; lines without one last), instead of newest or most relevant first. */
    sort: z.enum(["toxicity"], { message: "toxicity (the highest score first); leave it out for newest first, or most relevant first with q" }).optional(),
    /** The `next` of the page before: the page after it, the other parameters the same. */
    after: z.string().max(1024).transform((cursor, ctx) => pageAfter(cursor) ?? (ctx.addIssue({ code: "custom", message: NOT_A_CURSOR }), z.NEVER)).optional(),
  })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || p.from <= p.to, { message: "from is after to", path: ["from"] })
  // A cursor holds one value for each sort key: one of a search with q (by relevance) does not fit one without, nor
  // one by toxicity one by time or relevance.
  .refine((p) => p.after === undefined || cursorValues(p, p.after) !== undefined, { message: NOT_A_CURSOR, path: ["after"] });
export type SearchParams = z.infer<typeof SearchParams>;

export interface ChatHit {
  id: string;
  roomId: string;
  kind: string;
  from: string;
  account?: string;
  name: string;
  text: string;
  ts: number;
  replyTo?: string;
  /** The whole of `text`, HTML-escaped (players write it), with matches wrapped in <em>…</em>. */
  highlight?: string;
  npc?: Record<string, unknown>;
  report?: Record<string, unknown>;
  /** Heard by one player alone (ChatLogRecord `private`). */
  private?: true;
  /** A player's line's learned toxicity score, where the server had the model (ChatLogRecord `toxicity`). */
  toxicity?: number;
}

export interface SearchResult {
  total: number;
  hits: ChatHit[];
  /** The page after this one, to send back as `after`; absent on the last page. */
  next?: string;
  /**
   * The closed months of the index whose time overlaps the search's `from`–`to` (an index whose name says no month:
   * always): their lines are not searched, and `total` does not count them.
   */
  closedIndices: string[];
  /**
   * Whether some shards failed (a month's index made by hand, whose `id` cannot be sorted): their lines are neither
   * in `hits` nor counted in `total`, and `failures` says which index and why.
   */
  partial: boolean;
  failures?: ShardFailure[];
}

/** An index a search could not read all of, and why (one entry however many of its shards failed alike). */
export interface ShardFailure {
  index: string;
  reason: string;
}

/**
 * The words of a query: split at spaces, punctuation and symbols taken off their ends ("날씨?", "(날씨)", '"날씨"' are
 * "날씨") but kept inside, where
 * the analyzer keeps it too: "3.14", "naver.com" and "10,000원" are one word of the line each, and their pieces
 * ("14", "com") begin none, so a query split there found nothing.
 */
export function queryWords(q: string): string[] {
  const typed = q.toLowerCase().split(/\s+/).filter(Boolean);
  const words = typed.map((word) => word.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, "")).filter(Boolean);
  // A query of symbols alone ("🖕", "^^") is looked for as typed: left with no word, it found every line.
  return words.length > 0 ? words : typed;
}

/**
 * The words a query word joins with punctuation and no space: between two syllables ("날씨,좋아", "날씨.좋아"), or
 * , ! ? ~ between two letters ("hello,wor"); undefined for one word ("3.14", "naver.com", "10,000원").
 */
export function joinedWords(word: string): string[] | undefined {
  const pieces = word.split(/(?<=[\uac00-\ud7a3])[\p{P}\p{S}]+(?=[\uac00-\ud7a3])|(?<=\p{L})[,!?~]+(?=\p{L})/u).filter(Boolean);
  return pieces.length > 1 ? pieces : undefined;
}

/**
 * Each word of `q` must match a word of the line, as a whole word or as its beginning, since
 * Korean words carry particles: "날씨" finds "날씨가 좋다". Exact words score higher. A word the analyzer splits
 * ("player-7") needs all its pieces: any one of them ("7") found lines that held nothing of the word.
 */
export function searchQuery(params: SearchParams): Record<string, unknown> {
  const wordOrBeginning = (word: string) => [{ match: { text: { query: word, operator: "and", boost: 2 } } }, { prefix: { text: { value: word } } }];
  const must = queryWords(params.q ?? "").map((word) => {
    const pieces = joinedWords(word);
    // …or, two words typed with punctuation and no space between ("날씨,좋아"), each piece as a word or its
    // beginning: the line's words carry particles, and kept whole the query found nothing ("날씨가 좋아요").
    const apart = pieces ? [{ bool: { must: pieces.map((piece) => ({ bool: { should: wordOrBeginning(piece) } })) } }] : [];
    return { bool: { should: [...wordOrBeginning(word), ...apart] } };
  });
  const filter: unknown[] = [];
  if (params.room) filter.push({ term: { roomId: params.room } });
  if (params.player) filter.push({ bool: { should: [{ term: { from: params.player } }, { term: { name: params.player } }] } });
  if (params.account) filter.push({ term: { account: params.account } });
  if (params.kind) filter.push({ term: { kind: params.kind } });
  if (params.reported) {
    filter.push({ bool: { should: ["report.account", "report.player", "report.name"].map((field) => ({ term: { [field]: params.reported } })) } });
  }
  if (params.private === true) filter.push({ term: { private: true } });
  if (params.private === false) filter.push({ bool: { must_not: { term: { private: true } } } });
  if (params.minToxicity !== undefined) filter.push({ range: { toxicity: { gte: params.minToxicity } } });
  if (params.from !== undefined || params.to !== undefined) {
    filter.push({ range: { "@timestamp": { gte: params.from, lte: params.to, format: "epoch_millis" } } });
  }
  return { bool: { must, filter } };
}

export async function searchChat(es: Client, params: SearchParams, prefix = CHAT_INDEX_PREFIX): Promise<SearchResult> {
  const [response, closed] = await Promise.all([
    es.search<Record<string, any>>({
      index: prefix,
      ignore_unavailable: true, // a closed month: searched without it, and named in closedIndices
      allow_no_indices: true,
      size: params.size + 1, // one more than the page: there is a next page only if it comes
      query: searchQuery(params),
      sort: sortFor(params),
      ...(params.after ? { search_after: cursorValues(params, params.after) } : {}),
      // The line's own text is escaped: a player's "<script>" must not run in the admin's browser that shows it.
      highlight: { fields: { text: { number_of_fragments: 0 } }, encoder: "html", pre_tags: ["<em>"], post_tags: ["</em>"] },
      track_total_hits: true,
    }),
    closedIndices(es, prefix),
  ]);
  const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
  const page = response.hits.hits.slice(0, params.size);
  const last = page.at(-1);
  return {
    total,
    hits: page.map((hit) => ({ ...chatHit(hit._source!), ...(hit.highlight?.text ? { highlight: hit.highlight.text[0] } : {}) })),
    ...(response.hits.hits.length > params.size && last?.sort ? { next: cursorOf(params, last.sort) } : {}),
    closedIndices: closed.filter((index) => overlaps(index, prefix, params)),
    ...partOf(response._shards),
  };
}

/** The `next` of a page that ends on a hit with these sort values: a search by toxicity's named so. */
const cursorOf = (params: { sort?: "toxicity" }, sort: SortValue[]) =>
  Buffer.from(JSON.stringify(params.sort === "toxicity" ? [BY_TOXICITY, ...sort] : sort)).toString("base64url");

/**
 * A search answers 200 with the lines of the shards that did not fail: said so, or a month whose lines were left out
 * looked like a player who said nothing there.
 */
function partOf(shards: estypes.ShardStatistics): Pick<SearchResult, "partial" | "failures"> {
  if (shards.failed === 0) return { partial: false };
  const failures = new Map<string, ShardFailure>();
  for (const { index, reason } of shards.failures ?? []) {
    const why = reason.caused_by?.reason ?? reason.reason ?? reason.type;
    failures.set(`${index}\n${why}`, { index: index ?? "unknown", reason: why });
  }
  return { partial: true, failures: [...failures.values()] };
}

/** Whether a month's index (`<prefix>-2026.11`) may hold lines of the search's time; an index named otherwise may. */
function overlaps(index: string, prefix: string, { from, to }: Pick<SearchParams, "from" | "to">): boolean {
  const [, year, month] = /^-(\d{4})\.(\d{2})$/.exec(index.slice(prefix.length)) ?? [];
  if (!year) return true;
  const start = Date.UTC(Number(year), Number(month) - 1, 1);
  const end = Date.UTC(Number(year), Number(month), 1) - 1;
  return (from === undefined || from <= end) && (to === undefined || to >= start);
}

/**
 * A stored line as the search gives it. The indexer stores its time as epoch ms; the Logstash pipeline shipped until
 * session 61, as an ISO string (which Number() made null), and indices it wrote may still hold such lines.
 */
export function chatHit({ "@timestamp": ts, ...doc }: Record<string, unknown>): ChatHit {
  return { ...(doc as unknown as ChatHit), ts: typeof ts === "number" ? ts : Date.parse(String(ts)) };
}
