import assert from "node:assert/strict";

import { forgetLongAgo, MET_PREFIX, metKeyOf } from "../rooms/npc/npc-acquaintances.js";
import { keptHashPages } from "../server/stores/kept-hash-pages.js";
import { KeptPresence } from "../server/stores/kept-presence.js";

describe("the embedded presence's NPC memory swept a page at a time (server/stores/kept-hash-pages.ts)", () => {
  const day = 86_400_000;
  const now = Date.UTC(2026, 11, 3);
  const remembering = async (meetings: number) => {
    const presence = new KeptPresence([MET_PREFIX]);
    // Met 0–39 days ago, evenly: a quarter past the 30 days (600 of 2,400).
    for (let i = 0; i < meetings; i++) await presence.hset(metKeyOf("hans"), `account-${i}`, String(now - (i % 40) * day));
    return presence;
  };

  it("reads pages of 1,000 in place, letting the event loop run between them", async () => {
    const presence = await remembering(2400);
    const sizes: number[] = [];
    // Another task of the event loop (a room's), taking a turn whenever the loop gets one.
    let turns = 0;
    let stopped = false;
    const otherTask = () => {
      if (stopped) return;
      turns++;
      setImmediate(otherTask);
    };
    setImmediate(otherTask);
    try {
      for await (const page of keptHashPages(presence).pages(metKeyOf("hans"))) sizes.push(page.length, turns);
    } finally {
      stopped = true;
    }
    assert.deepEqual([sizes[0], sizes[2], sizes[4]], [1000, 1000, 400]);
    assert.ok(sizes[3]! > sizes[1]! && sizes[5]! > sizes[3]!, `another task ran between the pages: ${sizes.join(", ")}`);
  });

  it("forgets exactly the meetings past the forgetting time, keeping one renewed after its page was read", async () => {
    const presence = await remembering(2400);
    const hashes = keptHashPages(presence);
    const [firstPage] = await (async () => {
      for await (const page of hashes.pages(metKeyOf("hans"))) return [page];
      return [];
    })();
    const cutoff = now - 30 * day;
    const old = firstPage!.filter(([, at]) => Number(at) <= cutoff).map(([account]) => account);
    await presence.hset(metKeyOf("hans"), old[0]!, String(now));
    assert.equal(await hashes.deleteAtOrBefore(metKeyOf("hans"), old, cutoff), old.length - 1);
    assert.equal(await forgetLongAgo(presence, ["hans"], { now, hashes }), 600 - old.length);
    const left = await presence.hgetall(metKeyOf("hans"));
    assert.equal(Object.keys(left).length, 2400 - 600 + 1);
    assert.ok(Object.values(left).every((at) => Number(at) > cutoff));
  });
});
