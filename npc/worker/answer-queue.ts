import { setImmediate as turn } from "node:timers/promises";

import { modelTokensPerSecond, npcBatchSize } from "../../common/metrics.js";
import type { AskOptions, NpcAnswer, NpcEngine } from "../engine.js";
import { NpcError } from "../errors.js";
import { batchKey, mergeSettings, type GenerationSettings } from "../engine/generation-settings.js";
import type { TokenEvent } from "../engine/token-stream.js";

interface Pending {
  question: string;
  settings: GenerationSettings;
  key: string;
  options: AskOptions;
  askedAt: number;
  /** By performance.now(): past it, nobody waits for the answer. */
  deadline: number;
  resolve: (answer: NpcAnswer) => void;
  reject: (error: unknown) => void;
  /** The asker's onToken threw: no more of the stream goes to them. */
  streamStopped?: boolean;
}

/** Most questions in one batch unless configured (NPC_MAX_BATCH). */
export const DEFAULT_MAX_BATCH = 16;

/** What an asker tells the queue besides the engine's options: how the line was read, and until when it is worth answering. */
export interface QueuedAskOptions extends AskOptions {
  /** The question is a line the NPC heard already (NpcBrain.hear), not read again. */
  heard?: boolean;
  /** By performance.now(): a question still waiting then is rejected `expired` without running the model. */
  deadline?: number;
}

export interface AnswerQueueOptions {
  /** Most questions generated in one batch. */
  maxBatch?: number;
}

/**
 * Micro-batching in front of the engine: a question asked while the brain is idle runs at once (after two turns of
 * the event loop, microseconds when idle);
 * questions asked while it is busy are answered together as one batch when it frees up.
 * Single questions keep their latency, bursts get the batch throughput. FIFO per batchKey (the NPCs' lengths and
 * sampling settings may differ within a batch).
 */
export class AnswerQueue {
  private readonly pending: Pending[] = [];
  private running = false;
  private readonly maxBatch: number;

  constructor(
    private readonly engine: NpcEngine,
    options: AnswerQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  }

  get waiting(): number {
    return this.pending.length;
  }

  /**
   * Bad input is rejected here, alone, so it never fails the batch it would have joined; a line of too many tokens
   * is cut to its end that fits (`checkQuestion`'s `fit`), and the batch answers it as cut.
   */
  ask(question: unknown, options: QueuedAskOptions = {}): Promise<NpcAnswer> {
    return new Promise((resolve, reject) => {
      const settings = mergeSettings(this.engine.defaults, options.settings);
      const text = this.engine.checkQuestion(question, settings, { fit: true, heard: options.heard === true });
      const key = batchKey(settings);
      const askedAt = performance.now();
      this.pending.push({ question: text, settings, key, options, askedAt, deadline: options.deadline ?? Infinity, resolve, reject });
      if (this.running) return;
      // Questions asked in the same turn of the event loop (a worker's batch from the bus) form one batch:
      // started at once, the first ran alone and the rest waited for it (batches of 1, 15, 1, 15 …).
      this.running = true;
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      // Two turns of the event loop before a batch's prefill: the answers done before it (a scripted line, the last
      // batch's) go on first (AnswerSends sends on setImmediate, queued only after this loop went on; the prefill's
      // onnxruntime run queues its own), and questions asked meanwhile join the batch. Without them, those answers
      // waited 8–31 ms for the next batch's preparation and prefill.
      await turn();
      await turn();
      const batch = this.takeBatch();
      if (batch.length > 0) await this.answer(batch);
    }
    this.running = false;
  }

  /** Answers `batch` as one; one that fails for a reason not the batch's own is asked again a question at a time. */
  private async answer(batch: Pending[]): Promise<void> {
    npcBatchSize.observe({ model: this.engine.modelName }, batch.length);
    const started = performance.now();
    try {
      const answers = await this.engine.answerChecked(
        batch.map((p) => p.question),
        {
          settings: batch[0]!.settings,
          settingsOfEach: batch.map((p) => p.settings),
          knowledgeOfEach: batch.map((p) => p.options.knowledge),
          onToken: (event) => streamTo(batch[event.index]!, event),
        },
      );
      const now = performance.now();
      // The batch's tokens over its time: one answer's tokens over the batch's time (and its wait) read a batch of
      // 16 at 484 tokens/s as 20.
      const tokens = answers.reduce((sum, answer) => sum + answer.tokens, 0);
      if (now > started) modelTokensPerSecond.set({ model: this.engine.modelName }, (tokens * 1000) / (now - started));
      answers.forEach((answer, i) => batch[i]!.resolve({ ...answer, ms: now - batch[i]!.askedAt }));
    } catch (error) {
      // One question whose inference fails (onnxruntime's run) failed every question asked with it: each is asked
      // again alone, and only one that fails alone hears the error. An NpcError (settings, expired) is the batch's own.
      if (batch.length === 1 || error instanceof NpcError) for (const entry of batch) entry.reject(error);
      else for (const entry of batch) await this.answer([entry]);
    }
  }

  /**
   * The oldest question and the next ones of its batchKey, up to maxBatch, whichever NPCs they are to (each is shown
   * its own NPC's knowledge and decoded by its own settings: a square of NPCs who know different things answered one
   * at a time, and the village's baker, who speaks shorter, never shared a batch). Those past their
   * deadline go first, unanswered: they waited here behind earlier batches (a Kafka worker holds up to 4 slices of
   * 32), and were checked only as they arrived.
   */
  private takeBatch(): Pending[] {
    this.expire(performance.now());
    if (this.pending.length === 0) return [];
    const { key } = this.pending[0]!;
    const batch: Pending[] = [];
    for (let i = 0; i < this.pending.length && batch.length < this.maxBatch; ) {
      if (this.pending[i]!.key === key) batch.push(...this.pending.splice(i, 1));
      else i++;
    }
    return batch;
  }

  private expire(now: number): void {
    for (let i = 0; i < this.pending.length; ) {
      const entry = this.pending[i]!;
      if (entry.deadline >= now) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      const waited = Math.round((now - entry.askedAt) / 100) / 10;
      entry.reject(new NpcError("expired", `question waited ${waited} s for the model, past its deadline; not answered`));
    }
  }
}

/**
 * One asker's stream, apart from the batch: a callback of theirs that throws (a client gone) stops their stream
 * only, not the answers of the others asked with them.
 */
function streamTo(entry: Pending, event: TokenEvent): void {
  const { onToken } = entry.options;
  if (!onToken || entry.streamStopped) return;
  try {
    onToken({ ...event, index: 0 });
  } catch {
    entry.streamStopped = true;
  }
}
