/** A player's allowance (of questions, of seconds of travel): `burst` at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now = performance.now(),
  ) {
    this.tokens = burst;
    this.updated = now;
  }

  /** Takes one token, or says how long until one is there. */
  take(now = performance.now()): { ok: true } | { ok: false; waitMs: number } {
    const waitMs = this.waitMs(now);
    if (waitMs > 0) return { ok: false, waitMs };
    this.tokens -= 1;
    return { ok: true };
  }

  /** Milliseconds until a whole token is in hand; 0 when one is. */
  waitMs(now = performance.now()): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Tokens in hand now, a fraction of one included (for an allowance spent in amounts, such as travel). */
  available(now = performance.now()): number {
    this.refill(now);
    return this.tokens;
  }

  /** Spends up to what is in hand. */
  spend(amount: number): void {
    this.tokens = Math.max(0, this.tokens - amount);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updated) / 1000) * this.perSecond);
    this.updated = now;
  }
}
