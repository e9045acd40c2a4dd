import type { Logger } from "../../common/log.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { npcAnswersIgnored } from "../../common/metrics.js";
import type { AnswerMessage, QuestionMessage } from "../../kafka/contract.js";
import { type QuestionChannel, QuestionRefused } from "../../kafka/npc-transport.js";

export type AskOutcome =
  | { kind: "answer"; answer: AnswerMessage }
  | { kind: "timeout" }
  /** The question could not be handed to the channel (broker down past its retries); `reason` is for the log only. */
  | { kind: "unsent"; reason: string }
  /** The channel would not take it: no NPC worker has run for a question's whole wait (counted as unsent). */
  | { kind: "no_worker" };

interface Pending {
  settle: (outcome: AskOutcome) => void;
  timer: NodeJS.Timeout;
  /** The question's `ts`: when it was asked, by this process's clock. */
  askedAt: number;
  /** The question's `deadline`: when its timer fires, by this process's clock. */
  deadline: number;
}

/**
 * How much of its time a question must still have had for an `expired` answer to blame the worker's clock: one
 * machine's worker can answer `expired` a few ms before this server's timer fires (timers run late under load).
 */
const SKEW_MARGIN_MS = 500;

export interface RouterStats {
  asked: number;
  answered: number;
  timeouts: number;
  unsent: number;
  /** Answers nobody waits for: duplicates (at-least-once delivery), late ones, or unknown ids. */
  ignored: number;
}

/**
 * The server process's side of the NPC: sends questions through the channel and routes each
 * answer back to the room that asked, once. Whatever comes first wins: the answer or the timeout.
 */
export class AnswerRouter {
  private readonly pending = new Map<string, Pending>();
  private readonly idle: Array<() => void> = [];
  readonly stats: RouterStats = { asked: 0, answered: 0, timeouts: 0, unsent: 0, ignored: 0 };
  private readonly skewLogged = logThrottle(10_000);
  private readonly workerErrorLogged = logThrottle(10_000);
  private readonly unsentLogged = logThrottle(10_000);

  constructor(
    private readonly channel: QuestionChannel,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  get transport(): QuestionChannel["kind"] {
    return this.channel.kind;
  }

  get waiting(): number {
    return this.pending.size;
  }

  start(): Promise<void> {
    return this.channel.start((answer) => this.deliver(answer));
  }

  /**
   * Sends a question and resolves with its answer, or a timeout `timeoutMs` after it was asked: `waitedMs` is how
   * long it already waited for its turn, so a queue behind a dead worker does not stack its players' waits
   * (10, 20, 30 … s) but times each question out from when it was asked, unsent if its time is already up. The
   * question carries that moment as its `deadline`, so a worker spends no model time on it once nobody waits.
   */
  ask(question: QuestionMessage, waitedMs = 0): Promise<AskOutcome> {
    this.stats.asked++;
    const leftMs = this.timeoutMs - waitedMs;
    if (leftMs <= 0) {
      this.stats.timeouts++;
      return Promise.resolve({ kind: "timeout" });
    }
    const deadline = Math.round(Date.now() + leftMs); // whole ms, as the contract has it (waitedMs is fractional)
    const outcome = new Promise<AskOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(question.questionId, { kind: "timeout" }), leftMs);
      this.pending.set(question.questionId, { settle: resolve, timer, askedAt: question.ts, deadline });
    });
    this.channel.sendQuestion({ ...question, deadline }, leftMs).catch((error: Error) => {
      // While the broker is away every question fails so: a line every 10 s, with how many.
      const held = this.unsentLogged(error.name);
      if (held !== undefined) this.log.error("could not send a question", { questionId: question.questionId, error, ...repeatsField(held) });
      const noWorker = error instanceof QuestionRefused && error.why === "no_worker";
      this.settle(question.questionId, noWorker ? { kind: "no_worker" } : { kind: "unsent", reason: error.message });
    });
    return outcome;
  }

  private deliver(answer: AnswerMessage): void {
    const entry = this.pending.get(answer.questionId);
    if (!entry) {
      this.stats.ignored++;
      npcAnswersIgnored.inc();
      this.log.debug("ignored an answer nobody waits for", { questionId: answer.questionId });
      return;
    }
    // In-process, the worker judges the question by this process's monotonic clock: no other machine's to blame.
    if (answer.error?.code === "expired" && this.channel.kind !== "in-process") this.warnOfClockSkew(entry);
    else if (answer.error) this.logWorkerError(answer);
    this.settle(answer.questionId, { kind: "answer", answer });
  }

  /**
   * A worker judges a question's deadline by its own clock (an older worker: its age against its own NPC_TIMEOUT_MS):
   * one that finds a question past it while this server still waits well over SKEW_MARGIN_MS runs a clock ahead of
   * this machine's (or a shorter timeout). It would turn every question away, the NPC saying only its fallback:
   * said once in 10 s.
   */
  private warnOfClockSkew({ askedAt, deadline }: Pending): void {
    const now = Date.now();
    const leftMs = deadline - now;
    if (leftMs <= SKEW_MARGIN_MS) return;
    const held = this.skewLogged("skew");
    if (held === undefined) return;
    const ageMs = Math.round(now - askedAt);
    this.log.error(
      `a worker turned away as expired a question asked ${ageMs} ms ago: its clock is at least ${(leftMs / 1000).toFixed(1)} s ahead of this server's, or it is an older worker with a shorter NPC_TIMEOUT_MS (${this.timeoutMs} ms here). Sync the machines' clocks (NTP)`,
      { askedMsAgo: ageMs, timeoutMs: this.timeoutMs, ...repeatsField(held) },
    );
  }

  /** What a worker said went wrong is for operators (its player hears only that the NPC could not answer): once in 10 s per code. */
  private logWorkerError({ questionId, npcId, error }: AnswerMessage): void {
    const held = this.workerErrorLogged(error!.code);
    if (held === undefined) return;
    this.log.warn("an NPC worker could not answer", { questionId, npcId, code: error!.code, reason: error!.message, ...repeatsField(held) });
  }

  private settle(questionId: string, outcome: AskOutcome): void {
    const entry = this.pending.get(questionId);
    if (!entry) return;
    this.pending.delete(questionId);
    clearTimeout(entry.timer);
    if (outcome.kind === "answer") this.stats.answered++;
    else if (outcome.kind === "timeout") this.stats.timeouts++;
    else this.stats.unsent++;
    entry.settle(outcome);
    if (this.pending.size === 0) this.idle.splice(0).forEach((wake) => wake());
  }

  /** Resolves when every question asked so far has its answer or its fallback (for shutdown). */
  settled(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  stop(): Promise<void> {
    return this.channel.stop();
  }
}
