import assert from "node:assert/strict";

import { callsAny, withoutOwnName, wordsOf } from "../npc/own-name.js";

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

  it("hears a name with a space called with it or without it: 밥 아저씨, 밥아저씨", () => {
    const uncle = ["uncle", "밥 아저씨"];
    assert.equal(withoutOwnName("밥 아저씨 배고파", uncle), "배고파");
    assert.equal(withoutOwnName("밥아저씨 배고파", uncle), "배고파");
    assert.equal(withoutOwnName("밥아저씨야, 빵 있어?", uncle), "빵 있어?");
    assert.equal(withoutOwnName("안녕 밥 아저씨 님!", uncle), "안녕");
    assert.equal(withoutOwnName("밥 먹었어?", uncle), "밥 먹었어?", "a word of the name alone is not a call");
    assert.equal(withoutOwnName("아저씨 어디 가?", uncle), "아저씨 어디 가?");
    assert.equal(withoutOwnName("밥아저씨", uncle), "밥아저씨");
    // callsAny, which spares reading every knowledge line again, finds those calls too.
    assert.ok(callsAny(wordsOf(["밥 아저씨 배고파"]), uncle));
    assert.ok(callsAny(wordsOf(["밥아저씨야 안녕"]), uncle));
    assert.ok(!callsAny(wordsOf(["밥 먹었어?"]), uncle));
  });
});
