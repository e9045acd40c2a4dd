/**
 * Seats kept for a reconnection (a dropped player's avatar, "away"), counted per account or public client address
 * across the process's rooms. A kept seat holds no socket, so the cap on connections per address never saw it: one
 * address joining and dropping its sockets in a loop held every seat of the server (10,000 in 20 s, from no open
 * connection), and one account as many. Past the most, a dropped player's seat goes at once: they join again.
 */
export class AwayHolds {
  private readonly held = new Map<string, number>();

  /** The most seats kept at once for one account, and for one address (0: no cap on addresses). */
  constructor(private readonly most: { account: number; address: number }) {}

  /**
   * Counts a kept seat for `holder` (`account …`, `address …`; undefined: a private network's player, never capped);
   * false when it keeps the most already. Each true is given back with `release` once the seat is taken back or goes.
   */
  take(holder: string | undefined): boolean {
    if (holder === undefined) return true;
    const most = holder.startsWith("account ") ? this.most.account : this.most.address;
    const count = this.held.get(holder) ?? 0;
    if (most > 0 && count >= most) return false;
    this.held.set(holder, count + 1);
    return true;
  }

  release(holder: string | undefined): void {
    if (holder === undefined) return;
    const left = (this.held.get(holder) ?? 1) - 1;
    if (left > 0) this.held.set(holder, left);
    else this.held.delete(holder);
  }
}

/** A signed-in player's seats kept at once: a phone and a PC dropping together, and a tab or two. */
export const AWAY_SEATS_PER_ACCOUNT = 4;
