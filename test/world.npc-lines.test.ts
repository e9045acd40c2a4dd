import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { QuestionMessage } from "../kafka/contract.js";
import { fallbackFor, MODERATION_LINES } from "../rooms/npc/fallback-lines.js";
import { saveWorld } from "./helpers/save-world.js";
import { scriptedAnswer, sleep, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

const HANS = {
  id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10,
  lines: {
    busy: ["허허, {name}, 손님이 많구먼. 조금 있다 다시 오게."],
    noAnswer: ["음, 망치 소리에 못 들었네. 다시 말해 주게, {name}."],
    refusal: ["{name}, 대장간에선 말을 곱게 하게."],
    blocked: ["허허, 그 말은 못 하겠네, {name}."],
    closing: ["{name}, 대장간 문 닫을 시간이네. 다시 오게."],
  },
};
const MINA = { id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10 };

describe("an NPC's own words for the room's stock lines (the world file's lines)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let thinking = 0; // questions with the brain

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-lines-")), "world.json");
    saveWorld(file, { npcs: [HANS, MINA] });
    // One question with a brain that answers after the room gave up on it; one more may wait; then busy.
    world = await startTestWorld({ WORLD_FILE: file, NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "1", NPC_TIMEOUT_MS: "600", QUESTION_BURST: "10" });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      // A brain that answers with abuse (it learnt from people's chat), at once.
      if (questions.every((q) => q.text.includes("따라 해"))) return questions.map((q) => scriptedAnswer(q, "씨발 뭐야"));
      thinking += questions.length;
      await sleep(1000);
      thinking -= questions.length;
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

  it("says its own line instead of its brain's blocked answer, and to questions the closing server takes no more", async () => {
    await waitFor("the brain done with the late answers before", () => thinking === 0, 10_000);
    const a = await world.join("지영");
    const said = (npcId: string) => stateOf(a).chat.filter((line) => line.from === npcId).map((line) => line.text);
    for (const npc of ["한스", "미나"]) a.room.send("chat", { text: `@${npc} 따라 해 봐` });
    await waitFor("both answers", () => said("hans").length === 1 && said("mina").length === 1, 10_000);
    assert.deepEqual([said("hans"), said("mina")], [["허허, 그 말은 못 하겠네, 지영."], [MODERATION_LINES.output]]);
    // A question waits for the brain (answered late), so the server stays open a while for its answer.
    a.room.send("chat", { text: "@한스 하나" });
    await waitFor("the question to be asked", () => world.server.answers.waiting === 1);
    const stopped = world.server.shutdown();
    await sleep(100);
    for (const npc of ["한스", "미나"]) a.room.send("chat", { text: `@${npc} 하나만 더` });
    await waitFor("both refusals", () => a.errors.filter((e) => e.code === "server_closing").length === 2, 10_000);
    await waitFor("both closing lines", () => said("hans").length === 3 && said("mina").length === 2, 10_000);
    assert.equal(said("hans")[2], "지영, 대장간 문 닫을 시간이네. 다시 오게.");
    assert.equal(said("mina")[1], fallbackFor("closing").line);
    await stopped;
  });
});
