import type { AnswerMessage, QuestionMessage } from "./contract.js";
import type { AnswerQuestions, QuestionChannel, WorkerChannel } from "./npc-transport.js";

/**
 * The embedded default: server and worker in one process, no broker. Behaves like the Kafka
 * transport where it matters to a room: questions wait while no worker runs, a worker takes
 * questions in batches, and answers are delivered asynchronously.
 */
const RETRY_AFTER_MS = 1000;

export class InProcessBus {
  private readonly waiting: QuestionMessage[] = [];
  private worker: AnswerQuestions | undefined;
  private readonly servers = new Map<string, (answer: AnswerMessage) => void>();
  private draining = false;

  constructor(private readonly maxBatch = 16) {}

  serverChannel(instanceId: string): QuestionChannel {
    return {
      kind: "in-process",
      start: async (onAnswer) => {
        this.servers.set(instanceId, onAnswer);
      },
      sendQuestion: async (question) => {
        this.waiting.push({ ...question, replyTo: instanceId });
        this.drain();
      },
      stop: async () => {
        this.servers.delete(instanceId);
      },
    };
  }

  workerChannel(): WorkerChannel {
    return {
      kind: "in-process",
      start: async (answerQuestions) => {
        this.worker = answerQuestions;
        this.drain();
      },
      stop: async () => {
        this.worker = undefined;
      },
    };
  }

  get waitingQuestions(): number {
    return this.waiting.length;
  }

  /** Like a consumer loop: one batch at a time; questions that arrive meanwhile form the next batch. */
  private drain(): void {
    if (this.draining || !this.worker || this.waiting.length === 0) return;
    this.draining = true;
    const worker = this.worker;
    const batch = this.waiting.splice(0, this.maxBatch);
    setImmediate(async () => {
      try {
        const answers = await worker(batch);
        for (const answer of answers) this.deliver(answer);
        this.draining = false;
        this.drain();
      } catch {
        // The worker failed as a whole: keep its questions, as an uncommitted Kafka batch would,
        // and try again a little later rather than in a tight loop.
        this.waiting.unshift(...batch);
        setTimeout(() => {
          this.draining = false;
          this.drain();
        }, RETRY_AFTER_MS).unref();
      }
    });
  }

  private deliver(answer: AnswerMessage): void {
    const onAnswer = answer.replyTo ? this.servers.get(answer.replyTo) : undefined;
    onAnswer?.(answer);
  }
}
