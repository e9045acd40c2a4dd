import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";

import { workerAnswers } from "../../common/metrics.js";
import { type AnswerMessage, CONTRACT_VERSION, type QuestionMessage } from "../../kafka/contract.js";
import { describeGroup } from "../../kafka/group-members.js";
import { ensureTopics } from "../../kafka/kafka-client.js";
import { KafkaQuestionChannel } from "../../kafka/kafka-question-channel.js";
import { KafkaWorkerChannel, WORKER_SESSION_TIMEOUT_MS } from "../../kafka/kafka-worker-channel.js";
import { NpcWorker } from "../../npc/worker/worker.js";
import { AnswerRouter } from "../../rooms/npc/answer-router.js";
import { EVERYDAY_QUESTIONS, shippedEngine } from "../helpers/engine.js";
import { uniqueTopics } from "../../tools/processes.js";
import { quiet, sleep, waitFor } from "../helpers/world.js";

/**
 * A worker that starts into a backlog (after a restart, or a burst from many rooms) on a real broker. The brain
 * is a stand-in that takes a fixed time per question: what is tested is the worker's place in its group.
 */
describe("Kafka worker with a backlog (real broker)", function () {
  this.timeout(90_000);

  it("keeps its place in the group through a batch longer than its session: every question answered once, by one worker", async () => {
    const kafka = new Kafka({ clientId: "backlog-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const topics = uniqueTopics("backlog");
    await ensureTopics(kafka, [topics.question, topics.answer], 1);
    const questions = 400;
    const perQuestionMs = 25; // 400 questions: 10 s of answering, more than the 6 s session
    assert.ok(questions * perQuestionMs > WORKER_SESSION_TIMEOUT_MS + 3000);
    const answered = new Map<string, number>();
    const reader = kafka.consumer({ groupId: `reader-${topics.answer}` });
    await reader.connect();
    await reader.subscribe({ topic: topics.answer, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const answer = JSON.parse(message.value!.toString()) as AnswerMessage;
        answered.set(answer.questionId, (answered.get(answer.questionId) ?? 0) + 1);
      },
    });

    // Two workers: the one that takes the backlog must keep its partition, or the other answers it all again.
    const handed: number[] = [];
    const group = `workers-${topics.question}`;
    const workers = [new KafkaWorkerChannel(kafka, topics, group, quiet), new KafkaWorkerChannel(kafka, topics, group, quiet)];
    for (const worker of workers) {
      await worker.start(async (batch) => {
        handed.push(batch.length);
        await sleep(batch.length * perQuestionMs);
        return batch.map((q) => ({ v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "네", ms: 1, model: "stand-in", replyTo: "s" }));
      });
    }
    // Both in the group, and the group settled on who holds the partition (its rebalance done).
    await waitFor("both workers in a settled group", async () => {
      const described = await describeGroup(kafka, group);
      return described?.state === "Stable" && described.members.length === 2;
    }, 30_000);
    const producer = kafka.producer();
    await producer.connect();
    const now = Date.now();
    const asked: QuestionMessage[] = Array.from({ length: questions }, (_, i) => ({
      v: CONTRACT_VERSION, questionId: `q${i}`, roomId: "room", npcId: "kobot", playerId: "p", playerName: "p", text: `질문 ${i}`, ts: now, replyTo: "s",
    }));
    await producer.send({ topic: topics.question, messages: asked.map((q) => ({ key: q.roomId, value: JSON.stringify(q) })) });

    try {
      const deadline = performance.now() + 60_000;
      while (answered.size < questions && performance.now() < deadline) await sleep(200);
      await sleep(WORKER_SESSION_TIMEOUT_MS + 2000); // answers of a batch taken again would come by now
      assert.equal(answered.size, questions, "every question answered");
      const twice = [...answered].filter(([, n]) => n > 1).length;
      assert.equal(twice, 0, `questions answered more than once (the batch was taken again): ${twice}`);
      assert.ok(Math.max(...handed) <= 32, `at most 32 questions between heartbeats, handed ${Math.max(...handed)}`);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await reader.disconnect();
      await producer.disconnect();
    }
  });

  it("answers the questions of its other partitions while one partition's backlog is answered: a slice a partition a turn", async () => {
    const kafka = new Kafka({ clientId: "turns-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const topics = uniqueTopics("turns");
    await ensureTopics(kafka, [topics.question, topics.answer], 4);
    const backlog = 3_000; // all in the worker's first fetch with kafkajs's 1 MiB a partition (~200 bytes each)
    const question = (id: string, roomId: string): QuestionMessage => ({
      v: CONTRACT_VERSION, questionId: id, roomId, npcId: "kobot", playerId: "p", playerName: "p", text: "오늘 날씨 어때", ts: Date.now(), replyTo: "s",
    });
    const producer = kafka.producer();
    await producer.connect();
    // One room's burst, all on partition 0, asked before the worker starts: its first fetch holds what it can of it.
    // Requests of 100 (~20 KB): a server sends its questions one a request, never a record batch past a fetch's bytes.
    const asked = Array.from({ length: backlog }, (_, i) => question(`b${i}`, "busy"));
    for (let i = 0; i < backlog; i += 100) {
      await producer.send({ topic: topics.question, messages: asked.slice(i, i + 100).map((q) => ({ key: q.roomId, partition: 0, value: JSON.stringify(q) })) });
    }
    const arrived: string[] = [];
    const reader = kafka.consumer({ groupId: `reader-${topics.answer}` });
    await reader.connect();
    await reader.subscribe({ topic: topics.answer, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void arrived.push((JSON.parse(message.value!.toString()) as AnswerMessage).questionId) });
    // The backlog's questions handed to the brain so far, and that count as each other room's question was handed.
    let backlogHanded = 0;
    const probeHandedAfter = new Map<string, number>();
    const worker = new KafkaWorkerChannel(kafka, topics, `workers-${topics.question}`, quiet);
    await worker.start(async (batch) => {
      for (const q of batch) {
        if (q.roomId === "busy") backlogHanded++;
        else probeHandedAfter.set(q.questionId, backlogHanded);
      }
      await sleep(50); // a slice a brain's time: 3,000 questions take 5 s and more
      return batch.map((q) => ({ v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "네", ms: 1, model: "stand-in", replyTo: q.replyTo }));
    });
    try {
      await waitFor("the backlog being answered", () => backlogHanded > 0, 30_000);
      // Other rooms ask now, one on each other partition.
      const probes = [1, 2, 3].map((partition) => question(`probe${partition}`, `room${partition}`));
      for (const [i, probe] of probes.entries()) {
        await producer.send({ topic: topics.question, messages: [{ key: probe.roomId, partition: i + 1, value: JSON.stringify(probe) }] });
      }
      const whenAsked = backlogHanded;
      await waitFor("every answer", () => arrived.length >= backlog + probes.length, 90_000);
      // By the backlog's progress, not the clock (a loaded 2-core box): a question of another partition comes in the
      // next fetch, one slice of the backlog a turn. Before, it waited for the rest of the fetch's backlog (~2,950).
      for (const probe of probes) {
        const behind = probeHandedAfter.get(probe.questionId)! - whenAsked;
        assert.ok(behind <= 8 * 32, `${probe.questionId} handed ${behind} backlog questions after it was asked`);
      }
      const lastOfBacklog = Math.max(...asked.map((q) => arrived.indexOf(q.questionId)));
      for (const probe of probes) {
        assert.ok(arrived.indexOf(probe.questionId) < lastOfBacklog, `${probe.questionId}'s answer came after the backlog's last`);
      }
      assert.equal(new Set(arrived).size, backlog + probes.length, "each question answered once");
    } finally {
      await worker.stop();
      await reader.disconnect();
      await producer.disconnect();
    }
  });

  it("spends no model time on questions past the deadline their server sent, beyond the slices it holds as it passes", async () => {
    const kafka = new Kafka({ clientId: "deadline-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const topics = uniqueTopics("deadline");
    const router = new AnswerRouter(new KafkaQuestionChannel(kafka, topics, `deadline-${topics.question}`, quiet), 3_000, quiet);
    await router.start();
    // The shipped model and the worker's 4 partitions × slices of 32 in its queue; its own NPC_TIMEOUT_MS (60 s, as the
    // workers of kafka.world.test.ts) is not the server's 3 s: only the question's deadline says when nobody waits.
    const slice = 32;
    const worker = new NpcWorker(await shippedEngine(), new KafkaWorkerChannel(kafka, topics, `workers-${topics.question}`, quiet, slice), quiet, {
      maxBatch: 16, maxQuestionAgeMs: 60_000,
    });
    await worker.start();
    try {
      const asked = 2_000; // far more than the model answers in 3 s here (400-600 on 2 cores)
      const outcomes = await Promise.all(Array.from({ length: asked }, (_, i) => router.ask({
        v: CONTRACT_VERSION, questionId: `q${i}`, roomId: `room${i % 40}`, npcId: "kobot", playerId: `p${i}`, playerName: "민수",
        text: `${EVERYDAY_QUESTIONS[i % 16]!} ${i}`, ts: Date.now(),
      })));
      const inTime = outcomes.filter((o) => o.kind === "answer" && !o.answer.error).length;
      // Every question gets one answer in the end, `expired` for most: by then the worker has computed all it will.
      const until = performance.now() + 60_000;
      while (router.stats.answered + router.stats.ignored < asked && performance.now() < until) await sleep(200);
      const late = worker.answeredCount - inTime;
      assert.ok(inTime > 0, "some answered in time");
      // A slice is done (its offsets resolved, the next taken) once all of its questions are answered: at most the
      // slice being answered and the next one's first batch were computed for nobody (all 4 × 32 it holds, before the
      // deadline was sent).
      assert.ok(late <= 2 * slice, `${late} answers computed after their deadline (${worker.answeredCount} computed, ${inTime} in time)`);
    } finally {
      await worker.stop();
      await router.stop();
    }
  });

  it("answers a question it cannot read with invalid_question where it says where to answer, at once", async () => {
    const kafka = new Kafka({ clientId: "invalid-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const topics = uniqueTopics("invalid");
    const worker = new KafkaWorkerChannel(kafka, topics, `workers-${topics.question}`, quiet);
    await worker.start(async (batch) =>
      batch.map((q) => ({ v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "네", ms: 1, model: "stand-in", replyTo: q.replyTo })),
    );
    const answers: AnswerMessage[] = [];
    const reader = kafka.consumer({ groupId: `reader-${topics.answer}` });
    await reader.connect();
    await reader.subscribe({ topic: topics.answer, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void answers.push(JSON.parse(message.value!.toString())) });
    const producer = kafka.producer();
    await producer.connect();
    const question = { v: CONTRACT_VERSION, questionId: "ok", roomId: "r", npcId: "kobot", playerId: "p", playerName: "p", text: "안녕", ts: Date.now(), replyTo: "s1" };
    const payloads = [
      { ...question, v: 2, questionId: "newer" }, // a server of a newer contract
      { ...question, questionId: "long", text: "가".repeat(401) },
      { text: "no address" },
      "not json",
      question,
    ];
    const counted = async (outcome: string) =>
      ((await workerAnswers.get()).values.find((value) => value.labels.outcome === outcome)?.value ?? 0);
    const before = [await counted("invalid_question"), await counted("unanswerable_question")];
    try {
      await producer.send({ topic: topics.question, messages: payloads.map((p) => ({ key: "r", value: typeof p === "string" ? p : JSON.stringify(p) })) });
      const deadline = performance.now() + 30_000;
      while (answers.length < 3 && performance.now() < deadline) await sleep(100);
      await sleep(500);
      assert.deepEqual(
        answers.map((a) => [a.questionId, a.error?.code ?? a.text, a.replyTo]).sort(),
        [["long", "invalid_question", "s1"], ["newer", "invalid_question", "s1"], ["ok", "네", "s1"]],
      );
      assert.match(answers.find((a) => a.questionId === "long")!.error!.message, /could not read the question: .*at text/s);
      // Counted with the worker's answers: a contract mismatch in a rolling upgrade shows on its /metrics.
      assert.deepEqual([(await counted("invalid_question")) - before[0]!, (await counted("unanswerable_question")) - before[1]!], [2, 2]);
    } finally {
      await producer.disconnect();
      await reader.disconnect();
      await worker.stop();
    }
  });
  it("sends the answers of a slice done first without waiting for its last: its first brain batch goes out as it ends", async () => {
    const kafka = new Kafka({ clientId: "early-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const topics = uniqueTopics("early");
    await ensureTopics(kafka, [topics.question, topics.answer], 1);
    const answers: AnswerMessage[] = [];
    const reader = kafka.consumer({ groupId: `reader-${topics.answer}` });
    await reader.connect();
    await reader.subscribe({ topic: topics.answer, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void answers.push(JSON.parse(message.value!.toString())) });
    let seenEarly: string[] = [];
    const worker = new KafkaWorkerChannel(kafka, topics, `workers-${topics.question}`, quiet);
    const answerTo = (q: QuestionMessage): AnswerMessage => ({ v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "네", ms: 1, model: "stand-in", replyTo: q.replyTo });
    // A slice of four: the first two answers are done at once, the last two only once the first two came back (or 10 s).
    await worker.start(async (batch, ready) => {
      const all = batch.map(answerTo);
      for (const answer of all.slice(0, 2)) ready?.(answer);
      const until = performance.now() + 10_000;
      while (answers.length < 2 && performance.now() < until) await sleep(50);
      seenEarly = answers.map((a) => a.questionId);
      return all;
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const asked = ["a", "b", "c", "d"].map((id) => ({ v: CONTRACT_VERSION, questionId: id, roomId: "r", npcId: "kobot", playerId: "p", playerName: "p", text: "안녕", ts: Date.now(), replyTo: "s1" }));
      await producer.send({ topic: topics.question, messages: asked.map((q) => ({ key: "r", value: JSON.stringify(q) })) });
      await waitFor("every answer", async () => answers.length >= 4, 30_000);
      await sleep(500); // an answer sent twice would come by now
      assert.deepEqual(seenEarly.sort(), ["a", "b"], "the first two came back before the slice was done");
      assert.deepEqual(answers.map((a) => a.questionId).sort(), ["a", "b", "c", "d"], "each answer once");
    } finally {
      await producer.disconnect();
      await reader.disconnect();
      await worker.stop();
    }
  });
});
