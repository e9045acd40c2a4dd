import assert from "node:assert/strict";
import { CloseCode } from "@colyseus/sdk";

import type { QuestionMessage } from "../kafka/contract.js";
import type { SaidNotice, WorldError } from "../rooms/world-protocol.js";
import { newSendId } from "../web-client/src/send-id.js";
import { UnconfirmedLines } from "../web-client/src/unconfirmed-lines.js";
import { type FreezingProxy, startFreezingProxy } from "./helpers/freezing-proxy.js";
import { joinThroughProxy, joinWorld, recordingChatLog, scriptedAnswer, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

/** The room's confirmation of a line (world-protocol.ts SAID), spelt out: the contract clients are written to. */
const SAID = "said";

/** The `said` notices the player gets, as they come. */
function saidTo(player: TestPlayer): SaidNotice[] {
  const said: SaidNotice[] = [];
  player.room.onMessage(SAID, (notice: SaidNotice) => said.push(notice));
  return said;
}

/** The player's room resumes at once after a drop (the SDK waits seconds by default). */
function resumesAtOnce(player: TestPlayer): Promise<void> {
  Object.assign(player.room.reconnection, { minUptime: 0, minDelay: 200, maxDelay: 200 });
  return new Promise<void>((resolve) => player.room.onReconnect(() => resolve()));
}

describe("chat lines sent again with their sendId", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let proxy: FreezingProxy;
  const chatLog = recordingChatLog();
  const asked: string[] = [];
  const lines = (text: string) => chatLog.records.filter((record) => record.kind === "player" && record.text === text);

  before(async () => {
    // Two questions in the burst and none back for minutes: a question asked twice leaves none for the next.
    world = await startTestWorld({ QUESTION_BURST: "2", QUESTIONS_PER_SECOND: "0.001", CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "50", CHAT_HISTORY: "10" }, { chatLog });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      asked.push(...questions.map((q) => q.text));
      return questions.map((q) => scriptedAnswer(q, "네"));
    });
    proxy = await startFreezingProxy(world.server.port);
  });
  after(async () => {
    await proxy.close();
    await world.stop();
  });

  it("are said once, answered again with the same `said`, and cost one question, the second after a reconnection", async () => {
    const player = await joinThroughProxy(proxy, world.url, "다시보낸이");
    const said = saidTo(player);
    const back = resumesAtOnce(player);
    const question = { text: "@kobot 중복확인 하나", sendId: "send-once" };
    // The line reaches the room; the pong that would confirm its `said` does not.
    proxy.muteClientAfterNextMessage();
    player.room.send("chat", question);
    await waitFor("the line's said", () => said[0]);
    proxy.cut();
    await back;
    player.room.send("chat", question); // as a client that never saw its `said` would
    player.room.send("chat", { text: "@kobot 둘", sendId: "send-two" });
    await waitFor("the next line's said", () => said.find((notice) => notice.sendId === "send-two"));
    const once = said.filter((notice) => notice.sendId === "send-once");
    assert.ok(once.length >= 2, "answered again: the said the socket never confirmed, and the line sent again");
    assert.deepEqual(new Set(once.map((notice) => notice.lineId)).size, 1, "the same line each time");
    assert.deepEqual(player.errors.map((e) => e.code), [], "no question of the burst spent twice");
    assert.equal(lines(question.text).length, 1);
    assert.equal(stateOf(player).chat.filter((line) => line.text === question.text).length, 1);
    await waitFor("both questions at the brain", () => asked.length >= 2);
    assert.deepEqual(asked, ["중복확인 하나", "둘"]);
    await player.room.leave();
  });

  it("moderated: refused again with the same error, which names the sendId, and logged once", async () => {
    const player = await joinWorld(world.url, { name: "막말한이" });
    for (let i = 0; i < 2; i++) player.room.send("chat", { text: "씨발 뭐야", sendId: "send-moderated" });
    await waitFor("both answers", () => player.errors[1]);
    const [first, again] = player.errors as [WorldError, WorldError];
    assert.equal(first.code, "moderated");
    assert.equal(first.sendId, "send-moderated");
    assert.deepEqual(again, first, "the same error, its id too: a client acts on it once");
    assert.equal(chatLog.records.filter((record) => record.text === "씨발 뭐야").length, 1, "logged once");
    await player.room.leave();
  });

  it("refused for what did nothing (unknown NPC, a rate limit): checked afresh when sent again", async () => {
    const player = await joinWorld(world.url, { name: "다시확인" });
    for (let i = 0; i < 2; i++) player.room.send("chat", { text: "안녕?", to: "dragon", sendId: "send-unknown" });
    await waitFor("both refusals", () => player.errors[1]);
    const [first, again] = player.errors as [WorldError, WorldError];
    assert.deepEqual([first.code, again.code, first.sendId, again.sendId], ["unknown_npc", "unknown_npc", "send-unknown", "send-unknown"]);
    assert.notEqual(again.id, first.id, "a refusal of its own");
    // The question burst is 2, and none come back for minutes: the third question is refused, and again when sent
    // again, each time as the limit stands then (kept, the first refusal came back after the limit was over).
    player.room.send("chat", { text: "@kobot 하나" });
    player.room.send("chat", { text: "@kobot 둘" });
    const limited = { text: "@kobot 셋", sendId: "send-limited" };
    player.room.send("chat", limited);
    await waitFor("the third refused", () => player.errors.find((e) => e.sendId === "send-limited"));
    player.room.send("chat", limited);
    await waitFor("refused again", () => player.errors.filter((e) => e.sendId === "send-limited")[1]);
    const [once, twice] = player.errors.filter((e) => e.sendId === "send-limited") as [WorldError, WorldError];
    assert.deepEqual([once.code, twice.code], ["rate_limited", "rate_limited"]);
    assert.notEqual(twice.id, once.id, "checked again, not the first refusal given back");
    await player.room.leave();
  });

  it("refuses a sendId used again for other words (a client's fault), not taking it for the line it named", async () => {
    const player = await joinWorld(world.url, { name: "같은아이디" });
    const said = saidTo(player);
    player.room.send("chat", { text: "첫째 줄", sendId: "send-reused" });
    await waitFor("said", () => said[0]);
    player.room.send("chat", { text: "전혀 다른 둘째 줄", sendId: "send-reused" });
    await waitFor("the refusal", () => player.errors[0]);
    assert.deepEqual([player.errors[0]!.code, player.errors[0]!.sendId, player.errors[0]!.text], ["bad_message", "send-reused", "전혀 다른 둘째 줄"]);
    assert.equal(said.length, 1, "not said again");
    await player.room.leave();
  });

  it("are refused when the sendId is not a short plain id", async () => {
    const player = await joinWorld(world.url, { name: "긴아이디" });
    player.room.send("chat", { text: "안녕", sendId: "x".repeat(65) });
    player.room.send("chat", { text: "안녕", sendId: "한글" });
    await waitFor("both refusals", () => player.errors[1]);
    assert.deepEqual(player.errors.map((e) => [e.code, e.message.split(":")[0]]), [["bad_message", 'bad "chat" message'], ["bad_message", 'bad "chat" message']]);
    await player.room.leave();
  });

  it("in a busy room: a line whose echo the player never saw, pushed out of the history before they were back, is not said twice", async () => {
    const sender = await joinThroughProxy(proxy, world.url, "보낸이");
    const talker = await joinWorld(world.url, { name: "수다쟁이" }, sender.room.roomId);
    // The web client's own bookkeeping, fed as chat-panel.ts feeds it.
    const unconfirmed = new UnconfirmedLines();
    const seen = new Set<string>();
    const mine = (session: string) => session === sender.room.sessionId;
    sender.room.onStateChange((state) => unconfirmed.heard(state.chat.filter((line) => !seen.has(line.id) && seen.add(line.id)), mine));
    sender.room.onMessage(SAID, (notice: SaidNotice) => unconfirmed.said(notice));
    sender.room.onMessage("error", (error: WorldError) => unconfirmed.refused(error));
    const back = resumesAtOnce(sender);

    const line = { text: "중복확인 둘", sendId: newSendId() };
    // The line passes; not a frame of the room's answer comes back, nor a close: the network forgot the connection.
    proxy.muteClientAfterNextMessage(true);
    sender.room.send("chat", line);
    unconfirmed.sent(line);
    await waitFor("the line in the room", () => stateOf(talker).chat.some((l) => l.text === line.text));
    for (let i = 0; i < 12; i++) talker.room.send("chat", { text: `수다 ${i}` });
    await waitFor("the line out of the room's history", () => stateOf(talker).chat.some((l) => l.text === "수다 11") && !stateOf(talker).chat.some((l) => l.text === line.text));
    // The page's silence watch gives the socket up (silence-watch.ts); the room had not noticed.
    sender.room.connection.close(CloseCode.MAY_TRY_RECONNECT, "silent");
    await back;
    await sleep(1000); // chat-panel.ts SEND_AGAIN_AFTER_MS: what the room kept for the player comes first
    const unsent = unconfirmed.unsentWithin(60_000);
    for (const again of unsent) sender.room.send("chat", again);
    await sleep(300);
    assert.equal(lines(line.text).length, 1, "said once");
    assert.deepEqual(unsent, [], "confirmed by the said kept for the player");
    await Promise.all([sender.room.leave(), talker.room.leave()]);
  });
});
