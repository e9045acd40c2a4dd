import type { AnswerMessage, AnswerSource, QuestionMessage } from "../../kafka/contract.js";
import { CONTRACT_VERSION, errorAnswer, errorWithin } from "../../kafka/contract.js";
import type { WorkerChannel, WorkerQuestion } from "../../kafka/npc-transport.js";
import type { Logger } from "../../common/log.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { answerSources, processKillersRefused, workerAnswers } from "../../common/metrics.js";
import { pickLine } from "../../common/pick-line.js";
import { type NpcAnswer, NpcEngine } from "../engine.js";
import type { NpcBrain, UnsureLines } from "../npc-brain.js";
import { NpcCast } from "../npc-cast.js";
import { NpcError } from "../errors.js";
import { normaliseQuestion } from "../question.js";
import { heardText, ranOnBrain, type TextTrace, traceOf } from "./brain-killers.js";
import { BrainTurns } from "./brain-turns.js";
import type { HangWatch } from "./hang-watch.js";
import type { InFlightRecord, RunningQuestion } from "./in-flight-record.js";

export interface NpcWorkerOptions {
  /**
   * Questions older than this are not worth answering: the room has already given its fallback line. Only for a
   * question without a `deadline` (from a server before it was sent).
   */
  maxQuestionAgeMs?: number;
  /** Most questions the brain generates in one batch. */
  maxBatch?: number;
  now?: () => number;
  /**
   * Told of each batch as it starts and ends, to see a brain that hangs (a native call that never returns): a Kafka
   * worker's ends the process (hang-watch.ts); the embedded worker's thread has its own watch, ThreadWatch.
   */
  hangs?: HangWatch;
  /**
   * A Kafka worker's record of the questions its brain runs, kept past the process's death (in-flight-record.ts): those
   * in flight at one death are run alone, those at two answered `worker_error` without the brain.
   */
  record?: InFlightRecord;
}

/**
 * The NPC worker: takes questions from a channel (in-process or Kafka), answers each with its NPC's
 * brain (model, knowledge, settings), and sends one answer per question back, an `error` answer when
 * it cannot answer.
 */
export class NpcWorker {
  private readonly cast: NpcCast;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private answered = 0;
  /**
   * Per NPC, the unsure line it said last: never twice in a row. Kept by its brain, not its id, so that one taken out
   * of the world (its brain dropped by the cast) leaves nothing here: by id, every NPC ever unsure was kept for good.
   */
  private readonly lastUnsure = new WeakMap<NpcBrain, string>();
  /** NPCs asked that this worker's world does not hold, warned of once each. */
  private readonly strangers = new Set<string>();
  /** Questions from a server on another world file, said once per NPC per 10 s, until the two run the same file. */
  private readonly otherWorldLogged = logThrottle(10_000);
  /** A suspect runs with nothing else on the brain: what dies with it then is its own doing, not a batch-mate's. */
  private readonly turns = new BrainTurns();

  /** A whole cast, or one engine that answers for every NPC. */
  constructor(
    brains: NpcCast | NpcEngine,
    private readonly channel: WorkerChannel,
    private readonly log: Logger,
    private readonly options: NpcWorkerOptions = {},
  ) {
    this.cast = brains instanceof NpcEngine ? NpcCast.single(brains, options.maxBatch) : brains;
    this.maxAgeMs = options.maxQuestionAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The loaded models' names. */
  get models(): string[] {
    return this.cast.models;
  }

  get answeredCount(): number {
    return this.answered;
  }

  async start(): Promise<void> {
    // Said before the channel starts, which waits for a broker that may be away.
    for (const [dir, error] of this.cast.unloaded) {
      this.log.error("NPC model not loaded: its NPCs say a fallback line to every question, the others answer", { model: dir, error: error.message, npcs: this.cast.npcsOn(dir) });
    }
    await this.channel.start((questions, ready) => this.answerAll(questions, ready));
    this.log.info("npc worker started", { transport: this.channel.kind, models: this.models });
  }

  async stop(): Promise<void> {
    await this.channel.stop();
  }

  /** Never rejects: every question gets an answer or an `error` answer, told to `ready` as it is done. */
  async answerAll(questions: QuestionMessage[], ready?: (answer: AnswerMessage) => void): Promise<AnswerMessage[]> {
    const { record } = this.options;
    if (!record) return this.answerTogether(questions, ready);
    record.refresh();
    const refused: AnswerMessage[] = [];
    const expired: QuestionMessage[] = [];
    const together: RunningQuestion[] = [];
    const alone: RunningQuestion[] = [];
    const asked = new Map<string, QuestionMessage>();
    for (const question of questions) {
      const brain = this.cast.brainFor(question.npcId);
      const model = brain.engine.modelName;
      const heard = heardText(question.text, (line) => brain.hear(line));
      const verdict = record.verdict(model, heard);
      const running = { questionId: question.questionId, model, ...traceOf(heard) };
      if (verdict !== undefined && verdict !== "suspect") refused.push(this.refuseKiller(question, running, verdict.killer.firstRefusal, ready));
      // Past its deadline the brain never runs it: not in flight, and no solo turn. A hang watch's kill (40 s into a
      // batch) makes every redelivered question so, and a suspect cleared by that answer lost its first death.
      else if (this.expired(question)) expired.push(question);
      else if (verdict === "suspect") alone.push(running);
      else together.push(running);
      asked.set(question.questionId, question);
    }
    // Written before the brain runs them: should they kill the process, the next worker knows what it ran.
    const run = async (running: RunningQuestion[]) => {
      const done = record.runs(running);
      try {
        return await this.answerTogether(running.map(({ questionId }) => asked.get(questionId)!), ready);
      } finally {
        done();
      }
    };
    const answered = await Promise.all([
      expired.length > 0 ? this.answerTogether(expired, ready) : [],
      together.length > 0 ? this.turns.together(() => run(together)) : [],
      ...alone.map((suspect) =>
        this.turns.alone(async () => {
          const answers = await run([suspect]);
          // Cleared only where the brain ran it and the process lived: an unloaded model, a scripted line or a deadline
          // passed in the queue tell nothing of its death.
          if (answers.every(ranOnBrain)) record.answeredAlone(suspect);
          return answers;
        }),
      ),
    ]);
    return [...refused, ...answered.flat()];
  }

  /** `question`'s text was in flight at two deaths of a worker within the hour: answered so, not run. */
  private refuseKiller(question: QuestionMessage, { textHash, textChars }: TextTrace, firstRefusal: boolean, ready?: (answer: AnswerMessage) => void): AnswerMessage {
    processKillersRefused.inc();
    if (firstRefusal) {
      this.log.warn("a question whose text was in flight at two deaths of an NPC worker was asked again: answered with an error, not run", {
        questionId: question.questionId,
        npcId: question.npcId,
        textHash,
        textChars,
      });
    }
    const answer = errorAnswer(question, { code: "worker_error", message: "NPC workers died twice with this question in flight within the hour; not run again" });
    workerAnswers.inc({ outcome: "worker_error" });
    this.tell(answer, ready);
    return answer;
  }

  private tell(answer: AnswerMessage, ready?: (answer: AnswerMessage) => void): void {
    try {
      ready?.(answer);
    } catch (error) {
      // The answer is still in the list; a caller's callback must not cost it, nor make this reject.
      this.log.error("an answer's ready callback failed", { questionId: answer.questionId, error });
    }
  }

  /** `questions` given to the brain together (it batches them as its queues see fit). */
  private async answerTogether(questions: QuestionMessage[], ready?: (answer: AnswerMessage) => void): Promise<AnswerMessage[]> {
    const ended = this.options.hangs?.started();
    try {
      return await Promise.all(questions.map(async (question) => {
        const answer = await this.answerOne(question);
        workerAnswers.inc({ outcome: answer.error?.code ?? "answer" });
        this.tell(answer, ready);
        return answer;
      }));
    } finally {
      ended?.();
    }
  }

  /** When the room gives up on `question`: its server's deadline, or for one without, its age past maxQuestionAgeMs. */
  private deadlineOf(question: QuestionMessage): number {
    return question.deadline ?? question.ts + this.maxAgeMs;
  }

  /**
   * How long the room still waits for `question`'s answer: in-process, by this thread's monotonic clock (`dueAt`: one
   * machine, and an NTP step expired every question waiting); from Kafka, by this machine's clock against the server's.
   */
  private msLeft(question: WorkerQuestion): number {
    return question.dueAt === undefined ? this.deadlineOf(question) - this.now() : question.dueAt - performance.now();
  }

  private expired(question: WorkerQuestion): boolean {
    return this.msLeft(question) < 0;
  }

  private warnOfOtherWorld(npcId: string, reason: string): void {
    const held = this.otherWorldLogged(npcId);
    if (held !== undefined) this.log.error("question from a server with another world file: restart the servers and workers on one file", { npcId, reason, ...repeatsField(held) });
  }

  private async answerOne(question: WorkerQuestion): Promise<AnswerMessage> {
    const started = performance.now();
    const unloaded = this.cast.unavailableFor(question.npcId);
    if (unloaded) return errorAnswer(question, unloaded);
    // A server on another world file: an NPC this worker does not know, on another model than its stand-in's, is not
    // answered as someone else; one it knows is answered as its own file says (in a rolling change of models it
    // may be the newer), and said to be so.
    const stranger = this.cast.isStranger(question.npcId);
    const otherModel = this.cast.otherModel(question.npcId, question.model);
    if (otherModel) this.warnOfOtherWorld(question.npcId, otherModel);
    if (otherModel && stranger) return errorAnswer(question, { code: "model_unavailable", message: otherModel });
    if (stranger && !this.strangers.has(question.npcId)) {
      this.strangers.add(question.npcId);
      // A server with another world file (a rolling upgrade, a worker not redeployed): answered, but not as that NPC.
      this.log.warn("question for an NPC not in this worker's world: answered by its first model, without the NPC's knowledge or settings", { npcId: question.npcId, model: this.cast.models[0] });
    }
    const brain = this.cast.brainFor(question.npcId);
    const model = brain.engine.modelName;
    // The answer names what wrote it (the model, or the knowledge file whose line was said as written) and where
    // its words came from, which is counted per NPC.
    const reply = (text: string, said: Said): AnswerMessage => {
      const answer: AnswerMessage = {
        v: CONTRACT_VERSION,
        questionId: question.questionId,
        roomId: question.roomId,
        npcId: question.npcId,
        text,
        ms: Math.round((performance.now() - started) * 10) / 10,
        model,
        ...(question.replyTo ? { replyTo: question.replyTo } : {}),
      };
      if ("error" in said) return { ...answer, error: errorWithin(said.error) };
      answerSources.inc({ npc: question.npcId, source: said.source });
      const action = brain.actionOf(text);
      return { ...answer, model: said.writer ?? model, ...said.judged, source: said.source, ...(action ? { action } : {}) };
    };
    // Checked as it arrives, and again as the brain's queue forms its batch: it may wait there behind a Kafka worker's
    // 4 slices of 32 (AnswerQueue.takeBatch).
    const leftMs = this.msLeft(question);
    if (leftMs < 0) {
      return reply("", { error: { code: "expired", message: `question ${Math.round(-leftMs / 1000)} s past its deadline; not answered` } });
    }
    try {
      // Inside the try: a line that made it throw would have failed its whole batch, and the in-process bus offered
      // the batch again to every new thread, for good.
      const scripted = brain.scriptedLine(question.text);
      if (scripted) {
        this.answered++;
        return reply(scripted.text, { source: "scripted", writer: scripted.source });
      }
      // The player's line is held to the characters a question may have before the NPC hears it (with spaces put back).
      // The deadline by the queue's clock (performance.now()).
      const queued = { ...brain.options, heard: true, deadline: performance.now() + leftMs };
      const answer = await brain.queue.ask(brain.hear(normaliseQuestion(question.text)), queued);
      this.answered++;
      // A small model's least confident answers are mostly nonsense (EVAL.md): the NPC says so in character,
      // as it does when the model said nothing at all or spoke out of character. Its own lines are its
      // studio's words, never withheld (the model is unsure of words it never learnt: -4 to -6 a token).
      const { unsure } = brain;
      if (unsure && !answer.ownLine && givesWay(answer, unsure)) {
        const judged = { confidence: answer.confidence, withheld: answer.text };
        // What the NPC knows that is near the question beats saying it does not know.
        const known = unsure.knowledgeAbove === undefined ? undefined : brain.knowledgeLine(question.text, unsure.knowledgeAbove);
        if (known) return reply(known.text, { source: "knowledge_unsure", writer: known.source, judged });
        const line = pickLine(unsure.lines, this.lastUnsure.get(brain));
        if (line !== undefined) {
          this.lastUnsure.set(brain, line);
          return reply(line, { source: "unsure_line", judged });
        }
      }
      const source = answer.ownLine ? "own_line" : answer.copied ? "copied" : "composed";
      return reply(answer.text, { source, judged: { confidence: answer.confidence } });
    } catch (error) {
      const code = error instanceof NpcError ? error.code : "worker_error";
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof NpcError)) this.log.error("answer failed", { questionId: question.questionId, error });
      return reply("", { error: { code, message } });
    }
  }
}

/** An error, or an answer: where its words came from, who wrote them when not the model, how sure the model was. */
type Said =
  | { error: NonNullable<AnswerMessage["error"]> }
  | { source: AnswerSource; writer?: string; judged?: Pick<AnswerMessage, "confidence" | "withheld"> };

/**
 * Whether an answer gives way to the NPC's unsure handling: the model was less sure of it than the NPC's bar (the
 * stricter `composedBelow` for words it composed rather than copied from a shown pair), said nothing, or spoke out
 * of character.
 */
function givesWay(answer: NpcAnswer, unsure: UnsureLines): boolean {
  const bar = answer.copied ? unsure.below : (unsure.composedBelow ?? unsure.below);
  const outOfCharacter = unsure.outOfCharacter?.some((word) => answer.text.includes(word)) ?? false;
  return answer.confidence < bar || answer.text === "" || outOfCharacter;
}
