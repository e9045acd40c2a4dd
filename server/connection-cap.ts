import type { Server } from "node:http";
import type { Socket } from "node:net";

import type { Logger } from "../common/log.js";
import { logThrottle, repeatsField } from "../common/log-throttle.js";
import { isLoopback } from "../common/loopback.js";

/**
 * At most `perAddress` open sockets (HTTP and WebSocket) from one client address; more are closed as they come,
 * and said in the log once in 10 s per address. Each socket holds a file descriptor and buffers: without a cap one
 * address could hold as many as the process may open, and then nobody could connect. Loopback is not capped.
 */
export function capConnections(server: Server, perAddress: number, log: Logger): void {
  const open = new Map<string, number>();
  const logged = logThrottle(10_000);
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || isLoopback(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > perAddress) {
      socket.destroy();
      const held = logged(address);
      if (held !== undefined) log.warn("refused a connection: its address has the most open (CONNECTIONS_PER_ADDRESS)", { address, perAddress, ...repeatsField(held) });
      return;
    }
    open.set(address, count);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
