import { TokenBucket } from "./token-bucket.js";

/**
 * Lines (or reports: `rate` is any allowance's) the players of one client address may say between them in the rooms
 * given it (the process's, address-shares.ts): `share` players' worth (CHAT_BURST and
 * CHAT_LINES_PER_SECOND times `share`), on top of each player's own allowance. Without it one person's 40
 * connections said 40 players' worth of lines and pushed everyone else's out of the history in seconds; a family
 * or a carrier's NAT rarely says 4 players' worth at once. A bucket that has refilled is the same as a new one,
 * so full ones are forgotten when another address comes: only addresses that spoke in the last few seconds stay.
 */
export class AddressLines {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly burst: number;
  private readonly perSecond: number;

  constructor(rate: { burst: number; perSecond: number }, share: number) {
    this.burst = rate.burst * share;
    this.perSecond = rate.perSecond * share;
  }

  /** The address's bucket of lines. */
  of(address: string, now = performance.now()): TokenBucket {
    const kept = this.buckets.get(address);
    if (kept) return kept;
    // Only a new address grows the map: forgetting here, not on every line, keeps it as small.
    for (const [other, bucket] of this.buckets) if (bucket.available(now) >= this.burst) this.buckets.delete(other);
    const bucket = new TokenBucket(this.burst, this.perSecond, now);
    this.buckets.set(address, bucket);
    return bucket;
  }

  /** Addresses whose buckets are kept now. */
  get size(): number {
    return this.buckets.size;
  }
}
