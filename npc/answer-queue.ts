import type { AskOptions, NpcAnswer, NpcEngine } from "./engine.js";
import { mergeSettings, settingsKey, type GenerationSettings } from "./generation-settings.js";

/** What the queue is told besides what the engine is: who asked, for fair batches. */
export interface QueueAskOptions extends AskOptions {
  /** Who asked (a room): when the brain is busy, each batch takes questions from every asker in turn. */
  from?: string;
}

interface Pending {
  question: string;
  settings: GenerationSettings;
  key: string;
  options: QueueAskOptions;
  askedAt: number;
  resolve: (answer: NpcAnswer) => void;
  reject: (error: unknown) => void;
}

/** Most questions in one batch unless configured (NPC_MAX_BATCH). */
export const DEFAULT_MAX_BATCH = 16;

export interface AnswerQueueOptions {
  /** Most questions generated in one batch. */
  maxBatch?: number;
}

/**
 * Micro-batching in front of the engine: a question asked while the brain is idle runs at once;
 * questions asked while it is busy are answered together as one batch when it frees up.
 * Single questions keep their latency, bursts get the batch throughput. Batches are per settings and knowledge,
 * and take the askers (`from`, rooms) in turn, each asker's questions in the order asked: with one worker for many
 * rooms, a room asking 32 questions at once put a quiet room's one behind them, two batches later.
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
   * is cut to its end that fits (`checkQuestion`'s `fit`).
   */
  ask(question: unknown, options: QueueAskOptions = {}): Promise<NpcAnswer> {
    return new Promise((resolve, reject) => {
      const settings = mergeSettings(this.engine.defaults, options.settings);
      const text = this.engine.checkQuestion(question, settings, { fit: true });
      const key = settingsKey(settings);
      this.pending.push({ question: text, settings, key, options, askedAt: performance.now(), resolve, reject });
      if (this.running) return;
      // Questions asked in the same turn of the event loop (a worker's batch from the bus) form one batch:
      // started at once, the first ran alone and the rest waited for it (batches of 1, 15, 1, 15 …).
      this.running = true;
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.takeBatch();
      try {
        const answers = await this.engine.answerBatch(
          batch.map((p) => p.question),
          {
            settings: batch[0]!.settings,
            ...(batch[0]!.options.knowledge ? { knowledge: batch[0]!.options.knowledge } : {}),
            onToken: (event) => batch[event.index]!.options.onToken?.({ ...event, index: 0 }),
          },
        );
        const now = performance.now();
        answers.forEach((answer, i) => batch[i]!.resolve({ ...answer, ms: now - batch[i]!.askedAt }));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.running = false;
  }

  /**
   * The oldest question and others with the same settings and knowledge, up to maxBatch: each asker's oldest, in
   * the order they first asked, then each one's next, and so on.
   */
  private takeBatch(): Pending[] {
    const { key, options } = this.pending[0]!;
    const byAsker = new Map<string | undefined, number[]>();
    this.pending.forEach((pending, i) => {
      // Same knowledge object too: an NPC's own knowledge never leaks into another's answer.
      if (pending.key !== key || pending.options.knowledge !== options.knowledge) return;
      const asked = byAsker.get(pending.options.from);
      if (asked) asked.push(i);
      else byAsker.set(pending.options.from, [i]);
    });
    const taken: number[] = [];
    for (let turn = 0; taken.length < this.maxBatch; turn++) {
      const before = taken.length;
      for (const asked of byAsker.values()) {
        if (turn < asked.length && taken.length < this.maxBatch) taken.push(asked[turn]!);
      }
      if (taken.length === before) break;
    }
    const batch = taken.map((i) => this.pending[i]!);
    const inBatch = new Set(taken);
    const left = this.pending.filter((_, i) => !inBatch.has(i));
    this.pending.splice(0, this.pending.length, ...left);
    return batch;
  }
}
