import assert from "node:assert/strict";

import { bestCandidate } from "../npc/engine/best-candidate.js";

const candidate = (name: string, meanLogProb: number, ids = [1, 2]) => ({ name, ids, meanLogProb });

describe("bestCandidate (the answer an NPC says of those sampled for one question)", () => {
  it("weighs an answer fit for any question down: B, less likely but specific, beats A", () => {
    const [a, b] = [candidate("A", -1), candidate("B", -1.2)];
    // A: −1 − 1 × (−0.5) = −0.5; B: −1.2 − 1 × (−3) = 1.8.
    assert.equal(bestCandidate([a, b], 1, [-0.5, -3]).name, "B");
    assert.equal(bestCandidate([a, b], 0, [-0.5, -3]).name, "A", "weight 0: the likeliest");
    assert.equal(bestCandidate([a, b], 1).name, "A", "no generic scores: the likeliest");
  });

  it("never chooses an empty answer, however likely, and gives a tie to the earlier", () => {
    assert.equal(bestCandidate([candidate("empty", -0.1, []), candidate("said", -2)], 0).name, "said");
    assert.equal(bestCandidate([candidate("said", -2), candidate("empty", 5, [])], 1, [0, -9]).name, "said");
    assert.equal(bestCandidate([candidate("first", -1), candidate("second", -1)], 0).name, "first");
    assert.equal(bestCandidate([candidate("first", -1, []), candidate("second", -1, [])], 0).name, "first", "all empty: the first, to say nothing for");
  });
});
