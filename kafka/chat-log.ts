import { z } from "zod";

import { ANSWER_SOURCES, ContractError, MODEL_NAME_MAX, parseMessage } from "./contract.js";

/**
 * One record per chat line (player, npc, system) and per player's report of another, published to the chat-log
 * topic for search (Elasticsearch) and analytics (HDFS/Spark). An NPC line carries its question and how it was
 * answered. `id` is the line's id: consumers use it to never store a line twice.
 */
export const CHAT_LOG_VERSION = 1;
export const DEFAULT_CHAT_LOG_TOPICS = { log: "chat.log", dead: "chat.log.dead" } as const;

export const NpcAnswerInfo = z.object({
  questionId: z.string().min(1).max(64),
  question: z.string().max(400),
  /**
   * The asker's account, when they signed in: the erasure finds the answer by it (chatlog/erase-account.ts). By its
   * question's line alone, an answer indexed after that line was erased (a lagging indexer) kept the question for good.
   */
  asker: z.string().max(128).optional(),
  /** From the question entering the room to the answer back in it. */
  latencyMs: z.number().nonnegative(),
  /** Time the worker spent; absent for fallbacks without an answer. */
  workerMs: z.number().nonnegative().optional(),
  model: z.string().max(MODEL_NAME_MAX).optional(),
  /** The model's confidence in its answer (mean log-probability per token, ≤ 0). */
  confidence: z.number().max(0).optional(),
  /** The model's answer the NPC did not say (reason `unsure` or `moderated_output`): what retraining should look at. */
  withheld: z.string().max(2000).optional(),
  /**
   * Where the said line's words came from (contract.ts ANSWER_SOURCES: `composed` ones are the model's own); absent
   * on the room's own lines (fallbacks, and the safe line said for a `moderated_output`).
   */
  source: z.enum(ANSWER_SOURCES).optional(),
  /** The game action sent to the asker with the line (its knowledge line's `action`). */
  action: z.string().max(64).optional(),
  /** True when the NPC said a fallback line instead of an answer. */
  fallback: z.boolean(),
  /**
   * Why it fell back: `npc_timeout`, `npc_unavailable`, `moderated_input` (a refusal), `moderated_output`
   * (a safe line), `unsure` (the model was not sure of its answer; the NPC said one of its unsure lines).
   */
  reason: z.string().max(40).optional(),
});
export type NpcAnswerInfo = z.infer<typeof NpcAnswerInfo>;

/**
 * On a player's report of another (kind `report`): the record's from, account and name are the reporter's, its text
 * the reason, and its id the report's in the moderators' list (GET /api/reports; filed again, a report gets a new id).
 */
export const ReportInfo = z.object({
  player: z.string().max(64),
  account: z.string().max(128).optional(),
  name: z.string().max(40),
  /** The reported player's lines the report points at (their chat log ids), oldest first. */
  lineIds: z.array(z.string().max(64)).max(10),
});
export type ReportInfo = z.infer<typeof ReportInfo>;

export const ChatLogRecord = z.object({
  v: z.literal(CHAT_LOG_VERSION),
  id: z.string().min(1).max(64),
  roomId: z.string().min(1).max(64),
  serverId: z.string().max(64),
  /** A line said (player, npc, system), or a player's report of another (`report`: its text is the reason). */
  kind: z.enum(["player", "npc", "system", "report"]),
  /** Player session id or NPC id; empty for system lines. */
  from: z.string().max(64),
  /** On a signed-in player's line: their account (server/player-accounts.ts), which stays when the session id changes. */
  account: z.string().max(128).optional(),
  name: z.string().max(40),
  text: z.string().max(2000),
  /**
   * Milliseconds since the Unix epoch, up to the last a Date holds (a record past it has no day to be stored under);
   * the indexers store none before 2024 or more than a day ahead (implausibleTs).
   */
  ts: z.number().int().nonnegative().max(8.64e15),
  replyTo: z.string().max(64).optional(),
  /** True when moderation stopped this line (a player's line nobody saw) or replaced it (an NPC's answer). */
  moderated: z.boolean().optional(),
  /**
   * On a player's line, where the server has the learned toxicity model (TOXICITY_MODEL): its score in [0, 1], the line
   * refused or not (refused by it alone: `moderated` and a score at or above TOXICITY_BAR).
   */
  toxicity: z.number().min(0).max(1).optional(),
  /** On a player's line addressed to an NPC: which one. */
  toNpc: z.string().max(32).optional(),
  /** On an NPC's answer. */
  npc: NpcAnswerInfo.optional(),
  /**
   * On an NPC line no question asked for: a greeting as a player comes near, an idle line, its reply to a bare call of
   * its name, or its line for a game event the backend fired.
   */
  unasked: z.enum(["greeting", "idle", "call", "event"]).optional(),
  /** With unasked `event`: the event's id. */
  event: z.string().max(64).optional(),
  /**
   * On a line only one player heard: what they said to an NPC that talks in private (world file `privateTalk`), its
   * answer, and its reply to their call. Search and analytics can keep such lines apart from what a room heard.
   */
  private: z.literal(true).optional(),
  /** On a report: whom it reports. */
  report: ReportInfo.optional(),
});
export type ChatLogRecord = z.infer<typeof ChatLogRecord>;

/**
 * Whether a record is an erased player's (their erasure, server/http/erasure-routes.ts): written by their account, an NPC's
 * answer naming them as its asker, or an answer to one of `lines` (their lines' ids, for answers without an asker).
 */
export function erasedWith(account: string, lines: ReadonlySet<string>): (record: ChatLogRecord) => boolean {
  return (record) => record.account === account || record.npc?.asker === account || (record.replyTo !== undefined && lines.has(record.replyTo));
}

/** The records of `records` an erasure of `account` leaves: not theirs, nor the NPCs' answers to them. */
export function withoutAccount(records: ChatLogRecord[], account: string): ChatLogRecord[] {
  const theirs = erasedWith(account, new Set(records.filter((record) => record.account === account).map((record) => record.id)));
  return records.filter((record) => !theirs(record));
}

/**
 * A chat-log record from the topic, every field of it known here: the schema drops fields it does not know, and an
 * indexer a release behind the servers indexed their records without them, without a word (without `account`, an
 * erasure missed the line; without `private`, a private line showed as heard by all). Such a record is refused: a
 * dead letter, to redrive once the indexer is upgraded.
 */
export function parseChatLogRecord(payload: Buffer | null): ChatLogRecord {
  const record = parseMessage(ChatLogRecord, payload);
  const unknown = droppedFields(JSON.parse(payload!.toString()), record);
  if (unknown.length > 0) throw new NewerRecordError(unknown);
  return record;
}

/** A chat-log record with fields this version does not know: a newer server's, for a newer indexer (or redrive). */
export class NewerRecordError extends ContractError {
  constructor(readonly fields: string[]) {
    super(`fields this version does not know (a newer server's: upgrade, then redrive): ${fields.join(", ")}`);
  }
}

/** The fields of `raw`, nested ones as `a.b`, that parsing it left out of `parsed`. */
function droppedFields(raw: unknown, parsed: unknown, at = ""): string[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || typeof parsed !== "object" || parsed === null) return [];
  return Object.entries(raw).flatMap(([key, value]) =>
    key in parsed ? droppedFields(value, (parsed as Record<string, unknown>)[key], `${at}${key}.`) : [`${at}${key}`],
  );
}

/**
 * The earliest `ts` a chat line can have: the project's first year. A record's `ts` names its monthly index
 * (chatlog/index-template.ts indexFor), which the indexer creates: 42 records of odd times made 42 one-shard indices
 * (kobot-chat-1970.01, kobot-chat-275760.09, ...) and, at the node's shard limit, a real line of a new month was refused.
 * A fixed floor, not the time the record was taken: a redrive sends old records back with a fresh append time.
 */
export const EARLIEST_CHAT_TS = Date.UTC(2024, 0, 1);
/** How far past the time it was taken a record's `ts` may be: a server's clock a few hours ahead still logs its lines. */
export const CHAT_TS_AHEAD_MS = 24 * 60 * 60 * 1000;

/**
 * Why `ts` cannot be a chat line's, the record taken at `takenAt` (its broker's append time, or this process's clock
 * in the embedded chat log); undefined when it can be.
 */
export function implausibleTs(ts: number, takenAt: number): string | undefined {
  const at = (ms: number) => new Date(ms).toISOString();
  if (ts < EARLIEST_CHAT_TS) return `ts ${at(ts)} is before ${at(EARLIEST_CHAT_TS)}, older than any chat line: junk, or a clock far behind`;
  if (ts > takenAt + CHAT_TS_AHEAD_MS) return `ts ${at(ts)} is more than a day after the record was taken (${at(takenAt)}): junk, or a clock far ahead`;
  return undefined;
}

/** A record nobody could store, with the reason; kept on the dead-letter topic for a person to look at. */
export interface DeadLetter {
  /** The payload as received (a record, or raw text that was not one). */
  payload: string;
  reason: string;
  /** The record it was read as, when it was one: the Kafka indexer sends on the bytes it came in (fields this version does not know included). */
  record?: ChatLogRecord;
}
