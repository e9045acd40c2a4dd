import assert from "node:assert/strict";

import { type HeardLine, UnconfirmedLines } from "../web-client/src/unconfirmed-lines.js";

const mine = (session: string) => session === "me" || session === "me-before";
const own = (text: string, from = "me"): HeardLine => ({ kind: "player", from, text });

describe("the web client's lines not yet seen to reach the room (sent again after a socket died unnoticed)", () => {
  it("takes a line as reached when its echo comes, and only the player's own line as its echo", () => {
    const lines = new UnconfirmedLines();
    lines.sent({ text: "안녕" }, 0);
    lines.heard([own("안녕")], mine);
    assert.equal(lines.size, 0);
    lines.sent({ text: "안녕", to: "kobot" }, 1000);
    lines.heard([{ kind: "player", from: "someone", text: "안녕" }, { kind: "npc", from: "kobot", text: "안녕" }], mine);
    assert.deepEqual(lines.unsentWithin(60_000, 2000), [{ text: "안녕", to: "kobot" }]);
    assert.equal(lines.size, 1, "sent again, still to be confirmed");
  });

  it("matches echoes by the words as the server cleans them, from any of the page's sessions", () => {
    const lines = new UnconfirmedLines();
    lines.sent({ text: "  반가워   요\u200b " }, 0);
    lines.heard([own("반가워 요", "me-before")], mine);
    assert.equal(lines.size, 0);
  });

  it("takes a refusal as the answer to the line it gives back, not the oldest, whose echo may still be coming", () => {
    const lines = new UnconfirmedLines();
    lines.sent({ text: "첫째" }, 0);
    lines.sent({ text: "둘째" }, 0);
    lines.sent({ text: "셋째" }, 0);
    lines.sent({ text: "\u200b" }, 0);
    lines.refused({ code: "rate_limited", message: "", text: "둘째", retryAfterMs: 900 });
    lines.refused({ code: "moderated", message: "", text: "셋째" });
    lines.refused({ code: "chat_empty", message: "", text: "" });
    lines.refused({ code: "unknown_message", message: "" }); // not about a line
    assert.deepEqual(lines.unsentWithin(60_000, 0), [{ text: "첫째" }]);
  });

  it("sends nothing again that is older than asked, and keeps a bounded number of lines", () => {
    const lines = new UnconfirmedLines();
    for (let i = 0; i < 30; i++) lines.sent({ text: `줄 ${i}` }, i * 1000);
    assert.equal(lines.size, 20);
    const again = lines.unsentWithin(5000, 29_000).map((line) => line.text);
    assert.deepEqual(again, ["줄 24", "줄 25", "줄 26", "줄 27", "줄 28", "줄 29"]);
  });

  it("counts the send-again limit from the line's first sending: one that closes every socket it goes on stops going", () => {
    const lines = new UnconfirmedLines();
    lines.sent({ text: "너무 큰 줄" }, 0);
    // Each return (a 1009 close, a rejoin, the line sent again, another close) finds it unconfirmed still.
    for (let back = 2000; back <= 60_000; back += 2000) assert.deepEqual(lines.unsentWithin(60_000, back), [{ text: "너무 큰 줄" }], `at ${back} ms`);
    assert.deepEqual(lines.unsentWithin(60_000, 62_000), [], "60 s after the player's Enter, not again");
    assert.equal(lines.size, 0);
  });

  it("sends nothing again once cleared (the server closed the socket for a message too big)", () => {
    const lines = new UnconfirmedLines();
    lines.sent({ text: "하나" }, 0);
    lines.sent({ text: "둘" }, 0);
    lines.clear();
    assert.deepEqual(lines.unsentWithin(60_000, 1000), []);
  });

  it("takes a line as reached by the room's said for its sendId, and then by nothing else: not an echo, nor a refusal's words", () => {
    const lines = new UnconfirmedLines();
    lines.sent({ text: "같은 말", sendId: "a" }, 0);
    lines.sent({ text: "같은 말", sendId: "b" }, 0);
    lines.sent({ text: "거절될 말", sendId: "c" }, 0);
    lines.sent({ text: "늦을 말", sendId: "d" }, 0);
    lines.said({ sendId: "b", lineId: "line-b" });
    lines.said({ sendId: "b", lineId: "line-b" }); // sent again by the room after a drop: nothing more to confirm
    lines.heard([own("같은 말"), own("늦을 말")], mine); // b's echo, and a line of the same words said before
    lines.refused({ code: "npc_busy", message: "", text: "늦을 말", npcId: "kobot" }); // about a line said, no sendId
    lines.refused({ code: "too_far", message: "", text: "거절될 말", sendId: "c" });
    assert.deepEqual(lines.unsentWithin(60_000, 0), [{ text: "같은 말", sendId: "a" }, { text: "늦을 말", sendId: "d" }]);
  });
});
