import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";

import { logThrottle, repeatsField } from "../common/log-throttle.js";
import type { Logger } from "../common/log.js";
import type { HashPages } from "../rooms/hash-pages.js";
import { redisHashPages } from "./redis-hash-pages.js";

/**
 * Colyseus's presence and matchmaking driver on `url`, with the driver's connection errors in the server's log (the
 * presence logs its own through Colyseus's logger). Left alone, ioredis printed "[ioredis] Unhandled error event"
 * as plain text, with a stack trace, each time it failed to reconnect, among the JSON log lines. `hashes` reads
 * the presence's large hashes a page at a time, on the presence's own connection.
 */
export function redisClients(url: string, log: Logger): { presence: RedisPresence; driver: RedisDriver; hashes: HashPages } {
  const driver = new Redis(url);
  const throttle = logThrottle(10_000);
  driver.on("error", (error: Error) => {
    const held = throttle(error.message);
    if (held !== undefined) log.warn("redis connection error", { role: "matchmaking", error: error.message, ...repeatsField(held) });
  });
  const presence = new Redis(url);
  return { presence: new RedisPresence(presence), driver: new RedisDriver(driver), hashes: redisHashPages(presence) };
}
