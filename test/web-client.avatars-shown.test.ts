import assert from "node:assert/strict";

import { avatarsShown } from "../web-client/src/avatars-shown.js";

/** Which avatars the browser client's world view draws (web-client/src/avatars-shown.ts). */
describe("web client: avatars shown (web-client/src/avatars-shown.ts)", () => {
  const players = new Map([
    ["earlier", { name: "민수" }], // this page's session before it joined again: the room keeps it 20 s
    ["other", { name: "지영" }],
    ["now", { name: "민수" }],
  ]);

  it("draws this page's own avatar apart from the others, and not its earlier session's", () => {
    const { own, others } = avatarsShown(players, "now", new Set(["earlier", "now"]));
    assert.deepEqual(own, { id: "now", player: { name: "민수" } });
    assert.deepEqual(others.map((a) => a.id), ["other"]);
  });

  it("draws every other player, and no own avatar before the room has it", () => {
    const { own, others } = avatarsShown(players, "not-yet", new Set(["not-yet"]));
    assert.equal(own, undefined);
    assert.deepEqual(others.map((a) => a.id), ["earlier", "other", "now"]);
  });
});
