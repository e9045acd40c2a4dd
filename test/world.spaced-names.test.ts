import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { saveWorld } from "./helpers/save-world.js";
import { startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

const KNOWLEDGE = join(import.meta.dirname, "..", "npc", "knowledge");
// Two NPCs, one's name the other's first word: 밥 must not take the calls of 밥 아저씨.
const UNCLE = {
  id: "uncle", name: "밥 아저씨", position: { x: 0, y: 0, z: 4 }, talkRadius: 10,
  knowledge: join(KNOWLEDGE, "baker.jsonl"), scriptedAbove: 0.8, callReplies: ["{name} 님, 무슨 일이에요?"],
};
const BOB = { id: "bob", name: "밥", position: { x: 0, y: 0, z: -4 }, talkRadius: 10, knowledge: join(KNOWLEDGE, "blacksmith.jsonl"), scriptedAbove: 0.8 };

/** Sends `chat` and waits for the NPC's line that answers it: who said it, and what; or the error it got. */
async function answerTo(player: TestPlayer, chat: { text: string; to?: string }): Promise<{ from: string; text: string } | { error: string }> {
  const before = new Set(stateOf(player).chat.map((line) => line.id));
  const errors = player.errors.length;
  player.room.send("chat", chat);
  const refused = () => player.errors[errors] && { error: player.errors[errors]!.code };
  const asked = await waitFor(`"${chat.text}" in the chat`, () => refused() || stateOf(player).chat.find((line) => !before.has(line.id) && line.from === player.room.sessionId));
  if ("error" in asked) return asked;
  // A line to the room gets no answer: 2 s is far longer than a scripted line takes.
  const answer = await waitFor(`the answer to "${chat.text}"`, () => refused() || stateOf(player).chat.find((line) => line.kind === "npc" && line.replyTo === asked.id), 2000).catch(() => undefined);
  if (!answer) return { error: "no answer" };
  return "error" in answer ? answer : { from: answer.from, text: answer.text };
}

describe("An NPC whose name has a space", function () {
  this.timeout(60_000);
  let world: TestWorld;
  let player: TestPlayer;

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-spaced-")), "world.json");
    saveWorld(file, { npcs: [UNCLE, BOB] });
    world = await startTestWorld({ WORLD_FILE: file, QUESTION_BURST: "20" }); // one player asks them all
    await world.startWorker();
    player = await world.join("민수");
    player.room.onMessage("npc_action", () => {}); // the shop lines open shops
  });
  beforeEach(() => {
    player.errors.length = 0;
  });
  after(async () => {
    await player.room.leave();
    await world.stop();
  });

  it("is called with the space or without it, and 밥's calls stay 밥's", async () => {
    assert.deepEqual(await answerTo(player, { text: "@밥아저씨 여기서 뭐 팔아?" }), { from: "uncle", text: "갓 구운 빵이랑 케이크를 팔아요." });
    assert.deepEqual(await answerTo(player, { text: "@밥 아저씨 배고파" }), { from: "uncle", text: "따끈한 빵 하나 드셔 보세요." });
    assert.deepEqual(await answerTo(player, { text: "@밥 여기서 뭐 팔아?" }), { from: "bob", text: "검이랑 방패를 팔지." });
    assert.deepEqual(await answerTo(player, { text: "@밥아저씨!" }), { from: "uncle", text: "민수 님, 무슨 일이에요?" });
    assert.deepEqual(player.errors, []);
  });

  it("is named by `to` with the space or without it", async () => {
    assert.deepEqual(await answerTo(player, { text: "배고파", to: "밥아저씨" }), { from: "uncle", text: "따끈한 빵 하나 드셔 보세요." });
    assert.deepEqual(await answerTo(player, { text: "배고파", to: "밥 아저씨" }), { from: "uncle", text: "따끈한 빵 하나 드셔 보세요." });
    assert.deepEqual(player.errors, []);
  });

  it("hears its name taken out of a question that calls it, spaced or not, and answers from its knowledge file", async () => {
    // Heard with the name, each scored below scriptedAbove and was answered by the model ("그런 날이 있더라고요.").
    assert.deepEqual(await answerTo(player, { text: "밥아저씨 배고파", to: "uncle" }), { from: "uncle", text: "따끈한 빵 하나 드셔 보세요." });
    assert.deepEqual(await answerTo(player, { text: "밥 아저씨, 이 마을은 어때?", to: "uncle" }), { from: "uncle", text: "아침마다 빵 냄새가 나는 좋은 마을이에요." });
    assert.deepEqual(player.errors, []);
  });
});
