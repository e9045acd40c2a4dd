import type { AnswerMessage } from "./contract.js";

/**
 * A slice's answers sent as they are done: those ready in one turn of the event loop (a brain batch's) go out in one
 * produce request, so the first batch of a slice is not held until its last is answered (50–65 ms for a slice of two
 * batches; one batch per model for a slice of questions to NPCs on several models).
 */
export class AnswerSends {
  private readonly sent = new Set<AnswerMessage>();
  private readonly sends: Promise<void>[] = [];
  private pending: AnswerMessage[] = [];
  private failure: unknown;

  constructor(private readonly send: (answers: AnswerMessage[]) => Promise<void>) {}

  /** An answer done: sent with the others done in this turn. */
  readonly ready = (answer: AnswerMessage): void => {
    if (this.sent.has(answer)) return;
    this.sent.add(answer);
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(answer);
  };

  /**
   * Sends those of the slice's `answers` not sent yet (a channel's caller need not tell each as it is done), and
   * resolves once every send of the slice was acknowledged; rejects with the first that failed, so that the slice's
   * offsets are not resolved and it is answered again.
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
