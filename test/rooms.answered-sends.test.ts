import assert from "node:assert/strict";

import { AnsweredSends } from "../rooms/chat/answered-sends.js";

describe("chat messages' sendIds the room answered (a line sent again is answered as before)", () => {
  it("answers a sendId again within the time remembered, per sender, and not after", () => {
    const sends = new AnsweredSends(1000, 10);
    sends.answered("account a", "s1", ["said", { sendId: "s1", lineId: "l1" }], "안녕\n", 0);
    assert.deepEqual(sends.answerOf("account a", "s1", 999), { at: 0, answer: ["said", { sendId: "s1", lineId: "l1" }], words: "안녕\n" });
    assert.equal(sends.answerOf("account b", "s1", 999), undefined, "another sender's id is its own");
    assert.equal(sends.answerOf("account a", "s1", 1000), undefined);
  });

  it("keeps the newest ids of a sender at most, and lets go of senders whose ids all aged out", () => {
    const sends = new AnsweredSends(60_000, 3);
    for (let i = 0; i < 5; i++) sends.answered("flooder", `s${i}`, ["error", { id: `e${i}` }], "", i);
    assert.equal(sends.answerOf("flooder", "s1", 10), undefined);
    assert.deepEqual(sends.answerOf("flooder", "s4", 10)?.answer, ["error", { id: "e4" }]);
    assert.equal(sends.size, 3);
    sends.answered("quiet", "q", ["said", {}], "", 70_000); // the flooder's have aged out: swept
    assert.equal(sends.size, 1);
  });
});
