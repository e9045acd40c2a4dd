import type { Logger } from "./log.js";
import { logThrottle, repeatsField } from "./log-throttle.js";

/**
 * Logs a promise rejection nobody handled, as an error line of the process's own log, and keeps the process running.
 * Colyseus leaves some of its Redis calls' promises unhandled (its stats, a room's listing as a player leaves): with
 * Redis away each fails after ioredis's retries, and Node's default ended the server, with every room in it. @pm2/io,
 * which Colyseus loads when it is installed, used to catch them and print them raw; nothing installs it now
 * (test/ops.dependency-parity.test.ts).
 */
export function logUnhandledRejections(log: Logger): void {
  const throttle = logThrottle(10_000);
  process.on("unhandledRejection", (reason: unknown) => {
    const error = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    const held = throttle(error);
    if (held !== undefined) log.error("unhandled rejection (the process goes on)", { error, ...repeatsField(held) });
  });
}
