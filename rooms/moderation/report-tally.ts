/**
 * Players who reported each player lately, for the mute that enough of them bring on (REPORTS_TO_MUTE): distinct
 * reporters, so that one player reporting again and again counts once, within a window, so that reports spread over
 * a day do not add up to one moment's abuse.
 */
export class ReportTally {
  /** Per reported player: each reporter's last report (performance.now() ms). */
  private readonly reporters = new Map<string, Map<string, number>>();

  constructor(
    private readonly needed: number,
    private readonly windowMs: number,
  ) {}

  /** Counts `reporter`'s report of `reported`; true when it is the one that makes enough, and the tally starts over. */
  add(reported: string, reporter: string, now = performance.now()): boolean {
    // Others' tallies gone stale go too: a signed-in player's is the account's, kept after they leave (forget is by
    // session), and a room that never empties kept one for every account reported once.
    for (const [who, tally] of this.reporters) if (now - Math.max(...tally.values()) > this.windowMs) this.reporters.delete(who);
    const lately = this.reporters.get(reported) ?? new Map<string, number>();
    for (const [who, at] of lately) if (now - at > this.windowMs) lately.delete(who);
    lately.set(reporter, now);
    if (lately.size < this.needed) {
      this.reporters.set(reported, lately);
      return false;
    }
    this.reporters.delete(reported);
    return true;
  }

  /** Players with a report within the window. */
  get size(): number {
    return this.reporters.size;
  }

  forget(reported: string): void {
    this.reporters.delete(reported);
  }
}
