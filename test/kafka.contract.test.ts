import assert from "node:assert/strict";
import type { z } from "zod";

import { AnswerMessage, ContractError, errorWithin, parseMessage, QuestionMessage } from "../kafka/contract.js";
import { CHAT_LOG_VERSION, ChatLogRecord, NewerRecordError, parseChatLogRecord } from "../kafka/chat-log.js";
import { InProcessBus } from "../kafka/in-process-transport.js";
import type { AnswerMessage as Answer, QuestionMessage as Question } from "../kafka/contract.js";

const question: Question = {
  v: 1,
  questionId: "q1",
  roomId: "r1",
  npcId: "kobot",
  playerId: "p1",
  playerName: "민수",
  text: "배고파",
  ts: 1,
};

const answerTo = (q: Question, text = "밥 먹어요"): Answer => ({
  v: 1,
  questionId: q.questionId,
  roomId: q.roomId,
  npcId: q.npcId,
  text,
  ms: 3,
  model: "m",
  ...(q.replyTo ? { replyTo: q.replyTo } : {}),
});

describe("Question/answer contract", () => {
  it("parses a valid question and answer", () => {
    assert.deepEqual(parseMessage(QuestionMessage, Buffer.from(JSON.stringify(question))), question);
    const answer = answerTo(question);
    assert.deepEqual(parseMessage(AnswerMessage, JSON.stringify(answer)), answer);
  });

  it("takes a newer worker's answer whose source or confidence this version does not know, without them", () => {
    // Refused whole, the player heard a fallback line instead of the answer.
    const newer = { ...answerTo(question), source: "memory", confidence: 0.5 };
    const read = parseMessage(AnswerMessage, JSON.stringify(newer));
    assert.equal(read.text, newer.text);
    assert.deepEqual([read.source, read.confidence], [undefined, undefined]);
  });

  it("carries the server's deadline for a question, and reads a question without one (an older server's)", () => {
    const withDeadline = { ...question, deadline: question.ts + 10_000 };
    assert.deepEqual(parseMessage(QuestionMessage, JSON.stringify(withDeadline)), withDeadline);
    assert.equal(parseMessage(QuestionMessage, JSON.stringify(question)).deadline, undefined);
    assert.throws(() => parseMessage(QuestionMessage, JSON.stringify({ ...question, deadline: "soon" })), /deadline/);
    assert.throws(() => parseMessage(QuestionMessage, JSON.stringify({ ...question, deadline: -1 })), /deadline/);
  });

  it("says what is wrong with a bad payload", () => {
    assert.throws(() => parseMessage(QuestionMessage, null), /empty payload/);
    assert.throws(() => parseMessage(QuestionMessage, "{nope"), /not JSON/);
    assert.throws(() => parseMessage(QuestionMessage, JSON.stringify({ ...question, v: 2 })), ContractError);
    assert.throws(() => parseMessage(QuestionMessage, JSON.stringify({ ...question, text: "" })), /text/);
    assert.throws(() => parseMessage(AnswerMessage, JSON.stringify({ questionId: "q" })), /roomId/);
  });

  it("holds the text, the player's name and the question id to their lengths, naming the field refused", () => {
    // A worker takes what the contract lets through: a longer question would go to the model whole.
    const refuses = <T>(schema: z.ZodType<T>, message: object, field: string) =>
      assert.throws(() => parseMessage(schema, JSON.stringify(message)), new RegExp(field));
    assert.equal(parseMessage(QuestionMessage, JSON.stringify({ ...question, text: "가".repeat(400) })).text.length, 400);
    refuses(QuestionMessage, { ...question, text: "가".repeat(401) }, "text");
    refuses(QuestionMessage, { ...question, playerName: "가".repeat(41) }, "playerName");
    refuses(QuestionMessage, { ...question, questionId: "q".repeat(65) }, "questionId");
    assert.equal(parseMessage(AnswerMessage, JSON.stringify(answerTo(question, "가".repeat(2000)))).text.length, 2000);
    refuses(AnswerMessage, answerTo(question, "가".repeat(2001)), "text");
  });

  it("carries an error answer however long its error was (onnxruntime's run past 400 characters), cut to fit", () => {
    const error = { code: "worker_error", message: `Non-zero status code returned while running MatMul node. ${"/onnx/model.onnx ".repeat(40)}` };
    assert.throws(() => parseMessage(AnswerMessage, JSON.stringify({ ...answerTo(question, ""), error })), /message/, "as it was, the answer was dropped");
    const answer = { ...answerTo(question, ""), error: errorWithin(error) };
    assert.deepEqual(parseMessage(AnswerMessage, JSON.stringify(answer)), answer);
    assert.ok(error.message.startsWith(answer.error.message));
  });
});

describe("Chat-log record contract", () => {
  it("refuses a time no Date holds: the stores file each record under its day", () => {
    const line = { v: CHAT_LOG_VERSION, id: "l1", roomId: "r1", serverId: "s1", kind: "player", from: "p1", name: "민수", text: "안녕", ts: 8.64e15 };
    assert.equal(parseMessage(ChatLogRecord, JSON.stringify(line)).ts, 8.64e15);
    assert.throws(() => parseMessage(ChatLogRecord, JSON.stringify({ ...line, ts: 8.64e15 + 1 })), /ts/);
  });

  it("refuses, from the topic, a record with fields this version does not know (a newer server's), naming them", () => {
    const line = { v: CHAT_LOG_VERSION, id: "l1", roomId: "r1", serverId: "s1", kind: "npc", from: "kobot", name: "코봇", text: "안녕", ts: 1 };
    assert.deepEqual(parseChatLogRecord(Buffer.from(JSON.stringify(line))), line);
    const newer = { ...line, account: "acc-1", mood: "happy", npc: { questionId: "q1", question: "안녕?", latencyMs: 5, fallback: false, sparkle: 1 } };
    assert.throws(() => parseChatLogRecord(Buffer.from(JSON.stringify(newer))), /fields this version does not know .*: mood, npc\.sparkle$/);
    assert.throws(() => parseChatLogRecord(Buffer.from(JSON.stringify({ ...line, mood: "happy" }))), (error: unknown) => error instanceof NewerRecordError && error.fields.join() === "mood", "one field is enough");
  });
});

describe("In-process transport", () => {
  it("keeps questions while no worker runs, then answers them, back to the server that asked", async () => {
    const bus = new InProcessBus();
    const gotA: Answer[] = [];
    const gotB: Answer[] = [];
    const a = bus.serverChannel("A");
    const b = bus.serverChannel("B");
    await a.start((answer) => gotA.push(answer));
    await b.start((answer) => gotB.push(answer));
    await a.sendQuestion(question);
    await b.sendQuestion({ ...question, questionId: "q2" });
    assert.equal(bus.waitingQuestions, 2);
    await bus.workerChannel().start(async (questions) => questions.map((q) => answerTo(q)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(gotA.map((x) => x.questionId), ["q1"]);
    assert.deepEqual(gotB.map((x) => x.questionId), ["q2"]);
  });

  it("gives the worker its next batch while it answers one, and takes questions sent together as one batch", async () => {
    const bus = new InProcessBus(2);
    const server = bus.serverChannel("A");
    const got: Answer[] = [];
    await server.start((answer) => got.push(answer));
    const batches: string[][] = [];
    const held: (() => void)[] = [];
    await bus.workerChannel().start(async (questions) => {
      batches.push(questions.map((q) => q.questionId));
      await new Promise<void>((resolve) => held.push(resolve)); // answered when the test says so
      return questions.map((q) => answerTo(q));
    });
    for (const id of ["q1", "q2", "q3", "q4", "q5"]) void server.sendQuestion({ ...question, questionId: id });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(batches, [["q1", "q2"], ["q3", "q4"]]); // two with the worker, q5 waits
    held.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(batches.at(-1), ["q5"]);
    for (const release of held.splice(0)) release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(got.map((x) => x.questionId), ["q1", "q2", "q3", "q4", "q5"]);
  });

  it("keeps a failed batch's questions and retries them", async () => {
    const bus = new InProcessBus();
    const got: Answer[] = [];
    const server = bus.serverChannel("A");
    await server.start((answer) => got.push(answer));
    let calls = 0;
    await bus.workerChannel().start(async (questions) => {
      if (calls++ === 0) throw new Error("worker crashed");
      return questions.map((q) => answerTo(q));
    });
    await server.sendQuestion(question);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.equal(calls, 2);
    assert.deepEqual(got.map((x) => x.questionId), ["q1"]);
  });

  it("delivers each answer the worker tells as done at once, once; a batch that then fails is asked again without it", async () => {
    const bus = new InProcessBus();
    const got: string[] = [];
    const server = bus.serverChannel("A");
    await server.start((answer) => void got.push(answer.questionId));
    const asked: string[][] = [];
    let release: () => void = () => {};
    await bus.workerChannel().start(async (questions, ready) => {
      asked.push(questions.map((q) => q.questionId));
      if (asked.length > 1) return questions.map((q) => answerTo(q));
      ready?.(answerTo(questions[0]!));
      await new Promise<void>((resolve) => (release = resolve));
      throw new Error("worker crashed"); // after q1 was told
    });
    const until = async (check: () => boolean) => {
      const deadline = performance.now() + 10_000;
      while (!check() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    for (const id of ["q1", "q2"]) void server.sendQuestion({ ...question, questionId: id });
    await until(() => got.length > 0);
    assert.deepEqual(got, ["q1"], "q1 delivered while its batch still runs");
    release();
    await until(() => got.length > 1); // past the retry of the failed batch (1 s)
    assert.deepEqual(asked, [["q1", "q2"], ["q2"]]);
    assert.deepEqual(got, ["q1", "q2"]);
  });

  it("asks the worker once for a batch it answered, and delivers the rest of it, when the server throws on an answer", async () => {
    const bus = new InProcessBus();
    const got: string[] = [];
    const server = bus.serverChannel("A");
    await server.start((answer) => {
      if (answer.questionId === "q1") throw new Error("room bug");
      got.push(answer.questionId);
    });
    let calls = 0;
    await bus.workerChannel().start(async (questions) => {
      calls++;
      return questions.map((q) => answerTo(q));
    });
    const logged = console.error;
    console.error = () => {};
    try {
      for (const id of ["q1", "q2"]) void server.sendQuestion({ ...question, questionId: id });
      await new Promise((resolve) => setTimeout(resolve, 1300)); // past the retry of a failed batch
    } finally {
      console.error = logged;
    }
    assert.equal(calls, 1);
    assert.deepEqual(got, ["q2"]);
  });

  it("keeps at most so many questions while no worker answers, answering the oldest `worker_behind` to the server that asked", async () => {
    const bus = new InProcessBus(16, 3);
    const got: Answer[] = [];
    const server = bus.serverChannel("A");
    await server.start((answer) => got.push(answer));
    await bus.workerChannel().start(async () => {
      throw new Error("the NPC worker thread is being replaced");
    });
    for (const id of ["q1", "q2", "q3", "q4", "q5"]) await server.sendQuestion({ ...question, questionId: id });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(bus.waitingQuestions, 3);
    assert.deepEqual(got.map((x) => [x.questionId, x.error?.code]), [["q1", "worker_behind"], ["q2", "worker_behind"]]);
    assert.match(got[0]!.error!.message, /3 questions behind/);
    for (const answer of got) assert.doesNotThrow(() => parseMessage(AnswerMessage, JSON.stringify(answer)));
  });

  it("says how long the oldest question waited for a worker by its own clock, not the wall clock's (a step back: not −60 s)", async () => {
    const bus = new InProcessBus(16, 1);
    const got: Answer[] = [];
    const server = bus.serverChannel("A");
    await server.start((answer) => got.push(answer));
    const realNow = Date.now;
    try {
      await server.sendQuestion({ ...question, questionId: "q1", ts: Date.now() });
      Date.now = () => realNow() - 60_000;
      await server.sendQuestion({ ...question, questionId: "q2", ts: Date.now() });
    } finally {
      Date.now = realNow;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(got[0]!.error!.message, /^no NPC worker for 0 s /);
  });

  it("delivers an answer told ready and also in the worker's final list once", async () => {
    const bus = new InProcessBus(4);
    const got: string[] = [];
    const server = bus.serverChannel("A");
    await server.start((answer) => void got.push(answer.questionId));
    await bus.workerChannel().start(async (questions, ready) => {
      const answers = questions.map((q) => answerTo(q));
      for (const answer of answers) ready?.(answer);
      return answers;
    });
    await server.sendQuestion(question);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(got, ["q1"]);
  });
});
