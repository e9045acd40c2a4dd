import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Client } from "@colyseus/sdk";

import type { QuestionMessage } from "../kafka/contract.js";
import { saveWorld } from "./helpers/save-world.js";
import { recordingChatLog, scriptedAnswer, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

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

  it("is answered in private still, heard by the asker alone and logged private", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-private-edit-")), "world.json");
    const proximity = { hearing: { mode: "proximity", radius: 30 } }; // views of their own either way: no restart needed
    saveWorld(file, { ...proximity, npcs: [HANS, MINA] });
    const chatLog = recordingChatLog();
    const world = await startTestWorld({ WORLD_FILE: file }, { chatLog });
    try {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
        await held;
        return questions.map((q) => scriptedAnswer(q, `답: ${q.text}`));
      });
      const a = await world.join("영희");
      const b = await world.joinBeside(a, "철수");
      a.room.send("chat", { text: "@미나 비밀 하나 알려 줘" });
      await waitFor("the question with the brain", () => world.server.answers.waiting === 1);
      saveWorld(file, { ...proximity, npcs: [HANS, { ...MINA, privateTalk: false }] });
      await waitFor("the edit taken", () => stateOf(a).npcs.mina?.privateTalk === false);
      release();
      await waitFor("her answer to 영희", () => texts(a).includes("답: 비밀 하나 알려 줘"));
      b.room.send("chat", { text: "@한스 안녕" }); // a line both hear after it: 철수 is up to date
      await waitFor("hans's answer to 철수", () => texts(b).includes("답: 안녕"));
      assert.ok(!texts(b).includes("답: 비밀 하나 알려 줘"), "철수 did not hear the answer to a private question");
      await waitFor("the answer logged", () => chatLog.records.some((record) => record.text === "답: 비밀 하나 알려 줘"));
      assert.equal(chatLog.records.find((record) => record.text === "답: 비밀 하나 알려 줘")!.private, true);
      await Promise.all([a, b].map((player) => player.room.leave()));
    } finally {
      await world.stop();
    }
  });
});

function texts(player: TestPlayer): string[] {
  return stateOf(player).chat.map((line) => line.text);
}

describe("a player back after a drop, where others talked in private meanwhile (views of their own)", function () {
  this.timeout(30_000);

  it("gets the lines as they are now, not blank lines in the places of others' private talk the history dropped while away", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-private-")), "world.json");
    saveWorld(file, { npcs: [MINA] });
    const limits = { CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100", QUESTION_BURST: "100", QUESTIONS_PER_SECOND: "100" };
    const world = await startTestWorld({ WORLD_FILE: file, CHAT_HISTORY: "4", ...limits });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => questions.map((q) => scriptedAnswer(q, `답: ${q.text}`)));
    try {
      let a = await world.join("영희");
      const b = await world.joinBeside(a, "철수");
      const room = a.room.roomId;
      a.room.reconnection.enabled = false;
      const token = a.room.reconnectionToken;
      const away = a.room.sessionId;
      a.room.connection.close(4010); // dropped: the seat is kept for a reconnection
      await waitFor("the room has seen the drop", () => stateOf(b).players[away]?.anim === "away");
      // Heard by 영희 while away, then pushed out of the history of 4 by 철수's private talk.
      for (const text of ["public 1", "public 2"]) b.room.send("chat", { text });
      await waitFor("both public lines", () => texts(b).includes("public 2"));
      for (const text of ["@미나 secret 1", "@미나 secret 2"]) b.room.send("chat", { text });
      await waitFor("철수's private talk", () => texts(b).includes("답: secret 2"));
      a = { room: await new Client(world.url).reconnect(token), errors: [] };
      assert.equal(a.room.roomId, room);
      await waitFor("영희's state", () => stateOf(a).chat);
      b.room.send("chat", { text: "after" });
      await waitFor("the line after", () => texts(a).includes("after"));
      assert.deepEqual(stateOf(a).chat.map((line) => line.text ?? null), ["after"], "no blank lines, nothing of 철수's private talk");
      await Promise.all([a, b].map((player) => player.room.leave()));
    } finally {
      await world.stop();
    }
  });
});
