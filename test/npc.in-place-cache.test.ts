import assert from "node:assert/strict";

import { NpcEngine } from "../npc/engine.js";
import { compactionOrder } from "../npc/engine/in-place-cache.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { EVERYDAY_QUESTIONS, shippedEngine } from "./helpers/engine.js";

describe("compactionOrder", () => {
  it("keeps the rows in place when none ends", () => {
    assert.deepEqual(compactionOrder([0, 1, 2, 3]), [0, 1, 2, 3]);
  });

  it("fills an ended row's place with a live row from the end, moving as few as it can", () => {
    assert.deepEqual(compactionOrder([0, 2, 3]), [0, 3, 2]); // row 1 ended: row 3 takes its place
    assert.deepEqual(compactionOrder([0, 1]), [0, 1]); // the last rows ended: nothing moves
    assert.deepEqual(compactionOrder([2, 3]), [2, 3]);
    assert.deepEqual(compactionOrder([1, 4, 5]), [4, 1, 5]);
  });

  it("never reads a row after it was overwritten (every source is at or beyond the new count)", () => {
    for (const kept of [[3, 5, 6, 7], [0, 2, 4, 6], [1, 2, 3, 9, 10]]) {
      const order = compactionOrder(kept);
      assert.deepEqual([...order].sort((a, b) => a - b), kept);
      order.forEach((from, to) => assert.ok(from === to || from >= order.length));
    }
  });
});

describe("Decoding over a cache kept in place (the export's step graph)", () => {
  let throughPresent: NpcEngine;
  let fp32: NpcEngine; // the same graphs' numbers: the shipped default runs int8 graphs
  before(async () => {
    throughPresent = await NpcEngine.load(DEFAULT_MODEL_DIR, { dtype: "fp32", inPlaceCache: false });
    fp32 = await NpcEngine.load(DEFAULT_MODEL_DIR, { dtype: "fp32" });
  });
  after(async () => {
    await throughPresent.dispose();
    await fp32.dispose();
  });

  it("is how the shipped model decodes, in either dtype; q8 needs it", async () => {
    assert.equal((await shippedEngine()).decodesInPlace, true);
    assert.equal(fp32.decodesInPlace, true);
    assert.equal(throughPresent.decodesInPlace, false);
    await assert.rejects(NpcEngine.load(DEFAULT_MODEL_DIR, { dtype: "q8", inPlaceCache: false }), /q8 decodes with the step graph/);
  });

  it("gives the same answers and confidences as passing the cache through the full graph", async () => {
    const engine = fp32;
    // A batch where rows end at different steps: ended rows are replaced by live ones from the end.
    const inPlace = await engine.answerBatch(EVERYDAY_QUESTIONS);
    const present = await throughPresent.answerBatch(EVERYDAY_QUESTIONS);
    assert.ok(new Set(inPlace.map((a) => a.tokens)).size > 3, "rows of many lengths");
    assert.deepEqual(inPlace.map((a) => [a.text, a.confidence]), present.map((a) => [a.text, a.confidence]));
    for (const question of EVERYDAY_QUESTIONS.slice(0, 4)) {
      assert.equal((await engine.answer(question)).text, (await throughPresent.answer(question)).text);
    }
  });

  it("answers up to the last token it has room for", async () => {
    const engine = fp32;
    const settings = { maxNewTokens: 3 };
    const [inPlace, present] = [await engine.answerBatch(EVERYDAY_QUESTIONS, { settings }), await throughPresent.answerBatch(EVERYDAY_QUESTIONS, { settings })];
    assert.ok(inPlace.some((a) => a.tokens === 3));
    assert.deepEqual(inPlace.map((a) => a.text), present.map((a) => a.text));
  });
});
