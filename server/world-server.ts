import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { LocalPresence, matchMaker, Server } from "@colyseus/core";
import type { RedisPresence } from "@colyseus/redis-presence";
import { WebSocketTransport } from "@colyseus/ws-transport";
import express, { type Application } from "express";

import type { Client as Elasticsearch } from "@elastic/elasticsearch";

import type { Logger } from "../common/log.js";
import { roomFailures } from "../common/metrics.js";
import { untilReachable } from "../common/until-reachable.js";
import { withTimeout } from "../common/with-timeout.js";
import type { ChatLogPublisher } from "../kafka/chat-log-transport.js";
import type { QuestionChannel } from "../kafka/npc-transport.js";
import { AnswerRouter } from "../rooms/answer-router.js";
import { type HashPages, presenceHashPages } from "../rooms/hash-pages.js";
import { ERASURES_CHANNEL } from "../rooms/erased-accounts.js";
import { MESSAGE_MAX_BYTES, WORLD_ROOM } from "../rooms/world-contract.js";
import { AWAY_SEATS_PER_ACCOUNT, AwayHolds } from "../rooms/away-holds.js";
import { DepartedAllowances } from "../rooms/departed-allowances.js";
import { PlayerAllowances } from "../rooms/player-allowances.js";
import { hearSeatsTaken, WaitingSeats } from "../rooms/waiting-seats.js";
import { WorldEdits } from "../rooms/world-edits.js";
import { forgetLongAgo } from "../rooms/npc-acquaintances.js";
import { defineWorldRoom } from "../rooms/world-room.js";
import { DROP_NOTICED_SECONDS } from "../rooms/world-protocol.js";
import { sizeStateBuffer } from "../rooms/state-buffer.js";
import { monitor } from "@colyseus/monitor";
import type { Kafka } from "kafkajs";

import { consumerLag, type GroupTopic } from "../kafka/consumer-lag.js";
import { longestKeptMs } from "../kafka/topic-retention.js";
import { adminOnly, backendOrAdmin } from "./admin-auth.js";
import { chatSearchRoute } from "./chat-search-route.js";
import { type Archive, erasureRoutes, hearArchiveErasures } from "./erasure-routes.js";
import { eventRoutes } from "./event-routes.js";
import { reportRoutes } from "./report-routes.js";
import { normalizedPath } from "./request-path.js";
import { sanctionRoutes } from "./sanction-routes.js";
import { guardHttp, TIMEOUTS_CHECKED_EVERY_MS } from "./http-guard.js";
import { installColyseusLogger } from "./colyseus-logger.js";
import { redisClients } from "./redis-clients.js";
import { roomPlacement } from "./room-placement.js";
import { metricsRoute } from "./metrics-route.js";
import { ACQUAINTANCES_PART } from "./acquaintances-file.js";
import { keptHashPages } from "./kept-hash-pages.js";
import { keepPresence } from "./kept-presence.js";
import { jsonErrors } from "./json-body.js";
import { MODERATION_PART } from "./moderation-file.js";
import type { ServerConfig } from "./config.js";
import type { NpcCheck, NpcReadiness } from "./npc-readiness.js";
import type { WorldFile } from "./world-file.js";
import { reloadWorldOnChange } from "./world-reload.js";

const RELIST_EVERY_MS = 5000;
/** How often the NPCs' meetings past the forgetting time are dropped: a meeting is dropped at most this late. */
const FORGET_OLD_MEETINGS_EVERY_MS = 6 * 3_600_000;
const WEB_CLIENT_DIR = fileURLToPath(new URL("../web-client/dist", import.meta.url));

/**
 * `GET /health`: 200 when players can join (Redis, where used, answers) and get NPC answers; 503 (`degraded`, with
 * `npc` and `redis` saying why) when they cannot, and (`stopping`) while a shutdown lets rooms finish.
 */
export interface Health {
  /** `stopping`: the server is shutting down; it takes no new joins (a readiness probe sends players elsewhere). */
  status: "ok" | "degraded" | "stopping";
  serverId: string;
  transport: QuestionChannel["kind"];
  npc: NpcReadiness;
  /** With REDIS_URL: whether Redis answers (rooms and matchmaking are shared through it; down, joins fail); else null. */
  redis: "up" | "down" | null;
  /** Brains that can answer: NPC workers in the group with Kafka, 1 or 0 embedded; null when unknown. */
  npcWorkers: number | null;
  /** In the embedded default: whether the in-process brain loaded; with Kafka the workers hold it. */
  modelLoaded: boolean | null;
  rooms: number;
  questionsWaiting: number;
}

export interface WorldServerOptions {
  config: ServerConfig;
  channel: QuestionChannel;
  chatLog: ChatLogPublisher;
  /** The embedded default's chat archive in DATA_DIR, for players' erasure requests; absent with Kafka. */
  archive?: Archive;
  /** For the chat search API; absent: the API says search is off. */
  elasticsearch?: Elasticsearch;
  log: Logger;
  /** Whether the brain can answer (/health); absent: assumed ready. */
  npcCheck?: () => NpcCheck | Promise<NpcCheck>;
  /** With Kafka: the client and the consumer groups whose lag /metrics reports. */
  kafka?: { client: Kafka; watched: GroupTopic[] };
  /** After the rooms take an edit of the world file: the embedded worker takes its NPCs' settings. */
  onWorldEdit?: (world: WorldFile) => void;
  /** More HTTP routes. */
  routes?: (app: Application) => void;
  /** When an HTTP request must have arrived whole; absent: http-guard.ts's REQUEST_TIMEOUT_MS (tests wait less). */
  requestTimeoutMs?: number;
  /** Without Redis: how often the kept presence is written to DATA_DIR; absent: kept-presence.ts's PRESENCE_SAVE_MS. */
  presenceSaveMs?: number;
}

export interface WorldServer {
  port: number;
  answers: AnswerRouter;
  health(): Promise<Health>;
  /** No new joins; answers in flight are given (or fall back); clients are told; the channel closes. */
  shutdown(): Promise<void>;
}

/** The game server: Colyseus `world` rooms on a WebSocket transport, plus its HTTP routes. */
export async function startWorldServer(options: WorldServerOptions): Promise<WorldServer> {
  const { config, channel, log } = options;
  // First: the presence's connection errors (a Redis down at start) come before the Server is made.
  const logger = installColyseusLogger(log);
  // Without Redis the presence is this process's own; the moderators' work and whom NPCs met are kept in files
  // (config.ts names no folder with Redis, which keeps them).
  const kept = config.keptDir ? await keepPresence(config.keptDir, [MODERATION_PART, ACQUAINTANCES_PART], log, options.presenceSaveMs) : undefined;
  const local = config.redisUrl ? undefined : (kept?.presence ?? new LocalPresence());
  const answers = new AnswerRouter(channel, config.world.questionTimeoutMs, log);
  await answers.start();

  const shared = config.redisUrl ? redisClients(config.redisUrl, log) : undefined;
  const presence = shared?.presence;
  // Every room listens on the presence's few channels (erasures, sanctions, kicks, NPC events) until it closes: past 10
  // rooms Node warned of a leak, on stderr, each time the rooms grew past 10 again.
  (presence ?? local)!.setMaxListeners(0);
  // A Redis not up yet (no start order, as in Kubernetes; one restarting) is waited for before the server takes
  // players, who could not join without it: the server exited on ioredis's retries (~10 s), in words not naming Redis.
  if (presence) {
    await untilReachable("redis", async () => {
      if ((await redisAnswers(presence)) === "down") throw new Error("Redis did not answer a read in 2 s");
    }, log);
  }
  /** The presence's large hashes a page at a time: Redis's HSCAN, or the embedded presence's own pages. */
  const presenceHashes = (): HashPages => shared?.hashes ?? (kept ? keptHashPages(kept.presence) : presenceHashPages(matchMaker.presence));
  /** Set as shutdown begins: matchmaking refuses joins (503) for as long as rooms take to finish their answers. */
  let stopping: Promise<void> | undefined;
  const health = async (): Promise<Health> => {
    const [{ npc, workers }, redis] = await Promise.all([
      Promise.resolve(options.npcCheck?.() ?? { npc: "ready" as const, workers: null }),
      presence ? redisAnswers(presence) : null,
    ]);
    return {
      status: stopping ? "stopping" : npc === "ready" && redis !== "down" ? "ok" : "degraded",
      redis,
      serverId: config.serverId,
      transport: channel.kind,
      npc,
      npcWorkers: workers,
      modelLoaded: channel.kind === "in-process" ? npc !== "model_missing" : null,
      rooms: matchMaker.stats.local.roomCount,
      questionsWaiting: answers.waiting,
    };
  };

  let stopMetrics = () => {};
  // Every message the room's schemas take arrives whole, to be answered (chat_too_long); a larger frame closes (1009).
  // Its pings (Colyseus's defaults, written out): the clients count on a silent connection being noticed within DROP_NOTICED_SECONDS.
  const pings = { pingInterval: (DROP_NOTICED_SECONDS * 1000) / 3, pingMaxRetries: 2 };
  const transport = new WebSocketTransport({ maxPayload: MESSAGE_MAX_BYTES, ...pings, server: createServer({ connectionsCheckingInterval: TIMEOUTS_CHECKED_EVERY_MS }) });
  const server = new Server({
    transport,
    // With Redis, rooms and matchmaking are shared by every server process: a player joining
    // through any process is sent to the one that holds the room (its PUBLIC_ADDRESS).
    ...(config.redisUrl
      ? { presence, driver: shared!.driver, publicAddress: config.publicAddress, selectProcessIdToCreateRoom: roomPlacement(config.world.maxRooms) }
      : { presence: local }),
    gracefullyShutdown: false, // the process entry point owns signals
    logger, // installed already; the Server sets it again
    greet: false,
    express: (app) => {
      app.get("/health", async (_req, res) => {
        const body = await health();
        res.status(body.status === "ok" ? 200 : 503).json(body);
      });
      // For a liveness probe: the process serves (rooms run even while the NPCs cannot answer).
      app.get("/health/live", (_req, res) => {
        res.json({ status: "alive", serverId: config.serverId });
      });
      stopMetrics = metricsRoute(app, options.kafka, config.metricsToken, log);
      // The Colyseus monitor: rooms, clients, state; admin only, like every admin route.
      const admin = adminOnly(config.admin, log);
      app.use("/monitor", admin, monitor());
      const es = options.elasticsearch && config.elasticsearch;
      const chatIndex = es ? { client: options.elasticsearch!, indexPrefix: es.indexPrefix } : undefined;
      chatSearchRoute(app, chatIndex, admin, log);
      sanctionRoutes(app, () => matchMaker.presence, admin, log);
      reportRoutes(app, () => matchMaker.presence, presenceHashes, admin, log);
      // The world's NPCs as its file has them now: an edit may give them events.
      eventRoutes(app, () => matchMaker.presence, () => config.world.npcs, backendOrAdmin(config.backendToken, config.admin !== undefined, admin), log);
      erasureRoutes(app, {
        presence: () => matchMaker.presence, process: () => matchMaker.processId, npcs: () => config.world.npcs, chatIndex, archive: options.archive, chatLog: options.chatLog,
        kafkaKeptMs: options.kafka && config.kafka && kafkaKeptMs(options.kafka.client, config.kafka),
        indexerLag: options.kafka && config.kafka && indexerLag(options.kafka.client, config.kafka),
        keptSaved: kept?.saveNow,
      }, admin, log);
      options.routes?.(app);
      // An API call to no route gets JSON, as its errors do, not Express's HTML page.
      app.use("/api", (req, res) => void res.status(404).json({ error: `no such route: ${req.method} ${req.originalUrl.split("?")[0]!.slice(0, 200)}` }));
      // The moderators' console: its page for admins only (its data comes from the admin API all the same), under
      // its own name and as the static files below would serve it.
      app.get("/moderation", admin, (_req, res) => res.sendFile("moderation.html", { root: WEB_CLIENT_DIR }));
      // By the path the static files below are looked up by, decoded: `/%6Doderation.js` passed a gate on the path as
      // sent and was served all the same (a source map too).
      app.use((req, res, next) => (consolePath(req.path) ? admin(req, res, next) : next()));
      // The browser client, built by `npm run build:web` (which `npm start` runs first).
      app.use(express.static(WEB_CLIENT_DIR, { maxAge: "1h" }));
      app.get("/", (_req, res) => {
        res.status(503).type("text").send("the web client is not built: run `npm run build:web`");
      });
      app.use(jsonErrors(log));
    },
  });
  const { moderator } = config;
  if (!moderator) log.warn("moderation is off (MODERATION_WORDS=off)");
  const seats = new WaitingSeats(config.world.joinsWaitingPerAddress, config.seatReservationMs);
  const departed = new DepartedAllowances(PlayerAllowances.refillMs(config.world));
  // An address keeps as many seats for reconnections as it may hold connections.
  const awayHolds = new AwayHolds({ account: AWAY_SEATS_PER_ACCOUNT, address: config.connectionsPerAddress });
  const worldEdits = new WorldEdits(config.world);
  const deps = { settings: config.world, answers, chatLog: options.chatLog, serverId: config.serverId, log, moderator, seats, departed, awayHolds, accounts: config.accounts, actionReceipts: config.actionReceipts, worldEdits, hashes: presenceHashes };
  sizeStateBuffer(config.world);
  server.define(WORLD_ROOM, defineWorldRoom(deps)).sortBy({ clients: -1 });
  // A port in use is an error of the HTTP server, which Colyseus only logs: its listen() would never settle, and a
  // process that never served looked alive to its supervisor.
  let refused!: (error: Error) => void;
  const listenFailed = new Promise<never>((_, reject) => (refused = reject));
  transport.server!.once("error", refused);
  try {
    await Promise.race([server.listen(config.port, config.host), listenFailed]);
  } catch (error) {
    await answers.stop();
    await kept?.stop();
    throw error;
  } finally {
    transport.server!.off("error", refused);
  }
  guardHttp(transport.server!, { proxies: config.trustedProxies, connectionsPerAddress: config.connectionsPerAddress, log, matchmakingEnded: (request, seated) => seats.requestEnded(request, seated), requestTimeoutMs: options.requestTimeoutMs });
  // A Redis that restarts empty forgets this process's rooms: nobody could join them again, and new players got new
  // rooms. Every few seconds the missing listings are written back.
  const relist = presence && setInterval(() => matchMaker.restoreMissingRoomCaches().catch(() => {}), RELIST_EVERY_MS);
  relist?.unref();
  // Seats this process reserved for joins into rooms other processes hold, taken there (waiting-seats.ts).
  if (presence) await hearSeatsTaken(presence, matchMaker.processId, seats).catch((error: unknown) => log.warn("seats taken elsewhere not heard", { error }));
  // An erasure asked of any server: this one's chat lines of the player still waiting to be stored are not stored (a
  // broker or Elasticsearch away), where they came back after the erasure's answer.
  await Promise.resolve(
    matchMaker.presence.subscribe(ERASURES_CHANNEL, (account: string) => void options.chatLog.dropWaiting?.(account).catch(() => {})),
  ).catch((error: unknown) => log.warn("erasures asked of other servers not heard by the chat log", { error }));
  // Erasures asked of another server, for this one's archive files (erasure-routes.ts).
  if (presence && options.archive) {
    await hearArchiveErasures(presence, matchMaker.processId, options.archive, log).catch((error: unknown) => log.warn("erasures asked of other servers not heard", { error }));
  }
  // Meetings past the forgetting time leave the NPCs' memory (every process does it; the second finds nothing).
  const forgetOldMeetings = () =>
    void forgetLongAgo(matchMaker.presence, config.world.npcs.map((npc) => npc.id), { hashes: presenceHashes() }).then(
      (forgotten) => forgotten > 0 && log.info("npcs forgot meetings past the forgetting time", { forgotten }),
      (error: unknown) => log.warn("npcs' old meetings not forgotten; tried again later", { error }),
    );
  forgetOldMeetings();
  const forgetting = setInterval(forgetOldMeetings, FORGET_OLD_MEETINGS_EVERY_MS);
  forgetting.unref();
  // A studio moving an NPC or rewriting its greetings sees the change in the running game.
  const watchingWorld = reloadWorldOnChange(config, log, (world) => {
    worldEdits.apply({ npcs: world.npcs, hearing: world.hearing, sight: world.sight }, (error) => {
      roomFailures.inc({ method: "takeWorldEdit" });
      log.error("a room did not take the world file's edit", { error });
    });
    options.onWorldEdit?.(world);
  });
  const port = (transport.server!.address() as AddressInfo).port;
  log.info("world server listening", { port, transport: channel.kind, serverId: config.serverId });

  const shutdown = () =>
    (stopping ??= (async () => {
      log.info("shutting down: no new joins, finishing answers in flight");
      clearInterval(relist);
      clearInterval(forgetting);
      watchingWorld.close();
      await server.gracefullyShutdown(false);
      await answers.stop();
      await kept?.stop(); // after the rooms: the reports they filed and the players they greeted last are kept
      await options.chatLog.stop(); // after the rooms: their last lines are flushed
      stopMetrics();
      log.info("world server stopped", { answers: answers.stats });
    })());

  return { port, answers, health, shutdown };
}

/** Redis answers a read within 2 s (a client with Redis down retries each command for seconds before it fails). */
const redisAnswers = (presence: RedisPresence): Promise<"up" | "down"> =>
  withTimeout(presence.exists("kobot:health"), 2000).then(
    () => "up",
    () => "down",
  );

/** How long a line written now stays in the topics that carry players' words (for an erasure request's answer). */
const kafkaKeptMs = (client: Kafka, { topics, chatLog }: NonNullable<ServerConfig["kafka"]>) => () =>
  longestKeptMs(client, [topics.question, topics.answer, chatLog.log, chatLog.dead]);

/** Chat-log records the indexers' group has not reached yet (for an erasure request's answer). */
const indexerLag = (client: Kafka, { indexerGroup, chatLog }: NonNullable<ServerConfig["kafka"]>) => async () =>
  (await consumerLag(client, [{ group: indexerGroup, topic: chatLog.log }]))[0]?.lag ?? 0;

/**
 * Whether a request's path, as the static files are looked up (decoded, then its `.`, `..` and doubled slashes
 * resolved), names one of the moderators' console's files: `//moderation.js` and `/x/../moderation.js` were served.
 */
function consolePath(path: string): boolean {
  return normalizedPath(path)?.startsWith("/moderation") ?? false;
}
