import assert from "node:assert/strict";

import { ReplyOrder } from "../rooms/npc/reply-order.js";

describe("an NPC's replies to a player, in the order they spoke", () => {
  it("says a reply at hand at once when nothing is asked before it, else after the answers before it", () => {
    const replies = new ReplyOrder();
    const said: string[] = [];
    replies.reply("kobot", "a", () => said.push("call 1"));
    assert.deepEqual(said, ["call 1"]);
    replies.asked("kobot", "a", "q1");
    replies.reply("kobot", "a", () => said.push("call 2"));
    replies.asked("kobot", "a", "q2");
    replies.reply("kobot", "a", () => said.push("refusal"));
    replies.reply("hans", "a", () => said.push("hans's call")); // another NPC: its own turns
    replies.reply("kobot", "b", () => said.push("b's call")); // another player too
    assert.deepEqual(said, ["call 1", "hans's call", "b's call"]);
    said.push("answer 1"); // the brain's answer, said by the room
    replies.answered("kobot", "a", "q1");
    assert.deepEqual(said.slice(3), ["answer 1", "call 2"], "the refusal waits for q2's answer");
    replies.answered("kobot", "a", "q2", () => said.push("busy 2")); // q2 turned away in its turn
    assert.deepEqual(said.slice(5), ["busy 2", "refusal"]);
    replies.reply("kobot", "a", () => said.push("call 3"));
    assert.equal(said.at(-1), "call 3", "nothing waits any more");
  });

  it("says a question turned away behind others in its own turn, and forgets a player who left", () => {
    const replies = new ReplyOrder();
    const said: string[] = [];
    replies.asked("kobot", "a", "q1");
    replies.asked("kobot", "a", "q2");
    replies.answered("kobot", "a", "q2", () => said.push("busy 2")); // displaced by a newcomer's first question
    assert.equal(said.length, 0, "q1 not answered yet");
    replies.answered("kobot", "a", "q1", () => said.push("answer 1"));
    assert.deepEqual(said, ["answer 1", "busy 2"]);
    replies.asked("kobot", "a", "q3");
    replies.reply("kobot", "a", () => said.push("call"));
    replies.left("a");
    replies.answered("kobot", "a", "q3");
    assert.deepEqual(said, ["answer 1", "busy 2"], "not said to a player who left");
  });

  it("says an answer to a question it never saw asked at once: nothing waits before it", () => {
    const said: string[] = [];
    new ReplyOrder().answered("kobot", "a", "q-unknown", () => said.push("answer"));
    assert.deepEqual(said, ["answer"]);
  });
});
