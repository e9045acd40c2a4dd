import assert from "node:assert/strict";
import { LocalPresence } from "@colyseus/core";

import { forgetAccount, forgetLongAgo, metKeyOf, NpcAcquaintances } from "../rooms/npc/npc-acquaintances.js";

describe("whom NPCs have met (rooms/npc/npc-acquaintances.ts)", () => {
  it("knows an account the NPC met before, per NPC, and forgets it after the forgetting time", async () => {
    const day = 86_400_000;
    const acquaintances = new NpcAcquaintances(new LocalPresence(), 30 * day);
    const t0 = Date.UTC(2026, 11, 2);
    assert.deepEqual([...(await acquaintances.meet("hans", ["a", "b"], t0))], [], "nobody met yet");
    assert.deepEqual([...(await acquaintances.meet("hans", ["a", "c"], t0 + day))], ["a"]);
    assert.deepEqual([...(await acquaintances.meet("mina", ["a"], t0 + day))], [], "the baker has not met a");
    // b last met on day 0: still known on day 29, forgotten after day 30 counted from the last meeting.
    assert.deepEqual([...(await acquaintances.meet("hans", ["b"], t0 + 29 * day))], ["b"]);
    assert.deepEqual([...(await acquaintances.meet("hans", ["c"], t0 + 32 * day))], [], "c last met on day 1");
  });

  it("forgets an account for every NPC that met it, on an erasure request: those of the world, and those removed since", async () => {
    const presence = new LocalPresence();
    const acquaintances = new NpcAcquaintances(presence);
    await acquaintances.meet("hans", ["gone", "stays"]);
    await acquaintances.meet("removed-since", ["gone"]);
    await acquaintances.meet("mina", ["stays"]);
    await presence.hset(metKeyOf("met-before-the-set"), "gone", String(Date.now())); // as a version before it wrote
    assert.equal(await forgetAccount(presence, ["hans", "met-before-the-set"], "gone"), 3);
    assert.deepEqual([...(await acquaintances.meet("hans", ["gone", "stays"]))], ["stays"]);
    assert.deepEqual([...(await acquaintances.meet("removed-since", ["gone"]))], []);
    assert.equal(await forgetAccount(presence, [], "nobody"), 0);
  });

  it("drops the meetings past the forgetting time, for the world's NPCs and those that met anyone; newer ones stay", async () => {
    const day = 86_400_000;
    const presence = new LocalPresence();
    const acquaintances = new NpcAcquaintances(presence, 30 * day);
    const t0 = Date.UTC(2026, 11, 2);
    await acquaintances.meet("hans", ["old", "renewed"], t0);
    await acquaintances.meet("removed-since", ["old"], t0);
    await acquaintances.meet("hans", ["renewed", "new"], t0 + 20 * day);
    await presence.hset(metKeyOf("met-before-the-set"), "old", String(t0)); // as a version before the set wrote
    assert.equal(await forgetLongAgo(presence, ["hans", "met-before-the-set"], { now: t0 + 30 * day, forgetAfterMs: 30 * day }), 3);
    assert.deepEqual(Object.keys(await presence.hgetall(metKeyOf("hans"))).sort(), ["new", "renewed"]);
    assert.deepEqual(await presence.hgetall(metKeyOf("removed-since")), {});
    assert.deepEqual(await presence.hgetall(metKeyOf("met-before-the-set")), {});
    assert.equal(await forgetLongAgo(presence, ["hans"], { now: t0 + 30 * day, forgetAfterMs: 30 * day }), 0, "nothing left to drop");
    // Dropping changes nothing a player sees: the renewed meeting is still known, the old one already was not.
    assert.deepEqual([...(await acquaintances.meet("hans", ["renewed", "old"], t0 + 31 * day))], ["renewed"]);
  });
});
