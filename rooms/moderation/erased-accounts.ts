/** Where the erasure route (server/http/erasure-routes.ts) tells every room, on every server through the presence, of an account erased. */
export const ERASURES_CHANNEL = "kobot:erasures";

/** Twice the longest a question may wait for its answer (NPC_TIMEOUT_MS at most 600 s, its time in the queue included). */
const KEPT_MS = 1_200_000;

/**
 * Accounts erased while a question of theirs may still wait for its answer. The answer's chat-log record carries the
 * question; logged after the erasure, it put the player's words back into the stores it had just been taken out of
 * (the erasure finds answers by their question's line, which was gone). Such an answer is logged without it.
 */
export class ErasedAccounts {
  /** By performance.now(): ordered against questions by this process's own clock, which an NTP step does not move. */
  private readonly erasedAt = new Map<string, number>();

  readonly heard = (account: string): void => {
    const now = performance.now();
    for (const [erased, at] of this.erasedAt) if (now - at > KEPT_MS) this.erasedAt.delete(erased);
    this.erasedAt.set(account, now);
  };

  /** Whether `account` was erased after a question of theirs asked at `askedAt` (performance.now() in this process). */
  erasedSince(account: string | undefined, askedAt: number): boolean {
    const at = account === undefined ? undefined : this.erasedAt.get(account);
    return at !== undefined && at >= askedAt;
  }
}
