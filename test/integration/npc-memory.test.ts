import assert from "node:assert/strict";
import { RedisPresence } from "@colyseus/redis-presence";

import { MET_NPCS_KEY, metKeyOf } from "../../rooms/npc-acquaintances.js";
import { freePort, type Service, startService } from "../helpers/processes.js";

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
});
