import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import { modelTokensPerSecond, npcBatchSize } from "../common/metrics.js";
import type { GenerationSettings } from "../npc/engine/generation-settings.js";
import { KnowledgeIndex } from "../npc/knowledge-index.js";
import { AnswerQueue } from "../npc/worker/answer-queue.js";
import { plainChat } from "../npc/chat-line.js";
import { InvalidQuestionError, InvalidSettingsError, NpcError } from "../npc/errors.js";
import { EVERYDAY_QUESTIONS, shippedEngine } from "./helpers/engine.js";

describe("AnswerQueue micro-batching", () => {
  it("answers 16 concurrent questions, each with its own answer, as one by one would", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    const settings = { doSample: false };
    const answers = await Promise.all(EVERYDAY_QUESTIONS.map((q) => queue.ask(q, { settings })));
    for (const [i, question] of EVERYDAY_QUESTIONS.entries()) {
      assert.equal(answers[i]!.question, plainChat(question));
      assert.equal(answers[i]!.text, (await engine.answer(question, { settings })).text);
    }
    assert.equal(queue.waiting, 0);
  });

  it("sets kobot_model_tokens_per_second from the batch's tokens over the batch's time, not one answer's", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    const answers = await Promise.all(EVERYDAY_QUESTIONS.map((q) => queue.ask(q, { settings: { doSample: false } })));
    const gauge = (await modelTokensPerSecond.get()).values.find((v) => v.labels.model === engine.modelName)!.value;
    // Each answer's ms is at least the batch's time; one answer's tokens over it read a batch of 16 as ~1/16 of its rate.
    const tokens = answers.reduce((sum, answer) => sum + answer.tokens, 0);
    const longest = Math.max(...answers.map((answer) => answer.ms));
    assert.ok(gauge >= (tokens * 1000) / longest, `${gauge} tokens/s, for ${tokens} tokens in at most ${longest} ms`);
  });

  it("answers questions asked in the same turn as one batch, the first one included", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    const batches: number[] = [];
    const totals = async () => {
      const values = (await npcBatchSize.get()).values.filter((v) => v.labels.model === engine.modelName);
      const of = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
      return { count: of("kobot_npc_batch_size_count"), sum: of("kobot_npc_batch_size_sum") };
    };
    const before = await totals();
    const answerChecked = engine.answerChecked.bind(engine);
    engine.answerChecked = (questions, options) => (batches.push(questions.length), answerChecked(questions, options));
    try {
      await Promise.all(EVERYDAY_QUESTIONS.slice(0, 5).map((q) => queue.ask(q)));
      await queue.ask("배고파"); // alone, on an idle brain: it runs at once, as a batch of one
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.deepEqual(batches, [5, 1]);
    // Counted for operators tuning NPC_MAX_BATCH (the registry is the process's: earlier tests' batches are in it).
    const after = await totals();
    assert.deepEqual({ batches: after.count - before.count, questions: after.sum - before.sum }, { batches: 2, questions: 6 });
  });

  it("rejects a bad question alone and answers the rest", async () => {
    const queue = new AnswerQueue(await shippedEngine());
    const results = await Promise.allSettled([queue.ask("배고파"), queue.ask("   "), queue.ask("잠이 안 와")]);
    assert.equal(results[0]!.status, "fulfilled");
    assert.equal(results[2]!.status, "fulfilled");
    assert.equal(results[1]!.status, "rejected");
    assert.ok((results[1] as PromiseRejectedResult).reason instanceof InvalidQuestionError);
  });

  it("asks each question of a batch whose inference failed again alone: only the one that fails alone hears the error", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    const batches: string[][] = [];
    const answerChecked = engine.answerChecked.bind(engine);
    // As onnxruntime's run failing on one question's tokens, which failed every question of its batch.
    engine.answerChecked = async (questions, options) => {
      batches.push(questions);
      if (questions.some((question) => question.includes("폭탄"))) throw new Error("probe: onnxruntime run failed");
      return answerChecked(questions, options);
    };
    try {
      const asked = ["배고파", "폭탄 질문", "잠이 안 와"].map((question) => queue.ask(question, { settings: { doSample: false } }));
      const results = await Promise.allSettled(asked);
      assert.deepEqual(results.map((result) => result.status), ["fulfilled", "rejected", "fulfilled"]);
      assert.match(String((results[1] as PromiseRejectedResult).reason), /probe: onnxruntime run failed/);
      assert.deepEqual(batches.map((batch) => batch.length), [3, 1, 1, 1]);
      // An error of the batch's own (its settings) is not asked again question by question.
      batches.length = 0;
      engine.answerChecked = async (questions) => (batches.push(questions), Promise.reject(new InvalidSettingsError("not for this batch")));
      const refused = await Promise.allSettled(["배고파", "잠이 안 와"].map((question) => queue.ask(question)));
      assert.deepEqual(refused.map((result) => result.status), ["rejected", "rejected"]);
      assert.deepEqual(batches.map((batch) => batch.length), [2]);
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.equal(queue.waiting, 0);
  });

  it("routes streamed tokens to the question they belong to, each asker's as of its one question (index 0)", async () => {
    const queue = new AnswerQueue(await shippedEngine());
    const streamed = new Map<string, string>();
    const indices = new Set<number>();
    const questions = ["배고파", "주말에 뭐 하지?", "친구랑 싸웠어"];
    const answers = await Promise.all(
      questions.map((q) => queue.ask(q, { onToken: ({ text, index }) => (streamed.set(q, text), indices.add(index)) })),
    );
    answers.forEach((answer, i) => assert.equal(streamed.get(questions[i]!)!, answer.text));
    // An asker asked one question, whatever its place in the batch: index 1 of a batch would be no question of theirs.
    assert.deepEqual([...indices], [0]);
  });

  it("stops the stream of an asker whose callback throws, and answers everyone asked with them", async () => {
    const queue = new AnswerQueue(await shippedEngine());
    let calls = 0;
    const gone = queue.ask("배고파", {
      onToken: () => {
        calls++;
        throw new Error("client gone");
      },
    });
    const streamed: string[] = [];
    const other = queue.ask("잠이 안 와", { onToken: ({ text }) => streamed.push(text) });
    const [first, second] = await Promise.all([gone, other]);
    assert.ok(first.text.length > 0 && second.text.length > 0);
    assert.equal(calls, 1, "no more of the stream after it threw");
    assert.equal(streamed.at(-1)!, second.text);
  });

  it("answers a question whose deadline passed while it waited `expired`, without running it, and the rest as asked", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine, { maxBatch: 1 });
    const batches: string[][] = [];
    const answerChecked = engine.answerChecked.bind(engine);
    engine.answerChecked = (questions, options) => (batches.push(questions), answerChecked(questions, options));
    try {
      // The first runs at once; the second's deadline passes while it waits behind it (a model batch takes longer than 1 ms).
      const results = await Promise.allSettled([
        queue.ask("배고파"),
        queue.ask("잠이 안 와", { deadline: performance.now() + 1 }),
        queue.ask("친구랑 싸웠어", { deadline: performance.now() + 60_000 }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
      const { reason } = results[1] as PromiseRejectedResult;
      assert.ok(reason instanceof NpcError && reason.code === "expired", String(reason));
      assert.deepEqual(batches, [[plainChat("배고파")], [plainChat("친구랑 싸웠어")]], "the model never saw it");
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.equal(queue.waiting, 0);
  });

  it("batches the questions of NPCs who know different things together, each shown its own NPC's lines, as alone", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    const knowledge = (name: string) => KnowledgeIndex.fromFile(fileURLToPath(new URL(`../npc/knowledge/${name}.jsonl`, import.meta.url)));
    const [blacksmith, baker] = [knowledge("blacksmith"), knowledge("baker")];
    const settings = { doSample: false };
    const asked = [blacksmith, baker, undefined, blacksmith, baker].map((own) => ({ own, question: "여기서 뭐 팔아요?" }));
    const batches: number[] = [];
    const answerChecked = engine.answerChecked.bind(engine);
    engine.answerChecked = (questions, options) => (batches.push(questions.length), answerChecked(questions, options));
    let answers;
    try {
      answers = await Promise.all(asked.map(({ own, question }) => queue.ask(question, { settings, ...(own ? { knowledge: own } : {}) })));
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.deepEqual(batches, [5], "one batch: one at a time a square of NPCs answered no faster than one NPC");
    for (const [i, { own, question }] of asked.entries()) {
      const alone = await engine.answer(question, { settings, ...(own ? { knowledge: own } : {}) });
      assert.equal(answers[i]!.text, alone.text, `question ${i}`);
      assert.deepEqual(answers[i]!.context, alone.context, `question ${i}: shown what it is shown alone`);
      const others = [blacksmith, baker].filter((index) => index !== own);
      assert.ok(!answers[i]!.context.some((pair) => others.some((other) => other.pairs.includes(pair))), `question ${i}: no other NPC's line shown`);
    }
    assert.equal(answers[0]!.context.at(-1)?.a, "검이랑 방패를 팔지.");
    assert.equal(answers[1]!.context.at(-1)?.a, "갓 구운 빵이랑 케이크를 팔아요.");
  });

  it("batches NPCs that speak differently (length, sampling, repetition penalty) together, each answered as alone", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    // The village's baker says at most 24 tokens, others 32; one NPC penalises repeats, one samples (top-k 1: greedy).
    const kinds: Partial<GenerationSettings>[] = [{ maxNewTokens: 24 }, {}, { maxNewTokens: 17 }, { repetitionPenalty: 1.3, maxNewTokens: 30 }, { doSample: true, topK: 1 }];
    const asked = EVERYDAY_QUESTIONS.slice(0, 10).map((question, i) => ({ question, settings: { doSample: false, ...kinds[i % kinds.length] } as Partial<GenerationSettings> }));
    const batches: number[] = [];
    const answerChecked = engine.answerChecked.bind(engine);
    engine.answerChecked = (questions, options) => (batches.push(questions.length), answerChecked(questions, options));
    let answers;
    try {
      answers = await Promise.all(asked.map(({ question, settings }) => queue.ask(question, { settings })));
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.deepEqual(batches, [10], "one batch");
    for (const [i, { question, settings }] of asked.entries()) {
      const alone = await engine.answer(question, { settings });
      assert.equal(answers[i]!.text, alone.text, `question ${i}: ${JSON.stringify(settings)}`);
      assert.ok(answers[i]!.tokens <= (settings.maxNewTokens ?? engine.defaults.maxNewTokens), `question ${i}: within its own length`);
    }
  });

  it("keeps NPCs whose lengths differ more than twice apart: a short answer does not wait for a long one", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    const batches: number[][] = [];
    const answerChecked = engine.answerChecked.bind(engine);
    engine.answerChecked = (questions, options) => (batches.push(options?.settingsOfEach?.map((s) => s?.maxNewTokens ?? 0) ?? []), answerChecked(questions, options));
    const limits = [4, 96, 4, 3];
    let answers;
    try {
      answers = await Promise.all(limits.map((maxNewTokens) => queue.ask("배고파", { settings: { maxNewTokens, doSample: false } })));
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.deepEqual(batches, [[4, 4, 3], [96]]);
    limits.forEach((limit, i) => assert.ok(answers[i]!.tokens <= limit, `answer ${i}: ${answers[i]!.tokens} tokens`));
  });

  it("answers the batch of the oldest question first, whatever was asked after it", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine);
    const batches: number[][] = [];
    const answerChecked = engine.answerChecked.bind(engine);
    engine.answerChecked = (questions, options) => (batches.push(options?.settingsOfEach?.map((s) => s?.maxNewTokens ?? 0) ?? []), answerChecked(questions, options));
    try {
      await Promise.all([96, 4].map((maxNewTokens) => queue.ask("배고파", { settings: { maxNewTokens, doSample: false } })));
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.deepEqual(batches, [[96], [4]]);
  });

  it("keeps batches to questions that choose among as many candidates, in the order asked", async () => {
    const engine = await shippedEngine();
    const queue = new AnswerQueue(engine, { maxBatch: 4 });
    const order: string[] = [];
    const batches: string[][] = [];
    const answerChecked = engine.answerChecked.bind(engine);
    engine.answerChecked = (questions, options) => (batches.push(questions.map((q) => q.slice(0, 2))), answerChecked(questions, options));
    try {
      const asks = ["a1", "b1", "a2", "b2", "a3"].map((tag) =>
        queue
          .ask(`${tag} 배고파`, { settings: { candidates: tag.startsWith("a") ? 1 : 2, maxNewTokens: 4 } })
          .then((answer) => order.push(answer.question.slice(0, 2))),
      );
      await Promise.all(asks);
    } finally {
      engine.answerChecked = answerChecked;
    }
    assert.deepEqual(batches, [["a1", "a2", "a3"], ["b1", "b2"]]);
    assert.deepEqual(order.filter((t) => t.startsWith("a")), ["a1", "a2", "a3"]);
    assert.deepEqual(order.filter((t) => t.startsWith("b")), ["b1", "b2"]);
  });

  it("chooses among each question's own candidates, and refuses a batch whose questions choose among different numbers, clearly", async () => {
    const engine = await shippedEngine();
    // Those of each question, not the batch's defaults (one candidate: plain decoding, streamed token by token).
    const events: number[] = [];
    const chosen = await engine.answerChecked(["배고파", "잠이 안 와"], {
      settings: { candidates: 1 }, settingsOfEach: [{ candidates: 3 }, { candidates: 3 }], onToken: ({ index }) => events.push(index),
    });
    assert.deepEqual(events, [0, 1], "chosen answers come whole, one event each");
    assert.ok(chosen.every((answer) => answer.tokens > 1));
    await assert.rejects(
      engine.answerChecked(["배고파", "잠이 안 와"], { settingsOfEach: [{ candidates: 1 }, { candidates: 3 }] }),
      (error: Error) => error instanceof InvalidSettingsError && /as many candidates/.test(error.message),
    );
  });
});
