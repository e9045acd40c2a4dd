import assert from "node:assert/strict";

import { ownLineToken } from "../npc/own-lines.js";

const EOS = 0;
/** Logits over ids 0–9, the model preferring `best`. */
const scores = (best: number) => Float32Array.from({ length: 10 }, (_, id) => (id === best ? 5 : id));

describe("ownLineToken (an NPC's own line, once begun, said as written)", () => {
  const lines = [[4, 5, 6], [4, 7]];

  it("leaves the first token to the model", () => {
    assert.equal(ownLineToken([], lines, EOS, scores(9)), undefined);
  });

  it("goes on with the line the answer has begun, whatever the model prefers", () => {
    assert.equal(ownLineToken([4, 5], lines, EOS, scores(9)), 6);
  });

  it("ends the answer with the line", () => {
    assert.equal(ownLineToken([4, 5, 6], lines, EOS, scores(9)), EOS);
    assert.equal(ownLineToken([4, 7], lines, EOS, scores(9)), EOS);
  });

  it("takes the more likely of two lines that begin alike", () => {
    assert.equal(ownLineToken([4], lines, EOS, scores(9)), 7, "7 scores above 5 here");
    assert.equal(ownLineToken([4], lines, EOS, Float32Array.from({ length: 10 }, (_, id) => (id === 5 ? 9 : 0))), 5);
  });

  it("lets the model speak once its answer is no line's beginning", () => {
    assert.equal(ownLineToken([3], lines, EOS, scores(9)), undefined);
    assert.equal(ownLineToken([4, 5, 6, 1], lines, EOS, scores(9)), undefined, "past the line's end");
    assert.equal(ownLineToken([4, 5], [], EOS, scores(9)), undefined);
  });
});
