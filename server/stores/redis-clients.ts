import { ServerError } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";

import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import type { Logger } from "../../common/log.js";
import type { HashPages } from "../../rooms/hash-pages.js";
import { redisHashPages } from "./redis-hash-pages.js";

/**
 * Colyseus's presence and matchmaking driver on `url`, with the driver's connection errors in the server's log (the
 * presence logs its own through Colyseus's logger). Left alone, ioredis printed "[ioredis] Unhandled error event"
 * as plain text, with a stack trace, each time it failed to reconnect, among the JSON log lines. `hashes` reads
 * the presence's large hashes a page at a time, on the presence's own connection. `retriesPerRequest`: how many times
 * ioredis tries a command again while Redis is away before the command fails; absent, ioredis's own (20, ~10 s).
 * `writeAgainMs`: how often a listing Redis did not take is written again; absent, REMOVE_AGAIN_MS.
 */
export function redisClients(
  url: string,
  log: Logger,
  { retriesPerRequest, writeAgainMs = REMOVE_AGAIN_MS }: { retriesPerRequest?: number; writeAgainMs?: number } = {},
): { presence: RedisPresence; driver: RedisDriver; hashes: HashPages } {
  const options = retriesPerRequest === undefined ? {} : { maxRetriesPerRequest: retriesPerRequest };
  const driver = new Redis(url, options);
  const throttle = logThrottle(10_000);
  driver.on("error", (error: Error) => {
    const held = throttle(error.message);
    if (held !== undefined) log.warn("redis connection error", { role: "matchmaking", error: error.message, ...repeatsField(held) });
  });
  const presence = new Redis(url, options);
  return { presence: new RedisPresence(presence), driver: new ListingDriver(driver, log, writeAgainMs), hashes: redisHashPages(presence) };
}

/** Tries again to take a closed room off the shared listing while Redis is away. */
const REMOVE_AGAIN_MS = 5000;

/**
 * Colyseus's driver, but a room's removal from the listing never fails: Colyseus disposes of a room only once the
 * removal is done, and while Redis was away (~10 s of ioredis's retries, then an error) a room that emptied was never
 * disposed of: its clock, patches and subscriptions ran for the life of the process. The listing is taken off later,
 * once Redis answers. Nor does an update of a room's count: a player leaving a room that others stay in was never let
 * go (their socket stayed open, `leave()` never ended, the clients gauge kept them). The listing object is changed
 * before it is written, so the room's next update writes it whole, right again.
 */
type Listing = Parameters<RedisDriver["update"]>[0];

class ListingDriver extends RedisDriver {
  private readonly throttle = logThrottle(10_000);
  /** Rooms whose listing Redis did not take: written again until it does (writeAgain). */
  private readonly behind = new Map<string, Listing>();

  constructor(
    client: Redis,
    private readonly log: Logger,
    private readonly againMs: number,
  ) {
    super(client);
    // The listing's read keeps its request for the joins that come meanwhile, and lets it go only once it succeeds: one
    // that failed while Redis was away was given to every join after, for good (323 joins refused in 19 minutes, Redis
    // back, /health "ok"). Private in Colyseus's types, so wrapped here rather than overridden.
    const driver = this as unknown as { getRooms(name?: string): Promise<unknown>; _concurrentRoomCacheRequest?: unknown; _roomCacheRequestByName: Record<string, unknown> };
    const getRooms = driver.getRooms.bind(this);
    driver.getRooms = (name) => {
      const request = getRooms(name);
      return request.catch((error: Error) => {
        driver._concurrentRoomCacheRequest = undefined;
        if (driver._roomCacheRequestByName[String(name)] === request) delete driver._roomCacheRequestByName[String(name)];
        // A 503 the clients try again on, in words, where the player got ioredis's own (523, "Reached the max retries
        // per request limit (which is 20)…").
        const held = this.throttle(`join: ${error.message}`); // apart from updates, which fail with the same message
        if (held !== undefined) this.log.warn("a join could not read the room listing: Redis does not answer", { error: error.message, ...repeatsField(held) });
        throw new ServerError(503, "the game's room list does not answer for a moment: try again");
      });
    };
  }

  override async update(room: Listing, operations: Parameters<RedisDriver["update"]>[1]): Promise<boolean> {
    try {
      const written = await super.update(room, operations);
      this.behind.delete(room.roomId);
      return written;
    } catch (error) {
      const held = this.throttle(`update: ${(error as Error).message}`);
      if (held !== undefined) this.log.warn("a room's listing is behind until Redis answers", { roomId: room.roomId, error: (error as Error).message, ...repeatsField(held) });
      this.writeAgain(room);
      return false;
    }
  }

  /**
   * The listing as the room has it now, written again until Redis takes it: a room whose count did not change again
   * stayed listed as it was (a full room a player left while Redis was away, listed locked and full for as long as
   * nobody came or went: new players got new rooms beside its free place). A later update that is written, or the
   * room's removal, ends it.
   */
  private writeAgain(room: Listing): void {
    const first = !this.behind.has(room.roomId);
    this.behind.set(room.roomId, room);
    if (!first) return;
    const again = () =>
      setTimeout(() => {
        const behind = this.behind.get(room.roomId);
        if (!behind) return;
        this.persist(behind).then(() => {
          if (this.behind.get(room.roomId) === behind) this.behind.delete(room.roomId);
        }, again);
      }, this.againMs).unref();
    again();
  }

  override async remove(roomId: string): Promise<boolean> {
    this.behind.delete(roomId); // not to be listed again
    try {
      return await super.remove(roomId);
    } catch (error) {
      this.log.warn("a closed room stays listed until Redis answers", { roomId, error: (error as Error).message });
      const again = () => setTimeout(() => super.remove(roomId).catch(again), this.againMs).unref();
      again();
      return false;
    }
  }
}
