import assert from "node:assert/strict";

import { withoutOwnName } from "../npc/own-name.js";

describe("An NPC called by its own name", () => {
  const names = ["mina", "미나"];

  it("hears the line without its name, as called in chat", () => {
    assert.equal(withoutOwnName("hi 미나", names), "hi");
    assert.equal(withoutOwnName("미나야 빵 있어?", names), "빵 있어?");
    assert.equal(withoutOwnName("미나 님, 케이크 있어요?", names), "케이크 있어요?");
    assert.equal(withoutOwnName("Mina! 안녕", names), "안녕");
  });

  it("keeps other names, names inside words, and a line that is only the name", () => {
    assert.equal(withoutOwnName("한스 어디 있어?", names), "한스 어디 있어?");
    assert.equal(withoutOwnName("미나리 좋아해?", names), "미나리 좋아해?");
    assert.equal(withoutOwnName("미나?", names), "미나?");
  });
});
