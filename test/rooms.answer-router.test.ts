import assert from "node:assert/strict";

import { createLogger } from "../common/log.js";
import { CONTRACT_VERSION } from "../kafka/contract.js";
import { InProcessBus } from "../kafka/in-process-transport.js";
import { NpcWorker } from "../npc/worker.js";
import { AnswerRouter } from "../rooms/answer-router.js";
import { shippedEngine } from "./helpers/engine.js";
import { quiet } from "./helpers/world.js";

describe("A worker whose clock is ahead of the server's", function () {
  it("turns questions away as expired, and the server's log says why, once, with how far ahead at least", async () => {
    const bus = new InProcessBus(4);
    const logged: Array<{ level: string; msg: string; askedMsAgo?: number }> = [];
    const router = new AnswerRouter(bus.serverChannel("server-1"), 10_000, createLogger({}, "warn", (line) => logged.push(JSON.parse(line))));
    await router.start();
    // A minute ahead: every question is older than NPC_TIMEOUT_MS by its clock the moment it arrives.
    const worker = new NpcWorker(await shippedEngine(), bus.workerChannel(), quiet, { maxQuestionAgeMs: 10_000, now: () => Date.now() + 60_000 });
    await worker.start();
    try {
      const ask = (id: string) =>
        router.ask({ v: CONTRACT_VERSION, questionId: id, roomId: "room", npcId: "kobot", playerId: "p", playerName: "민수", text: "배고파", ts: Date.now() });
      const outcomes = await Promise.all(["q1", "q2", "q3"].map(ask));
      assert.deepEqual(outcomes.map((o) => (o.kind === "answer" ? o.answer.error?.code : o.kind)), ["expired", "expired", "expired"]);
      const said = logged.filter((line) => line.level === "error");
      assert.equal(said.length, 1, "once, not once a question");
      assert.match(said[0]!.msg, /clock is at least (9|10)\.\d s ahead of this server's.*NTP/);
      assert.ok(said[0]!.askedMsAgo! < 1000);
    } finally {
      await worker.stop();
      await router.stop();
    }
  });
});
