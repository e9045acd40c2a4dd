import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { matchMaker } from "@colyseus/core";
import { monitor } from "@colyseus/monitor";
import type { Client as Elasticsearch } from "@elastic/elasticsearch";
import express, { type Application, type RequestHandler } from "express";
import type { Kafka } from "kafkajs";

import type { Logger } from "../../common/log.js";
import type { ChatLogPublisher } from "../../kafka/chat-log-transport.js";
import { consumerLag, type GroupTopic } from "../../kafka/consumer-lag.js";
import { longestKeptMs } from "../../kafka/topic-retention.js";
import type { HashPages } from "../../rooms/hash-pages.js";
import { adminAddressesIn } from "../stores/admin-addresses.js";
import { adminOnly, backendOrAdmin } from "./admin-auth.js";
import { chatSearchRoute } from "./chat-search-route.js";
import type { ServerConfig } from "../config.js";
import { type Archive, erasureRoutes } from "./erasure-routes.js";
import { eventRoutes } from "./event-routes.js";
import { jsonErrors } from "./json-body.js";
import { metricsRoute } from "./metrics-route.js";
import { monitorRoomCalls } from "./monitor-calls.js";
import { reportRoutes } from "./report-routes.js";
import { normalizedPath } from "./request-path.js";
import { sanctionRoutes } from "./sanction-routes.js";

const WEB_CLIENT_DIR = fileURLToPath(new URL("../../web-client/dist", import.meta.url));

/** What the routes are given of the world server's options (world-server.ts). */
export interface HttpRouteSources {
  config: ServerConfig;
  chatLog: ChatLogPublisher;
  /** The embedded default's chat archive, for erasure requests; absent with Kafka. */
  archive?: Archive;
  /** For the chat search API; absent: the API says search is off. */
  elasticsearch?: Elasticsearch;
  /** With Kafka: the client and the consumer groups whose lag /metrics reports. */
  kafka?: { client: Kafka; watched: GroupTopic[] };
  /** More HTTP routes. */
  routes?: (app: Application) => void;
  /** The built browser client's folder; absent: web-client/dist. */
  webClientDir?: string;
  log: Logger;
}

/**
 * The game server's HTTP routes after `/health`: metrics, the admin API and monitor, the caller's own routes, then the
 * web client. `hashes` reads the presence's large hashes a page at a time; `keptSaved` (without Redis) writes the kept
 * presence now. Returns what stops the metrics' polling.
 */
export function httpRoutes(app: Application, options: HttpRouteSources, hashes: () => HashPages, keptSaved: (() => Promise<boolean>) | undefined): () => void {
  const { config, log } = options;
  const stopMetrics = metricsRoute(app, options.kafka, config.metricsToken, log);
  // The Colyseus monitor: rooms, clients, state; admin only, like every admin route, and only the room calls that
  // cannot seat anyone or write what players see.
  const admin = adminOnly(config.admin, log, undefined, adminAddressesIn(() => matchMaker.presence));
  app.use("/monitor", admin, monitorRoomCalls, monitor());
  const es = options.elasticsearch && config.elasticsearch;
  const chatIndex = es ? { client: options.elasticsearch!, indexPrefix: es.indexPrefix } : undefined;
  chatSearchRoute(app, chatIndex, admin, log);
  sanctionRoutes(app, () => matchMaker.presence, admin, log);
  reportRoutes(app, () => matchMaker.presence, hashes, admin, log);
  // The world's NPCs as its file has them now: an edit may give them events.
  eventRoutes(app, () => matchMaker.presence, () => config.world.npcs, backendOrAdmin(config.backendToken, config.admin !== undefined, admin, log), log);
  erasureRoutes(app, {
    presence: () => matchMaker.presence, process: () => matchMaker.processId, npcs: () => config.world.npcs, chatIndex, archive: options.archive, chatLog: options.chatLog,
    kafkaKeptMs: options.kafka && config.kafka && kafkaKeptMs(options.kafka.client, config.kafka),
    indexerLag: options.kafka && config.kafka && indexerLag(options.kafka.client, config.kafka),
    keptSaved,
  }, admin, log);
  options.routes?.(app);
  // An API call to no route gets JSON, as its errors do, not Express's HTML page.
  app.use("/api", (req, res) => void res.status(404).json({ error: `no such route: ${req.method} ${req.originalUrl.split("?")[0]!.slice(0, 200)}` }));
  webClientRoutes(app, admin, options.webClientDir ?? WEB_CLIENT_DIR, log);
  app.use(jsonErrors(log));
  return stopMetrics;
}

/** The browser client's files, and the moderators' console's for admins only. */
function webClientRoutes(app: Application, admin: RequestHandler, dir: string, log: Logger): void {
  // Said at start: a server run without `npm start` (which builds it) otherwise showed players a 503 and the log nothing.
  if (!existsSync(join(dir, "index.html"))) log.warn("the web client is not built: its page answers 503 until `npm run build:web` builds it", { dir });
  // The moderators' console: its page for admins only (its data comes from the admin API all the same), under
  // its own name and as the static files below would serve it.
  app.get("/moderation", admin, (_req, res) => res.sendFile("moderation.html", { root: dir }));
  // By the path the static files below are looked up by, decoded: `/%6Doderation.js` passed a gate on the path as
  // sent and was served all the same (a source map too).
  app.use((req, res, next) => (consolePath(req.path) ? admin(req, res, next) : next()));
  // The browser client, built by `npm run build:web` (which `npm start` runs first). Not its source maps: they hold
  // the source of common/ and rooms/ (1.5 MB), built beside the bundles for a developer's own debugging only.
  const files = express.static(dir, { maxAge: "1h" });
  app.use((req, res, next) => (normalizedPath(req.path)?.endsWith(".map") ? next() : files(req, res, next)));
  app.get("/", (_req, res) => {
    res.status(503).type("text").send("the web client is not built: run `npm run build:web`");
  });
}

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
