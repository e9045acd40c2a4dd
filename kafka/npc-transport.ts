import type { AnswerMessage, QuestionMessage } from "./contract.js";

/**
 * How questions reach NPC workers and answers come back. Two implementations behind one
 * interface, chosen by configuration: in-process (one process, no broker) and Kafka.
 */
export interface QuestionChannel {
  readonly kind: "in-process" | "kafka";
  /** Starts delivering answers addressed to this server process to `onAnswer`. */
  start(onAnswer: (answer: AnswerMessage) => void): Promise<void>;
  /**
   * Resolves once the question is durably handed over (written to the broker, or queued in-process). `leftMs`: how
   * long its asker still waits. Kafka carries the question's `deadline` (wall clock: the one machines share); the
   * in-process channel keeps `leftMs` on the monotonic clock, so an NTP step does not time out every question waiting.
   */
  sendQuestion(question: QuestionMessage, leftMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A question a channel would not take, and why: the broker is away (`unreachable`), or no NPC worker has run for a
 * question's whole wait (`no_worker`). Its player hears at once what happened instead of waiting out the timeout.
 */
export class QuestionRefused extends Error {
  override name = "QuestionRefused";

  constructor(
    readonly why: "unreachable" | "no_worker",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Answers a batch of questions; one answer per question, in any order, errors as `error` answers. `ready`, where given,
 * is told of each answer as soon as it is done (a brain batch's answers in one turn), before the whole list resolves:
 * a list that takes several brain batches (a Kafka worker's slice, questions to NPCs on several models) need not hold
 * the first batch's answers until the last is done. The list still holds every answer.
 */
export type AnswerQuestions = (questions: WorkerQuestion[], ready?: (answer: AnswerMessage) => void) => Promise<AnswerMessage[]>;

/**
 * A question as a worker takes it. From the in-process channel it has `dueAt` too: its deadline by performance.now()
 * on the worker's thread, ahead of `deadline` (npc/worker/worker.ts). Never on Kafka (its contract has no such field).
 */
export type WorkerQuestion = QuestionMessage & { dueAt?: number };

/** The worker's side: takes questions, hands them to the brain, sends the answers back. */
export interface WorkerChannel {
  readonly kind: "in-process" | "kafka";
  start(answerQuestions: AnswerQuestions): Promise<void>;
  stop(): Promise<void>;
}
