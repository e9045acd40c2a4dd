import assert from "node:assert/strict";

import { SeenIds } from "../web-client/src/seen-ids.js";

describe("the web client's lines acted on (an npc_action sent again after a silent drop)", () => {
  it("says an id is new once, and forgets the oldest past the ids it keeps", () => {
    const seen = new SeenIds(2);
    assert.deepEqual(["a", "a", "b", "c", "a", "c"].map((id) => seen.add(id)), [true, false, true, true, true, false]);
  });
});
