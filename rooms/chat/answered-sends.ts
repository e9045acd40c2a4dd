import { SEND_AGAIN_WITHIN_SECONDS } from "../world-protocol.js";

/**
 * How long a chat message's sendId is remembered: a client sends again what it sent within SEND_AGAIN_WITHIN_SECONDS
 * by its own clock once it is back, and its notice of the drop and the reconnection come after: twice that.
 */
const REMEMBERED_MS = 2 * SEND_AGAIN_WITHIN_SECONDS * 1000;
/** Ids remembered per sender at most: five times the lines a client keeps to send again (20); a flooder's push out only its own. */
const KEPT_PER_SENDER = 100;
/** Senders whose ids have all aged out are let go this often at most (a sender's own are aged out as they send). */
const SWEPT_EVERY_MS = 10_000;

/** What the room answered a chat message with: a `said` notice, or the `error` that refused it (with its id). */
export type SendAnswer = [type: string, message: unknown];

/** An answer kept, and the line it answered (`words`: its text and whom it was to), told from another under the same id. */
export interface Answered {
  at: number;
  answer: SendAnswer;
  words: string;
}

/**
 * Chat messages' sendIds and how the room answered each, per sender (an account, or a guest's address and name: it
 * outlives a reconnection and a join again into the room). A client that never saw the answer (its socket died first)
 * sends the line again with the same id: it is answered as before, not said twice, and costs no line or question
 * again. Without the id, a busy room that said CHAT_HISTORY lines before the page was back held no echo of the line,
 * and it was said twice. Only answers that did something are kept (a line said, a line moderated: logged, and its NPC
 * replies): a refusal that did nothing is checked afresh, or a line sent again got a rate limit long over.
 */
export class AnsweredSends {
  private readonly senders = new Map<string, Map<string, Answered>>();
  private sweptAt = -Infinity;

  constructor(
    private readonly rememberedMs = REMEMBERED_MS,
    private readonly keptPerSender = KEPT_PER_SENDER,
  ) {}

  /** How the room answered `sendId` from `sender`, and the line it was, if within the time remembered. */
  answerOf(sender: string, sendId: string, now = performance.now()): Answered | undefined {
    const answered = this.senders.get(sender)?.get(sendId);
    return answered && now - answered.at < this.rememberedMs ? answered : undefined;
  }

  answered(sender: string, sendId: string, answer: SendAnswer, words: string, now = performance.now()): void {
    this.sweep(now);
    const sends = this.senders.get(sender) ?? new Map<string, Answered>();
    this.senders.set(sender, sends);
    sends.delete(sendId);
    sends.set(sendId, { at: now, answer, words });
    this.ageOut(sends, now);
    if (sends.size > this.keptPerSender) sends.delete(sends.keys().next().value!);
  }

  /** Ids remembered now, all senders together. */
  get size(): number {
    let size = 0;
    for (const sends of this.senders.values()) size += sends.size;
    return size;
  }

  /** Map order is the order answered: the oldest go first. */
  private ageOut(sends: Map<string, Answered>, now: number): void {
    for (const [sendId, { at }] of sends) {
      if (now - at < this.rememberedMs) return;
      sends.delete(sendId);
    }
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < SWEPT_EVERY_MS) return;
    this.sweptAt = now;
    for (const [sender, sends] of this.senders) {
      this.ageOut(sends, now);
      if (sends.size === 0) this.senders.delete(sender);
    }
  }
}
