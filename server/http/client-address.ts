import type { IncomingMessage } from "node:http";

import { addressKey } from "../../common/address-key.js";

/** The headers Colyseus reads a matchmaking client's address from, first one set wins. */
const ADDRESS_HEADERS = ["x-real-ip", "x-forwarded-for", "x-client-ip"] as const;

/**
 * A client's address as this server can trust it. With no proxy in front (`proxies` 0), the socket's own. Behind
 * `proxies` proxies that each append the address they saw to X-Forwarded-For (nginx's
 * `$proxy_add_x_forwarded_for`, HAProxy's `option forwardfor`, cloud load balancers), the entry that many from the
 * end: the entries before it are whatever the client sent, and Colyseus's own choice, the first, let a client name
 * a new address on every request. Undefined behind proxies when the header is missing (a proxy that does not append).
 * As counted (common/address-key.ts): an IPv6 address's /64.
 */
export function clientAddressOf(req: IncomingMessage, proxies: number): string | undefined {
  if (proxies === 0) return socketAddressOf(req);
  const hops = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  // Fewer entries than proxies: the farthest one is the closest to the client there is.
  return hops.length === 0 ? undefined : addressKey(hops[Math.max(0, hops.length - proxies)]!);
}

const socketAddressOf = (req: IncomingMessage) => addressKey(req.socket.remoteAddress ?? "unknown");

/**
 * Puts the client's address (clientAddressOf) in the one header Colyseus reads first, before any handler of the
 * server reads the request (http-guard.ts), dropping the others a client may have set: the cap on seats waiting per
 * address (rooms/players/waiting-seats.ts), the rooms' turns and lines per address and admin logins then count real
 * addresses. Behind proxies with no X-Forwarded-For, the proxy's socket address stands in. Returns the client's
 * address, undefined where the proxy's stood in (for the operator to hear of a proxy that does not append).
 */
export function pinClientAddress(req: IncomingMessage, proxies: number): string | undefined {
  const address = clientAddressOf(req, proxies);
  for (const header of ADDRESS_HEADERS) delete req.headers[header];
  req.headers["x-real-ip"] = address ?? socketAddressOf(req);
  return address;
}

/** The address pinClientAddress put on a request; the socket's where it has not run. */
export function pinnedAddressOf(req: IncomingMessage): string {
  const pinned = req.headers["x-real-ip"];
  return typeof pinned === "string" ? pinned : socketAddressOf(req);
}
