import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BroadcastChannel, type Worker } from "node:worker_threads";

import { createLogger, type Logger } from "../common/log.js";
import { processMetrics } from "../common/metrics.js";
import { type AnswerMessage, CONTRACT_VERSION, type QuestionMessage } from "../kafka/contract.js";
import { InProcessBus } from "../kafka/in-process-transport.js";
import type { NpcError } from "../npc/errors.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import type { NpcBrainSpec } from "../npc/npc-cast.js";
import { ThreadedNpcWorker, type ThreadWatch } from "../npc/worker/threaded-worker.js";
import { loadConfig } from "../server/config.js";
import { startEmbeddedWorker } from "../server/embedded.js";
import { quiet, waitFor } from "./helpers/world.js";

describe("Embedded NPC worker (its own thread)", () => {
  const question = (questionId: string, text: string): QuestionMessage => ({
    v: CONTRACT_VERSION, questionId, roomId: "r1", npcId: "kobot", playerId: "p1", playerName: "민수", text, ts: Date.now(),
  });

  async function embedded(env: Record<string, string>) {
    const config = loadConfig({ WORLD_FILE: "off", SERVER_ID: "s1", ...env });
    const bus = new InProcessBus(config.model.maxBatch);
    const answers: AnswerMessage[] = [];
    const server = bus.serverChannel("s1");
    await server.start((answer) => answers.push(answer));
    const started = await startEmbeddedWorker(config, bus, quiet);
    return { ...started, server, answers };
  }

  let worker: ThreadedNpcWorker | undefined;
  afterEach(() => worker?.stop());

  /**
   * A worker on a test thread (`main`: test/helpers/<main>, one that hangs or dies on a word), the bus's server side
   * keeping the answers; it is `worker`, stopped after the test. Questions older than `maxQuestionAgeMs` are `expired`.
   */
  async function onTestThread(main: string, log: Logger, watch: Partial<ThreadWatch> = {}, maxQuestionAgeMs = 10_000) {
    const config = loadConfig({ WORLD_FILE: "off", SERVER_ID: "s1" });
    const bus = new InProcessBus(config.model.maxBatch);
    const answers: AnswerMessage[] = [];
    const server = bus.serverChannel("s1");
    await server.start((answer) => answers.push(answer));
    const options = { brains: config.brains, maxBatch: config.model.maxBatch, maxQuestionAgeMs, serverId: "s1" };
    worker = await ThreadedNpcWorker.start(options, bus.workerChannel(), log, { ...watch, main: new URL(`./helpers/${main}`, import.meta.url) });
    const answerTo = (id: string) => answers.find((answer) => answer.questionId === id);
    return { worker, server, answers, answerTo };
  }

  it("answers the bus's questions from its thread, and the server's /metrics counts them", async () => {
    const { worker: started, model, server, answers } = await embedded({});
    worker = started;
    assert.equal(model, "loaded");
    assert.deepEqual(worker!.models.length, 1);
    // Other tests' in-process workers count on this thread's registry too: compare before and after.
    const answered = async () => Number(/^kobot_npc_worker_answers_total\{outcome="answer"\} (\d+)$/m.exec(await processMetrics())?.[1] ?? 0);
    const before = await answered();
    const asked = ["배고파", "잠이 안 와", "주말에 뭐 하지?"];
    for (const [i, text] of asked.entries()) await server.sendQuestion(question(`q${i}`, text));
    await waitFor("three answers", () => answers.length === 3, 30_000);
    assert.deepEqual(answers.map((a) => a.questionId).sort(), ["q0", "q1", "q2"]);
    for (const answer of answers) {
      assert.equal(answer.error, undefined);
      assert.ok(answer.text.length > 0);
      assert.equal(answer.model, worker!.models[0]);
      assert.equal(answer.replyTo, "s1");
    }
    assert.equal(await answered(), before + 3);
    const metrics = await processMetrics();
    assert.ok(metrics.includes(`kobot_model_tokens_per_second{model="${worker!.models[0]}"}`), "the thread's model speed");
    assert.match(metrics, new RegExp(`^kobot_npc_batch_size_count\\{model="${worker!.models[0]}"\\} [1-9]`, "m"), "the thread's batch sizes");
  });

  it("judges a question by the time its room still waits, not by a wall-clock deadline a step of the clock put behind (NTP)", async () => {
    const { worker: started, server, answers } = await embedded({});
    worker = started;
    // Its deadline a minute gone by the wall clock (stepped forward as it was asked), 10 s left by the server's timer.
    await server.sendQuestion({ ...question("q-stepped", "배고파"), deadline: Date.now() - 60_000 }, 10_000);
    await waitFor("the answer", () => answers.length === 1, 30_000);
    assert.equal(answers[0]!.error, undefined);
    assert.ok(answers[0]!.text.length > 0);
  });

  it("replaces a thread that dies, and answers the question asked meanwhile", async () => {
    const { worker: started, server, answers } = await embedded({});
    worker = started;
    const threadOf = (w: ThreadedNpcWorker) => (w as unknown as { thread: Worker | undefined }).thread;
    const dying = threadOf(worker!)!;
    assert.equal(worker!.answering, true);
    await dying.terminate(); // as a crash would end it
    await waitFor("the thread seen gone", () => worker!.answering === false, 2000); // /health says worker_restarting
    await server.sendQuestion(question("q7", "배고파"));
    await waitFor("the answer", () => answers.length === 1, 30_000);
    assert.equal(answers[0]!.error, undefined);
    assert.ok(answers[0]!.text.length > 0);
    assert.notEqual(threadOf(worker!)?.threadId, dying.threadId, "a new thread answered");
    assert.equal(worker!.answering, true);
  });

  /** A thread of its own on a bus of its own, for NPCs `brains`; `ask` resolves with the answer to one question. */
  async function threaded(brains: NpcBrainSpec[]) {
    const bus = new InProcessBus(4);
    const answers: AnswerMessage[] = [];
    const server = bus.serverChannel("s1");
    await server.start((answer) => answers.push(answer));
    worker = await ThreadedNpcWorker.start({ brains, maxBatch: 4, maxQuestionAgeMs: 10_000, serverId: "s1" }, bus.workerChannel(), quiet);
    let asked = 0;
    const ask = async (npcId: string) => {
      const questionId = `q${asked++}`;
      await server.sendQuestion({ ...question(questionId, "배고파"), npcId, deadline: Date.now() + 10_000 });
      return waitFor("the answer", () => answers.find((answer) => answer.questionId === questionId), 30_000);
    };
    const killThread = () => (worker as unknown as { thread: Worker }).thread.terminate(); // as a crash would end it
    return { ask, killThread };
  }

  it("answers an NPC an edit brings back with the model it had at start, after its thread was replaced", async () => {
    const other = join(mkdtempSync(join(tmpdir(), "kobot-model-b-")), "model");
    cpSync(DEFAULT_MODEL_DIR, other, { recursive: true });
    const config = JSON.parse(readFileSync(join(other, "config.json"), "utf8"));
    writeFileSync(join(other, "config.json"), JSON.stringify({ ...config, npc_model_name: "model-b" }));
    const kobot = { npcId: "kobot", model: "default", modelDir: DEFAULT_MODEL_DIR };
    const hans = { npcId: "hans", model: "b", modelDir: other };
    const { ask, killThread } = await threaded([kobot, hans]);
    assert.match((await ask("hans")).model ?? "", /^model-b/);
    await worker!.replaceSettings([kobot]); // hans leaves the world
    await killThread();
    await ask("kobot"); // from the thread that replaced it
    await worker!.replaceSettings([kobot, hans]); // and comes back
    // The new thread loaded only the models of the NPCs then: hans spoke with kobot's model, as a stranger.
    assert.match((await ask("hans")).model ?? "", /^model-b/);
  });

  it("answers the NPCs whose model loaded when another NPC's did not, and says which (its NPC: model_unavailable)", async () => {
    const broken = join(mkdtempSync(join(tmpdir(), "kobot-model-broken-")), "model");
    cpSync(DEFAULT_MODEL_DIR, broken, { recursive: true });
    writeFileSync(join(broken, "tokenizer.json"), '{"version": "1.0", "trunc'); // a copy cut short
    const { ask } = await threaded([{ npcId: "kobot", model: "default", modelDir: DEFAULT_MODEL_DIR }, { npcId: "hans", model: "b", modelDir: broken }]);
    assert.deepEqual(worker!.unloadedInUse, [broken]);
    const kobot = await ask("kobot");
    assert.equal(kobot.error, undefined);
    assert.ok(kobot.text.length > 0);
    assert.equal((await ask("hans")).error?.code, "model_unavailable");
    assert.deepEqual(worker!.unloadedInUse, [broken]);
    await worker!.replaceSettings([{ npcId: "kobot", model: "default", modelDir: DEFAULT_MODEL_DIR }, { npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR }]);
    assert.deepEqual(worker!.unloadedInUse, [], "/health ok once no NPC speaks with the folder (it stayed 503 until a restart)");
    assert.equal((await ask("hans")).error, undefined);
  });

  it("starts a thread that replaces a dead one with the knowledge taken, though the file has since been saved broken", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), "hans.jsonl");
    writeFileSync(file, JSON.stringify({ q: "이름이 뭐야", a: "나는 대장장이 한스야." }) + "\n");
    const { ask, killThread } = await threaded([{ npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: file }]);
    assert.equal((await ask("hans")).error, undefined);
    writeFileSync(file, '{"q": "이름이 뭐야", "a": "나는 대'); // a studio's edit saved half-way (its reload refuses it)
    await killThread();
    // The replacement read the file and failed on it, again and again: no NPC answered any more.
    const answer = await ask("hans");
    assert.equal(answer.error, undefined);
    assert.ok(answer.text.length > 0);
  });

  for (const { word, how } of [
    { word: "멈춰", how: "its event loop stopped" },
    { word: "굳어", how: "in a native call that ending it cannot cut short" },
  ]) {
    it(`ends a thread that hangs (${how}), answers its batch with an error, and answers the next question from a new thread`, async function () {
      this.timeout(120_000);
      const { worker: threaded, server, answers } = await onTestThread("hanging-thread-main.ts", quiet, { answerWithinMs: 1_000, replyWithinMs: 500 });
      const threadOf = (w: ThreadedNpcWorker) => (w as unknown as { thread: Worker | undefined }).thread;
      const hanging = threadOf(threaded)!;
      let hungExited = false;
      hanging.once("exit", () => (hungExited = true));
      const told = new BroadcastChannel("hanging-thread-main"); // helpers/hanging-thread-main.ts says it hangs on it
      const hangs = new Promise((resolve) => (told.onmessage = resolve));
      await server.sendQuestion(question("q1", word));
      await hangs; // the thread has the batch and hangs
      told.close();
      // Its metrics are given up after replyWithinMs, so /metrics still answers: the hung thread never replies, and
      // an empty list is what giving up returns.
      assert.deepEqual(await threaded.metrics(), []);
      await waitFor("the hung batch's answer", () => answers.find((a) => a.questionId === "q1"), 30_000);
      assert.equal(answers[0]!.error?.code, "worker_error");
      assert.match(answers[0]!.error!.message, /did not answer in 1 s and was restarted/);
      await server.sendQuestion(question("q2", "배고파"));
      const next = await waitFor("the next answer", () => answers.find((a) => a.questionId === "q2"), 60_000);
      assert.equal(next.error, undefined);
      assert.ok(next.text.length > 0);
      assert.notEqual(threadOf(threaded)?.threadId, hanging.threadId, "a new thread answered");
      if (word === "굳어") assert.equal(hungExited, false, "answered while the hung thread was still stuck, not after it returned");
      assert.equal(answers.filter((a) => a.questionId === "q1").length, 1, "the hung question is not offered again");
    });
  }

  it("asks alone a text that hung the thread once, and refuses it once it hung a thread alone: its batch-mate is answered", async function () {
    this.timeout(120_000);
    let hangs = 0;
    const log = createLogger({}, "error", (line) => void (/^NPC worker thread hangs/.test(JSON.parse(line).msg) && hangs++));
    const { server, answerTo } = await onTestThread("hanging-thread-main.ts", log, { answerWithinMs: 1_000, replyWithinMs: 500 }, 60_000);
    await server.sendQuestion(question("h1", "멈춰"));
    assert.equal((await waitFor("the hung question's answer", () => answerTo("h1"), 30_000)).error?.code, "worker_error");
    // Before, the two were asked together: the thread hung again, and 배고파 was answered with an error.
    await server.sendQuestion(question("h2", "멈춰"));
    await server.sendQuestion(question("a", "배고파"));
    const innocent = await waitFor("the batch-mate's answer", () => answerTo("a"), 60_000);
    assert.equal(innocent.error, undefined);
    assert.ok(innocent.text.length > 0);
    assert.equal((await waitFor("the second hang's answer", () => answerTo("h2"), 30_000)).error?.code, "worker_error");
    assert.equal(hangs, 2);
    await server.sendQuestion(question("h3", "멈춰?")); // heard as "멈춰": a third hang, before
    const refused = await waitFor("the killer's answer", () => answerTo("h3"), 30_000);
    assert.equal(refused.error?.code, "worker_error");
    assert.match(refused.error!.message, /went twice on this question within the hour/);
    assert.equal(hangs, 2, `the thread hung ${hangs} times`);
  });

  it("answers the others of a batch whose question kills each thread that takes it, and that one with an error, after two deaths", async function () {
    this.timeout(120_000);
    let deaths = 0;
    const log = createLogger({}, "error", (line) => void (JSON.parse(line).msg === "NPC worker thread gone; starting another" && deaths++));
    // Questions kept a minute, not 10 s: two model loads and the pauses after the deaths may take that long on a
    // busy box, and an answer past its age would be `expired`, not the wait this test is about.
    const { server, answers, answerTo } = await onTestThread("dying-thread-main.ts", log, {}, 60_000);
    // One batch: the bus offered it whole to each new thread, which died on it at once, and nobody in it was answered.
    for (const [id, text] of [["a", "배고파"], ["x", "죽어"], ["b", "잠이 안 와"]] as const) await server.sendQuestion(question(id, text));
    await waitFor("the other questions' answers", () => answerTo("a") && answerTo("b"), 50_000);
    for (const id of ["a", "b"]) {
      assert.equal(answerTo(id)!.error, undefined);
      assert.ok(answerTo(id)!.text.length > 0);
    }
    const killer = await waitFor("the killing question's answer", () => answerTo("x"), 10_000);
    assert.equal(killer.error?.code, "worker_error"); // the room says npc_unavailable
    assert.match(killer.error!.message, /went twice with this question in flight/);
    await server.sendQuestion(question("c", "주말에 뭐 하지?"));
    assert.equal((await waitFor("the next question's answer", () => answerTo("c"), 20_000)).error, undefined);
    assert.equal(deaths, 2, `the thread died ${deaths} times`);
    // Not timed: two deaths, no more, is what bounds the wait (a pause of 1 s, then 2 s; each death more doubles it).
    assert.equal(answers.filter((answer) => answer.questionId === "x").length, 1, "the killing question is not offered again");
  });

  it("answers a text that killed the thread twice, asked again by another player (as the brain hears it alike), with an error at once, without a death", async function () {
    this.timeout(60_000);
    let deaths = 0;
    const logged: { level: string; msg: string; [field: string]: unknown }[] = [];
    const log = createLogger({}, "warn", (line) => {
      const fields = JSON.parse(line);
      logged.push(fields);
      if (fields.msg === "NPC worker thread gone; starting another") deaths++;
    });
    const { server, answerTo } = await onTestThread("dying-thread-main.ts", log);
    const refusedTotal = async () => Number(/^kobot_npc_thread_killers_refused_total (\d+)$/m.exec(await processMetrics())?.[1] ?? 0);
    const refusedBefore = await refusedTotal();
    await server.sendQuestion(question("x1", "죽어"));
    assert.equal((await waitFor("the killing question's answer", () => answerTo("x1"), 20_000)).error?.code, "worker_error");
    assert.equal(deaths, 2);
    // Another player, a new id: before, two more deaths (model loads, and a pause of seconds with every NPC silent).
    // "At once" by what happened, not by the clock: asked of a thread, it would have died (twice) before any answer,
    // and been answered "went twice with this question in flight".
    // As its brain hears it: an end mark, laughter or its own name make it no other text (before, each could kill twice).
    for (const [id, text] of [["x2", "죽어"], ["x3", " 죽\u200b어 "], ["x4", "죽어?"], ["x5", "코봇아 죽어ㅋㅋ"]] as const) {
      await server.sendQuestion({ ...question(id, text), playerId: "p2", playerName: "영희" });
      const again = await waitFor("the same text's answer", () => answerTo(id), 20_000);
      assert.equal(again.error?.code, "worker_error", `${id} asked again`);
      assert.match(again.error!.message, /went twice on this question within the hour/);
      assert.equal(deaths, 2, `${id} was answered without a death`);
    }
    await server.sendQuestion(question("c", "주말에 뭐 하지?"));
    assert.equal((await waitFor("another question's answer", () => answerTo("c"), 20_000)).error, undefined);
    assert.equal(deaths, 2, `the thread died ${deaths} times`);
    assert.equal(await refusedTotal(), refusedBefore + 4);
    // Said once per text, by its hash and length: the player's words stay out of the log.
    const warned = logged.filter((line) => line.level === "warn" && /killed the NPC worker thread twice was asked again/.test(line.msg));
    assert.equal(warned.length, 1);
    assert.equal(warned[0]!.textChars, 2);
    assert.match(String(warned[0]!.textHash), /^[0-9a-f]{16}$/);
    assert.ok(logged.every((line) => !JSON.stringify(line).includes("죽어")), "no log line holds the text");
  });

  it("ends a thread that does not load and warm its models in time, with a clear error, instead of waiting for good", async () => {
    const config = loadConfig({ WORLD_FILE: "off", SERVER_ID: "s1" });
    const bus = new InProcessBus(config.model.maxBatch);
    const main = new URL("./helpers/hang-on-load-thread-main.ts", import.meta.url);
    const options = { brains: config.brains, maxBatch: config.model.maxBatch, maxQuestionAgeMs: 10_000, serverId: "s1" };
    // Its 1 s ended it (the message says which wait): the thread itself never gets ready, so without it this waits for good.
    await assert.rejects(ThreadedNpcWorker.start(options, bus.workerChannel(), quiet, { readyWithinMs: 1_000, main }), (error: NpcError) => {
      assert.equal(error.code, "model_unavailable"); // the embedded server then starts with fallback lines (startEmbeddedWorker)
      assert.match(error.message, /did not load and warm its models in 1 s/);
      return true;
    });
  });

  it("sends each answer on as it is done on the thread: a scripted line is not held until the model's batch is answered", async () => {
    const knowledge = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), "clerk.jsonl");
    writeFileSync(knowledge, '{"q": "ㄱㅅ", "a": "천만에요."}\n');
    const brains: NpcBrainSpec[] = [
      { npcId: "kobot", model: "default", modelDir: DEFAULT_MODEL_DIR },
      { npcId: "clerk", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge, scriptedAbove: 0.8 },
    ];
    const bus = new InProcessBus(16);
    worker = await ThreadedNpcWorker.start({ brains, maxBatch: 16, maxQuestionAgeMs: 10_000, serverId: "s1" }, bus.workerChannel(), quiet);
    // Which of the thread's messages each answer came in: counted after the worker has read the message.
    let messages = 0;
    (worker as unknown as { thread: Worker }).thread.on("message", () => void messages++);
    const cameIn = new Map<string, number>();
    const asked = [
      ...Array.from({ length: 15 }, (_, i) => ({ ...question(`m${i}`, `배고파 ${i}`), deadline: Date.now() + 10_000 })),
      { ...question("s", "ㄱㅅ"), npcId: "clerk", deadline: Date.now() + 10_000 },
    ];
    const answers = await worker.answerAll(asked, (answer) => void cameIn.set(answer.questionId, messages));
    assert.equal(answers.length, 16);
    assert.equal(answers.find((answer) => answer.questionId === "s")!.text, "천만에요.");
    assert.deepEqual([...cameIn.keys()].sort(), asked.map((q) => q.questionId).sort(), "each answer told once");
    const modelMessages = new Set(asked.slice(0, 15).map((q) => cameIn.get(q.questionId)!));
    assert.ok([...modelMessages].every((at) => at > cameIn.get("s")!), `the scripted line came in message ${cameIn.get("s")}, the model's in ${[...modelMessages]}`);
  });

  it("answers at once with an error naming the missing model when there is none", async () => {
    const { worker: started, model, server, answers } = await embedded({ MODEL_DIR: "/nonexistent/model" });
    worker = started;
    assert.equal(model, "missing"); // /health: model_missing
    assert.equal(worker, undefined);
    await server.sendQuestion(question("q9", "배고파"));
    await waitFor("the error answer", () => answers.length === 1);
    assert.equal(answers[0]!.error?.code, "model_unavailable");
    assert.match(answers[0]!.error!.message, /\/nonexistent\/model/);
  });

  it("tells a model whose file is there but does not read (a corrupt graph) from one that is missing", async () => {
    const corrupt = join(mkdtempSync(join(tmpdir(), "kobot-model-corrupt-")), "model");
    cpSync(DEFAULT_MODEL_DIR, corrupt, { recursive: true });
    writeFileSync(join(corrupt, "onnx", "model_prefill_int8.onnx"), "not a graph"); // Protobuf parsing failed
    const { worker: started, model, server, answers } = await embedded({ MODEL_DIR: corrupt });
    worker = started;
    assert.equal(model, "unreadable"); // /health said model_missing, and sent its reader looking for a folder that was there
    await server.sendQuestion(question("q9", "배고파"));
    assert.equal((await waitFor("the error answer", () => answers[0])).error?.code, "model_unavailable");
  });
});
