import assert from "node:assert/strict";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";

import { forgetLongAgo, MET_NPCS_KEY, metKeyOf } from "../../rooms/npc/npc-acquaintances.js";
import type { HashPage } from "../../rooms/hash-pages.js";
import { redisHashPages } from "../../server/stores/redis-hash-pages.js";
import { freePort, type Service, startService } from "../../tools/processes.js";

describe("NPCs forget meetings past the forgetting time (a server on a real Redis)", function () {
  let presence: RedisPresence;
  let server: Service | undefined;
  const run = `${process.pid}-${Date.now()}`;
  const removedNpc = `removed-${run}`;

  before(() => {
    presence = new RedisPresence(process.env.TEST_REDIS_URL!); // set by the services fixture's root hook
  });

  after(async () => {
    await server?.stop();
    presence.del(metKeyOf(removedNpc));
    await presence.hdel(metKeyOf("hans"), `recent-${run}`);
    await presence.srem(MET_NPCS_KEY, removedNpc);
    presence.shutdown();
  });

  it("drops them from Redis as the server starts (and every 6 hours), for the world's NPCs and those removed since", async () => {
    const day = 86_400_000;
    const now = Date.now();
    await presence.hset(metKeyOf("hans"), `old-${run}`, String(now - 31 * day));
    await presence.hset(metKeyOf("hans"), `recent-${run}`, String(now - 29 * day));
    await presence.sadd(MET_NPCS_KEY, removedNpc);
    await presence.hset(metKeyOf(removedNpc), `old-${run}`, String(now - 40 * day));

    const port = await freePort();
    server = await startService("npc-memory-server", "server/main.ts", {
      REDIS_URL: process.env.TEST_REDIS_URL!, PORT: String(port), SERVER_ID: "npc-memory", PUBLIC_ADDRESS: `127.0.0.1:${port}`,
    }, "world server listening");

    // The sweep runs just after "listening": read until it has (10 s at most).
    const deadline = performance.now() + 10_000;
    let hans: Record<string, string> = {};
    while (performance.now() < deadline) {
      hans = await presence.hgetall(metKeyOf("hans"));
      if (!(`old-${run}` in hans)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(!(`old-${run}` in hans), "31 days ago: forgotten");
    assert.equal(hans[`recent-${run}`], String(now - 29 * day), "29 days ago: kept");
    assert.deepEqual(await presence.hgetall(metKeyOf(removedNpc)), {}, "an NPC no longer in the world forgets too");
  });

  it("sweeps a large memory a page at a time (HSCAN), deleting only meetings still old when their page is deleted", async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL!);
    const npcId = `crowded-${run}`;
    const key = metKeyOf(npcId);
    try {
      const day = 86_400_000;
      const now = Date.now();
      // 5,000 accounts met 0–39 days ago: those of 30 days and more (a quarter) go.
      const fields = Array.from({ length: 5000 }, (_, i) => [`account-${i}`, String(now - (i % 40) * day)] as const);
      await redis.hset(key, ...fields.flat());
      const hashes = redisHashPages(redis, 500);

      const pageSizes: number[] = [];
      for await (const page of hashes.pages(key)) pageSizes.push(page.length);
      assert.equal(pageSizes.reduce((sum, size) => sum + size, 0) >= 5000, true, "every field read (HSCAN may repeat one)");
      assert.ok(pageSizes.length >= 5 && Math.max(...pageSizes) < 2500, `pages of about 500, not the whole hash: ${pageSizes.join(", ")}`);

      // A player met again after their page was read keeps the meeting.
      const cutoff = now - 30 * day;
      const { value: firstPage } = await hashes.pages(key)[Symbol.asyncIterator]().next();
      const old = (firstPage as HashPage).filter(([, at]) => Number(at) <= cutoff).map(([account]) => account);
      await redis.hset(key, old[0]!, String(now));
      assert.equal(await hashes.deleteAtOrBefore(key, old, cutoff), old.length - 1);
      assert.equal(await redis.hget(key, old[0]!), String(now));

      const forgotten = await forgetLongAgo(presence, [npcId], { now, hashes });
      assert.equal(forgotten, 1250 - old.length, "the rest of the old quarter");
      const left = await redis.hgetall(key);
      assert.equal(Object.keys(left).length, 3750 + 1);
      assert.ok(Object.values(left).every((at) => Number(at) > cutoff), "only meetings within 30 days are left");
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });
});

