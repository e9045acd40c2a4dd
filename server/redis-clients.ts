import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";

import { logThrottle, repeatsField } from "../common/log-throttle.js";
import type { Logger } from "../common/log.js";

/**
 * Colyseus's presence and matchmaking driver on `url`, with the driver's connection errors in the server's log (the
 * presence logs its own through Colyseus's logger). Left alone, ioredis printed "[ioredis] Unhandled error event"
 * as plain text, with a stack trace, each time it failed to reconnect, among the JSON log lines.
 */
export function redisClients(url: string, log: Logger): { presence: RedisPresence; driver: RedisDriver } {
  const driver = new Redis(url);
  const throttle = logThrottle(10_000);
  driver.on("error", (error: Error) => {
    const held = throttle(error.message);
    if (held !== undefined) log.warn("redis connection error", { role: "matchmaking", error: error.message, ...repeatsField(held) });
  });
  return { presence: new RedisPresence(url), driver: new RedisDriver(driver) };
}
