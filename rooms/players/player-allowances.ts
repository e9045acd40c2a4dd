import { TRAVEL_IN_HAND_SECONDS } from "./movement.js";
import { TokenBucket } from "./token-bucket.js";
import type { WorldSettings } from "../world-settings.js";

/** Far above a 10 Hz client's moves and a player's typing; past it, on end, a client is disconnected. */
export const MESSAGES_PER_SECOND = 40;
/**
 * Messages a client may send at once: what a 10 Hz client has waiting after the server stalled 20 s, all read in the
 * same millisecond. With 40, a 5 s stall (one connection's 50,000 pipelined requests) put every moving player out.
 */
export const MESSAGE_BURST = 200;
/** Reports a player may send at once, then one every two minutes: enough for a few abusers, too few to flood moderators. */
export const REPORTS_BURST = 5;
export const REPORTS_PER_SECOND = 1 / 120;

/**
 * What one player may still do now, each a token bucket: send messages of any kind (past them the client is
 * disconnected), travel (seconds at top speed: movement.ts), say lines, ask NPCs questions, and report players.
 * Another avatar of the same player (an account on two devices, a player back while their dropped avatar waits)
 * draws on the same lines, questions and reports, and has messages and travel of its own: two avatars on one
 * travel bucket each walked at half speed.
 */
export class PlayerAllowances {
  readonly messages = new TokenBucket(MESSAGE_BURST, MESSAGES_PER_SECOND);
  readonly travel = new TokenBucket(TRAVEL_IN_HAND_SECONDS, 1);
  readonly reports: TokenBucket;
  private readonly lines: TokenBucket;
  private readonly questions: TokenBucket;

  constructor({ chatRate, questionRate }: Pick<WorldSettings, "chatRate" | "questionRate">, samePlayer?: PlayerAllowances) {
    this.lines = samePlayer?.lines ?? new TokenBucket(chatRate.burst, chatRate.perSecond);
    this.questions = samePlayer?.questions ?? new TokenBucket(questionRate.burst, questionRate.perSecond);
    this.reports = samePlayer?.reports ?? new TokenBucket(REPORTS_BURST, REPORTS_PER_SECOND);
  }

  /**
   * How long the slowest of a player's buckets takes to fill from empty: after that, a fresh player's are the same.
   * Reports (10 minutes) are left out, or every leaver would be remembered that long: a player who leaves and joins
   * again has theirs back sooner, and a report again of the same player only replaces their last (player-reports.ts).
   */
  static refillMs({ chatRate, questionRate }: Pick<WorldSettings, "chatRate" | "questionRate">): number {
    const rates = [
      chatRate,
      questionRate,
      { burst: TRAVEL_IN_HAND_SECONDS, perSecond: 1 },
      { burst: MESSAGE_BURST, perSecond: MESSAGES_PER_SECOND },
    ];
    return Math.ceil(Math.max(...rates.map(({ burst, perSecond }) => burst / perSecond)) * 1000);
  }

  /**
   * A report past the player's reports, or past those their address shares (`addressReports`: a guest who leaves and
   * joins again is a new player with reports of their own): how long to wait. Otherwise undefined, and the report is
   * taken from both.
   */
  report(addressReports?: TokenBucket): { waitMs: number } | undefined {
    const waitMs = Math.max(this.reports.waitMs(), addressReports?.waitMs() ?? 0);
    if (waitMs > 0) return { waitMs };
    this.reports.take();
    addressReports?.take();
    return undefined;
  }

  /**
   * A line (a question to an NPC when `asks`) past the player's lines or questions, or past the lines their address
   * shares (`addressLines`, address-lines.ts): what to tell them and how long to wait. Otherwise undefined, and the
   * line is taken from each.
   */
  say(asks: boolean, addressLines?: TokenBucket): { message: string; retryAfterMs: number; byAddress?: true } | undefined {
    const lines = this.lines.waitMs();
    const questions = asks ? this.questions.waitMs() : 0;
    const shared = addressLines?.waitMs() ?? 0;
    if (lines === 0 && questions === 0 && shared === 0) {
      this.lines.take();
      if (asks) this.questions.take();
      addressLines?.take();
      return undefined;
    }
    const waitMs = Math.max(lines, questions, shared);
    const message = (what: string, again: string) => `too many ${what} too fast: ${again} in ${secondsToWait(waitMs)} s`;
    if (questions === waitMs) return { message: message("questions", "ask again"), retryAfterMs: waitMs };
    if (lines === waitMs) return { message: message("lines", "say it again"), retryAfterMs: waitMs };
    return { message: message("lines from your address", "say it again"), retryAfterMs: waitMs, byAddress: true };
  }
}

/** A wait in seconds to a tenth, rounded up: "0.0" (a wait under 50 ms rounded), taken at its word, was refused again. */
export const secondsToWait = (ms: number): string => (Math.ceil(ms / 100) / 10).toFixed(1);
