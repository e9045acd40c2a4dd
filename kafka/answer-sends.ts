import type { AnswerMessage } from "./contract.js";

/**
 * A list of questions' answers sent on as they are done: those ready in one turn of the event loop (a brain batch's)
 * go in one send (a Kafka produce request, a message from the worker's thread), so the first batch of a Kafka slice is
 * not held until its last is answered (50–65 ms for a slice of two batches), nor a scripted line or one model's
 * batch until another model's is done. Each question's answer is sent once.
 */
export class AnswerSends {
  /** By question id: the list's answers come back as copies from a worker's thread. */
  private readonly sent = new Set<string>();
  private readonly sends: Promise<void>[] = [];
  private pending: AnswerMessage[] = [];
  private failure: unknown;

  constructor(private readonly send: (answers: AnswerMessage[]) => Promise<void>) {}

  /** An answer done: sent with the others done in this turn. */
  readonly ready = (answer: AnswerMessage): void => {
    if (this.sent.has(answer.questionId)) return;
    this.sent.add(answer.questionId);
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(answer);
  };

  /**
   * Sends those of the list's `answers` not sent yet (a channel's caller need not tell each as it is done), and
   * resolves once every send was acknowledged; rejects with the first that failed (a Kafka slice's offsets are then
   * not resolved, and it is answered again).
   */
  async settle(answers: readonly AnswerMessage[]): Promise<void> {
    for (const answer of answers) this.ready(answer);
    this.flush();
    await Promise.all(this.sends);
    if (this.failure !== undefined) throw this.failure;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const answers = this.pending;
    this.pending = [];
    // Caught at once: a send that fails before settle awaits it would be an unhandled rejection.
    this.sends.push(this.send(answers).catch((error: unknown) => void (this.failure ??= error)));
  }
}
