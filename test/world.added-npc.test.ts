import assert from "node:assert/strict";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createLogger } from "../common/log.js";
import { register } from "../common/metrics.js";
import type { QuestionMessage } from "../kafka/contract.js";
import { saveWorld } from "./helpers/save-world.js";
import { GREETING_GAP_MS } from "../rooms/npc/greeting-gate.js";
import { scriptedAnswer, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

const BAKER = join(import.meta.dirname, "..", "npc", "knowledge", "baker.jsonl");
const HANS = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10 };
const MINA = { id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10, knowledge: BAKER, scriptedAbove: 0.8, greetings: ["{name} 님, 새 빵집에 어서 오세요!"] };


describe("an NPC added to the world file while the server runs", function () {
  this.timeout(60_000);
  let world: TestWorld;
  let file: string;
  const logged: Array<{ level: string; msg: string; name?: string; npcId?: string }> = [];

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-added-")), "world.json");
    saveWorld(file, { npcs: [HANS] });
    const log = createLogger({}, "info", (line) => logged.push(JSON.parse(line) as (typeof logged)[number]));
    world = await startTestWorld({ WORLD_FILE: file }, { log });
    await world.startWorker();
  });
  after(() => world.stop());

  it("comes into running rooms, greets the players near, and answers from its own knowledge file", async () => {
    const a = await world.join("영희");
    const early = await world.joinBeside(a, "미나야"); // joined before there was a 미나: keeps the name, and is logged
    assert.deepEqual(Object.keys(stateOf(a).npcs), ["hans"]);
    a.room.onMessage("npc_action", () => {}); // her shop line opens the shop

    saveWorld(file, { npcs: [HANS, MINA] });
    await waitFor("mina in the room", () => stateOf(a).npcs.mina);
    assert.deepEqual({ ...stateOf(a).npcs.mina, rotY: undefined, status: undefined }, { name: "미나", x: 0, y: 0, z: -4, talkRadius: 10, privateTalk: false, rotY: undefined, status: undefined });
    await waitFor("her greeting", () => stateOf(a).chat.some((l) => l.from === "mina" && l.text.includes("영희 님") && l.text.endsWith("새 빵집에 어서 오세요!")));
    assert.ok(logged.some((l) => l.msg === "a player's name is like an NPC's, added or renamed since they joined" && l.name === "미나야" && l.npcId === "mina"), JSON.stringify(logged.filter((l) => l.level === "warn")));

    a.room.send("chat", { text: "@미나 여기서 뭐 팔아?" });
    const answer = await waitFor("her answer", () => stateOf(a).chat.find((l) => l.from === "mina" && l.replyTo !== ""), 20_000);
    assert.equal(answer.text, "갓 구운 빵이랑 케이크를 팔아요.", "her knowledge file's line, said as written");
    await Promise.all([a.room.leave(), early.room.leave()]);
  });

  it("is refused, with the world kept, when it speaks with a model the workers have not loaded", async () => {
    // A copy of the shipped model: a model as far as the workers know, not one they loaded (a link to it is the same folder).
    const other = join(mkdtempSync(join(tmpdir(), "model-")), "other");
    cpSync(join(import.meta.dirname, "..", "npc", "model"), other, { recursive: true });
    const errors = () => logged.filter((l) => l.level === "error") as Array<{ changes?: string[] }>;
    const before = errors().length;
    saveWorld(file, { models: { other }, npcs: [HANS, MINA, { ...HANS, id: "guard", name: "경비", model: "other" }] });
    await waitFor("the edit logged", () => errors().length > before);
    assert.deepEqual(errors().at(-1)!.changes, ["npcs.guard.model (other: a model the running workers have not loaded)"]);
    const a = await world.join("철수");
    assert.deepEqual(Object.keys(stateOf(a).npcs).sort(), ["hans", "mina"]);
    await a.room.leave();
  });
});

// Its own server: a brain that answers when the test lets it, so that questions wait.
describe("an NPC removed from the world file while the server runs", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let file: string;
  let letAnswer = () => {};

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-removed-")), "world.json");
    saveWorld(file, { npcs: [HANS, MINA] });
    // A queue of one: a player's third question to her is turned away busy, its reply waiting behind the first two (the
    // cases' lines and questions, all from one address and kept from one join to the next, are not held back by its rate).
    const quick = { CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100", QUESTION_BURST: "100", QUESTIONS_PER_SECOND: "100" };
    world = await startTestWorld({ WORLD_FILE: file, NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "1", NPC_TIMEOUT_MS: "20000", ...quick });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      if (questions.some((q) => q.npcId === "mina")) await new Promise<void>((resolve) => (letAnswer = resolve));
      return questions.map((q) => scriptedAnswer(q, `답: ${q.text}`));
    });
  });
  after(() => world.stop());

  it("leaves running rooms: its waiting question and the one with its brain get unknown_npc, and the room runs on", async () => {
    const a = await world.join("영희");
    a.room.send("chat", { text: "@미나 하나" }); // with the brain
    a.room.send("chat", { text: "@미나 둘" }); // waits: one question of a player's with the brain at a time
    await waitFor("mina thinking", () => stateOf(a).npcs.mina?.status === "thinking");

    saveWorld(file, { npcs: [HANS] });
    await waitFor("mina gone from the state", () => !stateOf(a).npcs.mina);
    const left = () => a.errors.filter((e) => e.code === "unknown_npc").map((e) => e.text);
    await waitFor("the waiting question told", () => left().length === 1);
    letAnswer();
    await waitFor("the question with her brain told", () => left().length === 2);
    assert.deepEqual(left(), ["@미나 둘", "@미나 하나"]);
    // By the name players know her by, both the question waiting and the one with her brain.
    for (const error of a.errors.filter((e) => e.code === "unknown_npc")) assert.match(error.message, /^미나 has left this world/);
    assert.ok(!stateOf(a).chat.some((l) => l.from === "mina" && l.replyTo !== ""), "no answer from her after she left");

    a.room.send("chat", { text: "@한스 안녕" });
    await waitFor("hans still answers", () => stateOf(a).chat.some((l) => l.from === "hans" && l.text === "답: 안녕"));
    a.room.send("chat", { text: "셋", to: "mina" });
    await waitFor("asking her now is unknown_npc", () => left().length === 3);
    // Her series left /metrics with her; his stay.
    const metrics = await register.metrics();
    assert.doesNotMatch(metrics, /npc="mina"/);
    assert.match(metrics, /kobot_npc_answers_total\{npc="hans",outcome="answer"\}/);
    await a.room.leave();
  });

  it("added back after leaving while a greeting waited, greets the players near again", async () => {
    saveWorld(file, { npcs: [HANS, MINA] });
    const a = await world.join("영희");
    const greetings = () => stateOf(a).chat.filter((l) => l.from === "mina" && l.text.includes("어서 오세요")).length;
    await waitFor("her greeting", () => greetings() === 1);
    const b = await world.joinBeside(a, "철수"); // within her greeting gap: waits to be greeted
    saveWorld(file, { npcs: [HANS] });
    await waitFor("mina gone from the state", () => !stateOf(a).npcs.mina);
    await sleep(GREETING_GAP_MS + 200); // the waiting greeting's timer finds her gone

    saveWorld(file, { npcs: [HANS, MINA] });
    await waitFor("her greeting on coming back", () => greetings() === 2);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });

  /** A player near 미나 whose question `text` is with her brain, and 미나 then taken out of the world file. */
  async function askedThenRemoved(text: string, beforeAsking: (player: TestPlayer) => void = () => {}): Promise<TestPlayer> {
    saveWorld(file, { npcs: [HANS, MINA] });
    const a = await world.join("영희");
    await waitFor("mina back", () => stateOf(a).npcs.mina);
    beforeAsking(a);
    a.room.send("chat", { text });
    await waitFor("mina thinking", () => stateOf(a).npcs.mina?.status === "thinking");
    saveWorld(file, { npcs: [HANS] });
    await waitFor("mina gone from the state", () => !stateOf(a).npcs.mina);
    return a;
  }

  it("answering after its room closed, does not bring its series back to /metrics (counted room_closed)", async () => {
    const a = await askedThenRemoved("@미나 하나");
    await a.room.leave(); // alone: the room is disposed of before her brain answers
    await sleep(300);
    letAnswer();
    await sleep(500);
    assert.doesNotMatch(await register.metrics(), /npc="mina"/);
  });

  it("added back while a question to it is with its brain, is thinking until that question ends", async () => {
    const a = await askedThenRemoved("@미나 하나");
    const { greetings: _, ...unGreeting } = MINA; // a greeting would show her status again
    saveWorld(file, { npcs: [HANS, unGreeting] });
    await waitFor("mina back again", () => stateOf(a).npcs.mina);
    await sleep(100);
    assert.equal(stateOf(a).npcs.mina!.status, "thinking", "her question is still with her brain (she came back idle)");
    letAnswer();
    await waitFor("mina no longer thinking", () => stateOf(a).npcs.mina?.status !== "thinking");
    await a.room.leave();
  });

  it("removed while a bare call waits behind its caller's question, tells the caller of the call too, once", async () => {
    saveWorld(file, { npcs: [HANS, MINA] });
    const a = await world.join("영희");
    await waitFor("mina back", () => stateOf(a).npcs.mina);
    a.room.send("chat", { text: "@미나 하나" }); // with the brain
    a.room.send("chat", { text: "@미나" }); // her call reply waits for the answer before it
    await waitFor("mina thinking", () => stateOf(a).npcs.mina?.status === "thinking");
    saveWorld(file, { npcs: [HANS] });
    await waitFor("mina gone from the state", () => !stateOf(a).npcs.mina);
    letAnswer();
    const told = () => a.errors.map((e) => [e.code, e.text, e.npcId]);
    await waitFor("the call told", () => told().length === 2);
    await sleep(300);
    assert.deepEqual(told(), [["unknown_npc", "@미나 하나", "mina"], ["unknown_npc", "@미나", "mina"]]);
    assert.match(a.errors[1]!.message, /^미나 has left this world/);
    assert.ok(!stateOf(a).chat.some((l) => l.from === "mina" && l.replyTo !== ""), "no reply from her after she left");
    await a.room.leave();
  });

  it("given another id by an edit (her name kept), tells those whose questions and calls it will not answer that it changed: ask again", async () => {
    saveWorld(file, { npcs: [HANS, MINA] });
    const a = await world.join("영희");
    await waitFor("mina back", () => stateOf(a).npcs.mina);
    a.room.send("chat", { text: "@미나 하나" }); // with the brain
    a.room.send("chat", { text: "@미나 둘" }); // waits its turn
    a.room.send("chat", { text: "@미나" }); // a call waiting behind both
    await waitFor("mina thinking", () => stateOf(a).npcs.mina?.status === "thinking");
    saveWorld(file, { npcs: [HANS, { ...MINA, id: "baker" }] }); // still 미나, standing where she stood
    await waitFor("baker in the state", () => stateOf(a).npcs.baker && !stateOf(a).npcs.mina);
    await waitFor("the waiting question told", () => a.errors.length === 1);
    letAnswer();
    await waitFor("the question with her brain and the call told", () => a.errors.length === 3);
    await sleep(300);
    assert.deepEqual(a.errors.map((e) => [e.code, e.text, e.npcId]), [
      ["npc_changed", "@미나 둘", "baker"], ["npc_changed", "@미나 하나", "baker"], ["npc_changed", "@미나", "baker"],
    ]);
    for (const error of a.errors) assert.match(error.message, /^미나 was changed by an edit of the world before it answered: ask again/);
    a.room.send("chat", { text: "@미나 둘" }); // asked again: she answers
    await waitFor("her answer", () => stateOf(a).chat.some((l) => l.from === "baker" && l.text === "답: 둘"));
    await a.room.leave();
  });

  it("removed while a busy reply waits its turn, tells that question's asker it left, not that it is busy", async () => {
    saveWorld(file, { npcs: [HANS, MINA] });
    const a = await world.join("영희");
    await waitFor("mina back", () => stateOf(a).npcs.mina);
    a.room.send("chat", { text: "@미나 하나" }); // with the brain
    a.room.send("chat", { text: "@미나 둘" }); // waits: her queue is full
    a.room.send("chat", { text: "@미나 셋" }); // turned away: her busy line waits behind the answers to the two before
    await waitFor("mina thinking", () => stateOf(a).npcs.mina?.status === "thinking");
    saveWorld(file, { npcs: [HANS] });
    await waitFor("mina gone from the state", () => !stateOf(a).npcs.mina);
    letAnswer();
    const told = () => a.errors.map((e) => [e.code, e.text]);
    await waitFor("all three told", () => told().length === 3);
    await sleep(300);
    assert.deepEqual(told(), [["unknown_npc", "@미나 둘"], ["unknown_npc", "@미나 하나"], ["unknown_npc", "@미나 셋"]]);
    assert.ok(!stateOf(a).chat.some((l) => l.from === "mina" && l.replyTo !== ""), "no busy line from her after she left");
    await a.room.leave();
  });

  it("removed while a blocked line's refusal waits its turn, tells its sender it left, without the blocked line", async () => {
    saveWorld(file, { npcs: [HANS, MINA] });
    const a = await world.join("영희");
    await waitFor("mina back", () => stateOf(a).npcs.mina);
    a.room.send("chat", { text: "@미나 하나" }); // with the brain
    a.room.send("chat", { text: "@미나 둘" }); // waits its turn
    a.room.send("chat", { text: "@미나 씨발" }); // blocked: her refusal waits behind the answers to both
    await waitFor("the line stopped", () => a.errors.some((e) => e.code === "moderated"));
    saveWorld(file, { npcs: [HANS] });
    await waitFor("mina gone from the state", () => !stateOf(a).npcs.mina);
    letAnswer();
    const told = () => a.errors.map((e) => [e.code, e.text, e.npcId]);
    await waitFor("the refusal's turn told", () => told().length === 4);
    await sleep(300);
    assert.deepEqual(told(), [["moderated", "@미나 씨발", undefined], ["unknown_npc", "@미나 둘", "mina"], ["unknown_npc", "@미나 하나", "mina"], ["unknown_npc", undefined, "mina"]]);
    assert.match(a.errors[3]!.message, /^미나 has left this world/);
    assert.ok(!stateOf(a).chat.some((l) => l.from === "mina" && l.replyTo !== ""), "no refusal from her after she left");
    await a.room.leave();
  });

  it("given another id while a blocked line's refusal waits its turn, tells its sender the NPC of that name now", async () => {
    saveWorld(file, { npcs: [HANS, MINA] });
    const a = await world.join("영희");
    await waitFor("mina back", () => stateOf(a).npcs.mina);
    a.room.send("chat", { text: "@미나 하나" }); // with the brain
    a.room.send("chat", { text: "@미나 씨발" }); // blocked: her refusal waits behind the answer
    await waitFor("the line stopped", () => a.errors.some((e) => e.code === "moderated"));
    saveWorld(file, { npcs: [HANS, { ...MINA, id: "baker" }] });
    await waitFor("baker in the state", () => stateOf(a).npcs.baker && !stateOf(a).npcs.mina);
    letAnswer();
    await waitFor("the refusal's turn told", () => a.errors.length === 3);
    await sleep(300);
    assert.deepEqual(a.errors.map((e) => [e.code, e.text, e.npcId]), [["moderated", "@미나 씨발", undefined], ["npc_changed", "@미나 하나", "baker"], ["npc_changed", undefined, "baker"]]);
    await a.room.leave();
  });

  // Last: the server shuts down.
  it("removed while a question to it is with its brain, is waited for by a shutdown: its asker is told before the room closes", async () => {
    let closed: { code: number; told: string[] } | undefined;
    await askedThenRemoved("@미나 둘", (a) => a.room.onLeave((code) => (closed = { code, told: a.errors.map((e) => e.code) })));
    const stopped = world.server.shutdown();
    await sleep(300);
    assert.equal(closed, undefined, "the room waits for the question with her brain");
    letAnswer();
    await waitFor("the room closed", () => closed);
    assert.deepEqual(closed, { code: 4001, told: ["unknown_npc"] });
    await stopped;
  });
});

describe("an NPC renamed, or given another knowledge file, while the server runs", function () {
  this.timeout(60_000);
  let world: TestWorld;
  let file: string;

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-renamed-")), "world.json");
    saveWorld(file, { npcs: [HANS, MINA] });
    world = await startTestWorld({ WORLD_FILE: file });
    await world.startWorker();
  });
  after(() => world.stop());

  it("is called by its new name, and answers from its new knowledge file", async () => {
    const a = await world.join("영희");
    a.room.onMessage("npc_action", () => {});
    const answerTo = async (text: string) => {
      a.room.send("chat", { text });
      const asked = await waitFor("the question", () => stateOf(a).chat.findLast((l) => l.from === a.room.sessionId && l.text === text));
      return (await waitFor("its answer", () => stateOf(a).chat.find((l) => l.replyTo === asked.id), 20_000)).text;
    };
    assert.equal(await answerTo("@미나 여기서 뭐 팔아?"), "갓 구운 빵이랑 케이크를 팔아요.");

    // The baker becomes the smith's apprentice: another name, and the smith's lines.
    saveWorld(file, { npcs: [HANS, { ...MINA, name: "도제", knowledge: join(import.meta.dirname, "..", "npc", "knowledge", "blacksmith.jsonl") }] });
    await waitFor("her new name in the state", () => stateOf(a).npcs.mina?.name === "도제");
    assert.equal(await answerTo("@도제 여기서 뭐 팔아?"), "검이랑 방패를 팔지.");
    await a.room.leave();
  });
});
