import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { matchMaker } from "@colyseus/core";
import { Client, CloseCode } from "@colyseus/sdk";

import type { QuestionMessage } from "../kafka/contract.js";
import { saveWorld } from "./helpers/save-world.js";
import { joinWorld, positionOf, recordingChatLog, signedIn, scriptedAnswer, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

const HANS = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10 };
const MINA = {
  id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10, privateTalk: true,
  greetings: ["{name} 님, 어서 오세요!"], callReplies: ["네, {name} 님?"],
};

describe("an NPC that talks in private (privateTalk)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  const chatLog = recordingChatLog();

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-private-")), "world.json");
    saveWorld(file, { npcs: [HANS, MINA] }); // whole-room hearing: everyone hears hans
    world = await startTestWorld({ WORLD_FILE: file }, { chatLog });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => questions.map((q) => scriptedAnswer(q, `답: ${q.text}`)));
  });
  after(() => world.stop());

  it("lets only the asker hear a question to it and its answer, and its call reply; the room hears its greetings and the other NPC", async () => {
    const a = await world.join("영희");
    const b = await world.joinBeside(a, "철수");
    assert.equal(stateOf(a).npcs.mina?.privateTalk, true);
    assert.equal(stateOf(a).npcs.hans?.privateTalk, false);
    await waitFor("mina's greeting to 철수, heard by 영희 too", () => texts(a).includes("철수 님, 어서 오세요!"));

    a.room.send("chat", { text: "@미나 비밀인데 빵 남았어?" });
    await waitFor("her answer to 영희", () => texts(a).includes("답: 비밀인데 빵 남았어?"));
    a.room.send("chat", { text: "@미나" });
    await waitFor("her call reply to 영희", () => texts(a).includes("네, 영희 님?"));
    assert.ok(texts(a).includes("@미나 비밀인데 빵 남았어?"), "the asker sees their own question");

    b.room.send("chat", { text: "@한스 검 있어요?" });
    await waitFor("hans's answer, heard by both", () => texts(a).includes("답: 검 있어요?") && texts(b).includes("답: 검 있어요?"));
    for (const secret of ["@미나 비밀인데 빵 남았어?", "답: 비밀인데 빵 남았어?", "@미나", "네, 영희 님?"]) {
      assert.ok(!texts(b).includes(secret), `철수 did not get "${secret}"`);
    }

    const c = await world.joinBeside(a, "민수"); // reads the history from before they came, but not what was said in private
    await waitFor("the history of the room", () => texts(c).includes("답: 검 있어요?"));
    assert.ok(!texts(c).some((text) => text.includes("비밀")), JSON.stringify(texts(c)));
    await Promise.all([a, b, c].map((player) => player.room.leave()));
  });

  it("tells the asker their talk with it as private_line messages, never in the state, and all clients keep one shared view", async () => {
    const a = await world.join("귓속말");
    const b = await world.joinBeside(a, "옆사람");
    a.room.send("chat", { text: "@미나 몰래 물어볼게" });
    await waitFor("her answer to 귓속말", () => a.privateLines!.some((line) => line.text === "답: 몰래 물어볼게"));
    const [question, answer] = a.privateLines!.filter((line) => line.text.includes("몰래 물어볼게"));
    assert.deepEqual({ ...question, id: undefined, ts: undefined }, { id: undefined, kind: "player", from: a.room.sessionId, name: "귓속말", text: "@미나 몰래 물어볼게", ts: undefined, replyTo: "" });
    assert.deepEqual({ kind: answer!.kind, from: answer!.from, name: answer!.name, replyTo: answer!.replyTo }, { kind: "npc", from: "mina", name: "미나", replyTo: question!.id });
    assert.ok(answer!.ts >= question!.ts);
    assert.ok(!stateOf(a).chat.some((line) => line.text.includes("몰래")), "not in the asker's state");
    assert.deepEqual(b.privateLines, [], "nothing told to the other player");
    // The cost this saves: one view for every client, encoded once a patch (a view each was encoded once per player).
    const room = matchMaker.getLocalRoomById(a.room.roomId)!;
    assert.equal(new Set(room.clients.map((client) => client.view)).size, 1);
    await Promise.all([a, b].map((player) => player.room.leave()));
  });

  it("logs what only the asker heard as private, and what the room heard without the flag", async () => {
    const a = await world.join("비밀이");
    a.room.send("chat", { text: "@미나 로그에 남나요?" });
    await waitFor("her answer", () => texts(a).includes("답: 로그에 남나요?"));
    a.room.send("chat", { text: "@한스 이건 다 들리죠?" });
    await waitFor("his answer", () => texts(a).includes("답: 이건 다 들리죠?"));
    const logged = (text: string) => chatLog.records.find((record) => record.text === text);
    await waitFor("the four lines logged", () => ["@미나 로그에 남나요?", "답: 로그에 남나요?", "@한스 이건 다 들리죠?", "답: 이건 다 들리죠?"].every(logged));
    assert.equal(logged("@미나 로그에 남나요?")!.private, true);
    assert.equal(logged("답: 로그에 남나요?")!.private, true);
    assert.equal(logged("@한스 이건 다 들리죠?")!.private, undefined);
    assert.equal(logged("답: 이건 다 들리죠?")!.private, undefined);
    assert.equal(chatLog.records.find((record) => record.unasked === "greeting" && record.from === "mina")!.private, undefined, "her greetings are heard by the room");
    await a.room.leave();
  });
});

describe("a question asked in private, answered after an edit ends the NPC's privateTalk", function () {
  this.timeout(30_000);

  it("is answered in private still, heard by the asker alone and logged private, as are a call and a refused line waiting behind it", async () => {
    // Whole-room hearing: the edit needs no restart (private lines are messages, the view stays shared).
    const { world, file, chatLog, release } = await worldWithHeldBrain([HANS, MINA]);
    try {
      const a = await world.join("영희");
      const b = await world.joinBeside(a, "철수");
      a.room.send("chat", { text: "@미나 비밀 하나 알려 줘" });
      await waitFor("the question with the brain", () => world.server.answers.waiting === 1);
      // Replied to in their turns, after the question: a call of her name, and a line moderation refuses.
      a.room.send("chat", { text: "@미나" });
      a.room.send("chat", { text: "@미나 씨발" });
      await waitFor("the refusal", () => a.errors.some((error) => error.code === "moderated"));
      saveWorld(file, { npcs: [HANS, { ...MINA, privateTalk: false }] });
      await waitFor("the edit taken", () => stateOf(a).npcs.mina?.privateTalk === false);
      release();
      await waitFor("her answer to 영희", () => texts(a).includes("답: 비밀 하나 알려 줘"));
      await waitFor("her call reply and refusal to 영희", () => a.privateLines!.filter((line) => line.from === "mina").length === 3);
      assert.equal(a.privateLines!.filter((line) => line.from === "mina")[1]!.text, "네, 영희 님?");
      b.room.send("chat", { text: "@한스 안녕" }); // a line both hear after it: 철수 is up to date
      await waitFor("hans's answer to 철수", () => texts(b).includes("답: 안녕"));
      assert.ok(!texts(b).includes("답: 비밀 하나 알려 줘"), "철수 did not hear the answer to a private question");
      const repliesHeard = stateOf(b).chat.filter((line) => line.from === "mina" && line.replyTo !== "");
      assert.deepEqual(repliesHeard, [], "철수 heard none of her replies to 영희's private lines");
      await waitFor("the answer logged", () => chatLog.records.some((record) => record.text === "답: 비밀 하나 알려 줘"));
      assert.equal(chatLog.records.find((record) => record.text === "답: 비밀 하나 알려 줘")!.private, true);
      await Promise.all([a, b].map((player) => player.room.leave()));
    } finally {
      await world.stop();
    }
  });
});

/** A world of `npcs` whose brain answers "답: <question>" once `release` is called, and the chat log it wrote. */
async function worldWithHeldBrain(npcs: object[], env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), "world-private-held-")), "world.json");
  saveWorld(file, { npcs });
  const chatLog = recordingChatLog();
  const world = await startTestWorld({ WORLD_FILE: file, ...env }, { chatLog });
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
    await held;
    return questions.map((q) => scriptedAnswer(q, `답: ${q.text}`));
  });
  return { world, file, chatLog, release };
}

/** What the player heard: the room's lines in the state, and the lines told to them alone. */
function texts(player: TestPlayer): string[] {
  return [...stateOf(player).chat.map((line) => line.text), ...(player.privateLines ?? []).map((line) => line.text)];
}

describe("a private answer that comes while its asker is dropped", function () {
  this.timeout(30_000);

  it("is held and told to them once they are back in their place, once", async () => {
    const { world, chatLog, release } = await worldWithHeldBrain([MINA]);
    try {
      const a = await world.join("끊김");
      const b = await world.joinBeside(a, "지켜봄");
      a.room.send("chat", { text: "@미나 기다릴게" });
      await waitFor("the question with the brain", () => world.server.answers.waiting === 1);
      a.room.reconnection.minUptime = 0;
      a.room.reconnection.minDelay = a.room.reconnection.maxDelay = 1500;
      let back = false;
      a.room.onReconnect(() => void (back = true));
      a.room.connection.close(CloseCode.MAY_TRY_RECONNECT);
      await waitFor("the room has seen the drop", () => stateOf(b).players[a.room.sessionId]?.anim === "away");
      release();
      await waitFor("the answer said while away", () => chatLog.records.some((record) => record.text === "답: 기다릴게"));
      assert.ok(!back, "still away when it was said");
      await waitFor("back in the place", () => back, 10_000);
      await waitFor("the answer told", () => a.privateLines!.some((line) => line.text === "답: 기다릴게"));
      await walkTo(a, positionOf(a).x + 1, positionOf(a).z); // a round trip after it: anything sent twice has come
      assert.equal(a.privateLines!.filter((line) => line.text === "답: 기다릴게").length, 1);
      assert.deepEqual(b.privateLines, []);
      await Promise.all([a, b].map((player) => player.room.leave()));
    } finally {
      await world.stop();
    }
  });
});

describe("a private answer that comes after its signed-in asker reloaded the page (a new session)", function () {
  this.timeout(30_000);

  it("is told to the account's player in the room, and to nobody else", async () => {
    const secret = "a secret the game's login and this server share";
    const { world, release } = await worldWithHeldBrain([MINA], { AUTH_SECRET: secret });
    try {
      const first = await joinWorld(world.url, {}, undefined, await signedIn(secret, "acct-young", "영희"));
      const other = await joinWorld(world.url, {}, first.room.roomId, await signedIn(secret, "acct-other", "철수"));
      first.room.send("chat", { text: "@미나 새로 고쳐도 들려?" });
      await waitFor("the question with the brain", () => world.server.answers.waiting === 1);
      await first.room.leave(); // the page goes (pagehide), and comes again signed in as before
      const again = await joinWorld(world.url, {}, first.room.roomId, await signedIn(secret, "acct-young", "영희"));
      release();
      await waitFor("the answer to the new session", () => again.privateLines!.some((line) => line.text === "답: 새로 고쳐도 들려?"));
      assert.deepEqual(other.privateLines, []);
      assert.ok(!stateOf(other).chat.some((line) => line.text.includes("새로 고쳐도")));
      await Promise.all([again, other].map((player) => player.room.leave()));
    } finally {
      await world.stop();
    }
  });
});

describe("a player back after a drop, where others talked out of their hearing meanwhile (proximity: views of their own)", function () {
  this.timeout(30_000);

  it("gets the lines as they are now, not blank lines in the places of lines they never heard the history dropped while away", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-far-")), "world.json");
    // Players come in up to 6 m apart (spawn radius 3): all hear each other there, and nothing from 25 m away.
    saveWorld(file, { hearing: { mode: "proximity", radius: 10 }, npcs: [HANS] });
    const limits = { CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100", QUESTION_BURST: "100", QUESTIONS_PER_SECOND: "100" };
    const world = await startTestWorld({ WORLD_FILE: file, CHAT_HISTORY: "4", ...limits });
    try {
      let a = await world.join("영희");
      const b = await world.joinBeside(a, "철수");
      const c = await world.joinBeside(a, "멀리");
      const { x, z } = positionOf(a);
      await walkTo(c, x + 25, z);
      const room = a.room.roomId;
      a.room.reconnection.enabled = false;
      const token = a.room.reconnectionToken;
      const away = a.room.sessionId;
      a.room.connection.close(4010); // dropped: the seat is kept for a reconnection
      await waitFor("the room has seen the drop", () => stateOf(b).players[away]?.anim === "away");
      // Heard by 영희 while away, then pushed out of the history of 4 by talk far from her.
      for (const text of ["near 1", "near 2"]) b.room.send("chat", { text });
      await waitFor("both near lines", () => texts(b).includes("near 2"));
      for (const text of ["far 1", "far 2", "far 3", "far 4"]) c.room.send("chat", { text });
      await waitFor("the far talk", () => texts(c).includes("far 4"));
      a = { room: await new Client(world.url).reconnect(token), errors: [] };
      assert.equal(a.room.roomId, room);
      await waitFor("영희's state", () => stateOf(a).chat);
      b.room.send("chat", { text: "after" });
      await waitFor("the line after", () => texts(a).includes("after"));
      assert.deepEqual(stateOf(a).chat.map((line) => line.text ?? null), ["after"], "no blank lines, nothing of the far talk");
      await Promise.all([a, b, c].map((player) => player.room.leave()));
    } finally {
      await world.stop();
    }
  });
});
