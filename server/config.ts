import { createHash, randomBytes } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

import { isLogLevel } from "../common/log.js";
import { DEFAULT_CHAT_LOG_TOPICS } from "../kafka/chat-log.js";
import { DEFAULT_TOPICS } from "../kafka/contract.js";
import { answerGroupOf } from "../kafka/kafka-question-channel.js";
import { DEFAULT_RETENTION_HOURS } from "../kafka/topic-retention.js";
import { DEFAULT_WORD_LIST, Moderator } from "../moderation/moderator.js";
import { DEFAULT_TOXICITY_MODEL, ToxicityModel } from "../moderation/toxicity.js";
import { DEFAULT_MAX_BATCH } from "../npc/worker/answer-queue.js";
import { canonicalFolder, DEFAULT_MODEL_DIR, LOAD_WITHIN_MS, MODEL_DTYPES, type ModelDtype } from "../npc/engine/model-folder.js";
import { ActionReceipts } from "../rooms/npc/action-receipts.js";
import { DEFAULT_NPC, DEFAULT_WORLD_SETTINGS, type WorldSettings } from "../rooms/world-settings.js";
import type { NpcBrainSpec } from "../npc/npc-cast.js";
import { DEFAULT_SETTLE_MS, type WatchOptions } from "./world-files/file-watch.js";
import { DEFAULT_MAX_TOKEN_DAYS, PlayerAccounts } from "./player-accounts.js";
import { signingSecret } from "./signing-secret.js";
import { loadWorldFile, WorldFileError } from "./world-files/world-file.js";

/** The village of worlds/village.yaml: three NPCs. */
export const DEFAULT_WORLD_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "worlds", "village.yaml");

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A signing secret (AUTH_SECRET, ACTION_SECRET), as `npm run token` checks it too. */
const secret = signingSecret;
/** A name Kafka takes for a topic: one it refuses was retried for ever, as if the broker were away. */
const topic = (name: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, "letters, digits, '.', '_' and '-' only, at most 249")
    .refine((topic) => topic !== "." && topic !== "..", "not '.' or '..'")
    .default(name);

/** What a SERVER_ID may be: the contract's replyTo and the chat log's serverId hold at most 64 such characters. */
const SERVER_ID_RULE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `<hostname>-<suffix>` made to fit SERVER_ID_RULE: a pod's hostname may be 63 characters, and an id over 64 made the
 * workers refuse every question (so no answer could be addressed back) and dead-lettered every chat line. A hostname
 * cut short keeps a hash of the whole, so two long ones that share a beginning still differ.
 */
export function defaultServerId(host: string, suffix: string): string {
  const tail = `-${suffix}`;
  const name = host.replace(/[^A-Za-z0-9._-]/g, "-") || "server";
  if (name.length + tail.length <= 64) return name + tail;
  const hash = createHash("sha256").update(host).digest("hex").slice(0, 8);
  return `${name.slice(0, 64 - tail.length - hash.length - 1)}.${hash}${tail}`;
}

/**
 * Every setting comes from the environment, validated here once with a clear error naming the
 * variable. The README's table lists the same variables (a test keeps them in step).
 */
/**
 * A folder setting ("off" disables what it keeps): "off " or '"off"' (an env file's quotes kept) was a folder of that
 * name, keeping the players' words meant to be off.
 */
const folderSetting = z
  .string()
  .min(1)
  .refine((dir) => dir === dir.trim() && !/^["'].*["']$/.test(dir), "no spaces or quotes around it");

export const ENV_SCHEMA = z.object({
  PORT: int(0, 65535).default(2567),
  HOST: z.string().regex(/^[^\s"']+$/, "an address or host name, no spaces or quotes").default("0.0.0.0"),
  /** Comma-separated `host:port` list; unset runs the embedded default (in-process NPC worker). */
  KAFKA_BROKERS: z.string().optional(),
  KAFKA_QUESTION_TOPIC: topic(DEFAULT_TOPICS.question),
  KAFKA_ANSWER_TOPIC: topic(DEFAULT_TOPICS.answer),
  KAFKA_WORKER_GROUP: z.string().min(1).default("kobot-npc-workers"),
  CHAT_LOG_TOPIC: topic(DEFAULT_CHAT_LOG_TOPICS.log),
  CHAT_DEAD_LETTER_TOPIC: topic(DEFAULT_CHAT_LOG_TOPICS.dead),
  KAFKA_INDEXER_GROUP: z.string().min(1).default("kobot-chat-indexer"),
  /**
   * How long the topics this creates keep records (questions, answers, the chat log and its dead letters: players'
   * words, which a player's erasure request cannot take out of Kafka). Long enough to outlast the indexer's and the
   * archive job's longest outage; topics that exist keep theirs.
   */
  KAFKA_RETENTION_HOURS: z.coerce.number().min(0.1).max(24 * 365).default(DEFAULT_RETENTION_HOURS),
  /** Elasticsearch for the chat log and its search API; unset: no search (the chat still works). */
  ES_URL: z.url({ protocol: /^https?$/ }).optional(),
  ES_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,60}$/, "lower-case letters, digits, '_' and '-'")
    .default("kobot-chat"),
  /** Embedded default: where the chat archive goes (daily JSON-lines files, read by analytics/); "off" disables it. */
  DATA_DIR: folderSetting.default("data"),
  /**
   * A Kafka NPC worker's record of the questions its brain runs, kept past its death (npc/worker/in-flight-record.ts);
   * default: per group under the system's temporary folder. "off" disables it.
   */
  NPC_WORKER_STATE_DIR: folderSetting.optional(),
  /** Basic-auth credentials for admin routes (chat search, monitor, moderation); unset: admin routes are off. */
  ADMIN_USER: z.string().min(1).max(100).optional(),
  /**
   * 12 characters at least, no spaces at its ends (pasted, which a browser's login would not send), and not the user's
   * name: 8 let "12345678" in, found by the 3rd guess of an address's 5 a minute.
   */
  ADMIN_PASSWORD: z.string().min(12, "at least 12 characters").max(200).refine((text) => text === text.trim(), "no spaces at its ends").optional(),
  /** Stable id of this server process: its answers are addressed to it. */
  SERVER_ID: z.string().regex(SERVER_ID_RULE, "letters, digits, '.', '_' and '-' only, at most 64").optional(),
  /** Several server processes share rooms through Redis (presence and matchmaking driver). */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /**
   * host:port clients use to reach this process (needed with REDIS_URL and several processes), with a path behind a
   * proxy that routes it to this process (game.example.com/server-1: ops/nginx/world-servers.conf.template).
   */
  PUBLIC_ADDRESS: z.string().regex(/^[^\s/:]+(:\d{1,5})?(\/[\w.~-]+)*$/, "host, host:port or host:port/path").optional(),
  MAX_CLIENTS: int(1, 1000).default(DEFAULT_WORLD_SETTINGS.maxClients),
  MAX_ROOMS: int(1, 100_000).default(DEFAULT_WORLD_SETTINGS.maxRooms),
  /** Seats one address may have reserved by matchmaking and not yet taken (0: no cap); see rooms/players/waiting-seats.ts. */
  JOINS_WAITING_PER_ADDRESS: int(0, 1000).default(DEFAULT_WORLD_SETTINGS.joinsWaitingPerAddress),
  /** Colyseus's own: how long a seat matchmaking reserved waits for its WebSocket, in seconds (it read "15s" as no time). */
  COLYSEUS_SEAT_RESERVATION_TIME: z.coerce.number().min(1).max(600).default(15),
  /** Proxies in front that each append to X-Forwarded-For, where players' addresses are read (client-address.ts). */
  TRUST_PROXY: int(0, 10).default(0),
  /** Open sockets one client address may hold, behind TRUST_PROXY its WebSockets (0: no cap; private networks are not capped). */
  CONNECTIONS_PER_ADDRESS: int(0, 100_000).default(64),
  CHAT_HISTORY: int(1, 1000).default(DEFAULT_WORLD_SETTINGS.chatHistory),
  NPC_ID: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, "lower-case letters, digits, '_' and '-' only, at most 32")
    .default(DEFAULT_NPC.id),
  NPC_NAME: z.string().min(1).max(20).default(DEFAULT_NPC.name),
  /** Several NPCs, their places, knowledge, models and hearing range (JSON or YAML); "off": one NPC from NPC_ID/NPC_NAME. */
  WORLD_FILE: z.string().min(1).default(DEFAULT_WORLD_FILE),
  /** How long an edited world or knowledge file must stay still before it is read (a tool that writes it in pieces). */
  FILE_SETTLE_MS: int(10, 60_000).default(DEFAULT_SETTLE_MS),
  NPC_TIMEOUT_MS: int(100, 600_000).default(DEFAULT_WORLD_SETTINGS.questionTimeoutMs),
  CHAT_BURST: int(1, 1000).default(DEFAULT_WORLD_SETTINGS.chatRate.burst),
  CHAT_LINES_PER_SECOND: z.coerce.number().min(0.001, "at least 0.001 (one every 17 minutes): a smaller rate never refills").max(1000).default(DEFAULT_WORLD_SETTINGS.chatRate.perSecond),
  /**
   * Players' worth of lines (and reports) the players of one client address may say between them in all this process's
   * rooms together, not in each: spreading over rooms does not multiply them (0: no such cap).
   */
  CHAT_ADDRESS_SHARE: int(0, 1000).default(DEFAULT_WORLD_SETTINGS.chatAddressShare),
  /** Distinct players whose reports of one player within 10 minutes mute that player by themselves (0: off). */
  REPORTS_TO_MUTE: int(0, 1000).default(DEFAULT_WORLD_SETTINGS.reportsToMute.reporters),
  REPORT_MUTE_MINUTES: int(1, 7 * 24 * 60).default(DEFAULT_WORLD_SETTINGS.reportsToMute.muteMinutes),
  QUESTION_BURST: int(1, 1000).default(DEFAULT_WORLD_SETTINGS.questionRate.burst),
  QUESTIONS_PER_SECOND: z.coerce.number().min(0.001, "at least 0.001 (one every 17 minutes): a smaller rate never refills").max(1000).default(DEFAULT_WORLD_SETTINGS.questionRate.perSecond),
  NPC_QUEUE_MAX: int(1, 100_000).default(DEFAULT_WORLD_SETTINGS.npcQueue.capacity),
  /** Whose turns an NPC's queue takes round-robin: client addresses' (players of one share a turn) or players'. */
  NPC_TURNS_BY: z.enum(["address", "player"]).default(DEFAULT_WORLD_SETTINGS.npcQueue.turnsBy),
  NPC_MAX_BATCH: int(1, 64).default(DEFAULT_MAX_BATCH),
  MODEL_LOAD_TIMEOUT_MS: int(1000, 3_600_000).default(LOAD_WITHIN_MS),
  MODEL_DIR: z.string().min(1).default(DEFAULT_MODEL_DIR).transform(canonicalFolder),
  MODEL_DTYPE: z.enum(MODEL_DTYPES).optional(), // unset: the engine picks (q8 where the model has its graphs)
  /** NPC worker and chat indexer: serve /metrics on this port (the server has /metrics on PORT). */
  METRICS_PORT: int(1, 65535).optional(),
  /** Set: /metrics answers only `Authorization: Bearer <this>` (every process); unset: /metrics is public. */
  METRICS_TOKEN: z.string().min(16, "at least 16 characters").max(200).regex(/^\S+$/, "no spaces").optional(),
  /** Set: the game's backend calls its routes (POST /api/events) with `Authorization: Bearer <this>`, not an admin's login. */
  BACKEND_TOKEN: z.string().min(32, "at least 32 characters").max(200).regex(/^\S+$/, "no spaces").optional(),
  /** Players sign in with the game's login: joins need a token (JWT) signed with this secret (HS256/384/512). */
  AUTH_SECRET: secret(),
  /** …or signed by the private half of this PEM public key (RS256, ES256, EdDSA…), for a login service that keeps its key. */
  AUTH_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** With AUTH_SECRET or AUTH_PUBLIC_KEY_FILE: a token's `iss` must be this. */
  AUTH_ISSUER: z.string().min(1).max(500).optional(),
  /** With AUTH_SECRET or AUTH_PUBLIC_KEY_FILE: a token's `aud` must hold this. */
  AUTH_AUDIENCE: z.string().min(1).max(500).optional(),
  /** The furthest ahead a sign-in token's `exp` may be, in days: one good for longer is refused. */
  AUTH_MAX_TOKEN_DAYS: int(1, 365).default(DEFAULT_MAX_TOKEN_DAYS),
  /** Set: each `npc_action` carries a receipt signed with this secret, for the game's backend to trust the action. */
  ACTION_SECRET: secret(),
  /** How long an action receipt is good for, in seconds. */
  ACTION_RECEIPT_SECONDS: int(10, 86_400).default(300),
  /** Banned-word list for player lines and NPC answers (moderation/words.ko.txt format); "off" disables moderation. */
  MODERATION_WORDS: z.string().min(1).default(DEFAULT_WORD_LIST),
  /** The learned toxicity score's model (moderation/toxicity.json format), logged on each player line; "off": none. */
  TOXICITY_MODEL: z.string().min(1).default(DEFAULT_TOXICITY_MODEL),
  /** Player lines scoring at or above this are refused as a listed word is; "off" (the default): the score is only logged. */
  TOXICITY_BAR: z
    .union([z.literal("off"), z.coerce.number().min(0.5, "at least 0.5 (below it the score refuses most everyday lines)").max(1, "at most 1 (a score is never above 1)")])
    .default("off"),
  LOG_LEVEL: z.string().refine(isLogLevel, "one of debug, info, warn, error, silent").default("info"),
});

export type Env = z.infer<typeof ENV_SCHEMA>;

/** The Kafka settings of every process, each taking its part (KAFKA_BROKERS unset: undefined, the embedded default). */
export interface KafkaSettings {
  brokers: string[];
  topics: { question: string; answer: string };
  workerGroup: string;
  chatLog: { log: string; dead: string };
  indexerGroup: string;
  /** KAFKA_RETENTION_HOURS: how long the topics this process creates keep records. */
  retentionMs: number;
}

export interface ServerConfig extends NpcsConfig {
  port: number;
  host: string;
  serverId: string;
  kafka: KafkaSettings | undefined;
  elasticsearch: { url: string; indexPrefix: string } | undefined;
  admin: { user: string; password: string } | undefined;
  metricsPort: number | undefined;
  metricsToken: string | undefined;
  /** The game's backend's bearer token for its routes (BACKEND_TOKEN); undefined: admins only. */
  backendToken: string | undefined;
  redisUrl: string | undefined;
  /** Chat archive folder of the embedded default, or undefined when off. */
  archiveDir: string | undefined;
  /** Without Redis: the folder whose files keep mutes, bans, players' reports and whom NPCs met across restarts (server/stores/kept-presence.ts). */
  keptDir: string | undefined;
  publicAddress: string | undefined;
  /** Proxies in front (0: none): players' addresses are read from X-Forwarded-For, that many entries from its end. */
  trustedProxies: number;
  /** Open sockets one client address may hold (server/http/connection-cap.ts); 0: no cap. */
  connectionsPerAddress: number;
  /** How long Colyseus holds a seat matchmaking reserved for its WebSocket (its COLYSEUS_SEAT_RESERVATION_TIME). */
  seatReservationMs: number;
  world: WorldSettings;
  /** Players' accounts from signed tokens (AUTH_SECRET or AUTH_PUBLIC_KEY_FILE); undefined: anyone joins. */
  accounts: PlayerAccounts | undefined;
  /** Signs NPC actions' receipts (ACTION_SECRET); undefined: actions carry none. */
  actionReceipts: ActionReceipts | undefined;
}

/** Variables whose values a configuration error does not print (the process's stderr goes to logs). */
const SECRET_NAMES = ["ADMIN_PASSWORD", "METRICS_TOKEN", "BACKEND_TOKEN", "AUTH_SECRET", "ACTION_SECRET"] as const;
const SECRETS = new Set<string>(SECRET_NAMES);

/**
 * Two secret settings with one value are refused, each pair named, never the value: each is handed to someone else
 * (the metrics scraper, the game's backend, the login), and one secret would open the other's door. AUTH_SECRET ==
 * ACTION_SECRET made a receipt for an NPC's action a sign-in token for its player's account; METRICS_TOKEN ==
 * BACKEND_TOKEN let the scraper post events.
 */
function checkDistinctSecrets(e: Pick<Env, (typeof SECRET_NAMES)[number]>): void {
  const pairs: string[] = [];
  SECRET_NAMES.forEach((name, i) => {
    for (const other of SECRET_NAMES.slice(i + 1)) {
      if (e[name] !== undefined && e[name] === e[other]) pairs.push(`${name} and ${other}: the same secret; each needs its own`);
    }
  });
  if (pairs.length > 0) throw new ConfigError(`bad configuration:\n  ${pairs.join("\n  ")}`);
}

/**
 * A URL's user and password (REDIS_URL, ES_URL: redis://:pw@host) left out of what an error prints, as a secret's: up
 * to the last `@`, as a password with a raw `/`, `@` or space (what makes such a URL invalid) was printed whole or in
 * part. One value at a time: masking too much of it is fine.
 */
const withoutPassword = (value: string) => value.replace(/\/\/.*@/gs, "//***@");

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * The world server's configuration: every variable of ENV_SCHEMA. The other processes read their own part alone
 * (loadWorkerConfig, loadIndexerConfig, loadRedriveConfig): the chat indexer stopped on a world file it never reads.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const e = readEnv(env, Object.keys(ENV_SCHEMA.shape) as (keyof Env)[]);
  if ((e.ADMIN_USER === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("bad configuration:\n  ADMIN_USER and ADMIN_PASSWORD: set both, or neither (admin routes off)");
  }
  if (e.ADMIN_USER !== undefined && e.ADMIN_USER.toLowerCase() === e.ADMIN_PASSWORD?.toLowerCase()) {
    // The first guess of anyone who knows (or guesses) the user's name; neither value is shown.
    throw new ConfigError("bad configuration:\n  ADMIN_PASSWORD: the same as ADMIN_USER (letter case aside); choose a password of its own");
  }
  checkDistinctSecrets(e);
  const brokers = brokersFrom(e);
  checkTopics(e);
  checkGroups(e);
  const dataDir = e.DATA_DIR.toLowerCase() === "off" ? undefined : e.DATA_DIR;
  const npcs = npcPart(e, toxicityFrom(e));
  const accounts = accountsFrom(e);
  return {
    port: e.PORT,
    host: e.HOST,
    // PORT=0 (any free port) would give every such server the same id: a random suffix instead.
    serverId: e.SERVER_ID ?? defaultServerId(hostname(), e.PORT === 0 ? randomBytes(3).toString("hex") : String(e.PORT)),
    kafka: brokers && {
      brokers,
      topics: { question: e.KAFKA_QUESTION_TOPIC, answer: e.KAFKA_ANSWER_TOPIC },
      workerGroup: e.KAFKA_WORKER_GROUP,
      chatLog: { log: e.CHAT_LOG_TOPIC, dead: e.CHAT_DEAD_LETTER_TOPIC },
      indexerGroup: e.KAFKA_INDEXER_GROUP,
      retentionMs: retentionMs(e),
    },
    elasticsearch: e.ES_URL ? { url: e.ES_URL, indexPrefix: e.ES_INDEX_PREFIX } : undefined,
    admin: e.ADMIN_USER && e.ADMIN_PASSWORD ? { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD } : undefined,
    metricsPort: e.METRICS_PORT,
    metricsToken: e.METRICS_TOKEN,
    backendToken: e.BACKEND_TOKEN,
    redisUrl: e.REDIS_URL,
    archiveDir: dataDir && join(dataDir, "chat-log"),
    keptDir: e.REDIS_URL ? undefined : dataDir,
    publicAddress: e.PUBLIC_ADDRESS,
    trustedProxies: e.TRUST_PROXY,
    connectionsPerAddress: e.CONNECTIONS_PER_ADDRESS,
    seatReservationMs: e.COLYSEUS_SEAT_RESERVATION_TIME * 1000,
    accounts,
    actionReceipts: e.ACTION_SECRET ? new ActionReceipts(e.ACTION_SECRET, e.ACTION_RECEIPT_SECONDS) : undefined,
    ...npcs,
    world: {
      ...DEFAULT_WORLD_SETTINGS,
      ...npcs.world,
      maxClients: e.MAX_CLIENTS,
      maxRooms: e.MAX_ROOMS,
      joinsWaitingPerAddress: e.JOINS_WAITING_PER_ADDRESS,
      chatHistory: e.CHAT_HISTORY,
      chatRate: { burst: e.CHAT_BURST, perSecond: e.CHAT_LINES_PER_SECOND },
      chatAddressShare: e.CHAT_ADDRESS_SHARE,
      questionRate: { burst: e.QUESTION_BURST, perSecond: e.QUESTIONS_PER_SECOND },
      reportsToMute: { ...DEFAULT_WORLD_SETTINGS.reportsToMute, reporters: e.REPORTS_TO_MUTE, muteMinutes: e.REPORT_MUTE_MINUTES },
      // Two batches' worth with the brain: the next batch already waits at the worker while one is generated,
      // so the brain does not sit idle while answers travel back and the room sends the next questions.
      npcQueue: { capacity: e.NPC_QUEUE_MAX, concurrency: 2 * e.NPC_MAX_BATCH, turnsBy: e.NPC_TURNS_BY },
    },
  };
}

const KAFKA = ["KAFKA_BROKERS", "KAFKA_RETENTION_HOURS"] as const;
const CHAT_LOG_TOPICS = ["CHAT_LOG_TOPIC", "CHAT_DEAD_LETTER_TOPIC"] as const;
const METRICS = ["METRICS_PORT", "METRICS_TOKEN"] as const;
/** Both groups, read by the worker and the indexer alike: each checks its own against the other's (checkGroups). */
const GROUPS = ["KAFKA_WORKER_GROUP", "KAFKA_INDEXER_GROUP"] as const;
/** What the NPCs are and answer with: the world file, the word list their knowledge is checked with, the models. */
const NPCS = ["WORLD_FILE", "FILE_SETTLE_MS", "NPC_ID", "NPC_NAME", "NPC_TIMEOUT_MS", "NPC_MAX_BATCH", "MODEL_LOAD_TIMEOUT_MS", "MODEL_DIR", "MODEL_DTYPE", "MODERATION_WORDS"] as const;

/** What an NPC worker (npc/worker/worker-main.ts) reads: the world server's settings of rooms, players and HTTP are not its. */
export interface WorkerConfig extends NpcsConfig {
  kafka: Pick<KafkaSettings, "brokers" | "topics" | "workerGroup" | "retentionMs"> | undefined;
  metricsPort: number | undefined;
  metricsToken: string | undefined;
  /** Where the worker records what its brain runs (NPC_WORKER_STATE_DIR); undefined: off. */
  stateDir: string | undefined;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = readEnv(env, [...KAFKA, "KAFKA_QUESTION_TOPIC", "KAFKA_ANSWER_TOPIC", ...GROUPS, "NPC_WORKER_STATE_DIR", ...METRICS, ...NPCS, "LOG_LEVEL"]);
  const brokers = brokersFrom(e);
  checkTopics(e);
  checkGroups(e);
  // Per group: two deployments' workers on one host must not count each other's deaths.
  const stateDir = e.NPC_WORKER_STATE_DIR ?? join(tmpdir(), "kobot-npc-worker", e.KAFKA_WORKER_GROUP.replace(/[^\w.-]/g, "_"));
  return {
    kafka: brokers && { brokers, topics: { question: e.KAFKA_QUESTION_TOPIC, answer: e.KAFKA_ANSWER_TOPIC }, workerGroup: e.KAFKA_WORKER_GROUP, retentionMs: retentionMs(e) },
    metricsPort: e.METRICS_PORT,
    metricsToken: e.METRICS_TOKEN,
    stateDir: stateDir.toLowerCase() === "off" ? undefined : stateDir,
    ...npcPart(e),
  };
}

/** What a chat indexer (chatlog/indexer-main.ts) reads: Kafka's chat log and Elasticsearch, no world. */
export interface IndexerConfig {
  kafka: Pick<KafkaSettings, "brokers" | "chatLog" | "indexerGroup" | "retentionMs"> | undefined;
  elasticsearch: { url: string; indexPrefix: string } | undefined;
  metricsPort: number | undefined;
  metricsToken: string | undefined;
}

export function loadIndexerConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const e = readEnv(env, [...KAFKA, ...CHAT_LOG_TOPICS, ...GROUPS, "ES_URL", "ES_INDEX_PREFIX", ...METRICS, "LOG_LEVEL"]);
  const brokers = brokersFrom(e);
  checkTopics(e);
  checkGroups(e);
  return {
    kafka: brokers && { brokers, chatLog: { log: e.CHAT_LOG_TOPIC, dead: e.CHAT_DEAD_LETTER_TOPIC }, indexerGroup: e.KAFKA_INDEXER_GROUP, retentionMs: retentionMs(e) },
    elasticsearch: e.ES_URL ? { url: e.ES_URL, indexPrefix: e.ES_INDEX_PREFIX } : undefined,
    metricsPort: e.METRICS_PORT,
    metricsToken: e.METRICS_TOKEN,
  };
}

/** What `npm run chatlog:redrive` (chatlog/redrive-main.ts) reads: the chat log's two topics. */
export interface RedriveConfig {
  kafka: Pick<KafkaSettings, "brokers" | "chatLog" | "retentionMs"> | undefined;
}

export function loadRedriveConfig(env: NodeJS.ProcessEnv = process.env): RedriveConfig {
  const e = readEnv(env, [...KAFKA, ...CHAT_LOG_TOPICS]); // its log is at warn, whatever LOG_LEVEL says
  const brokers = brokersFrom(e);
  checkTopics(e);
  return { kafka: brokers && { brokers, chatLog: { log: e.CHAT_LOG_TOPIC, dead: e.CHAT_DEAD_LETTER_TOPIC }, retentionMs: retentionMs(e) } };
}

/**
 * The variables `names` of the environment, checked against ENV_SCHEMA (one bad stops the process, each named with its
 * value and the rule); the others are not read, so a process is not stopped by a setting of another's.
 */
function readEnv<K extends keyof Env>(env: NodeJS.ProcessEnv, names: readonly K[]): Pick<Env, K> {
  // An empty variable means unset, as in most shells' `VAR= cmd`; so does one of spaces alone (an env file's stray
  // space), which a number would read as 0: for several limits, no limit at all.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""));
  const schema = z.object(Object.fromEntries(names.map((name) => [name, ENV_SCHEMA.shape[name]])));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      // A secret's value goes to the logs with the error: its length says enough to mend it.
      const value = SECRETS.has(name) ? `<${[...(env[name] ?? "")].length} characters, not shown>` : JSON.stringify(withoutPassword(env[name] ?? ""));
      return `${name}=${value}: ${issue.message}`;
    });
    throw new ConfigError(`bad configuration:\n  ${lines.join("\n  ")}`);
  }
  return parsed.data as unknown as Pick<Env, K>;
}

/** KAFKA_BROKERS as a list; undefined when unset (the embedded default). */
function brokersFrom(e: Pick<Env, "KAFKA_BROKERS">): string[] | undefined {
  const brokers = e.KAFKA_BROKERS?.split(",").map((b) => b.trim()).filter(Boolean);
  const port = (broker: string) => Number(/^[^:\s]+:(\d{1,5})$/.exec(broker)?.[1] ?? 0);
  if (brokers?.length === 0 || brokers?.some((broker) => port(broker) < 1 || port(broker) > 65535)) {
    throw new ConfigError(`bad configuration:\n  KAFKA_BROKERS=${JSON.stringify(e.KAFKA_BROKERS)}: expected host:port[,host:port…], ports 1–65535`);
  }
  return brokers;
}

const TOPICS = ["KAFKA_QUESTION_TOPIC", "KAFKA_ANSWER_TOPIC", ...CHAT_LOG_TOPICS] as const;

/** The topics of `e` (those a process reads) name a topic each. */
function checkTopics(e: Partial<Pick<Env, (typeof TOPICS)[number]>>): void {
  const topics = TOPICS.filter((name) => e[name] !== undefined);
  const shared = topics.filter((name, i) => topics.some((other, j) => j !== i && e[other] === e[name]));
  if (shared.length) {
    // One topic for questions and answers: Kafka's client refused to subscribe, retried for ever as a broker away.
    throw new ConfigError(`bad configuration:\n  ${shared.join(" and ")}: name the same topic (${e[shared[0]!]}); each needs its own`);
  }
}

/** What every server's own answer group begins with (answerGroupOf): a group named so is some server's. */
const ANSWER_GROUP_PREFIX = answerGroupOf("");

/**
 * The consumer groups of `e` (those a process reads) are each their own. Workers and indexers in one group, or in a
 * server's answer group, are handed partitions of topics they do not read and drop them: questions went unanswered
 * while /health said ok.
 */
function checkGroups(e: Partial<Pick<Env, (typeof GROUPS)[number]>>): void {
  const groups = GROUPS.filter((name) => e[name] !== undefined);
  const serverLike = groups.find((name) => e[name]!.startsWith(ANSWER_GROUP_PREFIX));
  if (serverLike) {
    throw new ConfigError(`bad configuration:\n  ${serverLike}=${JSON.stringify(e[serverLike])}: names beginning "${ANSWER_GROUP_PREFIX}" are the servers' answer groups; choose another`);
  }
  if (groups.length === 2 && e.KAFKA_WORKER_GROUP === e.KAFKA_INDEXER_GROUP) {
    throw new ConfigError(`bad configuration:\n  KAFKA_WORKER_GROUP and KAFKA_INDEXER_GROUP: name the same consumer group (${e.KAFKA_WORKER_GROUP}); each needs its own`);
  }
}

const retentionMs = (e: Pick<Env, "KAFKA_RETENTION_HOURS">) => Math.round(e.KAFKA_RETENTION_HOURS * 3_600_000);

/** What the world server and the NPC workers both read: which NPCs there are, and what each answers with. */
export interface NpcsConfig {
  world: Pick<WorldSettings, "npcs" | "hearing" | "sight" | "bounds" | "questionTimeoutMs">;
  /** The world file read at start (WORLD_FILE), watched for edits while the process runs; undefined when off. */
  worldFile: string | undefined;
  /** How the world and knowledge files are watched (FILE_SETTLE_MS). */
  fileWatch: WatchOptions;
  /** Per NPC: the model, knowledge and decoding the worker answers it with. */
  brains: NpcBrainSpec[];
  /** `loadWithinMs`: how long loading and warming the models may take before they are deemed hung (MODEL_LOAD_TIMEOUT_MS). */
  model: { dir: string; dtype?: ModelDtype; maxBatch: number; loadWithinMs: number };
  /** The word list read (a bad one stops the start, like any bad setting); undefined when moderation is off. */
  moderator: Moderator | undefined;
}

/** The NPCs' part alone (`npm run check:world`): no Kafka, rooms, HTTP or accounts. */
export function loadNpcsConfig(env: NodeJS.ProcessEnv = process.env): NpcsConfig {
  return npcPart(readEnv(env, NPCS));
}

/** `toxicity`: the world server's learned score of player lines (TOXICITY_MODEL, TOXICITY_BAR); a worker has none. */
function npcPart(e: Pick<Env, (typeof NPCS)[number]>, toxicity?: { model: ToxicityModel; bar?: number }): NpcsConfig {
  const moderator = e.MODERATION_WORDS === "off" ? undefined : moderatorFrom(e.MODERATION_WORDS, toxicity);
  const world = e.WORLD_FILE === "off" ? undefined : worldFrom(e.WORLD_FILE, e.MODEL_DIR, moderator, e.MODEL_DTYPE);
  return {
    world: {
      npcs: world?.npcs ?? [{ ...DEFAULT_NPC, id: e.NPC_ID, name: e.NPC_NAME }],
      hearing: world?.hearing ?? DEFAULT_WORLD_SETTINGS.hearing,
      sight: world?.sight ?? DEFAULT_WORLD_SETTINGS.sight,
      bounds: DEFAULT_WORLD_SETTINGS.bounds,
      questionTimeoutMs: e.NPC_TIMEOUT_MS,
    },
    worldFile: world ? resolve(e.WORLD_FILE) : undefined,
    fileWatch: { settleMs: e.FILE_SETTLE_MS },
    brains: world?.brains ?? [{ npcId: e.NPC_ID, name: e.NPC_NAME, model: "default", modelDir: e.MODEL_DIR }],
    model: { dir: e.MODEL_DIR, ...(e.MODEL_DTYPE ? { dtype: e.MODEL_DTYPE } : {}), maxBatch: e.NPC_MAX_BATCH, loadWithinMs: e.MODEL_LOAD_TIMEOUT_MS },
    moderator,
  };
}

function moderatorFrom(path: string, toxicity: { model: ToxicityModel; bar?: number } | undefined): Moderator {
  try {
    return Moderator.fromFile(path, undefined, toxicity);
  } catch (error) {
    throw new ConfigError(`bad configuration:\n  MODERATION_WORDS=${JSON.stringify(path)}: ${(error as Error).message}`);
  }
}

/** The toxicity model and bar of TOXICITY_MODEL and TOXICITY_BAR; undefined with moderation or the model off. */
function toxicityFrom(e: Pick<Env, "MODERATION_WORDS" | "TOXICITY_MODEL" | "TOXICITY_BAR">): { model: ToxicityModel; bar?: number } | undefined {
  if (e.TOXICITY_MODEL === "off" || e.MODERATION_WORDS === "off") {
    if (e.TOXICITY_BAR !== "off") {
      const off = e.MODERATION_WORDS === "off" ? "MODERATION_WORDS=off (moderation is off)" : "TOXICITY_MODEL=off";
      throw new ConfigError(`bad configuration:\n  TOXICITY_BAR=${e.TOXICITY_BAR}: no score to hold lines to with ${off}; unset it, or turn the model on`);
    }
    return undefined;
  }
  try {
    const model = ToxicityModel.fromFile(e.TOXICITY_MODEL);
    return e.TOXICITY_BAR === "off" ? { model } : { model, bar: e.TOXICITY_BAR };
  } catch (error) {
    throw new ConfigError(`bad configuration:\n  TOXICITY_MODEL=${JSON.stringify(e.TOXICITY_MODEL)}: ${(error as Error).message}`);
  }
}

function worldFrom(path: string, modelDir: string, moderator: Moderator | undefined, dtype: ModelDtype | undefined): ReturnType<typeof loadWorldFile> {
  try {
    return loadWorldFile(path, modelDir, DEFAULT_WORLD_SETTINGS.bounds, moderator, dtype);
  } catch (error) {
    if (error instanceof WorldFileError) throw new ConfigError(`bad configuration:\n  WORLD_FILE=${JSON.stringify(path)}: ${error.message}`);
    throw error;
  }
}

function accountsFrom(e: Env): PlayerAccounts | undefined {
  const { AUTH_SECRET: secret, AUTH_PUBLIC_KEY_FILE: keyFile, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_MAX_TOKEN_DAYS: maxTokenDays } = e;
  if (secret !== undefined && keyFile !== undefined) {
    throw new ConfigError("bad configuration:\n  AUTH_SECRET and AUTH_PUBLIC_KEY_FILE: set one of them (how the game's login signs tokens)");
  }
  if (secret === undefined && keyFile === undefined) {
    if (issuer !== undefined || audience !== undefined) {
      throw new ConfigError("bad configuration:\n  AUTH_ISSUER/AUTH_AUDIENCE need AUTH_SECRET or AUTH_PUBLIC_KEY_FILE (the key tokens are checked with)");
    }
    return undefined;
  }
  if (secret !== undefined) return new PlayerAccounts({ key: { secret }, issuer, audience, maxTokenDays });
  try {
    return PlayerAccounts.withPublicKeyFile(keyFile!, { issuer, audience, maxTokenDays });
  } catch (error) {
    throw new ConfigError(`bad configuration:\n  AUTH_PUBLIC_KEY_FILE=${JSON.stringify(keyFile)}: ${(error as Error).message}`);
  }
}
