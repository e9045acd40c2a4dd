import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { Client, CloseCode } from "@colyseus/sdk";

import type { QuestionMessage } from "../kafka/contract.js";
import { PRIVATE_LINE, type PrivateLineMessage, type WorldError } from "../rooms/world-protocol.js";
import type { WorldState } from "../rooms/world-state.js";
import { type FreezingProxy, startFreezingProxy } from "./helpers/freezing-proxy.js";
import { joinThroughProxy, joinWorld, scriptedAnswer, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

// A short history, so that a few lines of others' talk push a line out of it.
const HISTORY = 8;

describe("answers said to a player while their connection is down", function () {
  this.timeout(30_000);
  let world: TestWorld;
  /** Questions with the brain, each answered when the test lets it. */
  const held: Array<() => void> = [];

  before(async () => {
    const quick = { CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100" };
    world = await startTestWorld({ CHAT_HISTORY: String(HISTORY), ...quick });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      await new Promise<void>((resolve) => held.push(resolve));
      return questions.map((q) => scriptedAnswer(q, `답: ${q.text}`));
    });
  });
  after(() => world.stop());

  /** The room's own history (the player away has no state to read). */
  const roomChat = (p: TestPlayer) => (matchMaker.getLocalRoomById(p.room.roomId) as unknown as { state: WorldState }).state.chat;
  const answerIn = (p: TestPlayer, text: string) => roomChat(p).find((l) => l.from === "kobot" && l.text === `답: ${text}`);

  it("come as private lines once they are back, those the history lost meanwhile only: each answer seen once", async () => {
    const a = await world.join("민수");
    const b = await world.joinBeside(a, "수다");
    for (const text of ["하나", "둘", "셋"]) a.room.send("chat", { text: `@kobot ${text}` });
    await waitFor("her three questions in the room", () => roomChat(a).filter((l) => l.from === a.room.sessionId).length === 3);
    // Dropped (a network blip): the room keeps her seat, and she takes it back when the test says.
    a.room.reconnection.enabled = false;
    const token = a.room.reconnectionToken;
    a.room.connection.close(4010);
    await waitFor("her seat kept, away", () => stateOf(b).players[a.room.sessionId]?.anim === "away");

    // The first two answers come while she is away, and more than the history's lines after them.
    for (const text of ["하나", "둘"]) {
      await waitFor("her question with the brain", () => held.length === 1);
      held.shift()!();
      await waitFor(`the answer to ${text}`, () => answerIn(a, text));
    }
    const pushedOut = [answerIn(a, "하나")!.id, answerIn(a, "둘")!.id];
    for (let i = 0; i < HISTORY; i++) b.room.send("chat", { text: `잡담 ${i}` });
    await waitFor("the first two answers out of the history", () => !answerIn(a, "하나") && !answerIn(a, "둘"));
    // The third comes after the talk: still in the history when she is back.
    await waitFor("her last question with the brain", () => held.length === 1);
    held.shift()!();
    await waitFor("the answer to 셋", () => answerIn(a, "셋"));
    const kept = answerIn(a, "셋")!.id;

    const room = await new Client(world.url).reconnect<WorldState>(token);
    const privateLines: PrivateLineMessage[] = [];
    room.onMessage(PRIVATE_LINE, (line: PrivateLineMessage) => privateLines.push(line));
    await waitFor("her state", () => room.state?.chat !== undefined);
    await sleep(300);
    const inState = [...room.state.chat].filter((l) => l.from === "kobot" && l.replyTo !== "").map((l) => l.id);
    const told = privateLines.map((l) => l.id);
    assert.deepEqual(told, pushedOut, "the answers the history lost, as private lines, in the order said");
    assert.deepEqual(inState, [kept], "the answer still in the history comes with the state, not again as a private line");
    assert.deepEqual(privateLines.map((l) => [l.kind, l.from, l.text]), [["npc", "kobot", "답: 하나"], ["npc", "kobot", "답: 둘"]]);
    await Promise.all([room.leave(), b.room.leave()]);
  });
});

// Its own server: a queue of one, so that most of a player's questions are turned away busy, each busy line (a state
// line said to them: a copy kept) with its error (a message), both while they are away.
describe("answers and errors for a player away, more than the outbox holds of either counted together", function () {
  this.timeout(30_000);
  let world: TestWorld;
  const held: Array<() => void> = [];

  before(async () => {
    const quick = { CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100", QUESTION_BURST: "100", QUESTIONS_PER_SECOND: "100" };
    world = await startTestWorld({ CHAT_HISTORY: String(HISTORY), NPC_QUEUE_MAX: "1", NPC_MAX_BATCH: "1", ...quick });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      await new Promise<void>((resolve) => held.push(resolve));
      return questions.map((q) => scriptedAnswer(q, `답: ${q.text}`));
    });
  });
  after(() => world.stop());

  const roomChat = (p: TestPlayer) => (matchMaker.getLocalRoomById(p.room.roomId) as unknown as { state: WorldState }).state.chat;

  it("loses none of the errors to the copies of the lines said with them", async () => {
    const a = await world.join("민수");
    const b = await world.joinBeside(a, "수다");
    const asked = Array.from({ length: 30 }, (_, i) => `@kobot ${i + 1}`);
    for (const text of asked) a.room.send("chat", { text });
    const last = await waitFor("her last question in the room", () => roomChat(a).find((l) => l.from === a.room.sessionId && l.text === asked.at(-1)));
    await waitFor("her first question with the brain", () => held.length === 1);
    assert.deepEqual(a.errors, [], "the busy lines wait behind the answers to her first two questions");
    a.room.reconnection.enabled = false;
    const token = a.room.reconnectionToken;
    a.room.connection.close(4010);
    await waitFor("her seat kept, away", () => stateOf(b).players[a.room.sessionId]?.anim === "away");

    // Her two questions answered while she is away, and after them the 28 busy lines, each with its npc_busy error.
    held.shift()!();
    await waitFor("her second question with the brain", () => held.length === 1);
    held.shift()!();
    await waitFor("the last busy line said", () => roomChat(a).some((l) => l.from === "kobot" && l.replyTo === last.id));
    await sleep(300);

    const room = await new Client(world.url).reconnect<WorldState>(token);
    const errors: WorldError[] = [];
    const privateLines: PrivateLineMessage[] = [];
    room.onMessage("error", (error: WorldError) => errors.push(error));
    room.onMessage(PRIVATE_LINE, (line: PrivateLineMessage) => privateLines.push(line));
    await waitFor("her state", () => room.state?.chat !== undefined);
    await sleep(300);
    assert.deepEqual(errors.map((e) => [e.code, e.text]), asked.slice(2).map((text) => ["npc_busy", text]), "every busy question told");
    // Each reply seen once: in the state, or as a private line where the history lost it.
    const inState = [...room.state.chat].filter((l) => l.from === "kobot" && l.replyTo !== "").map((l) => l.replyTo);
    assert.equal(privateLines.length + inState.length, asked.length);
    assert.deepEqual(privateLines.slice(0, 2).map((l) => l.text), ["답: 1", "답: 2"]);
    await Promise.all([room.leave(), b.room.leave()]);
  });
});

// Its own server, the player through a proxy that can forget their connection: the room notices no drop for seconds.
describe("an answer said to a player whose connection died unnoticed, in a busy room", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let proxy: FreezingProxy;

  before(async () => {
    const quick = { CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100" };
    world = await startTestWorld({ CHAT_HISTORY: String(HISTORY), ...quick });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => questions.map((q) => scriptedAnswer(q, `답: ${q.text}`)));
    proxy = await startFreezingProxy(world.server.port);
  });
  after(async () => {
    await proxy.close();
    await world.stop();
  });

  const roomChat = (p: TestPlayer) => (matchMaker.getLocalRoomById(p.room.roomId) as unknown as { state: WorldState }).state.chat;

  it("comes as a private line once they are back, once, where the history lost it before the drop was noticed", async () => {
    const a = await joinThroughProxy(proxy, world.url, "멀어진이");
    const b = await joinWorld(world.url, { name: "수다쟁이" }, a.room.roomId);
    const privateLines: PrivateLineMessage[] = [];
    a.room.onMessage(PRIVATE_LINE, (line: PrivateLineMessage) => privateLines.push(line));
    Object.assign(a.room.reconnection, { minUptime: 0, minDelay: 200, maxDelay: 200 });
    const back = new Promise<void>((resolve) => a.room.onReconnect(() => resolve()));

    // The question passes; then not a frame either way, nor a close: the network forgot the connection.
    proxy.muteClientAfterNextMessage(true);
    a.room.send("chat", { text: "@kobot 어디야" });
    const answer = await waitFor("the answer in the room", () => roomChat(a).find((l) => l.from === "kobot" && l.text === "답: 어디야"));
    for (let i = 0; i < HISTORY + 2; i++) b.room.send("chat", { text: `잡담 ${i}` });
    await waitFor("the answer out of the room's history", () => roomChat(a).some((l) => l.text === `잡담 ${HISTORY + 1}`) && !roomChat(a).some((l) => l.id === answer.id));
    assert.equal(stateOf(b).players[a.room.sessionId]?.anim, "idle", "the room had not noticed the drop");
    // The page's silence watch gives the socket up (silence-watch.ts) and resumes.
    a.room.connection.close(CloseCode.MAY_TRY_RECONNECT, "silent");
    await back;
    await sleep(500);
    assert.deepEqual(privateLines.map((l) => [l.id, l.text]), [[answer.id, "답: 어디야"]], "the answer, once");
    await Promise.all([a.room.leave(), b.room.leave()]);
  });
});
