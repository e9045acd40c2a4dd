import assert from "node:assert/strict";

import { KEPT_PRIVATE_LINES, PrivateLines } from "../web-client/src/private-lines.js";

describe("the web client's lines of talk in private (private_line messages)", () => {
  it("takes each line once, though one held over a reconnection comes again", () => {
    const lines = new PrivateLines();
    assert.deepEqual(lines.take("q1"), { dropped: [] });
    assert.deepEqual(lines.take("a1"), { dropped: [] });
    assert.equal(lines.take("q1"), undefined);
    assert.equal(lines.take("a1"), undefined);
  });

  it("keeps the newest 50: the oldest goes when a 51st comes, and does not come back if sent again", () => {
    assert.equal(KEPT_PRIVATE_LINES, 50, "as the contract says");
    const lines = new PrivateLines();
    for (let i = 0; i < KEPT_PRIVATE_LINES; i++) assert.deepEqual(lines.take(String(i)), { dropped: [] });
    assert.deepEqual(lines.take("50"), { dropped: ["0"] });
    assert.deepEqual(lines.take("51"), { dropped: ["1"] });
    assert.equal(lines.take("0"), undefined, "dropped, not shown again at the end");
    assert.equal(lines.take("51"), undefined);
  });
});
