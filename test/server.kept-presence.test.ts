import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { LocalPresence } from "@colyseus/core";
import { z } from "zod";

import { createLogger } from "../common/log.js";

import { type KeptPart, KeptPresence, keepPresence } from "../server/stores/kept-presence.js";

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

describe("a kept presence's changes (server/stores/kept-presence.ts)", () => {
  it("notes the part a deleted kept hash belongs to, so the deletion is saved", async () => {
    const kept = new KeptPresence(["npc-met:"]);
    await kept.hset("npc-met:hans", "a", "1");
    kept.changed.clear();
    kept.del("npc-met:hans");
    assert.deepEqual([...kept.changed], ["npc-met:"]);
  });

  it("writes a part on the next save after a failed write: the failed write's changes are not dropped", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kept-presence-"));
    let diskFull = true;
    const part: KeptPart<Record<string, string>> = {
      file: "probe.json", prefix: "probe:", holds: "probe", schema: z.record(z.string(), z.string()), keepsUnreadable: false,
      async *json(presence) {
        if (diskFull) throw new Error("disk full");
        yield JSON.stringify(Object.fromEntries(presence.hashEntries("probe:x")));
      },
      restore: async () => ({}),
    };
    const kept = await keepPresence(dir, [part as KeptPart<unknown>], createLogger({}, "silent"), 60_000);
    try {
      await kept.presence.hset("probe:x", "a", "1");
      assert.equal(await kept.saveNow(), false);
      diskFull = false;
      assert.equal(await kept.saveNow(), true);
      assert.equal(await readFile(join(dir, "probe.json"), "utf8"), '{"a":"1"}');
    } finally {
      await kept.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
