import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import type { ChatLogRecord } from "../kafka/chat-log.js";
import { compose, decompose, fromKeyboard } from "../common/hangul.js";
import { Moderator } from "../moderation/moderator.js";
import { answersTo, scriptedAnswer, sleep, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

describe("moderation", () => {
  const moderator = Moderator.fromFile();

  it("reads jamo and the Korean keyboard back as syllables", () => {
    assert.equal(compose(decompose("괜찮아요 쇄골")), "괜찮아요 쇄골");
    assert.equal(compose("ㅅㅣㅂㅏㄹ"), "시발");
    assert.equal(fromKeyboard("dkssud"), "안녕");
    assert.equal(fromKeyboard("Tlqkf"), "씨발");
  });

  it("catches every evasive spelling of moderation/evasions.ko.txt", () => {
    const evasions = readFileSync("moderation/evasions.ko.txt", "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
    assert.ok(evasions.length >= 70);
    assert.deepEqual(evasions.filter((e) => !moderator.check(e).blocked), []);
  });

  it("lets everyday talk through, including words that hold a banned one", () => {
    const gameChat = [
      "게임이 자꾸 꺼져요", "화면이 꺼져서 못 봤어", "서버 꺼져있나요?", "위기가 닥쳐도 포기 안 해", "주가 바닥쳐서", "화염병 던져!",
      "전염병 퀘스트", "화면상으로는 보이는데", "수면상태 디버프", "메갈로돈 잡으러 가자", "8등신 캐릭터", "등신대 이벤트", "개새로운 스킨",
      "지우개새로 샀어", "아이돌아이템", "미친개발속도", "미친 듯이 놀자", "시인이 되고 싶어", "아이 좋아", "오오 멋지다",
      "아저씨바빠요?", "아가씨바다 가요", "3시8분에 보자", "당시8살이었어", "민수씨8시에 와",
    ];
    for (const text of ["시발역에서 만나", "시발역 겨울 풍경", "시발점이 어디야?", "다시 발견했어", "news 봤어?", "hello", "18살이야", "불이 꺼졌어", "시바견 키우고 싶어", "발씨름 한판 할래?", "출발 시간 언제야", "언젠간 닥쳐올 일이야", "봇18", "곳1번", "방180호", ...gameChat]) {
      assert.equal(moderator.check(text).blocked, false, text);
    }
  });

  it("reads its word list from a file, with a clear error for a bad one", () => {
    assert.deepEqual(new Moderator(["# comment", "나쁜말", "!나쁜말씨"]).check("나 쁜 말"), { blocked: true, term: "나쁜말" });
    assert.deepEqual(new Moderator(["나쁜말", "!나쁜말씨"]).check("나쁜말씨 좋아"), { blocked: false });
    assert.deepEqual(new Moderator(["~나쁜말"]).check("나쁜 말"), { blocked: true, term: "나쁜말" }, "~: across spaces too");
    assert.deepEqual(new Moderator(["나쁜말"]).check("나쁜 말"), { blocked: false });
    assert.throws(() => Moderator.fromFile("/nonexistent/words.txt"), /moderation word list \/nonexistent\/words.txt/);
    assert.throws(() => new Moderator(["# nothing", "!only-allowed"]), /no banned words/);
  });
});

describe("moderation in the world room", function () {
  let world: TestWorld;
  const logged: ChatLogRecord[] = [];

  before(async () => {
    const chatLog = { publish: (record: ChatLogRecord) => void logged.push(record), flush: async () => {}, stop: async () => {} };
    world = await startTestWorld({ NPC_TIMEOUT_MS: "3000" }, { chatLog });
  });
  after(() => world.stop());

  it("never shows a line with abuse; the player is told, and an addressed NPC refuses politely", async () => {
    await world.bus.workerChannel().start(async (questions) =>
      questions.map((q) => scriptedAnswer(q, "좋은 하루예요")),
    );
    const a = await world.join("민수");
    const b = await world.joinBeside(a, "지영");
    a.room.send("chat", { text: "야 씨.발 뭐야" });
    await waitFor("the moderated error", () => a.errors.find((e) => e.code === "moderated"));
    a.room.send("chat", { text: "@kobot ㅅ1ㅂㅏㄹ 대답해" });
    const npcLines = () => stateOf(b).chat.filter((line) => line.kind === "npc");
    const refusal = await waitFor("the NPC's refusal", () => npcLines()[0]);
    assert.match(refusal.text, /고운 말로/);
    await sleep(100);
    const texts = stateOf(b).chat.map((line) => line.text);
    assert.ok(!texts.some((t) => /씨.발|ㅅ1ㅂ/.test(t)), `others saw: ${texts.join(" / ")}`);
    assert.equal(a.errors.filter((e) => e.code === "moderated").length, 2);
    // Logged for review, flagged; the refusal is logged as the NPC's reply to it.
    const stopped = logged.filter((r) => r.moderated && r.kind === "player");
    assert.deepEqual(stopped.map((r) => r.text), ["야 씨.발 뭐야", "@kobot ㅅ1ㅂㅏㄹ 대답해"]);
    assert.equal(logged.find((r) => r.text === refusal.text)?.npc?.reason, "moderated_input");
    a.room.send("chat", { text: "@kobot 안녕" }); // the room goes on
    await waitFor("a real answer", () => npcLines().find((line) => line.text === "좋은 하루예요"));
  });

  it("refuses a name with abuse, which everyone would see and NPCs would greet, or an NPC's own name", async () => {
    await assert.rejects(world.join("시1발"), /name holds a word that is not allowed here/);
    await assert.rejects(world.join("코봇"), /name "코봇" passes for 코봇, an NPC of this world/);
    for (const lookAlike of ["KOBOT", "코 봇", "코봇님", "ｋｏｂｏｔ", "Kоbot" /* Cyrillic о */]) {
      await assert.rejects(world.join(lookAlike), /passes for 코봇/, lookAlike);
    }
    const near = await world.join("코봇팬");
    assert.equal(stateOf(near).players[near.room.sessionId]!.name, "코봇팬");
    assert.ok(!logged.some((r) => /시1발/.test(r.text)), "the refused name was never said");
    await near.room.leave();
  });

  it("says the asker's name where an answer (a knowledge file's line) says {name}", async () => {
    await world.bus.workerChannel().start(async (questions) => questions.map((q) => scriptedAnswer(q, "{name} 님, 어서 와요. {name} 님 맞죠?")));
    const a = await world.join("$&영희");
    a.room.send("chat", { text: "@kobot 안녕" });
    const answer = await waitFor("the answer", () => answersTo(a)[0]);
    assert.equal(answer.text, "$&영희 님, 어서 와요. $&영희 님 맞죠?");
  });

  it("replaces an NPC answer that holds abuse with a safe line", async () => {
    await world.bus.workerChannel().start(async (questions) =>
      questions.map((q) => ({ ...scriptedAnswer(q, "이 병1신아"), source: "composed" as const })),
    );
    const a = await world.join("철수");
    a.room.send("chat", { text: "@kobot 나 어때?" });
    const answer = await waitFor("the answer", () => answersTo(a)[0]);
    assert.match(answer.text, /말하기 곤란해요/);
    assert.ok(!stateOf(a).chat.some((line) => line.text.includes("병1신")));
    const record = logged.find((r) => r.id === answer.id)!;
    assert.equal(record.moderated, true);
    assert.equal(record.npc?.reason, "moderated_output");
    assert.equal(record.npc?.withheld, "이 병1신아", "the blocked answer is kept for review");
    assert.equal(record.npc?.source, undefined, "the safe line is not the worker's");
  });
});
