import type { Redis } from "ioredis";

import type { HashPages } from "../../rooms/hash-pages.js";

/** Fields a page asks Redis for (a hint: HSCAN may return a few more, or every field of a small hash). */
const PAGE_FIELDS = 1000;

// One call a page, and no field deleted whose time was renewed after its page was read (a player met again meanwhile).
const DELETE_AT_OR_BEFORE = `
local deleted = 0
for i = 2, #ARGV do
  local at = redis.call('HGET', KEYS[1], ARGV[i])
  if at and tonumber(at) <= tonumber(ARGV[1]) then deleted = deleted + redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return deleted`;

/**
 * A hash on Redis read with HSCAN, so that no call holds Redis (every process's matchmaking and presence) for longer
 * than a page: a sweep of a million fields is a thousand short calls, not one HGETALL of ~0.5 s.
 */
export function redisHashPages(redis: Redis, pageFields = PAGE_FIELDS): HashPages {
  return {
    async *pages(key) {
      let cursor = "0";
      do {
        const [next, flat] = await redis.hscan(key, cursor, "COUNT", pageFields);
        cursor = next;
        const page: [string, string][] = [];
        for (let i = 0; i < flat.length; i += 2) page.push([flat[i]!, flat[i + 1]!]);
        if (page.length > 0) yield page;
      } while (cursor !== "0");
    },
    async deleteAtOrBefore(key, fields, cutoff) {
      if (fields.length === 0) return 0;
      return Number(await redis.eval(DELETE_AT_OR_BEFORE, 1, key, String(cutoff), ...fields));
    },
  };
}
