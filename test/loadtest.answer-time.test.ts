import assert from "node:assert/strict";

import { createSignal } from "@colyseus/sdk/core/signal";

import { answerTime } from "../loadtest/bots.js";

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
});
