import type { Presence } from "@colyseus/core";

/** A hash's fields and values. */
export type HashPage = ReadonlyArray<readonly [field: string, value: string]>;

/**
 * How a sweep reads a hash that may be very large (an NPC's memory of every account it met): a page at a time, and
 * deleting fields only while their time is still old. Two implementations, as for the presence itself: any presence
 * (below), and Redis's own scan (server/stores/redis-hash-pages.ts).
 */
export interface HashPages {
  pages(key: string): AsyncIterable<HashPage>;
  /** Deletes those of `fields` whose value (a time, epoch ms) is at or before `cutoff` now; how many went. */
  deleteAtOrBefore(key: string, fields: readonly string[], cutoff: number): Promise<number>;
}

/**
 * Through the presence's own calls: the whole hash as one page. Right for the process's own presence (no Redis), where
 * the hash is in memory already; with Redis, HGETALL of a million fields stops Redis for every process ~0.5 s.
 */
export function presenceHashPages(presence: Presence): HashPages {
  return {
    async *pages(key) {
      yield Object.entries(await presence.hgetall(key));
    },
    async deleteAtOrBefore(key, fields, cutoff) {
      let deleted = 0;
      for (const field of fields) {
        const at = await presence.hget(key, field);
        if (at !== null && Number(at) <= cutoff && (await presence.hdel(key, field))) deleted++;
      }
      return deleted;
    },
  };
}
