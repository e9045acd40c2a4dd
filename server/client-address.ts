import type { IncomingMessage } from "node:http";

/** The headers Colyseus reads a matchmaking client's address from, first one set wins. */
const ADDRESS_HEADERS = ["x-real-ip", "x-forwarded-for", "x-client-ip"] as const;

/**
 * Colyseus takes a matchmaking client's address only from headers, which any client can set to a new value on
 * every request. With no proxy in front to set them, the socket's own address replaces whatever was sent, before
 * any handler of the server reads the request (http-guard.ts): the cap on seats waiting per address
 * (rooms/waiting-seats.ts) then counts real addresses.
 */
export function pinClientAddress(req: IncomingMessage): void {
  for (const header of ADDRESS_HEADERS) delete req.headers[header];
  req.headers["x-real-ip"] = req.socket.remoteAddress ?? "unknown";
}
