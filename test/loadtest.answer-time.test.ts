import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createSignal } from "@colyseus/sdk/core/signal";

import type { QuestionMessage } from "../kafka/contract.js";
import { answerTime } from "../loadtest/answer-time.js";
import { saveWorld } from "./helpers/save-world.js";
import { scriptedAnswer, startTestWorld } from "./helpers/world.js";

describe("a load-test bot's wait for its answer", () => {
  it("lets the other state listeners of that patch hear it too (the SDK's remove() moves the last one into its place)", async () => {
    // The SDK's own signal, as room.onStateChange is: a room is more than this test needs.
    const onStateChange = createSignal<(state: any) => void>();
    const state = { chat: [] as Array<{ id: string; from: string; text: string; replyTo?: string }> };
    const room = { sessionId: "me", state, onStateChange, onMessage: () => () => {} };
    const answered = answerTime(room as any, "안녕");
    const heard: number[] = [];
    onStateChange(() => heard.push(state.chat.length)); // registered after: the SDK moves it into the removed one's place
    state.chat.push({ id: "q", from: "me", text: "안녕" }, { id: "a", from: "kobot", text: "반가워요", replyTo: "q" });
    onStateChange.invoke(state);
    assert.ok((await answered)?.ms !== undefined);
    assert.deepEqual(heard, [2], "the other listener heard the patch that brought the answer");
  });

  it("leaves the next wait's listener in place when two patches come in one task (one socket read)", async () => {
    const onStateChange = createSignal<(state: any) => void>();
    const state = { chat: [] as Array<{ id: string; from: string; text: string; replyTo?: string }> };
    const room = { sessionId: "me", state, onStateChange, onMessage: () => () => {} };
    // The next question asked as soon as the first is answered, as bench:busy-room's players do.
    const second = answerTime(room as any, "하나").then(() => answerTime(room as any, "둘"));
    state.chat.push({ id: "q1", from: "me", text: "하나" }, { id: "a1", from: "kobot", text: "네", replyTo: "q1" });
    onStateChange.invoke(state);
    onStateChange.invoke(state);
    await new Promise((resolve) => setImmediate(resolve));
    state.chat.push({ id: "q2", from: "me", text: "둘" }, { id: "a2", from: "kobot", text: "네", replyTo: "q2" });
    onStateChange.invoke(state);
    const timeout = new Promise((resolve) => setTimeout(() => resolve("no answer heard"), 200));
    assert.notEqual(await Promise.race([second, timeout]), "no answer heard");
  });
});

describe("a load-test bot's wait for the answer of an NPC that talks in private", function () {
  this.timeout(30_000);

  it("times the answer told to it alone (a private_line, never in the state), where it waited out its timeout and counted none", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "answer-time-private-")), "world.json");
    saveWorld(file, { npcs: [{ id: "mina", name: "미나", position: { x: 0, y: 0, z: 0 }, talkRadius: 100, privateTalk: true }] });
    const world = await startTestWorld({ WORLD_FILE: file });
    try {
      await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => questions.map((q) => scriptedAnswer(q, `답: ${q.text}`)));
      const bot = await world.join("봇");
      const answered = answerTime(bot.room, "@mina 질문 하나", 5000);
      bot.room.send("chat", { text: "@mina 질문 하나" });
      const result = await answered;
      assert.ok(result !== undefined, "answered within 5 s");
      assert.equal(result.fallback, false);
      await bot.room.leave();
    } finally {
      await world.stop();
    }
  });
});
