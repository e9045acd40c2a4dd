import type { IncomingMessage, Server } from "node:http";

/** The headers Colyseus reads a matchmaking client's address from, first one set wins. */
const ADDRESS_HEADERS = ["x-real-ip", "x-forwarded-for", "x-client-ip"] as const;

/**
 * Colyseus takes a matchmaking client's address only from headers, which any client can set to a new value on
 * every request. With no proxy in front to set them, the socket's own address replaces whatever was sent, before
 * any handler of `server` reads the request: the cap on seats waiting per address (rooms/waiting-seats.ts) then
 * counts real addresses.
 */
export function pinClientAddress(server: Server): void {
  const handlers = server.listeners("request") as ((req: IncomingMessage, ...rest: unknown[]) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, ...rest: unknown[]) => {
    for (const header of ADDRESS_HEADERS) delete req.headers[header];
    req.headers["x-real-ip"] = req.socket.remoteAddress ?? "unknown";
    for (const handler of handlers) handler.call(server, req, ...rest);
  });
}
