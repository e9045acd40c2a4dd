import assert from "node:assert/strict";

import { npcAnswers, npcQuestions } from "../common/metrics.js";
import { answerSlowly, sleep, startTestWorld, type TestWorld } from "./helpers/world.js";

/** How many of `counter`'s values for the kobot NPC (all outcomes). */
const kobots = async (counter: typeof npcAnswers | typeof npcQuestions, outcome?: string) =>
  (await counter.get()).values
    .filter(({ labels }) => labels.npc === "kobot" && (outcome === undefined || (labels as { outcome?: string }).outcome === outcome))
    .reduce((sum, value) => sum + value.value, 0);

// Questions less answers is what dashboards read as questions never answered: it crept up with players who asked and left.
describe("Every question counted with an outcome (kobot_npc_questions_total, kobot_npc_answers_total)", function () {
  this.timeout(30_000);
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld();
    await answerSlowly(world, []); // 150 ms a batch: the asker leaves first
  });
  after(() => world.stop());

  it("counts the answer to a question whose room closed before it came, as room_closed", async () => {
    const [questions, answers, closed] = [await kobots(npcQuestions), await kobots(npcAnswers), await kobots(npcAnswers, "room_closed")];
    const player = await world.join("묻고감");
    player.room.send("chat", { text: "@kobot 금방 갈게" });
    await sleep(50);
    await player.room.leave(); // alone: the room is disposed of
    await sleep(500);
    assert.equal((await kobots(npcQuestions)) - questions, 1);
    assert.equal((await kobots(npcAnswers)) - answers, 1, "the question's outcome");
    assert.equal((await kobots(npcAnswers, "room_closed")) - closed, 1);
  });
});
