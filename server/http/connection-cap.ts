import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";

import { addressKey } from "../../common/address-key.js";
import type { Logger } from "../../common/log.js";
import { connectionsRefused } from "../../common/metrics.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { isPrivateAddress } from "../../common/private-address.js";
import { TOO_MANY_CONNECTIONS_CLOSE } from "../../rooms/world-protocol.js";
import { pinClientAddress } from "./client-address.js";

/**
 * At most `perAddress` open connections from one client address; more are closed as they come, and said in the log
 * once in 10 s per address. Each holds a file descriptor and buffers, and a player's seat: without a cap one address
 * could hold as many as the process may open, or every room's seats, and then nobody else could play. Private
 * networks' addresses are not capped (common/private-address.ts): through a load balancer in front, only 64 players
 * would get in.
 * - With no proxy in front (`proxies` 0), every socket counts, HTTP and WebSocket, by its own address (an IPv6
 *   address by its /64: common/address-key.ts).
 * - Behind proxies every socket is a proxy's: the players' WebSockets count, by the address the proxies forwarded
 *   (client-address.ts), and one over the cap is closed with TOO_MANY_CONNECTIONS_CLOSE as it opens.
 */
export function capConnections(server: Server, perAddress: number, proxies: number, log: Logger): void {
  const open = new Map<string, number>();
  const logged = logThrottle(10_000);
  /** Counts `socket` against `address` until it closes; false when that address holds the most already. */
  const admit = (address: string | undefined, socket: Duplex): boolean => {
    if (!address || isPrivateAddress(address)) return true;
    const count = (open.get(address) ?? 0) + 1;
    if (count > perAddress) {
      connectionsRefused.inc();
      const held = logged(address);
      if (held !== undefined) log.warn("refused a connection: its address has the most open (CONNECTIONS_PER_ADDRESS)", { address, perAddress, ...repeatsField(held) });
      return false;
    }
    open.set(address, count);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
    return true;
  };

  if (proxies === 0) {
    server.on("connection", (socket) => {
      if (!admit(socket.remoteAddress && addressKey(socket.remoteAddress), socket)) socket.destroy();
    });
    return;
  }
  const refusals = new WebSocketServer({ noServer: true });
  // Colyseus's own upgrade handler runs only for the sockets let in.
  const upgrades = server.listeners("upgrade") as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
  server.removeAllListeners("upgrade");
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!admit(pinClientAddress(req, proxies), socket)) {
      // Upgraded and closed with a code, which the SDKs pass on to the client's join; it takes no seat.
      refusals.handleUpgrade(req, socket, head, (ws) => ws.close(TOO_MANY_CONNECTIONS_CLOSE, `too many connections from your address (CONNECTIONS_PER_ADDRESS ${perAddress})`));
      return;
    }
    for (const upgrade of upgrades) upgrade.call(server, req, socket, head);
  });
}
