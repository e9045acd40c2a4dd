import assert from "node:assert/strict";

import { LocalPresence } from "@colyseus/core";

import { KeptPresence } from "../server/stores/kept-presence.js";

describe("the embedded default's presence (server/stores/kept-presence.ts)", () => {
  it("answers for its kept hashes, held in Maps of its own, as Colyseus's LocalPresence does, and notes which part changed", async () => {
    const kept = new KeptPresence(["npc-met:", "kobot:"]);
    const local = new LocalPresence();
    const both = async <T>(op: (presence: LocalPresence) => Promise<T> | T) => {
      const [a, b] = [await op(kept), await op(local)];
      assert.deepEqual(a, b, String(op));
      return a;
    };
    await both((p) => p.hset("npc-met:hans", "a", "1"));
    await both((p) => p.hset("npc-met:hans", "b", "2"));
    await both((p) => p.hset("room:x", "seats", "3")); // not kept: LocalPresence's own
    await both((p) => p.hget("npc-met:hans", "a"));
    await both((p) => p.hget("npc-met:hans", "missing"));
    await both((p) => p.hget("npc-met:nobody", "a"));
    await both((p) => p.hgetall("npc-met:hans"));
    await both((p) => p.hgetall("npc-met:nobody"));
    await both((p) => p.hlen("npc-met:hans"));
    await both((p) => p.hincrby("kobot:counts", "x", 2));
    await both((p) => p.hincrby("kobot:counts", "x", 3));
    await both((p) => p.hdel("npc-met:hans", "a"));
    await both((p) => p.hdel("npc-met:hans", "a"));
    await both((p) => p.exists("npc-met:hans"));
    await both((p) => p.exists("room:x"));
    await both((p) => p.del("npc-met:hans"));
    await both((p) => p.exists("npc-met:hans"));
    await both((p) => p.hgetall("npc-met:hans"));
    await both((p) => p.hgetall("room:x"));
    assert.deepEqual([...kept.changed].sort(), ["kobot:", "npc-met:"]);
    assert.deepEqual(kept.hashKeysUnder("kobot:"), ["kobot:counts"]);
    assert.deepEqual([...kept.hashEntries("kobot:counts")], [["x", "5"]]);
  });
});
