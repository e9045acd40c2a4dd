import { type AnswerMessage, errorAnswer } from "./contract.js";
import type { AnswerQuestions, QuestionChannel, WorkerChannel, WorkerQuestion } from "./npc-transport.js";

/**
 * The embedded default: server and worker in one process, no broker. Behaves like the Kafka
 * transport where it matters to a room: questions wait while no worker runs, a worker takes
 * questions in batches, and answers are delivered asynchronously.
 */
const RETRY_AFTER_MS = 1000;
const BATCHES_IN_FLIGHT = 2;
/**
 * Questions kept while the worker is away. A thread that fails to start again waits up to 30 s between tries,
 * and rooms keep asking (each question times out and its player may ask again), so without a bound the backlog
 * would grow for as long as the model stays missing. Past it, the oldest question, most likely given up by its room,
 * is answered `worker_behind` (not `expired`: a room reads that, for a question it still waits for, as a worker
 * whose clock runs ahead).
 */
const MAX_WAITING = 10_000;

/** A question waiting for the worker, since `queuedAt` (performance.now()). */
interface Queued {
  question: WorkerQuestion;
  queuedAt: number;
}

export class InProcessBus {
  private readonly waiting: Queued[] = [];
  private worker: AnswerQuestions | undefined;
  private readonly servers = new Map<string, (answer: AnswerMessage) => void>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly maxBatch = 16,
    private readonly maxWaiting = MAX_WAITING,
  ) {}

  serverChannel(instanceId: string): QuestionChannel {
    return {
      kind: "in-process",
      start: async (onAnswer) => {
        this.servers.set(instanceId, onAnswer);
      },
      sendQuestion: async (question, leftMs) => {
        const queuedAt = performance.now();
        // Its deadline on this thread's monotonic clock: a wall-clock step must not expire it (or keep it alive).
        const dueAt = leftMs === undefined ? {} : { dueAt: queuedAt + leftMs };
        this.waiting.push({ question: { ...question, replyTo: instanceId, ...dueAt }, queuedAt });
        if (this.waiting.length > this.maxWaiting) this.dropOldest();
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

  /**
   * Like a consumer loop: batches of questions in arrival order, two with the worker at a time (the Kafka
   * worker takes partitions side by side), so the next batch already waits at the brain while the
   * answers of the one before travel back and the brain never idles between batches. A batch is taken
   * on the next turn of the event loop: answers come back one by one and each frees a player to ask
   * again, so taken at once a batch would often hold just the first of them.
   */
  private drain(): void {
    if (this.scheduled || this.inFlight >= BATCHES_IN_FLIGHT || !this.worker || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const worker = this.worker;
      if (!worker || this.waiting.length === 0) return;
      this.inFlight++;
      const batch = this.waiting.splice(0, this.maxBatch);
      this.drain();
      void this.answer(worker, batch);
    });
  }

  private async answer(worker: AnswerQuestions, batch: Queued[]): Promise<void> {
    // Each answer is delivered as it is done (a brain batch's together), so one batch is not held until the next ends;
    // once, as the worker's list at the end holds every answer it told of already.
    const delivered = new Set<string>();
    const ready = (answer: AnswerMessage) => {
      if (delivered.has(answer.questionId)) return;
      delivered.add(answer.questionId);
      this.deliver(answer);
    };
    let answers: AnswerMessage[];
    try {
      answers = await worker(batch.map(({ question }) => question), ready);
    } catch {
      // The worker failed as a whole: keep its questions not answered yet, as an uncommitted Kafka batch would,
      // and try again a little later rather than in a tight loop.
      this.waiting.unshift(...batch.filter(({ question }) => !delivered.has(question.questionId)));
      setTimeout(() => {
        this.inFlight--;
        this.drain();
      }, RETRY_AFTER_MS).unref();
      return;
    }
    // Outside the retry: a batch the worker answered is never asked again, whatever a server does with an answer.
    for (const answer of answers) ready(answer);
    this.inFlight--;
    this.drain();
  }

  private dropOldest(): void {
    const { question, queuedAt } = this.waiting.shift()!;
    const waited = Math.round((performance.now() - queuedAt) / 1000);
    const answer = errorAnswer(question, { code: "worker_behind", message: `no NPC worker for ${waited} s and ${this.maxWaiting} questions behind; not answered` });
    setImmediate(() => this.deliver(answer)); // asynchronously, as every answer, not inside the asking room's send
  }

  private deliver(answer: AnswerMessage): void {
    const onAnswer = answer.replyTo ? this.servers.get(answer.replyTo) : undefined;
    try {
      onAnswer?.(answer);
    } catch (error) {
      // One answer a server could not take must not cost the others of its batch.
      console.error(`in-process bus: the server could not take the answer to ${answer.questionId}:`, error);
    }
  }
}
