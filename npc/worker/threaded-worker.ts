import { resolve } from "node:path";
import { Worker } from "node:worker_threads";

import type { MetricObjectWithValues, MetricValue } from "prom-client";

import type { Logger, LogLevel } from "../../common/log.js";
import { addMetricsSource, threadKillersRefused } from "../../common/metrics.js";
import { type AnswerMessage, errorAnswer, type QuestionMessage } from "../../kafka/contract.js";
import type { WorkerChannel, WorkerQuestion } from "../../kafka/npc-transport.js";
import { type KnowledgePair, readKnowledgeFile } from "../knowledge-index.js";
import { LOAD_WITHIN_MS, type ModelDtype } from "../engine/model-folder.js";
import { brainlessAnswers } from "./brainless-answers.js";
import type { ModelOfWorld, NpcBrainSpec } from "../npc-cast.js";
import { ModelFileMissing, NpcError } from "../errors.js";
import { BrainTurns } from "./brain-turns.js";
import { BrainKillers, heardText, KILLER_KEPT_MS, keyOf, ranOnBrain, traceOf } from "./brain-killers.js";
import { Spacing } from "../engine/spacing.js";
import { callNamesOf, hearLine, readChatLine } from "../heard-line.js";

export interface WorkerThreadOptions {
  brains: NpcBrainSpec[];
  /** Model folders to load besides the NPCs' own, with their names in the world file (NpcCast.load's alsoModels). */
  alsoModels?: ModelOfWorld[];
  dtype?: ModelDtype;
  maxBatch: number;
  maxQuestionAgeMs: number;
  serverId: string;
  /** The thread logs at its parent's level (set by start). */
  logLevel?: LogLevel | "silent";
}

/** Past the questions' timeout, how long a batch may still run before the brain is deemed hung (here, and a Kafka worker's). */
export const HANG_GRACE_MS = 30_000;

/** A thread that dies younger than this makes the pause before the next one grow, as one that fails to start does. */
const LIVED_LONG_MS = 30_000;

/** Texts in flight at a thread's death or hang kept in mind (an hour, or until answered alone); past it, the oldest are forgotten. */
const SUSPECTS_KEPT = 1_000;

/** How long the thread may take to reply before the server stops waiting; tests start a thread of their own. */
export interface ThreadWatch {
  /** A batch of questions unanswered this long means the thread hangs: it is ended and replaced, the batch answered with an error. */
  answerWithinMs: number;
  /** Metrics and edits unanswered this long are given up (metrics shown without the thread's); the thread is left alone. */
  replyWithinMs: number;
  /**
   * A thread that has not loaded and warmed its models this long (a warm-up that hangs) is ended: at start the NPCs say
   * fallback lines, as for a model that did not load; a replacement is tried again later.
   */
  readyWithinMs: number;
  /** The thread's main module. */
  main: URL;
}

const THREAD_MAIN = new URL("./worker-thread-main.ts", import.meta.url);

/** What the thread is asked (npc/worker/worker-thread-main.ts), less the id that its reply carries back. */
export type ToThread =
  /** `leftMs` in place of the bus's `dueAt`: a thread's performance.now() has an origin of its own. */
  | { type: "questions"; questions: Array<QuestionMessage & { leftMs?: number }> }
  | { type: "metrics" }
  | { type: "knowledge"; file: string; pairs: KnowledgePair[] }
  | { type: "settings"; brains: NpcBrainSpec[] };

type FromThread =
  | { type: "ready"; models: string[]; unloaded: string[] }
  /** `missing`: the path of a model file not there (ModelFileMissing), as against one there that did not load. */
  | { type: "failed"; code: string; message: string; missing?: string }
  | { type: "answered"; id: number; answers: AnswerMessage[] }
  | { type: "answers"; id: number; answers: AnswerMessage[] }
  | { type: "metrics"; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] }
  | { type: "knowledge" | "settings"; id: number; npcs: string[] };

/**
 * The embedded default's NPC worker on a thread of its own (npc/worker/worker-thread-main.ts), seen from the
 * server's thread: it takes the in-process channel's questions and answers them there, so inference
 * never stalls the rooms. Its metrics are added to the server's /metrics. A thread that dies is replaced
 * (at once, then with a growing pause while threads keep dying young or failing to start); meanwhile the bus keeps the
 * questions. A thread that hangs (a batch unanswered for `answerWithinMs`) is ended and replaced; that batch is answered
 * with an error, not offered again (past its questions' age by then), as its questions may be what stopped it. Either
 * way the texts in flight are suspects, per model, for the hour, as the brain hears them: asked again (the dead thread's
 * batch as the bus offers it again, or under a new id) each is asked alone, and one in flight at a death or hang while a
 * suspect is a killer: answered with an error, and for the hour answered so at once, never asked; a text that killed
 * or hung the thread would otherwise do so to each new one, its batch with it.
 */
export class ThreadedNpcWorker {
  private readonly waiting = new Map<number, (reply: FromThread | ThreadDied) => void>();
  /** Per list of questions asked, told of the answers the thread sends as each brain batch ends, ahead of the list. */
  private readonly answered = new Map<number, (answers: AnswerMessage[]) => void>();
  private nextId = 0;
  /** Undefined while a dead thread is being replaced. */
  private thread: Worker | undefined;
  private stopped = false;
  private readonly removeMetrics: () => void;
  /** Closed as the worker stops: what feeds it (a knowledge files' watcher). */
  private readonly feeding: { close(): void }[] = [];
  /** Per knowledge file, the pairs last taken while the server ran: a replaced thread starts with them, not the file. */
  private readonly knowledgeTaken = new Map<string, KnowledgePair[]>();
  /** The NPCs' specs as last taken (an edit of the world file changes their settings): a replaced thread starts with them. */
  private brains: NpcBrainSpec[];
  /** Edits taken (knowledge, settings): one taken while a new thread loads is sent to it once it is up. */
  private edits = 0;
  /**
   * Texts (heardOf's, per model: keyOf) in flight at a thread's death or hang, with when, not answered alone by the brain
   * since: each is asked alone. By text, not id: a hung batch is not offered again, its text comes back under a new id.
   */
  private readonly suspects = new Map<string, number>();
  /**
   * A suspect is asked with nothing else on the thread, worker-wide: a batch beside it would be in flight at its death
   * or hang too (an innocent answered with an error, a suspect made a killer by another's hang).
   */
  private readonly turns = new BrainTurns();
  /** Texts in flight at two deaths: a player who asks one again would cost two more, each a model load and a pause. */
  private readonly killers = new BrainKillers();
  /** Each model folder's spacing (spaced-pairs.txt), read once: for heardOf. */
  private readonly spacings = new Map<string, Spacing | undefined>();
  /**
   * Each question's text as heardOf reads it, and its key, made once: asked for several times a batch, ~25 µs a
   * reading and a hash each, on the rooms' thread; and only while a killer or suspect is known (readOf).
   */
  private readonly reads = new WeakMap<QuestionMessage, { heard: string; key: string }>();
  /** When the thread now running (or the last one) started, and the pause before it: young deaths make it grow. */
  private threadStartedAt = performance.now();
  private restartPause = 0;

  /** The model folders the thread could not load (their NPCs answer `model_unavailable`); empty when all loaded. */
  private unloadedModels: string[] = [];

  /**
   * Those of them NPCs of the world speak with now: /health said some_models_missing, 503, after an edit had moved
   * every NPC off the folder, until a restart.
   */
  get unloadedInUse(): string[] {
    return this.unloadedModels.filter((dir) => this.brains.some((brain) => brain.modelDir === dir));
  }

  private constructor(
    private readonly options: WorkerThreadOptions,
    private readonly channel: WorkerChannel,
    private readonly log: Logger,
    readonly models: string[],
    private readonly watch: ThreadWatch,
    unloaded: string[],
  ) {
    this.unloadedModels = unloaded;
    this.removeMetrics = addMetricsSource(() => this.metrics());
    this.brains = options.brains;
    this.rememberKnowledge(options.brains);
  }

  /** Loads the cast on a new thread; rejects with the thread's NpcError (a missing model names its file). */
  static async start(
    options: WorkerThreadOptions,
    channel: WorkerChannel,
    log: Logger,
    watch: Partial<ThreadWatch> = {},
  ): Promise<ThreadedNpcWorker> {
    const withLevel = { ...options, logLevel: log.level };
    // Past the questions' own timeout nobody waits for their answers; a batch takes well under a second.
    const watching = { answerWithinMs: options.maxQuestionAgeMs + HANG_GRACE_MS, replyWithinMs: 5_000, readyWithinMs: LOAD_WITHIN_MS, main: THREAD_MAIN, ...watch };
    const { thread, models, unloaded } = await startThread(withLevel, watching);
    const worker = new ThreadedNpcWorker(withLevel, channel, log, models, watching, unloaded);
    worker.attach(thread);
    await channel.start((questions, ready) => worker.answerAll(questions, ready));
    return worker;
  }

  /**
   * Tells `ready` of each answer as it is done on the thread. Rejects only when the thread is gone, having told `ready`
   * of every answer it has: the bus then keeps the questions not answered yet and offers them again. Questions in
   * flight at a death are asked one at a time, after each other, the rest as one batch.
   */
  async answerAll(questions: QuestionMessage[], ready?: (answer: AnswerMessage) => void): Promise<AnswerMessage[]> {
    const answers: AnswerMessage[] = [];
    let gone: unknown;
    const asked = (batch: QuestionMessage[]) =>
      this.answerBatch(batch, ready).then(
        (done) => void answers.push(...done),
        (error: unknown) => void (gone ??= error),
      );
    const refused = this.refuseKillers(questions);
    if (ready) refused.forEach(ready);
    answers.push(...refused);
    const refusedIds = new Set(refused.map(({ questionId }) => questionId));
    const asking = questions.filter(({ questionId }) => !refusedIds.has(questionId));
    const others = asking.filter((question) => !this.isSuspect(question));
    const alone = asking.filter((question) => this.isSuspect(question)).map((question) => {
      // Not asked once the thread went: the bus offers it again to the next.
      return this.turns.alone(async () => (gone === undefined ? asked([question]) : undefined));
    });
    await Promise.all([...(others.length > 0 ? [this.turns.together(() => asked(others))] : []), ...alone]);
    if (gone === undefined) return answers;
    if (ready) answers.forEach(ready); // the bus keeps only the questions it was not told of
    throw gone;
  }

  /** Error answers to those of `questions` whose text killed the thread twice within the hour: they are not asked. */
  private refuseKillers(questions: QuestionMessage[]): AnswerMessage[] {
    if (this.killers.size === 0) return []; // nearly always: no text need be read
    return questions.flatMap((question) => {
      const heard = this.heardOf(question);
      const killer = this.killers.killed(this.modelOf(question.npcId), heard);
      if (!killer) return [];
      threadKillersRefused.inc();
      if (killer.firstRefusal) {
        this.log.warn("a question whose text killed the NPC worker thread twice was asked again: answered with an error, not asked", {
          questionId: question.questionId,
          npcId: question.npcId,
          ...traceOf(heard),
        });
      }
      const error = { code: "worker_error", message: "the NPC worker thread went twice on this question within the hour; not asked again" };
      return [errorAnswer(question, error)];
    });
  }

  /** The key of `question`'s text, as the thread's brain hears it, for its NPC's model. */
  private keyOf(question: QuestionMessage): string {
    return this.readOf(question).key;
  }

  /** Whether `question`'s text was in flight at a death or hang within the hour, and not answered alone since. */
  private isSuspect(question: QuestionMessage): boolean {
    if (this.suspects.size === 0) return false;
    const since = this.suspects.get(this.keyOf(question));
    return since !== undefined && performance.now() - since <= KILLER_KEPT_MS;
  }

  /** The model folder that answers `npcId` on the thread: an NPC not in the world is answered by the first NPC's. */
  private modelOf(npcId: string): string {
    return (this.brains.find((brain) => brain.npcId === npcId) ?? this.brains[0])?.modelDir ?? "";
  }

  /**
   * `question`'s text as the thread's brain hears it (its NPC's names, its model folder's spacing), the key of the
   * poison rule, as a Kafka worker's (heardText): the thread's brain cannot be asked, it may be what dies.
   */
  private heardOf(question: QuestionMessage): string {
    return this.readOf(question).heard;
  }

  private readOf(question: QuestionMessage): { heard: string; key: string } {
    const known = this.reads.get(question);
    if (known !== undefined) return known;
    const spec = this.brains.find((brain) => brain.npcId === question.npcId);
    const modelDir = this.modelOf(question.npcId);
    if (!this.spacings.has(modelDir)) this.spacings.set(modelDir, Spacing.load(modelDir));
    const spacing = this.spacings.get(modelDir);
    // An NPC not in the world is answered by the thread's stand-in brain, which has no names.
    const heard = heardText(question.text, (line) => hearLine(line, spec ? callNamesOf(spec) : [], (read) => readChatLine(read, spacing)));
    const read = { heard, key: keyOf(modelDir, traceOf(heard).textHash) };
    this.reads.set(question, read);
    return read;
  }

  /** One list of questions on the thread; see answerAll. */
  private async answerBatch(questions: QuestionMessage[], ready?: (answer: AnswerMessage) => void): Promise<AnswerMessage[]> {
    const thread = this.thread;
    // Suspects as asked: one that becomes a suspect meanwhile (a batch beside it, on the same death) is not yet a killer.
    const suspects = new Set(questions.filter((question) => this.isSuspect(question)).map(({ questionId }) => questionId));
    const told = new Set<string>();
    const tell = (answers: AnswerMessage[]) =>
      answers.forEach((answer) => {
        told.add(answer.questionId);
        ready?.(answer);
      });
    try {
      const reply = await this.ask({ type: "questions", questions }, this.watch.answerWithinMs, tell);
      const answers = reply.type === "answers" ? reply.answers : [];
      // Cleared only where the brain ran it alone and the thread lived: an expired answer or a scripted line tell nothing.
      for (const question of questions) {
        if (suspects.has(question.questionId) && answers.some((answer) => answer.questionId === question.questionId && ranOnBrain(answer))) this.suspects.delete(this.keyOf(question));
      }
      return answers;
    } catch (error) {
      if (error instanceof ThreadDied) return this.afterDeath(questions.filter(({ questionId }) => !told.has(questionId)), suspects, error, tell);
      if (!(error instanceof ReplyLate) || !thread || this.thread !== thread) throw error;
      this.log.error("NPC worker thread hangs; ending it, answering its batch with an error, and starting another", {
        waitedMs: this.watch.answerWithinMs,
        questions: questions.length,
      });
      this.detach(thread, "hung");
      // Replaced now, not when it exits: one stuck in a native call (onnxruntime's run) cannot be ended until that
      // returns, and every batch meanwhile waited out answerWithinMs to hear an error.
      void this.replace("hung");
      void thread.terminate().then(() => this.log.info("the hung NPC worker thread ended", { thread: thread.threadId }));
      // As a death: its texts are suspects, asked alone next time, and one that hung the thread alone is a killer.
      // Not offered again: by default a hang is found past the questions' age (answerWithinMs), too late to answer.
      this.inFlightAtDeath(questions.filter(({ questionId }) => !told.has(questionId)), suspects);
      const hung = new NpcError("worker_error", `the NPC worker did not answer in ${this.watch.answerWithinMs / 1000} s and was restarted`);
      return brainlessAnswers(hung)(questions);
    }
  }

  /**
   * `unanswered` were in flight as the thread died or hung: those that were `suspects` as asked are killers, remembered
   * and logged, and returned; the others are suspects from now.
   */
  private inFlightAtDeath(unanswered: QuestionMessage[], suspects: ReadonlySet<string>): { twice: QuestionMessage[]; once: QuestionMessage[] } {
    const twice = unanswered.filter(({ questionId }) => suspects.has(questionId));
    const once = unanswered.filter(({ questionId }) => !suspects.has(questionId));
    for (const question of twice) {
      this.suspects.delete(this.keyOf(question));
      this.killers.remember(this.modelOf(question.npcId), traceOf(this.heardOf(question)).textHash);
    }
    for (const question of once) {
      const key = this.keyOf(question);
      this.suspects.delete(key); // to the end of the insertion order: the oldest are forgotten first
      this.suspects.set(key, performance.now());
    }
    for (const oldest of this.suspects.keys()) {
      if (this.suspects.size <= SUSPECTS_KEPT) break;
      this.suspects.delete(oldest);
    }
    if (twice.length > 0) {
      // Their texts' traces, not the texts (players' words), to match the warnings of their being asked again.
      const texts = twice.map((question) => traceOf(this.heardOf(question)));
      this.log.error("a question was in flight at two deaths of the NPC worker thread: answered with an error, its text refused for an hour", { questionIds: twice.map(({ questionId }) => questionId), texts });
    }
    return { twice, once };
  }

  /**
   * The thread died with `unanswered` in flight. Those asked as suspects (`suspects`) are answered with an error (told to
   * `tell`), their texts killers; the others' texts are suspects. Rejects with `died` while any is left to ask again.
   */
  private afterDeath(unanswered: QuestionMessage[], suspects: ReadonlySet<string>, died: ThreadDied, tell: (answers: AnswerMessage[]) => void): AnswerMessage[] {
    const { twice, once } = this.inFlightAtDeath(unanswered, suspects);
    const error = { code: "worker_error", message: `the NPC worker thread went twice with this question in flight (last: ${died.why}); not asked again` };
    const answers = twice.map((question) => errorAnswer(question, error));
    tell(answers);
    if (once.length > 0) throw died;
    return answers;
  }

  /**
   * The NPCs whose knowledge file is `file` know `pairs` from now on (NpcCast.replaceKnowledge); resolves with their
   * ids. A thread that replaces a dead one starts with them too: the file may have changed since into one that fails
   * its checks, which would stop that thread from starting. So while no thread runs, the pairs are taken all the same.
   */
  async replaceKnowledge(file: string, pairs: KnowledgePair[]): Promise<string[]> {
    this.knowledgeTaken.set(resolve(file), pairs);
    this.edits++;
    const reply = await this.ask({ type: "knowledge", file, pairs }, this.watch.replyWithinMs).catch(() => undefined);
    if (reply?.type === "knowledge") return reply.npcs;
    return this.brains.filter((brain) => brain.knowledge && resolve(brain.knowledge) === resolve(file)).map((brain) => brain.npcId);
  }

  /**
   * The NPCs' decoding, unsure lines and scripted bar from now on (NpcCast.replaceSettings); resolves with their ids.
   * A thread that replaces a dead one starts with them, so while no thread runs they are taken all the same.
   */
  async replaceSettings(brains: NpcBrainSpec[]): Promise<string[]> {
    this.brains = brains;
    this.rememberKnowledge(brains);
    this.edits++;
    const reply = await this.ask({ type: "settings", brains }, this.watch.replyWithinMs).catch(() => undefined);
    return reply?.type === "settings" ? reply.npcs : brains.map((brain) => brain.npcId);
  }

  /** The thread's metrics (answers by outcome, model tokens/s), shown in the server's /metrics; none while it is gone. */
  async metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    const reply = await this.ask({ type: "metrics" }, this.watch.replyWithinMs).catch(() => undefined);
    return reply?.type === "metrics" ? reply.metrics : [];
  }

  /** `feeder` (a watcher that calls this worker) is closed as the worker stops. */
  closeOnStop(feeder: { close(): void }): void {
    this.feeding.push(feeder);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const feeder of this.feeding) feeder.close();
    this.removeMetrics();
    await this.channel.stop();
    await this.thread?.terminate();
  }

  /** Whether a thread runs to answer: not while one that died or hung is being replaced (seconds, or for good). */
  get answering(): boolean {
    return this.thread !== undefined && !this.stopped;
  }

  private attach(thread: Worker): void {
    this.thread = thread;
    this.threadStartedAt = performance.now();
    thread.on("message", (reply: FromThread) => {
      if (!("id" in reply)) return;
      if (reply.type === "answered") return this.answered.get(reply.id)?.(reply.answers);
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
      this.answered.delete(reply.id);
    });
    thread.on("error", (error) => this.log.error("NPC worker thread failed", { error }));
    thread.once("exit", (code) => {
      if (this.thread !== thread) return; // a hung thread, replaced already
      this.detach(thread, `exited (${code})`);
      if (!this.stopped) void this.replace(`exited (${code})`);
    });
  }

  /** The thread is no longer asked anything; what waits on it is failed. */
  private detach(thread: Worker, why: string): void {
    if (this.thread === thread) this.thread = undefined;
    for (const waiter of this.waiting.values()) waiter(new ThreadDied(why));
    this.waiting.clear();
    this.answered.clear();
  }

  /**
   * The pairs of each knowledge file as the thread takes it now (at start, or an NPC added by an edit; checked then):
   * a thread that replaces a dead one starts with them. Read from the file instead, one saved since with a mistake
   * (which its reload refused, the NPC keeping its lines) stopped every replacement from starting, and all NPCs fell silent.
   */
  private rememberKnowledge(brains: NpcBrainSpec[]): void {
    const used = new Set(brains.flatMap(({ knowledge }) => (knowledge ? [resolve(knowledge)] : [])));
    for (const file of this.knowledgeTaken.keys()) if (!used.has(file)) this.knowledgeTaken.delete(file); // no NPC knows it now
    for (const { knowledge, knowledgePairs } of brains) {
      if (!knowledge || this.knowledgeTaken.has(resolve(knowledge))) continue;
      try {
        this.knowledgeTaken.set(resolve(knowledge), knowledgePairs ?? readKnowledgeFile(knowledge));
      } catch {
        // The thread reads it as it casts the NPC, and says what is wrong there.
      }
    }
  }

  private async replace(why: string): Promise<void> {
    // A thread that died young (a question that kills each new one) is replaced after a pause that grows each time, as
    // one that fails to start: replaced at once, such threads died 19 times in 39 s, each a 2–3 s model load.
    const livedMs = Math.round(performance.now() - this.threadStartedAt);
    let pause = livedMs < LIVED_LONG_MS ? nextPause(this.restartPause) : 0;
    this.log.error("NPC worker thread gone; starting another", { why, livedMs, startInMs: pause });
    for (; !this.stopped; pause = nextPause(pause)) {
      this.restartPause = pause;
      await new Promise((resolve) => setTimeout(resolve, pause));
      try {
        const edits = this.edits;
        const brains = this.brains.map((brain) => {
          const taken = brain.knowledge && this.knowledgeTaken.get(resolve(brain.knowledge));
          return taken ? { ...brain, knowledgePairs: taken } : brain;
        });
        // The models loaded at start stay loaded (world-reload.ts lets an edit bring back an NPC that speaks with one).
        const alsoModels = this.options.brains.map(({ model, modelDir }) => ({ model, modelDir }));
        const { thread, unloaded } = await startThread({ ...this.options, brains, alsoModels }, this.watch);
        if (this.stopped) return void (await thread.terminate());
        this.unloadedModels = unloaded;
        this.attach(thread);
        this.log.info("NPC worker thread replaced", { thread: thread.threadId });
        // Edits taken while it loaded (seconds) were answered for it, but it started without them: sent now, before
        // any question (the bus offers those again on a timer), they reach it first.
        if (this.edits !== edits) this.sendEditsTaken();
        return;
      } catch (error) {
        this.log.error("NPC worker thread did not start", { error, retryInMs: nextPause(pause) });
      }
    }
  }

  private sendEditsTaken(): void {
    const failed = (error: Error) => this.log.error("an edit could not reach the new NPC worker thread", { error });
    this.ask({ type: "settings", brains: this.brains }, this.watch.replyWithinMs).catch(failed);
    for (const [file, pairs] of this.knowledgeTaken) this.ask({ type: "knowledge", file, pairs }, this.watch.replyWithinMs).catch(failed);
  }

  /**
   * The thread's reply; rejects when the thread is gone or exits, and with ReplyLate after `withinMs`. `answered` is
   * told of the answers the thread sends ahead of its reply.
   */
  private ask(message: ToThread, withinMs: number, answered?: (answers: AnswerMessage[]) => void): Promise<FromThread> {
    const thread = this.thread;
    if (!thread) return Promise.reject(new Error("the NPC worker thread is being replaced"));
    const id = this.nextId++;
    if (answered) this.answered.set(id, answered);
    return new Promise((resolve, reject) => {
      const late = setTimeout(() => {
        this.waiting.delete(id);
        this.answered.delete(id);
        reject(new ReplyLate(message.type, withinMs));
      }, withinMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(late);
        if (reply instanceof ThreadDied) reject(reply);
        else if (reply.type === "failed") reject(new Error(reply.message));
        else resolve(reply);
      });
      thread.postMessage({ ...toThread(message), id });
    });
  }
}

/** A batch's `dueAt`s as the time left now, which the thread puts back on its own clock (worker-thread-main.ts). */
function toThread(message: ToThread): ToThread {
  if (message.type !== "questions") return message;
  const now = performance.now();
  const questions = message.questions.map(({ dueAt, ...question }: WorkerQuestion) => (dueAt === undefined ? question : { ...question, leftMs: dueAt - now }));
  return { ...message, questions };
}

class ReplyLate extends Error {
  constructor(asked: string, withinMs: number) {
    super(`the NPC worker thread did not reply to ${asked} in ${withinMs} ms`);
  }
}

/** The thread went (exited, or was ended as hung) with the question in flight. */
class ThreadDied extends Error {
  constructor(readonly why: string) {
    super(`the NPC worker thread ${why}`);
  }
}

/** At once, then 1 s, doubling up to 30 s. */
function nextPause(pause: number): number {
  return Math.min(Math.max(1000, pause * 2), 30_000);
}

/** A thread with the cast loaded, or the NpcError it failed with (ModelFileMissing for a file not there). */
async function startThread(
  options: WorkerThreadOptions,
  { main, readyWithinMs }: Pick<ThreadWatch, "main" | "readyWithinMs">,
): Promise<{ thread: Worker; models: string[]; unloaded: string[] }> {
  const thread = new Worker(main, { workerData: options });
  let late: NodeJS.Timeout | undefined;
  const first = await new Promise<FromThread>((resolve, reject) => {
    thread.once("message", resolve);
    thread.once("error", reject);
    // A thread that ends without a word (process.exit in a library) would leave the replacement waiting for good.
    thread.once("exit", (code) => reject(new Error(`the NPC worker thread exited (${code}) as it started`)));
    // …and so would one whose warm-up never returns (the server's start, and every NPC, waited for good).
    late = setTimeout(() => {
      void thread.terminate();
      reject(new NpcError("model_unavailable", `the NPC worker thread did not load and warm its models in ${readyWithinMs / 1000} s; ended`));
    }, readyWithinMs);
  }).finally(() => clearTimeout(late));
  if (first.type === "ready") return { thread, models: first.models, unloaded: first.unloaded };
  await thread.terminate();
  if (first.type !== "failed") throw new Error(`unexpected ${first.type} from the NPC worker thread`);
  throw first.missing !== undefined ? new ModelFileMissing(first.missing, first.message) : new NpcError(first.code, first.message);
}
