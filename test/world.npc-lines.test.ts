import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { QuestionMessage } from "../kafka/contract.js";
import { fallbackFor, MODERATION_LINES } from "../rooms/fallback-lines.js";
import { saveWorld } from "./helpers/save-world.js";
import { scriptedAnswer, sleep, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

const HANS = {
  id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10,
  lines: {
    busy: ["허허, {name}, 손님이 많구먼. 조금 있다 다시 오게."],
    noAnswer: ["음, 망치 소리에 못 들었네. 다시 말해 주게, {name}."],
    refusal: ["{name}, 대장간에선 말을 곱게 하게."],
  },
};
const MINA = { id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10 };

describe("an NPC's own words for the room's stock lines (the world file's lines)", function () {
  this.timeout(30_000);
  let world: TestWorld;

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-lines-")), "world.json");
    saveWorld(file, { npcs: [HANS, MINA] });
    // One question with a brain that answers after the room gave up on it; one more may wait; then busy.
    world = await startTestWorld({ WORLD_FILE: file, NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "1", NPC_TIMEOUT_MS: "600", QUESTION_BURST: "10" });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      await sleep(1000);
      return questions.map((q) => scriptedAnswer(q, "늦은 답"));
    });
  });
  after(() => world.stop());

  it("says its busy, no-answer and refusal lines by the asker's name; an NPC without them says the stock lines", async () => {
    const a = await world.join("민수");
    for (const npc of ["한스", "미나"]) {
      a.room.send("chat", { text: `@${npc} 하나` }); // with the brain: no answer in time
      a.room.send("chat", { text: `@${npc} 둘` }); // waits
      a.room.send("chat", { text: `@${npc} 셋` }); // the queue is full: busy
      a.room.send("chat", { text: `@${npc} 씨발 뭐야` }); // blocked: refused
    }
    const said = (npcId: string) => stateOf(a).chat.filter((line) => line.from === npcId).map((line) => line.text);
    await waitFor("four replies from each", () => said("hans").length === 4 && said("mina").length === 4, 10_000);
    // In the order asked: 하나 and 둘 not answered in time, 셋 turned away, the blocked line refused.
    assert.deepEqual(said("hans"), [
      "음, 망치 소리에 못 들었네. 다시 말해 주게, 민수.",
      "음, 망치 소리에 못 들었네. 다시 말해 주게, 민수.",
      "허허, 민수, 손님이 많구먼. 조금 있다 다시 오게.",
      "민수, 대장간에선 말을 곱게 하게.",
    ]);
    assert.deepEqual(said("mina"), [fallbackFor("timeout").line, fallbackFor("timeout").line, fallbackFor("busy").line, MODERATION_LINES.input]);
    // The errors say what happened, as for any NPC.
    assert.deepEqual(a.errors.filter((e) => e.npcId === "hans").map((e) => e.code).sort(), ["npc_busy", "npc_timeout", "npc_timeout"]);
    await a.room.leave();
  });
});
