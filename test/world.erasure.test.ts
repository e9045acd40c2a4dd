import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { erasedWith } from "../kafka/chat-log.js";
import { saveWorld } from "./helpers/save-world.js";
import { answerSlowly, answersTo, joinWorld, recordingChatLog, signedIn, startTestWorld, type TestWorld, waitFor } from "./helpers/world.js";

const SECRET = "a secret the game's login and this server share";
const ADMIN = { authorization: `Basic ${Buffer.from("ops:correct-horse").toString("base64")}` };

describe("A player's erasure while their question waits for its answer", function () {
  this.timeout(30_000);
  let world: TestWorld;
  const chatLog = recordingChatLog();

  before(async () => {
    world = await startTestWorld({ AUTH_SECRET: SECRET, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" }, { chatLog });
    await answerSlowly(world, []); // 150 ms a batch: the erasure comes while the first question is with the brain
  });
  after(() => world.stop());

  it("logs the answer that comes after the erasure without the question, which the stores no longer hold; a question asked after keeps its own", async () => {
    const player = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-erased", "민수"));
    player.room.send("chat", { text: "@kobot 내 비밀 질문" });
    await waitFor("the question logged", () => chatLog.records.some((r) => r.kind === "player" && r.text === "@kobot 내 비밀 질문"));
    const erased = await fetch(`${world.url.replace("ws:", "http:")}/api/erasures`, { method: "POST", body: '{"account":"acc-erased"}', headers: ADMIN });
    assert.equal(erased.status, 200);
    await waitFor("the answer", () => answersTo(player)[0]);
    player.room.send("chat", { text: "@kobot 새 질문" });
    await waitFor("the second answer", () => answersTo(player)[1]);
    const answers = chatLog.records.filter((r) => r.kind === "npc" && r.npc?.questionId);
    // Logged after the erasure, neither the question nor the asker; asked after it, both (the erasure finds it by its asker).
    assert.deepEqual(answers.map((r) => [r.text, r.npc?.question, r.npc?.asker]), [["답: 내 비밀 질문", "", undefined], ["답: 새 질문", "새 질문", "acc-erased"]]);
    assert.ok(answersTo(player)[0]!.text === "답: 내 비밀 질문", "the player still hears the answer in the game");
    await player.room.leave();
  });

  it("takes off the moderators' list the reports the player filed, and keeps the reports of them", async () => {
    const other = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-other", "다른사람"));
    const reporter = await joinWorld(world.url, {}, other.room.roomId, await signedIn(SECRET, "acc-reporter", "신고한사람"));
    const third = await joinWorld(world.url, {}, other.room.roomId, await signedIn(SECRET, "acc-third", "셋째"));
    reporter.room.send("report", { player: other.room.sessionId, reason: "신고한 사람의 사유" });
    third.room.send("report", { player: reporter.room.sessionId, reason: "그 사람이 신고당한 사유" });
    const http = world.url.replace("ws:", "http:");
    const listed = async () => ((await (await fetch(`${http}/api/reports`, { headers: ADMIN })).json()) as { reports: Array<{ reason: string }> }).reports.map((r) => r.reason).sort();
    for (let tries = 0; (await listed()).length < 2; tries++) {
      assert.ok(tries < 50, "both reports filed");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answer = await fetch(`${http}/api/erasures`, { method: "POST", body: '{"account":"acc-reporter"}', headers: ADMIN });
    assert.equal(((await answer.json()) as { openReports: number }).openReports, 1);
    assert.deepEqual(await listed(), ["그 사람이 신고당한 사유"]);
    await Promise.all([other, reporter, third].map((player) => player.room.leave()));
  });

  it("keeps none of the erased player's lines for a report of them filed after the erasure", async () => {
    const erased = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-still-here", "지워질사람"));
    const reporter = await joinWorld(world.url, {}, erased.room.roomId, await signedIn(SECRET, "acc-reports-late", "신고자"));
    erased.room.send("chat", { text: "내 전화번호는 010-1234-5678" });
    await waitFor("the line logged", () => chatLog.records.some((r) => r.text === "내 전화번호는 010-1234-5678"));
    const http = world.url.replace("ws:", "http:");
    assert.equal((await fetch(`${http}/api/erasures`, { method: "POST", body: '{"account":"acc-still-here"}', headers: ADMIN })).status, 200);
    erased.room.send("chat", { text: "지운 뒤에 한 말" });
    await waitFor("the later line logged", () => chatLog.records.some((r) => r.text === "지운 뒤에 한 말"));
    reporter.room.send("report", { player: erased.room.sessionId, reason: "지운 뒤의 신고" });
    type Listed = { reports: Array<{ reason: string; lines: Array<{ text: string }> }> };
    let filed: Listed["reports"][number] | undefined;
    for (let tries = 0; !filed; tries++) {
      assert.ok(tries < 50, "the report filed");
      await new Promise((resolve) => setTimeout(resolve, 50));
      filed = ((await (await fetch(`${http}/api/reports`, { headers: ADMIN })).json()) as Listed).reports.find((r) => r.reason === "지운 뒤의 신고");
    }
    assert.deepEqual(filed.lines.map((line) => line.text), ["지운 뒤에 한 말"]);
    await Promise.all([erased, reporter].map((player) => player.room.leave()));
  });
});

describe("A signed-in player's NPC replies that never reach its brain (busy, refused)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  const chatLog = recordingChatLog();
  const replies = () => chatLog.records.filter((r) => r.kind === "npc" && r.npc?.questionId);

  before(async () => {
    // One question with the brain, one waiting: a third is turned away busy.
    world = await startTestWorld({ AUTH_SECRET: SECRET, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "1", QUESTION_BURST: "10" }, { chatLog });
    await answerSlowly(world, []);
  });
  after(() => world.stop());

  it("logs its asker as an answer's, so the player's erasure finds them by account", async () => {
    const player = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-asks-much", "민수"));
    for (const text of ["하나", "둘", "셋", "씨발"]) player.room.send("chat", { text: `@kobot ${text}` });
    await waitFor("four NPC replies", () => replies().length === 4);
    assert.deepEqual(replies().map((r) => [r.npc?.reason ?? "answer", r.npc?.asker]).sort(), [["answer", "acc-asks-much"], ["answer", "acc-asks-much"], ["moderated_input", "acc-asks-much"], ["npc_busy", "acc-asks-much"]]);
    assert.ok(replies().every(erasedWith("acc-asks-much", new Set())), "each found by the account alone");
    await player.room.leave();
  });

  it("logs a busy reply said after the erasure without the question or the asker, as an answer", async () => {
    chatLog.records.length = 0;
    const player = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-busy-erased", "지영"));
    for (const text of ["하나", "둘", "셋"]) player.room.send("chat", { text: `@kobot ${text}` });
    // The busy reply to 셋 waits its turn, behind the answers to 하나 and 둘 (150 ms each).
    await waitFor("the third question logged", () => chatLog.records.some((r) => r.kind === "player" && r.text === "@kobot 셋"));
    const erased = await fetch(`${world.url.replace("ws:", "http:")}/api/erasures`, { method: "POST", body: '{"account":"acc-busy-erased"}', headers: ADMIN });
    assert.equal(erased.status, 200);
    const busy = await waitFor("the busy reply", () => replies().find((r) => r.npc?.reason === "npc_busy"));
    assert.deepEqual([busy.npc?.question, busy.npc?.asker], ["", undefined]);
    await player.room.leave();
  });
});

describe("A player's erasure on the embedded default's files (DATA_DIR, no Redis)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "erasure-kept-"));
    const file = join(dataDir, "world.json");
    const hans = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 0 }, talkRadius: 100, greetings: ["{name}, 어서 오게."], greetingsAgain: ["또 왔군, {name}!"] };
    saveWorld(file, { npcs: [hans] });
    // Written each second, not 5 s: the meeting reaches the file sooner, and an erasure is still read back well within a save.
    world = await startTestWorld({ AUTH_SECRET: SECRET, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", WORLD_FILE: file, DATA_DIR: dataDir }, { presenceSaveMs: 1000 });
  });
  after(() => world.stop());

  // Written each 5 s otherwise: a crash after the 200 read the player back at the next start, and the NPC knew them.
  it("has the NPCs' memory of them out of its file before it answers", async () => {
    const player = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-remembered", "기억될사람"));
    await waitFor("the greeting", () => player.room.state.chat.some((line) => line.from === "hans"));
    const kept = join(dataDir, "npc-acquaintances.json");
    await waitFor("the meeting in the file", () => existsSync(kept) && readFileSync(kept, "utf8").includes("acc-remembered"), 10_000);
    const erased = await fetch(`${world.url.replace("ws:", "http:")}/api/erasures`, { method: "POST", body: '{"account":"acc-remembered"}', headers: ADMIN });
    assert.equal(((await erased.json()) as { npcMemories: number }).npcMemories, 1);
    assert.ok(!readFileSync(kept, "utf8").includes("acc-remembered"), readFileSync(kept, "utf8"));
    await player.room.leave();
  });

  // Each answered 200 with every count 0, as an account with nothing left would be.
  it("erases an account pasted with spaces at its ends, and says found: false for one nothing named (another case, a typo)", async () => {
    const player = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acct-b1", "붙여넣은사람"));
    await waitFor("the greeting", () => player.room.state.chat.some((line) => line.from === "hans"));
    await player.room.leave();
    const erase = async (account: string) =>
      (await (await fetch(`${world.url.replace("ws:", "http:")}/api/erasures`, { method: "POST", body: JSON.stringify({ account }), headers: ADMIN })).json()) as Record<string, unknown>;
    for (const typo of ["ACCT-B1", "nobody-ever"]) assert.deepEqual(pick(await erase(typo), "account", "found", "npcMemories"), { account: typo, found: false, npcMemories: 0 });
    assert.deepEqual(pick(await erase(" acct-b1 "), "account", "found", "npcMemories"), { account: "acct-b1", found: true, npcMemories: 1 });
  });
});

const pick = (answer: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(keys.map((key) => [key, answer[key]]));
