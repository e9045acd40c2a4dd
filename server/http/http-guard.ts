import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { matchMaker } from "@colyseus/core";

import type { Logger } from "../../common/log.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { pinClientAddress } from "./client-address.js";
import { capConnections } from "./connection-cap.js";
import { MATCHMAKING_REQUEST } from "../../rooms/players/waiting-seats.js";

/** The largest request body taken: matchmaking's join options (a name) are a few hundred bytes. */
export const BODY_MAX_BYTES = 16 * 1024;
/** A request must have arrived whole by then (Node's default, 5 minutes, let slow senders hold sockets). */
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * How often Node looks for requests past their time: its default, 30 s, let a slow sender hold a socket 10–40 s.
 * Set as the server is made (createServer's option), before it listens.
 */
export const TIMEOUTS_CHECKED_EVERY_MS = 1000;
/**
 * Requests one connection may make (keep-alive); those after are answered 503 by Node, without the handlers. 50,000
 * requests written at once on one socket, answers unread, held every room 5 s (Node reads and answers all it has).
 */
export const REQUESTS_PER_CONNECTION = 100;

/** Matchmaking is the game's public API: callable from a web game on any origin, without credentials. */
const MATCHMAKING_CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET,POST,OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Authorization",
  "Access-Control-Max-Age": "86400",
};

/**
 * Limits on every HTTP request, before any handler of `server` sees it:
 * - Colyseus read a matchmaking body of any size (300 MB took 2.25 GB and froze every room for 3.4 s): a body
 *   over BODY_MAX_BYTES is refused with 413, and one without a length (chunked) with 411; its SDKs send a length.
 * - Colyseus answered every route with the caller's origin and credentials allowed, so a page of another origin
 *   could read /monitor with the admin's cached login and lock rooms: only matchmaking has CORS now, for any
 *   origin and without credentials.
 * - A client's address is its socket's, or behind `proxies` trusted proxies the one they forwarded
 *   (client-address.ts); a proxy that forwards none to matchmaking is said in the log once a minute. One address may hold at most
 *   `connectionsPerAddress` connections (connection-cap.ts; 0: no cap): sockets, or behind proxies WebSockets.
 */
export function guardHttp(
  server: Server,
  options: {
    proxies: number;
    connectionsPerAddress: number;
    log: Logger;
    matchmakingEnded?: (request: string, seated: boolean) => void;
    /** When a request must have arrived whole; absent: REQUEST_TIMEOUT_MS (tests wait less). */
    requestTimeoutMs?: number;
  },
): void {
  const { proxies, log } = options;
  if (options.connectionsPerAddress > 0) capConnections(server, options.connectionsPerAddress, proxies, log);
  const unforwarded = logThrottle(60_000);
  let nextRequest = 0;
  // Colyseus's own CORS, added to every route, is none: matchmaking's is set below.
  matchMaker.controller.DEFAULT_CORS_HEADERS = {} as typeof matchMaker.controller.DEFAULT_CORS_HEADERS;
  matchMaker.controller.getCorsHeaders = () => ({});
  server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  server.headersTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  server.maxRequestsPerSocket = REQUESTS_PER_CONNECTION;
  const handlers = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // A pipelined request, read while an earlier answer on its socket is still going out: Node queues its answer
    // without a socket, and one closed meanwhile never closes (nor finishes) it, so a stream the handlers started
    // for it (express.static's file) stayed open for good, its first chunks held in memory. Taken up when its turn
    // comes, in order as before, and never where the socket closed first. Refusing pipelining (destroying the
    // socket) would close the leak too, but would cut off a client that pipelines correctly.
    if (res.socket) guarded(req, res);
    else res.once("socket", () => guarded(req, res));
  });
  const guarded = (req: IncomingMessage, res: ServerResponse) => {
    // Said of matchmaking only, where addresses count: a health check may come to the server past the proxy.
    if (pinClientAddress(req, proxies) === undefined && req.url?.startsWith("/matchmake/")) {
      const held = unforwarded("no x-forwarded-for");
      if (held !== undefined) log.warn("a request came without X-Forwarded-For behind TRUST_PROXY: the player has the proxy's address", { proxies, ...repeatsField(held) });
    }
    if (req.url?.startsWith("/matchmake/")) {
      for (const [name, value] of Object.entries(MATCHMAKING_CORS)) res.setHeader(name, value);
      // Named for the rooms' onAuth (its context has the headers, not the response): a seat counted for it is given
      // back when it ends without one (rooms/players/waiting-seats.ts).
      const request = String(nextRequest++);
      req.headers[MATCHMAKING_REQUEST] = request;
      res.once("close", () => options.matchmakingEnded?.(request, res.statusCode === 200));
    }
    const refusal = bodyRefusal(req) ?? shutdownRefusal(req);
    if (refusal) {
      // Closed after the answer: the body it did not read is not waited for.
      res.writeHead(refusal.status, { "Content-Type": "application/json", Connection: "close" });
      res.end(JSON.stringify({ code: refusal.status, error: refusal.error }));
      return;
    }
    for (const handler of handlers) handler.call(server, req, res);
  };
}

/**
 * A join while the server shuts down (its rooms finishing the answers in flight, up to NPC_TIMEOUT_MS): Colyseus
 * answered 503 with no body, which the SDK failed to read as JSON, so a client saw no code (the web client said "no
 * server" where a restart was meant, and a client retrying on 503 never did).
 */
function shutdownRefusal(req: IncomingMessage): { status: number; error: string } | undefined {
  const joining = req.method === "POST" && req.url?.startsWith("/matchmake/");
  return joining && matchMaker.state === matchMaker.MatchMakerState.SHUTTING_DOWN ? { status: 503, error: "the server is shutting down: join again in a moment" } : undefined;
}

function bodyRefusal(req: IncomingMessage): { status: number; error: string } | undefined {
  const length = req.headers["content-length"];
  if (length === undefined) {
    return req.headers["transfer-encoding"] ? { status: 411, error: "a request body needs a Content-Length" } : undefined;
  }
  return Number(length) > BODY_MAX_BYTES ? { status: 413, error: `a request body may hold at most ${BODY_MAX_BYTES} bytes` } : undefined;
}
