import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { QuestionMessage } from "../kafka/contract.js";
import { saveWorld } from "./helpers/save-world.js";
import { scriptedAnswer, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

const HANS = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10 };
const MINA = { id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10 };

describe("questions waiting per NPC on /metrics (kobot_npc_questions_waiting)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let file: string;
  let letAnswer = () => {};

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-queue-metrics-")), "world.json");
    saveWorld(file, { npcs: [HANS, MINA] });
    const quick = { CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100", QUESTION_BURST: "100", QUESTIONS_PER_SECOND: "100" };
    world = await startTestWorld({ WORLD_FILE: file, NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "5", NPC_TIMEOUT_MS: "20000", ...quick });
    // Her brain answers when the test lets it, so that her questions wait.
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      if (questions.some((q) => q.npcId === "mina")) await new Promise<void>((resolve) => (letAnswer = resolve));
      return questions.map((q) => scriptedAnswer(q, `답: ${q.text}`));
    });
  });
  after(() => world.stop());

  const metrics = async () => (await fetch(`http://127.0.0.1:${world.server.port}/metrics`)).text();
  /** The room's series of the gauge, as "npc value", sorted. */
  const waiting = async (roomId: string) => {
    const series = [...(await metrics()).matchAll(/^kobot_npc_questions_waiting\{room="([^"]*)",npc="([^"]*)"\} (\d+)$/gm)];
    return series.filter(([, room]) => room === roomId).map(([, , npc, value]) => `${npc} ${value}`).sort();
  };

  it("shows each NPC's waiting questions by room, and drops the series of an NPC removed and of a room gone", async () => {
    const a = await world.join("영희");
    const roomId = a.room.roomId;
    assert.deepEqual(await waiting(roomId), ["hans 0", "mina 0"]);

    a.room.send("chat", { text: "@미나 하나" }); // with her brain: not waiting
    a.room.send("chat", { text: "@미나 둘" }); // waits: one question of a player's with the brain at a time
    a.room.send("chat", { text: "@미나 셋" });
    await waitFor("her two questions waiting", async () => (await waiting(roomId)).includes("mina 2"));
    assert.deepEqual(await waiting(roomId), ["hans 0", "mina 2"]);

    saveWorld(file, { npcs: [HANS] });
    await waitFor("mina gone from the state", () => !stateOf(a).npcs.mina);
    assert.deepEqual(await waiting(roomId), ["hans 0"], "her series went with her");
    letAnswer();

    await a.room.leave();
    await waitFor("the room's series gone", async () => (await waiting(roomId)).length === 0);
  });
});
