import assert from "node:assert/strict";

import type { ChatLogRecord } from "../kafka/chat-log.js";
import { answersTo, scriptedAnswer, sleep, startTestWorld, type TestWorld, waitFor } from "./helpers/world.js";

describe("An NPC's unsure lines in the world room", () => {
  let world: TestWorld;
  const logged: ChatLogRecord[] = [];

  before(async () => {
    const chatLog = { publish: (record: ChatLogRecord) => void logged.push(record), flush: async () => {}, stop: async () => {} };
    world = await startTestWorld({}, { chatLog });
    // As NpcWorker answers: a sure answer with its confidence; an unsure one replaced, the model's text withheld.
    await world.bus.workerChannel().start(async (questions) =>
      questions.map((q) =>
        q.text.includes("날씨")
          ? { ...scriptedAnswer(q, "날씨가 좋네요."), confidence: -0.21, source: "composed" as const }
          : { ...scriptedAnswer(q, "음, 그건 잘 모르겠어요."), confidence: -1.37, withheld: "우선물 해주세요.", source: "unsure_line" as const },
      ),
    );
  });
  after(() => world.stop());

  it("shows the unsure line as the NPC's reply, with no error, and logs the withheld answer for review", async () => {
    const player = await world.join("민수");
    player.room.send("chat", { text: "@kobot 비 와서 우울해" });
    const reply = await waitFor("the reply", () => answersTo(player)[0]);
    assert.equal(reply.text, "음, 그건 잘 모르겠어요.");
    const record = await waitFor("its chat-log record", () => logged.find((r) => r.id === reply.id));
    assert.deepEqual(
      { fallback: record.npc?.fallback, reason: record.npc?.reason, withheld: record.npc?.withheld, confidence: record.npc?.confidence, source: record.npc?.source },
      { fallback: true, reason: "unsure", withheld: "우선물 해주세요.", confidence: -1.37, source: "unsure_line" },
    );

    player.room.send("chat", { text: "@kobot 오늘 날씨 좋다" });
    const answer = await waitFor("the answer", () => answersTo(player)[1]);
    assert.equal(answer.text, "날씨가 좋네요.");
    const sure = await waitFor("its record", () => logged.find((r) => r.id === answer.id));
    assert.deepEqual([sure.npc?.fallback, sure.npc?.reason, sure.npc?.confidence, sure.npc?.source], [false, undefined, -0.21, "composed"]);
    await sleep(50);
    assert.deepEqual(player.errors, [], "an unsure line is an answer to the player, not an error");
  });
});
