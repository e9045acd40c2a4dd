import type { Logger } from "./log.js";
import { logThrottle, repeatsField } from "./log-throttle.js";

/**
 * Logs a promise rejection nobody handled, as an error line of the process's own log, and keeps the process running.
 * Colyseus leaves some of its Redis calls' promises unhandled (its stats, a room's listing as a player leaves): with
 * Redis away each fails after ioredis's retries, and Node's default ended the server, with every room in it. In
 * development @pm2/io (a dependency of a devDependency, @colyseus/testing, that Colyseus loads when it is there)
 * caught them and printed them raw; the production image installs no devDependencies, so nothing did.
 */
export function logUnhandledRejections(log: Logger): void {
  const throttle = logThrottle(10_000);
  process.on("unhandledRejection", (reason: unknown) => {
    const error = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    const held = throttle(error);
    if (held !== undefined) log.error("unhandled rejection (the process goes on)", { error, ...repeatsField(held) });
  });
}
