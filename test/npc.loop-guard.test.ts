import assert from "node:assert/strict";

import { loopUnit, withoutLoop } from "../npc/engine/loop-guard.js";

describe("Loop guard (an answer that repeats a word until max_new_tokens)", () => {
  it("finds a unit said three times in a row at the end, and cuts it back to one (as kobot_train/loop_guard.py)", () => {
    assert.equal(loopUnit([5, 7, 8, 7, 8, 7, 8]), 2);
    assert.deepEqual(withoutLoop([5, 7, 8, 7, 8, 7, 8]), [5, 7, 8]);
    assert.deepEqual(withoutLoop([9, 9, 9]), [9]);
    assert.equal(loopUnit([1, 2, 1, 2, 3]), 0, "twice is speech (하하, 네 네), three times is a loop");
    assert.equal(loopUnit([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]), 4);
    assert.deepEqual(withoutLoop([1, 2, 3]), [1, 2, 3]);
    const six = [4, 5, 6, 7, 8, 9];
    assert.equal(loopUnit([1, ...six, ...six, ...six]), 6, "a phrase of six tokens said three times");
    assert.deepEqual(withoutLoop([1, ...six, ...six, ...six]), [1, ...six]);
    assert.equal(loopUnit([...six, ...six]), 0);
    const eight = [1, 2, 3, 4, 5, 6, 7, 8];
    assert.equal(loopUnit([9, ...eight, ...eight, ...eight]), 8, "the longest unit it looks for, eight tokens");
  });
});
