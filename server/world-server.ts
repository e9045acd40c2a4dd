import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { matchMaker, Server } from "@colyseus/core";
import type { RedisPresence } from "@colyseus/redis-presence";
import { WebSocketTransport } from "@colyseus/ws-transport";
import type { Application } from "express";

import type { Client as Elasticsearch } from "@elastic/elasticsearch";

import type { Logger } from "../common/log.js";
import { untilReachable } from "../common/until-reachable.js";
import type { ChatLogPublisher } from "../kafka/chat-log-transport.js";
import type { QuestionChannel } from "../kafka/npc-transport.js";
import { AnswerRouter } from "../rooms/npc/answer-router.js";
import { type HashPages, presenceHashPages } from "../rooms/hash-pages.js";
import { ERASURES_CHANNEL } from "../rooms/moderation/erased-accounts.js";
import { MESSAGE_MAX_BYTES, WORLD_ROOM } from "../rooms/world-contract.js";
import { AWAY_SEATS_PER_ACCOUNT, AwayHolds } from "../rooms/players/away-holds.js";
import { addressShares } from "../rooms/players/address-shares.js";
import { DepartedAllowances } from "../rooms/players/departed-allowances.js";
import { PlayerAllowances } from "../rooms/players/player-allowances.js";
import { hearSeatsTaken, WaitingSeats } from "../rooms/players/waiting-seats.js";
import { WorldEdits } from "../rooms/world-edits.js";
import { defineWorldRoom } from "../rooms/world-room.js";
import { DROP_NOTICED_SECONDS } from "../rooms/world-protocol.js";
import { sizeStateBuffer } from "../rooms/state-buffer.js";
import type { Kafka } from "kafkajs";

import type { GroupTopic } from "../kafka/consumer-lag.js";
import { forgetOldMeetings, keepRoomsListed, takeWorldFileEdits } from "./background-jobs.js";
import { type Archive, hearArchiveErasures } from "./http/erasure-routes.js";
import { type Health, healthCheck, healthRoutes, redisAnswers } from "./http/health.js";
import { securityHeaders } from "./http/security-headers.js";
import { guardHttp, TIMEOUTS_CHECKED_EVERY_MS } from "./http/http-guard.js";
import { httpRoutes } from "./http/http-routes.js";
import { installColyseusLogger } from "./colyseus-logger.js";
import { redisClients } from "./stores/redis-clients.js";
import { roomPlacement } from "./room-placement.js";
import { ACQUAINTANCES_PART } from "./stores/acquaintances-file.js";
import { ADMIN_ADDRESSES_PART } from "./stores/admin-addresses.js";
import { keptHashPages } from "./stores/kept-hash-pages.js";
import { keepPresence } from "./stores/kept-presence.js";
import { ProcessPresence } from "./stores/local-presence.js";
import { MODERATION_PART } from "./stores/moderation-file.js";
import type { ServerConfig } from "./config.js";
import type { NpcCheck } from "./npc-readiness.js";
import type { WorldFile } from "./world-files/world-file.js";

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
  /** The built browser client's folder; absent: web-client/dist (tests point it elsewhere). */
  webClientDir?: string;
  /** When an HTTP request must have arrived whole; absent: http-guard.ts's REQUEST_TIMEOUT_MS (tests wait less). */
  requestTimeoutMs?: number;
  /** Without Redis: how often the kept presence is written to DATA_DIR; absent: kept-presence.ts's PRESENCE_SAVE_MS. */
  presenceSaveMs?: number;
  /** With Redis: ioredis's tries of a command while Redis is away before it fails; absent: ioredis's own (20, ~10 s; tests wait less). */
  redisRetriesPerRequest?: number;
  /** With Redis: how often a room listing Redis did not take is written (or removed) again; absent: redis-clients.ts's REMOVE_AGAIN_MS (tests wait less). */
  redisWriteAgainMs?: number;
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
  // Without Redis the presence is this process's own; the moderators' work, whom NPCs met and where admins logged in
  // from are kept in files (config.ts names no folder with Redis, which keeps them).
  const kept = config.keptDir ? await keepPresence(config.keptDir, [MODERATION_PART, ACQUAINTANCES_PART, ADMIN_ADDRESSES_PART], log, options.presenceSaveMs) : undefined;
  const local = config.redisUrl ? undefined : (kept?.presence ?? new ProcessPresence());
  const answers = new AnswerRouter(channel, config.world.questionTimeoutMs, log);
  await answers.start();

  const shared = config.redisUrl ? redisClients(config.redisUrl, log, { retriesPerRequest: options.redisRetriesPerRequest, writeAgainMs: options.redisWriteAgainMs }) : undefined;
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
  const health = healthCheck({ config, channel, answers, npcCheck: options.npcCheck, presence, stopping: () => stopping !== undefined });

  let stopMetrics = () => {};
  const transport = worldTransport();
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
      securityHeaders(app);
      healthRoutes(app, health, config.serverId);
      stopMetrics = httpRoutes(app, options, presenceHashes, kept?.saveNow);
    },
  });
  const { seats, worldEdits } = defineWorldRooms(server, options, answers, presenceHashes);
  await listen(server, transport.server!, config, async () => {
    await answers.stop();
    await kept?.stop();
  });
  guardHttp(transport.server!, { proxies: config.trustedProxies, connectionsPerAddress: config.connectionsPerAddress, log, matchmakingEnded: (request, seated) => seats.requestEnded(request, seated), requestTimeoutMs: options.requestTimeoutMs });
  const relist = presence && keepRoomsListed();
  await hearOtherServers(presence, seats, options);
  const forgetting = forgetOldMeetings(config, presenceHashes, log);
  const watchingWorld = takeWorldFileEdits(config, worldEdits, options.onWorldEdit, log);
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

/** The players' WebSocket transport, on an HTTP server that checks its requests' timeouts. */
function worldTransport(): WebSocketTransport {
  // Every message the room's schemas take arrives whole, to be answered (chat_too_long); a larger frame closes (1009).
  // Its pings (Colyseus's defaults, written out): the clients count on a silent connection being noticed within DROP_NOTICED_SECONDS.
  const pings = { pingInterval: (DROP_NOTICED_SECONDS * 1000) / 3, pingMaxRetries: 2 };
  return new WebSocketTransport({ maxPayload: MESSAGE_MAX_BYTES, ...pings, server: createServer({ connectionsCheckingInterval: TIMEOUTS_CHECKED_EVERY_MS }) });
}

/** The `world` rooms, with what this process's rooms share: seats waiting for joins, allowances, address shares, away holds, world edits. */
function defineWorldRooms(server: Server, options: WorldServerOptions, answers: AnswerRouter, hashes: () => HashPages): { seats: WaitingSeats; worldEdits: WorldEdits } {
  const { config, log } = options;
  const { moderator } = config;
  if (!moderator) log.warn("moderation is off (MODERATION_WORDS=off)");
  const seats = new WaitingSeats(config.world.joinsWaitingPerAddress, config.seatReservationMs);
  const departed = new DepartedAllowances(PlayerAllowances.refillMs(config.world));
  // One address's share of lines and reports in all rooms together: per room, spreading over rooms multiplied it.
  const shares = addressShares(config.world);
  // An address keeps as many seats for reconnections as it may hold connections.
  const awayHolds = new AwayHolds({ account: AWAY_SEATS_PER_ACCOUNT, address: config.connectionsPerAddress });
  const worldEdits = new WorldEdits(config.world);
  const deps = { settings: config.world, answers, chatLog: options.chatLog, serverId: config.serverId, log, moderator, seats, departed, addressShares: shares, awayHolds, accounts: config.accounts, actionReceipts: config.actionReceipts, worldEdits, hashes };
  sizeStateBuffer(config.world);
  server.define(WORLD_ROOM, defineWorldRoom(deps)).sortBy({ clients: -1 });
  return { seats, worldEdits };
}

/** Serves on the config's port and host; where it cannot, `undo` runs before the error is thrown. */
async function listen(server: Server, http: HttpServer, { port, host }: ServerConfig, undo: () => Promise<void>): Promise<void> {
  // A port in use is an error of the HTTP server, which Colyseus only logs: its listen() would never settle, and a
  // process that never served looked alive to its supervisor.
  let refused!: (error: Error) => void;
  const listenFailed = new Promise<never>((_, reject) => (refused = reject));
  http.once("error", refused);
  try {
    await Promise.race([server.listen(port, host), listenFailed]);
  } catch (error) {
    await undo();
    throw error;
  } finally {
    http.off("error", refused);
  }
}

/** What other server processes ask of this one through the presence; one not heard is logged, and the server runs on. */
async function hearOtherServers(presence: RedisPresence | undefined, seats: WaitingSeats, options: WorldServerOptions): Promise<void> {
  const { log } = options;
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
}
