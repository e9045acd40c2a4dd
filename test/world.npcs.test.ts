import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { withName } from "../rooms/chat/named-line.js";
import { readActionReceipt } from "../rooms/npc/action-receipts.js";
import { GREETING_GAP_MS } from "../rooms/npc/greeting-gate.js";
import type { NpcActionNotice } from "../rooms/world-protocol.js";
import { saveWorld } from "./helpers/save-world.js";
import { decoderErrorsDuring, near, recordingChatLog, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

const worlds = join(import.meta.dirname, "fixtures", "worlds");
const ACTION_SECRET = "a secret the game's backend shares, 32+ chars";

const lineFrom = (player: TestPlayer, npcId: string, replyTo = "") =>
  stateOf(player).chat.find((line) => line.kind === "npc" && line.from === npcId && (replyTo === "" || line.replyTo === replyTo));

describe("NPCs from a world file", function () {
  let world: TestWorld;
  const chatLog = recordingChatLog();

  before(async () => {
    world = await startTestWorld({ WORLD_FILE: join(worlds, "two-npcs.yaml"), NPC_TIMEOUT_MS: "5000", ACTION_SECRET }, { chatLog });
    await world.startWorker();
  });
  after(() => world.stop());

  it("puts every NPC of the file in the room, each with its own status and talk radius", async () => {
    const a = await world.join("민수");
    const { npcs, hearingRadius } = stateOf(a);
    assert.deepEqual(Object.keys(npcs).sort(), ["hans", "hermit", "mina"]);
    // Hans stands by the spawn point: he is greeting the player who just came.
    const { rotY, ...hans } = npcs.hans!;
    assert.deepEqual(hans, { name: "한스", x: 0, y: 0, z: 4, status: "speaking", talkRadius: 10, privateTalk: false });
    const me = stateOf(a).players[a.room.sessionId]!;
    const towardMe = ((Math.atan2(me.x - 0, me.z - 4) * 180) / Math.PI + 360) % 360;
    assert.ok(Math.abs(rotY - towardMe) < 0.01, `hans turned to greet the player: ${rotY} / ${towardMe}`);
    assert.equal(npcs.hermit!.talkRadius, 5);
    assert.equal(npcs.hermit!.status, "idle");
    assert.equal(hearingRadius, 8);
    await a.room.leave();
  });

  it("greets a player by name when they come near, once per visit", async () => {
    const a = await world.join("지영");
    const greetings = () => stateOf(a).chat.filter((l) => l.from === "hans" && l.text === "지영, 대장간에 온 걸 환영하네.");
    await waitFor("hans's greeting at the spawn point", () => greetings().length === 1);
    assert.ok(lineFrom(a, "mina")?.text === "지영 님, 어서 오세요!", "mina greets too: she stands near the spawn point");
    await walkTo(a, 1, 5); // still within hans's radius: no second greeting
    await walkTo(a, 0, 20); // 16 units away: the visit is over
    await walkTo(a, 0, 8); // back
    await waitFor("a second greeting for the second visit", () => greetings().length === 2);
    await a.room.leave();
  });

  it("greets players who come near together in one line by name, not one line each for every bystander", async () => {
    await sleep(GREETING_GAP_MS); // no greeting of an earlier test's player holds hans's next one back
    const first = await world.join("먼저옴");
    const others = await Promise.all(["둘째", "셋째", "넷째"].map((name) => world.joinBeside(first, name)));
    const names = ["먼저옴", "둘째", "셋째", "넷째"];
    const greetings = () => stateOf(first).chat.filter((l) => l.from === "hans" && names.some((name) => l.text.includes(name)));
    await waitFor("everyone greeted", () => names.every((name) => greetings().some((l) => l.text.includes(name))), GREETING_GAP_MS + 3000);
    const texts = greetings().map((l) => l.text);
    assert.equal(texts[0], "먼저옴, 대장간에 온 걸 환영하네.", "the first at once");
    assert.equal(texts.length, 2, texts.join(" / "));
    assert.match(texts[1]!, /^(둘째|셋째|넷째), (둘째|셋째|넷째), (둘째|셋째|넷째), 대장간에 온 걸 환영하네\.$/);
    for (const other of others) assert.ok(stateOf(other).chat.some((l) => l.text === texts[1]), "each greeted player hears it");
    await Promise.all([first, ...others].map((p) => p.room.leave()));
  });

  it("says a player's name in a greeting exactly as written, replacement patterns and all", async () => {
    // Names hold no `$` since session 64 (letters, digits, _ and -): refused at join; the filler still takes them as written.
    for (const name of ["$&", "$'", "a$`b"]) {
      await assert.rejects(world.join(name), /may hold only letters, digits, _ and -/);
      assert.equal(withName("{name} 님, 어서 오세요!", name), `${name} 님, 어서 오세요!`);
    }
    const a = await world.join("a_b-2");
    const greeting = await waitFor("mina's greeting of a_b-2", () => lineFrom(a, "mina"));
    assert.equal(greeting.text, "a_b-2 님, 어서 오세요!");
    await a.room.leave();
  });

  it("answers each NPC only for the lines addressed to it, from its own knowledge file, and logs what wrote each answer", async () => {
    const a = await world.join("나그네");
    a.room.send("chat", { text: "@한스 이름이 뭐야?" });
    a.room.send("chat", { text: "이름이 뭐야?", to: "mina" });
    a.room.send("chat", { text: "@hans 오늘 날씨 어때?" }); // not in his file: the model answers
    a.room.send("chat", { text: "@hans 칼 가격이 어떻게 돼요?" }); // the model begins his line and says it as written
    const questions = await waitFor("the four questions", () => {
      const mine = stateOf(a).chat.filter((l) => l.from === a.room.sessionId);
      return mine.length === 4 ? mine : undefined;
    });
    const hans = await waitFor("hans's answer", () => lineFrom(a, "hans", questions[0]!.id));
    const mina = await waitFor("mina's answer", () => lineFrom(a, "mina", questions[1]!.id));
    const weather = await waitFor("hans's answer about the weather", () => lineFrom(a, "hans", questions[2]!.id));
    const price = await waitFor("hans's price", () => lineFrom(a, "hans", questions[3]!.id));
    // The same question, answered from two knowledge files (scriptedAbove: their lines as written).
    assert.equal(hans.text, "나는 대장장이 한스야.");
    assert.equal(mina.text, "저는 빵집 주인 미나예요.");
    assert.ok(weather.text.length > 0);
    assert.equal(price.text, "좋은 검은 금화 열 닢이야.", "his own line, begun by the model, as written");
    const replies = stateOf(a).chat.filter((l) => questions.some((q) => q.id === l.replyTo));
    assert.equal(replies.length, 4, "one answer per question, from the NPC it was addressed to");
    await waitFor("the four answers logged", () => chatLog.records.filter((r) => r.npc && questions.some((q) => q.id === r.replyTo)).length === 4);
    const modelOf = (line: { id: string }) => chatLog.records.find((r) => r.id === line.id)!.npc!.model;
    assert.equal(modelOf(hans), "knowledge:blacksmith.jsonl");
    assert.equal(modelOf(mina), "knowledge:baker.jsonl");
    assert.match(modelOf(weather)!, /^kobot-gpt2-.*:q8$/, "the model's own answer names the model");
    assert.match(modelOf(price)!, /^kobot-gpt2-.*:q8$/, "a line the model began is the model's answer");
    const sourceOf = (line: { id: string }) => chatLog.records.find((r) => r.id === line.id)!.npc!.source;
    assert.deepEqual([sourceOf(hans), sourceOf(mina), sourceOf(price)], ["scripted", "scripted", "own_line"], "where the words came from");
    await a.room.leave();
  });

  it("understands chat shorthand: ㅎㅇ and ㄱㅅ get the NPC's hello and thanks lines, and everyone sees what was typed", async () => {
    const a = await world.join("길손");
    a.room.send("chat", { text: "@한스 ㅎㅇ" });
    a.room.send("chat", { text: "@미나 ㄱㅅㄱㅅ!" });
    const questions = await waitFor("the two lines", () => {
      const mine = stateOf(a).chat.filter((l) => l.from === a.room.sessionId);
      return mine.length === 2 ? mine : undefined;
    });
    assert.deepEqual(questions.map((q) => q.text), ["@한스 ㅎㅇ", "@미나 ㄱㅅㄱㅅ!"], "the chat keeps the player's words");
    const hello = await waitFor("hans's hello", () => lineFrom(a, "hans", questions[0]!.id));
    const thanks = await waitFor("mina's thanks", () => lineFrom(a, "mina", questions[1]!.id));
    assert.equal(hello.text, "어서 오게. 대장간엔 무슨 일인가?");
    assert.equal(thanks.text, "천만에요, 별말씀을요!");
    await a.room.leave();
  });

  it("sends the asker, and only them, the game action of a knowledge line the NPC says, with a receipt the game's backend can check, and logs it", async () => {
    const a = await world.join("손님");
    const b = await world.joinBeside(a, "구경꾼");
    const actions = (player: TestPlayer) => {
      const got: NpcActionNotice[] = [];
      player.room.onMessage("npc_action", (notice: NpcActionNotice) => got.push(notice));
      return got;
    };
    const [toA, toB] = [actions(a), actions(b)];
    a.room.send("chat", { text: "@한스 여기서 뭐 팔아요?" }); // blacksmith.jsonl: "검이랑 방패를 팔지.", action open_shop
    a.room.send("chat", { text: "@한스 이름이 뭐야?" }); // a line without an action
    const questions = await waitFor("both questions", () => {
      const mine = stateOf(a).chat.filter((l) => l.from === a.room.sessionId);
      return mine.length === 2 ? mine : undefined;
    });
    const shop = await waitFor("the shop line", () => lineFrom(a, "hans", questions[0]!.id));
    await waitFor("the name line", () => lineFrom(a, "hans", questions[1]!.id));
    assert.equal(shop.text, "검이랑 방패를 팔지.");
    await waitFor("the action", () => toA.length === 1);
    const [{ receipt, ...notice }] = toA as [NpcActionNotice];
    assert.deepEqual(notice, { npcId: "hans", action: "open_shop", lineId: shop.id, replyTo: questions[0]!.id });
    // What the backend reads from the receipt the client hands on; with another secret it is refused.
    assert.deepEqual(await readActionReceipt(receipt!, ACTION_SECRET), {
      npc: "hans", action: "open_shop", line: shop.id, question: questions[0]!.id,
      room: a.room.roomId, player: a.room.sessionId, name: "손님",
    });
    await assert.rejects(readActionReceipt(receipt!, "another secret of at least 32 characters"), /signature does not match/);
    await sleep(200);
    assert.deepEqual([toA.length, toB.length], [1, 0], "one action, to the asker only");
    await waitFor("the line logged", () => chatLog.records.some((r) => r.id === shop.id));
    assert.equal(chatLog.records.find((r) => r.id === shop.id)!.npc!.action, "open_shop");
    await Promise.all([a.room.leave(), b.room.leave()]);
  });

  it("refuses a question from beyond the NPC's talk radius with too_far, saying how far", async () => {
    const a = await world.join("멀리");
    a.room.send("chat", { text: "@은둔자 거기 누구 있어요?" });
    const error = await waitFor("the too_far error", () => a.errors.find((e) => e.code === "too_far"));
    assert.match(error.message, /^은둔자 is \d+\.\d m away: come within 5 m to talk$/);
    assert.equal(error.text, "@은둔자 거기 누구 있어요?");
    assert.equal(error.talkRadius, 5);
    assert.ok(error.distance! > 5 && error.npcId !== undefined, JSON.stringify(error));
    assert.equal(stateOf(a).chat.filter((l) => l.from === a.room.sessionId).length, 0, "the refused question is not said");
    await a.room.leave();
  });

  it("takes a call from within the NPC's talk radius and refuses one from just beyond it", async () => {
    const a = await world.join("경계");
    await walkTo(a, 0, 14.5); // hans stands at (0, 4) and talks within 10 m: 10.5 m away
    const said = () => stateOf(a).chat.find((l) => l.from === a.room.sessionId);
    a.room.send("chat", { text: "@한스" });
    await waitFor("the call refused or said", () => a.errors.length > 0 || said());
    assert.deepEqual(a.errors.map((e) => [e.code, e.npcId, e.distance, e.talkRadius]), [["too_far", "hans", 10.5, 10]]);
    await walkTo(a, 0, 13.5); // 9.5 m away
    a.room.send("chat", { text: "@한스" });
    const call = await waitFor("the call said", said);
    await waitFor("hans's call reply", () => lineFrom(a, "hans", call.id));
    assert.equal(a.errors.length, 1, JSON.stringify(a.errors));
    await a.room.leave();
  });

  it("lets only players within hearing range receive a line, and an NPC's answer only players near the NPC", async () => {
    const speaker = await world.join("말하는이");
    const neighbour = await world.joinBeside(speaker, "옆사람");
    const stranger = await world.joinBeside(speaker, "먼사람");
    await walkTo(stranger, 30, -30);
    speaker.room.send("chat", { text: "여기 빵집 좋다" });
    const line = await waitFor("the neighbour hears the line", () => stateOf(neighbour).chat.find((l) => l.text === "여기 빵집 좋다"));
    speaker.room.send("chat", { text: "@미나 빵 얼마야?" });
    const question = await waitFor("the question", () => stateOf(speaker).chat.find((l) => l.text === "@미나 빵 얼마야?"));
    const answer = await waitFor("mina's answer near her", () => lineFrom(neighbour, "mina", question.id));
    assert.ok(stateOf(speaker).chat.some((l) => l.id === answer.id), "the asker hears the answer");
    await sleep(300); // several patches: anything the stranger could receive has arrived
    const heardFar = stateOf(stranger).chat.map((l) => l.id);
    assert.ok(!heardFar.includes(line.id), "a player 40 units away never receives the line");
    assert.ok(!heardFar.includes(question.id) && !heardFar.includes(answer.id), "nor the question and its answer");
    // The stranger's own line reaches nobody near the spawn point.
    stranger.room.send("chat", { text: "아무도 없나" });
    await waitFor("the stranger hears their own line", () => stateOf(stranger).chat.some((l) => l.text === "아무도 없나"));
    await sleep(300);
    assert.ok(!stateOf(neighbour).chat.some((l) => l.text === "아무도 없나"));
    await Promise.all([speaker, neighbour, stranger].map((p) => p.room.leave()));
  });

  it("lets a player at the hearing radius receive a line, and not one just beyond it", async () => {
    const speaker = await world.join("가운데");
    const inside = await world.joinBeside(speaker, "안쪽");
    const outside = await world.joinBeside(speaker, "바깥");
    // Hearing within 8: 8 units from the speaker (walkTo's last step lands on the point itself), and 8.5.
    await Promise.all([walkTo(speaker, -15, 0), walkTo(inside, -15, 8), walkTo(outside, -15, -8.5)]);
    speaker.room.send("chat", { text: "가까이 오면 들려요" });
    const line = await waitFor("the line heard at the radius", () => stateOf(inside).chat.find((l) => l.text === "가까이 오면 들려요"));
    // Said after it, the player's own line comes in the same patch as the line or a later one.
    outside.room.send("chat", { text: "여긴 조용하네" });
    await waitFor("the player beyond hears their own line", () => stateOf(outside).chat.some((l) => l.text === "여긴 조용하네"));
    assert.ok(!stateOf(outside).chat.some((l) => l.id === line.id), "half a unit beyond the radius, the line never came");
    await Promise.all([speaker, inside, outside].map((p) => p.room.leave()));
  });
});

describe("Hearing range while the history is full", function () {
  let world: TestWorld;

  before(async () => {
    // Four lines of history: joins (their lines and the greetings) push old lines out in the tick they happen.
    // Join lines at once (no gap: presence-lines.ts), as this test counts each joiner's own line.
    world = await startTestWorld({ WORLD_FILE: join(worlds, "two-npcs.yaml"), CHAT_HISTORY: "4" }, { world: { presenceGapMs: 0 } });
  });
  after(() => world.stop());

  it("sends each joiner a state its decoder reads whole while old lines leave the history", async () => {
    const decoderErrors = await decoderErrorsDuring(async () => {
      const first = await world.join("첫째");
      const second = await world.joinBeside(first, "둘째");
      const third = await world.joinBeside(first, "셋째");
      // The second and the third came while hans's greeting of the first was new: one greeting names them both.
      await waitFor("hans's greeting of the third", () => stateOf(third).chat.some((l) => l.text === "둘째, 셋째, 대장간에 온 걸 환영하네."), GREETING_GAP_MS + 3000);
      await sleep(300);
      const texts = stateOf(third).chat.map((l) => l.text);
      assert.equal(texts[0], "셋째 님이 들어왔어요.", "the joiner's own line first, then the greetings");
      // The first heard a line more (its own greeting, before the second came) while it is in the history.
      const heardBySecond = stateOf(second).chat.map((l) => l.text);
      assert.equal(heardBySecond.length, 3);
      assert.deepEqual(heardBySecond, stateOf(first).chat.map((l) => l.text).slice(-3), "two players standing together hear the same lines");
    });
    assert.deepEqual(decoderErrors, [], "no decoder errors");
  });
});

describe("Sight radius", function () {
  let world: TestWorld;

  before(async () => {
    // Players walk 5 times the default speed: what is tried is who sees whom where, not how fast they get there.
    world = await startTestWorld({ WORLD_FILE: join(worlds, "sight.yaml") }, { world: { maxSpeed: 40 } });
  });
  after(() => world.stop());

  it("sends a player only the players within sight, and their moves; back in sight, where they are now", async () => {
    const decoderErrors = await decoderErrorsDuring(async () => {
      const a = await world.join("여기");
      assert.equal(stateOf(a).sightRadius, 10, "clients draw the ring from the state");
      a.room.send("chat", { text: "먼저 왔어요" });
      await waitFor("a's line", () => stateOf(a).chat.some((l) => l.text === "먼저 왔어요"));
      const b = await world.joinBeside(a, "저기");
      assert.ok(stateOf(b).chat.some((l) => l.text === "먼저 왔어요"), "hearing room-wide, a newcomer reads the lines said before");
      const sees = (viewer: TestPlayer, other: TestPlayer) => stateOf(viewer).players[other.room.sessionId] !== undefined;
      await waitFor("each sees the other at the spawn point", () => sees(a, b) && sees(b, a));
      await walkTo(b, 0, 30); // 30 units away: out of sight (it ends a quarter beyond the radius, at 12.5)
      await waitFor("out of each other's sight", () => !sees(a, b) && !sees(b, a));
      assert.ok(sees(b, b), "a player always sees themselves");
      await walkTo(a, -20, 0); // unseen by b
      a.room.send("chat", { text: "들려요?" });
      await waitFor("a line heard room-wide, sight or not", () => stateOf(b).chat.some((l) => l.text === "들려요?"));
      await walkTo(b, -20, 8);
      await waitFor("in sight again", () => sees(a, b) && sees(b, a));
      const seen = stateOf(b).players[a.room.sessionId]!;
      assert.ok(near(seen.x, -20) && near(seen.z, 0), `b sees a where a is now: ${JSON.stringify(seen)}`);
      await walkTo(a, -20, 3);
      await waitFor("a's moves reach b again", () => near(stateOf(b).players[a.room.sessionId]?.z, 3));
      await Promise.all([a, b].map((p) => p.room.leave()));
    });
    assert.deepEqual(decoderErrors, [], "no decoder errors");
  });

  it("keeps a player in sight until a quarter beyond the radius, and lets one in again only within it", async () => {
    const a = await world.join("가장자리");
    const b = await world.joinBeside(a, "오가는이");
    const sees = (viewer: TestPlayer, other: TestPlayer) => stateOf(viewer).players[other.room.sessionId] !== undefined;
    const bothSee = () => sees(a, b) && sees(b, a);
    // Hearing is room-wide: once a hears b's line, said after b's last step, a has every patch of that step.
    const afterStep = async (text: string) => {
      b.room.send("chat", { text });
      await waitFor(`a hears "${text}"`, () => stateOf(a).chat.some((l) => l.text === text));
    };
    await Promise.all([walkTo(a, 0, 0), walkTo(b, 0, 3)]);
    await waitFor("each sees the other", bothSee);
    await walkTo(b, 0, 11.5); // beyond the radius of 10, within 12.5
    await afterStep("아직 보여요?");
    assert.ok(bothSee(), "still in sight, once in it");
    await walkTo(b, 0, 13);
    await waitFor("out of sight a quarter beyond the radius", () => !sees(a, b) && !sees(b, a));
    await walkTo(b, 0, 11.5);
    await afterStep("이제는요?");
    assert.ok(!sees(a, b) && !sees(b, a), "not back in sight until within the radius");
    await walkTo(b, 0, 9.5);
    await waitFor("in sight within the radius", bothSee);
    await Promise.all([a, b].map((p) => p.room.leave()));
  });
});

describe("Sight radius while the history is full", function () {
  let world: TestWorld;

  before(async () => {
    // Lines said fast enough, and joins often enough, that each joiner's first state is read as lines leave.
    // Join lines at once (no gap: presence-lines.ts), so that each joiner's own line pushes old lines out.
    world = await startTestWorld({ WORLD_FILE: join(worlds, "sight.yaml"), CHAT_HISTORY: "4", CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100" }, { world: { presenceGapMs: 0 } });
  });
  after(() => world.stop());

  it("gives each joiner the room's history, which its decoder reads whole, while old lines leave it", async () => {
    const decoderErrors = await decoderErrorsDuring(async () => {
      const first = await world.join("첫째");
      const players = [first];
      for (let i = 0; i < 12; i++) {
        for (let j = 0; j < 3; j++) first.room.send("chat", { text: `줄 ${i}-${j}` });
        players.push(await world.joinBeside(first, `손님${i}`));
        await sleep(30);
      }
      const last = "줄 11-0|줄 11-1|줄 11-2|손님11 님이 들어왔어요.";
      await waitFor("everyone's history", () => players.every((p) => stateOf(p).chat.map((l) => l.text).join("|") === last));
      await Promise.all(players.map((p) => p.room.leave()));
    });
    assert.deepEqual(decoderErrors, [], "no decoder errors");
  });
});

describe("NPC idle lines", function () {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld({ WORLD_FILE: join(worlds, "idle.json"), CHAT_HISTORY: "100" });
  });
  after(() => world.stop());

  it("says an idle line now and then while a player is near, without repeating itself, and none when nobody is", async () => {
    const a = await world.join("청중");
    const idle = () => stateOf(a).chat.filter((l) => l.from === "bard");
    await waitFor("three idle lines", () => idle().length >= 3);
    const texts = idle().map((l) => l.text);
    texts.slice(1).forEach((text, i) => assert.notEqual(text, texts[i], "never the same line twice in a row"));
    await walkTo(a, 0, -14); // 16 units from the bard: the visit is over
    // Counted once the bard is idle: while it speaks (~2 s a line) it says no idle line anyway, listeners or not.
    await waitFor("the bard idle", () => stateOf(a).npcs.bard?.status === "idle");
    const before = idle().length;
    await sleep(600); // three idle periods
    assert.equal(idle().length, before, "no idle lines without listeners");
    await a.room.leave();
  });
});

describe("NPC statuses", function () {
  let world: TestWorld;

  before(async () => {
    // No worker: a question stays with its NPC until the timeout.
    world = await startTestWorld({ WORLD_FILE: join(worlds, "two-npcs.yaml"), NPC_TIMEOUT_MS: "1500" });
  });
  after(() => world.stop());

  it("marks only the asked NPC as thinking, and idle again after its (fallback) answer", async () => {
    const a = await world.join("질문자");
    a.room.send("chat", { text: "@hans 검 얼마야?" });
    await waitFor("hans thinking", () => stateOf(a).npcs.hans!.status === "thinking");
    assert.notEqual(stateOf(a).npcs.mina!.status, "thinking"); // (speaking: she greets the newcomer)
    await waitFor("hans speaking his fallback line", () => stateOf(a).npcs.hans!.status === "speaking", 4000);
    await waitFor("hans idle after it", () => stateOf(a).npcs.hans!.status === "idle", 6000);
    assert.ok(a.errors.some((e) => e.code === "npc_timeout"));
    await a.room.leave();
  });
});

describe("An NPC's greetings over a player's join again", function () {
  let world: TestWorld;
  const GAP_MS = 300;

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "greet-again-")), "world.json");
    saveWorld(file, { npcs: [{ id: "hans", name: "한스", position: { x: 0, y: 0, z: 0 }, talkRadius: 100, greetings: ["{name}, 어서 오게."], greetAgainSeconds: 30 }] });
    // A short gap between greetings: no two arrive together here, and the test waits it out twice.
    world = await startTestWorld({ WORLD_FILE: file }, { world: { greetingGapMs: GAP_MS } });
  });
  after(() => world.stop());

  // A join again is a new session: five in 13 s had the room hear five greetings.
  it("greets a player who left and came back not again within greetAgainSeconds, and another player at once", async () => {
    const stays = await world.join("남은이"); // keeps the room
    const first = await world.joinBeside(stays, "다시온이");
    const greetings = (player: TestPlayer, name: string) => stateOf(player).chat.filter((l) => l.from === "hans" && l.text.includes(name));
    await waitFor("the first greeting", () => greetings(first, "다시온이").length === 1, GAP_MS + 3000);
    await first.room.leave();
    await sleep(GAP_MS); // hans free to greet at once
    const again = await world.joinBeside(stays, "다시온이");
    const other = await world.joinBeside(stays, "처음온이");
    await waitFor("the other player's greeting", () => greetings(again, "처음온이").length === 1, GAP_MS + 3000);
    await sleep(GAP_MS + 300); // past a greeting the gap would have held back
    assert.deepEqual(greetings(again, "다시온이").map((l) => l.text), ["다시온이, 어서 오게."], "the first greeting, in the room's history; none since");
    await Promise.all([stays, again, other].map((player) => player.room.leave()));
  });
});
