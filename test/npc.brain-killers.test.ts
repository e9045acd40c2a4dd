import assert from "node:assert/strict";

import { BrainKillers, traceOf } from "../npc/worker/brain-killers.js";

describe("BrainKillers (texts that killed an NPC worker's brain twice)", () => {
  it("knows a text as the brain reads it, per model, and says its first refusal once", () => {
    const killers = new BrainKillers();
    killers.remember("npc/model", traceOf("죽어").textHash);
    assert.deepEqual(killers.killed("npc/model", "죽어"), { firstRefusal: true });
    assert.deepEqual(killers.killed("npc/model", "  죽\u200b어 "), { firstRefusal: false }, "spacing and invisible characters make it no other question");
    assert.equal(killers.killed("npc/model", "죽어라"), undefined);
    assert.equal(killers.killed("models/big", "죽어"), undefined, "another model may read it safely");
  });

  it("forgets a text after an hour, and the oldest past 1,000", () => {
    let now = 0;
    const killers = new BrainKillers(() => now);
    killers.remember("m", traceOf("죽어").textHash);
    now = 59 * 60_000;
    assert.ok(killers.killed("m", "죽어"));
    now = 61 * 60_000;
    assert.equal(killers.killed("m", "죽어"), undefined);
    assert.equal(killers.size, 0);
    for (let i = 0; i < 1_001; i++) killers.remember("m", traceOf(`말 ${i}`).textHash);
    assert.equal(killers.size, 1_000);
    assert.equal(killers.killed("m", "말 0"), undefined);
    assert.ok(killers.killed("m", "말 1000"));
  });

  it("says a killer's first refusal once, though every read of the deaths folder remembers it again", () => {
    const killers = new BrainKillers(() => 1_000);
    killers.remember("m", traceOf("죽어").textHash, 500);
    assert.deepEqual(killers.killed("m", "죽어"), { firstRefusal: true });
    killers.remember("m", traceOf("죽어").textHash, 500); // the same death, read again from its state file
    assert.deepEqual(killers.killed("m", "죽어"), { firstRefusal: false });
  });

  it("moves a text that kills again to the newest, so the oldest past the limit goes first", () => {
    const killers = new BrainKillers(() => 10, 2);
    killers.remember("m", traceOf("a").textHash, 1);
    killers.remember("m", traceOf("b").textHash, 2);
    killers.remember("m", traceOf("a").textHash, 3);
    killers.remember("m", traceOf("c").textHash, 4);
    assert.ok(killers.killed("m", "a"), "a, renewed at 3, stays");
    assert.equal(killers.killed("m", "b"), undefined, "b, the oldest, goes");
  });

  it("traces a text by a hash and its length, not its words", () => {
    const trace = traceOf(" 죽어 ");
    assert.deepEqual(Object.keys(trace).sort(), ["textChars", "textHash"]);
    assert.equal(trace.textChars, 2);
    assert.equal(trace.textHash, traceOf("죽어").textHash);
    assert.notEqual(trace.textHash, traceOf("죽어라").textHash);
  });
});
