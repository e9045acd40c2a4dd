import assert from "node:assert/strict";

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
    assert.deepEqual(answers.map((r) => [r.text, r.npc?.question]), [["답: 내 비밀 질문", ""], ["답: 새 질문", "새 질문"]]);
    assert.ok(answersTo(player)[0]!.text === "답: 내 비밀 질문", "the player still hears the answer in the game");
    await player.room.leave();
  });
});
