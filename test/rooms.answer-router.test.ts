import assert from "node:assert/strict";
import { readFile } from "node:fs";

import { KafkaJSConnectionError } from "kafkajs";

import { createLogger } from "../common/log.js";
import { type AnswerMessage, CONTRACT_VERSION, parseMessage, QuestionMessage } from "../kafka/contract.js";
import { InProcessBus } from "../kafka/in-process-transport.js";
import { type QuestionChannel, QuestionRefused } from "../kafka/npc-transport.js";
import { NpcWorker } from "../npc/worker/worker.js";
import { AnswerRouter, type AskOutcome } from "../rooms/npc/answer-router.js";
import { npcReply } from "../rooms/npc/npc-reply.js";
import { EVERYDAY_QUESTIONS, shippedEngine } from "./helpers/engine.js";
import { quiet } from "./helpers/world.js";

interface Logged {
  level: string;
  msg: string;
  askedMsAgo?: number;
  [field: string]: unknown;
}

const recordingLog = (logged: Logged[]) => createLogger({}, "warn", (line) => logged.push(JSON.parse(line)));
const questionOf = (id: string, text = "배고파"): QuestionMessage =>
  ({ v: CONTRACT_VERSION, questionId: id, roomId: "room", npcId: "kobot", playerId: id, playerName: "민수", text, ts: Date.now() });

/** The bus's server side as a Kafka channel: the question carries its wall-clock deadline alone, as between machines. */
const asOverKafka = (channel: QuestionChannel): QuestionChannel => ({ ...channel, kind: "kafka", sendQuestion: (question) => channel.sendQuestion(question) });

describe("A worker whose clock is ahead of the server's", function () {
  it("turns questions away as expired, and the server's log says why, once, with how far ahead at least", async () => {
    const bus = new InProcessBus(4);
    const logged: Logged[] = [];
    const router = new AnswerRouter(asOverKafka(bus.serverChannel("server-1")), 10_000, recordingLog(logged));
    await router.start();
    // A minute ahead: every question is past its deadline by its clock the moment it arrives.
    const worker = new NpcWorker(await shippedEngine(), bus.workerChannel(), quiet, { maxQuestionAgeMs: 10_000, now: () => Date.now() + 60_000 });
    await worker.start();
    try {
      const outcomes = await Promise.all(["q1", "q2", "q3"].map((id) => router.ask(questionOf(id))));
      assert.deepEqual(outcomes.map((o) => (o.kind === "answer" ? o.answer.error?.code : o.kind)), ["expired", "expired", "expired"]);
      const said = logged.filter((line) => line.level === "error");
      assert.equal(said.length, 1, "once, not once a question");
      assert.match(said[0]!.msg, /clock is at least (9|10)\.\d s ahead of this server's.*NTP/);
      // In ms, and of this question: one older than the router's 10 s would have timed out, not been turned away.
      assert.ok(said[0]!.askedMsAgo! >= 0 && said[0]!.askedMsAgo! < 10_000, String(said[0]!.askedMsAgo));
    } finally {
      await worker.stop();
      await router.stop();
    }
  });

  it("is not blamed when, on one machine, a question ran out its time before the server's timer fired", async () => {
    const timeoutMs = 300;
    const bus = new InProcessBus(4);
    const logged: Logged[] = [];
    const router = new AnswerRouter(bus.serverChannel("server-1"), timeoutMs, recordingLog(logged));
    await router.start();
    // Same clock, same NPC_TIMEOUT_MS: the case of a loaded server (seen as "at least 0.0 s ahead … Sync the clocks").
    const worker = new NpcWorker(await shippedEngine(), bus.workerChannel(), quiet, { maxQuestionAgeMs: timeoutMs });
    await worker.start();
    try {
      // Asked in an I/O callback, then the event loop held past the deadline: the bus hands the question to the worker
      // (setImmediate) before the router's timer runs, as under load, so the worker's `expired` arrives first.
      const outcome = await new Promise<AskOutcome>((resolve) =>
        readFile(import.meta.filename, () => {
          const asked = router.ask(questionOf("q1"));
          const until = Date.now() + timeoutMs + 5;
          while (Date.now() < until); // a busy event loop
          resolve(asked);
        }),
      );
      assert.equal(outcome.kind === "answer" ? outcome.answer.error?.code : outcome.kind, "expired", "the worker's answer came first");
      assert.deepEqual(logged.filter((line) => line.level === "error").map((line) => line.msg), []);
    } finally {
      await worker.stop();
      await router.stop();
    }
  });
});

describe("The embedded worker (in-process) when the wall clock steps (NTP)", () => {
  const realNow = Date.now;
  afterEach(() => (Date.now = realNow));

  it("answers the questions waiting, and tells no one to sync machines' clocks", async () => {
    const bus = new InProcessBus(4);
    const logged: Logged[] = [];
    const router = new AnswerRouter(bus.serverChannel("server-1"), 10_000, recordingLog(logged));
    await router.start();
    // Its wall clock read at each call, as the stub below steps it (the default holds the real Date.now).
    const worker = new NpcWorker(await shippedEngine(), bus.workerChannel(), quiet, { maxQuestionAgeMs: 10_000, now: () => Date.now() });
    await worker.start();
    try {
      const asked = ["q1", "q2"].map((id) => router.ask(questionOf(id)));
      Date.now = () => realNow() + 60_000; // before the worker takes them (the bus hands them over on the next turn)
      const outcomes = await Promise.all(asked);
      assert.deepEqual(outcomes.map((o) => (o.kind === "answer" ? (o.answer.error?.code ?? "answered") : o.kind)), ["answered", "answered"]);
      assert.deepEqual(logged.filter((line) => line.level === "error").map((line) => line.msg), []);
    } finally {
      Date.now = realNow;
      await worker.stop();
      await router.stop();
    }
  });
});

/** A Kafka channel as the router sees it, whose sends do what `sendQuestion` does (no answers come back). */
const channelSending = (sendQuestion: QuestionChannel["sendQuestion"]): QuestionChannel => ({ kind: "kafka", start: async () => {}, sendQuestion, stop: async () => {} });

describe("A question's deadline", function () {
  it("is sent with the question: when the server stops waiting, in whole ms as the contract reads it", async () => {
    const sent: QuestionMessage[] = [];
    const channel = channelSending(async (q) => void sent.push(q));
    const router = new AnswerRouter(channel, 1_000, quiet);
    const before = Date.now();
    const outcome = router.ask(questionOf("q1"), 250.4); // it waited its turn 250.4 ms: 749.6 ms left
    const after = Date.now();
    const { deadline } = parseMessage(QuestionMessage, JSON.stringify(sent[0]));
    assert.ok(deadline! >= before + 749 && deadline! <= after + 750, `deadline ${deadline! - before} ms after asking`);
    assert.equal((await outcome).kind, "timeout");
  });
});

describe("A question the channel refuses", function () {
  it("settles at once: no_worker when no NPC worker has run for long, unsent when the broker is away", async () => {
    let why: "unreachable" | "no_worker" = "no_worker";
    const channel = channelSending(async () => Promise.reject(new QuestionRefused(why, "refused")));
    const router = new AnswerRouter(channel, 60_000, quiet);
    assert.deepEqual(await router.ask(questionOf("q1")), { kind: "no_worker" });
    why = "unreachable";
    assert.deepEqual(await router.ask(questionOf("q2")), { kind: "unsent", reason: "refused" });
    assert.equal(router.stats.unsent, 2);
  });
});

describe("A worker behind its questions", function () {
  it("spends no model time on questions past the deadline their server sent, beyond the batch it holds", async () => {
    // The worker's queue holds several of the brain's batches at once (two of the bus's 16, answered 4 at a time), as a
    // Kafka worker's 4 slices of 32 do its batches of 16. Its own NPC_TIMEOUT_MS is longer than the server's 1 s.
    const busBatch = 16;
    const bus = new InProcessBus(busBatch);
    const router = new AnswerRouter(bus.serverChannel("server-1"), 1_000, quiet);
    await router.start();
    const worker = new NpcWorker(await shippedEngine(), bus.workerChannel(), quiet, { maxBatch: 4, maxQuestionAgeMs: 60_000 });
    await worker.start();
    try {
      const asked = Array.from({ length: 200 }, (_, i) => router.ask(questionOf(`q${i}`, `${EVERYDAY_QUESTIONS[i % 16]!} ${i}`)));
      const outcomes = await Promise.all(asked);
      const inTime = outcomes.filter((o) => o.kind === "answer" && !o.answer.error).length;
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // what the worker still holds
      const late = worker.answeredCount - inTime;
      assert.ok(inTime > 0, "some answered in time");
      // The bus batch the worker holds as the deadline passes is computed whole, some of it after the deadline.
      assert.ok(late <= busBatch, `${late} answers computed after their deadline (${worker.answeredCount} computed, ${inTime} in time)`);
    } finally {
      await worker.stop();
      await router.stop();
    }
  });
});

describe("What a player is told when the NPC cannot answer", function () {
  it("says the NPC service cannot be reached for a question never sent, and only the log has the broker's error", async () => {
    const logged: Logged[] = [];
    // The producer's own error as kafkajs gives it once the broker stays down past its retries.
    const down = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:33969");
    const channel = channelSending(() => Promise.reject(down));
    const router = new AnswerRouter(channel, 10_000, recordingLog(logged));
    await router.start();
    const outcome = await router.ask(questionOf("q1"));
    const { fallback } = npcReply(outcome, "민수");
    assert.deepEqual([fallback?.code, fallback?.message], ["npc_unavailable", "the NPC service cannot be reached right now: ask again in a moment"]);
    assert.match(JSON.stringify(logged), /ECONNREFUSED 127\.0\.0\.1:33969/, "operators still see it");
  });

  it("says the NPC could not answer for a worker's error, and only the log has the worker's error", async () => {
    const bus = new InProcessBus(4);
    const logged: Logged[] = [];
    const router = new AnswerRouter(bus.serverChannel("server-1"), 10_000, recordingLog(logged));
    await router.start();
    const failure = "Non-zero status code returned while running MatMul node. Name:'/model/decoder/MatMul' /srv/npc/model/onnx/model.onnx";
    const errorAnswer = (code: string) => (questions: QuestionMessage[]) =>
      Promise.resolve(questions.map((q): AnswerMessage => ({
        v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "", ms: 1, model: "m", error: { code, message: failure }, replyTo: q.replyTo!,
      })));
    const workerChannel = bus.workerChannel();
    try {
      await workerChannel.start(errorAnswer("worker_error"));
      const failed = npcReply(await router.ask(questionOf("q1")), "민수");
      await workerChannel.start(errorAnswer("model_unavailable"));
      const missing = npcReply(await router.ask(questionOf("q2")), "민수");
      assert.deepEqual([failed.fallback?.code, failed.fallback?.message], ["npc_unavailable", "the NPC could not answer: ask again"]);
      assert.deepEqual([missing.fallback?.code, missing.fallback?.message], ["npc_unavailable", "the NPC's brain is not running right now: ask again later"]);
      const warned = logged.filter((line) => line.msg === "an NPC worker could not answer");
      assert.deepEqual(warned.map((line) => [line.code, line.reason]), [["worker_error", failure], ["model_unavailable", failure]]);
    } finally {
      await workerChannel.stop();
      await router.stop();
    }
  });
});

/** A channel that keeps the questions sent and lets the test answer them. */
function answeringChannel() {
  const sent: QuestionMessage[] = [];
  let onAnswer: (answer: AnswerMessage) => void = () => {};
  const channel: QuestionChannel = { kind: "kafka", start: async (listener) => void (onAnswer = listener), sendQuestion: async (q) => void sent.push(q), stop: async () => {} };
  const answer = (q: QuestionMessage, extra: Partial<AnswerMessage> = {}) =>
    onAnswer({ v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "응", ms: 1, model: "kogpt2", ...extra } as AnswerMessage);
  return { channel, sent, answer };
}

describe("AnswerRouter's edges", function () {
  it("sends nothing to the channel when the wait used up exactly the whole timeout", async () => {
    const { channel, sent } = answeringChannel();
    const router = new AnswerRouter(channel, 1_000, quiet);
    assert.equal((await router.ask(questionOf("q1"), 1_000)).kind, "timeout");
    assert.equal(sent.length, 0);
  });

  it("does not blame the worker's clock for an expired answer with under 500 ms left", async () => {
    const { channel, answer } = answeringChannel();
    const logged: Logged[] = [];
    const router = new AnswerRouter(channel, 300, recordingLog(logged));
    await router.start();
    const q = questionOf("q1");
    const outcome = router.ask(q);
    answer(q, { error: { code: "expired", message: "too old" } } as Partial<AnswerMessage>);
    await outcome;
    assert.deepEqual(logged.filter((line) => line.msg.includes("clock")), []);
  });

  it("settled() waits for every question: one of two answered is not settled", async () => {
    const { channel, answer } = answeringChannel();
    const router = new AnswerRouter(channel, 60_000, quiet);
    await router.start();
    const [a, b] = [questionOf("a"), questionOf("b")];
    const [askedA, askedB] = [router.ask(a), router.ask(b)];
    let settled = false;
    void router.settled().then(() => (settled = true));
    answer(a);
    await askedA;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, "settled() resolved with b still waiting");
    answer(b);
    await askedB;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, true);
  });
});
