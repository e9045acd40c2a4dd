import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";

import { type AnswerMessage, CONTRACT_VERSION } from "../../kafka/contract.js";
import { describeGroup } from "../../kafka/group-members.js";
import { ensureTopics } from "../../kafka/kafka-client.js";
import { KafkaQuestionChannel } from "../../kafka/kafka-question-channel.js";
import { KafkaWorkerChannel } from "../../kafka/kafka-worker-channel.js";
import { uniqueTopics } from "../../tools/processes.js";
import { quiet, waitFor } from "../helpers/world.js";

/** One busy room with many NPCs, two workers on a real broker: what a world of one hub room asks of the workers. */
describe("Kafka workers sharing one room's NPCs (real broker)", function () {
  this.timeout(90_000);

  it("spreads one room's NPCs over the workers, each NPC's questions on one of them", async () => {
    const kafka = new Kafka({ clientId: "spread-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const topics = uniqueTopics("spread");
    await ensureTopics(kafka, [topics.question, topics.answer], 4);
    const group = `workers-${topics.question}`;
    const workers = [0, 1].map(() => new KafkaWorkerChannel(kafka, topics, group, quiet));
    /** Per NPC, the workers that answered its questions. */
    const answeredBy = new Map<string, Set<number>>();
    for (const [index, worker] of workers.entries()) {
      await worker.start(async (questions) => questions.map((q) => {
        answeredBy.set(q.npcId, (answeredBy.get(q.npcId) ?? new Set()).add(index));
        return { v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "네", ms: 1, model: "stand-in", replyTo: q.replyTo };
      }));
    }
    await waitFor("both workers in a settled group", async () => {
      const described = await describeGroup(kafka, group);
      return described?.state === "Stable" && described.members.length === 2;
    }, 30_000);
    const answers: AnswerMessage[] = [];
    const server = new KafkaQuestionChannel(kafka, topics, `spread-${topics.question}`, quiet);
    await server.start((answer) => void answers.push(answer));
    try {
      const npcs = Array.from({ length: 16 }, (_, i) => `npc${i}`);
      for (let round = 0; round < 2; round++) {
        await Promise.all(npcs.map((npcId, i) => server.sendQuestion({
          v: CONTRACT_VERSION, questionId: `q${round}-${i}`, roomId: "hub", npcId, playerId: `p${i}`, playerName: "민수", text: "안녕", ts: Date.now(),
        })));
      }
      await waitFor("every answer", () => answers.length >= 32, 30_000);
      const perWorker = [0, 1].map((index) => [...answeredBy.values()].filter((by) => by.has(index)).length);
      assert.ok(perWorker.every((n) => n > 0), `NPCs answered per worker: ${perWorker}`);
      assert.ok([...answeredBy.values()].every((by) => by.size === 1), "each NPC's questions went to one worker");
    } finally {
      await server.stop();
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  });
});
