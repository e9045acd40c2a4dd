/**
 * Players who reported each player lately, for the mute that enough of them bring on (REPORTS_TO_MUTE): distinct
 * reporters, so that one player reporting again and again counts once, within a window, so that reports spread over
 * a day do not add up to one moment's abuse. A reporter is known by several names (an account and an address): a
 * report counts only if none of its names is in the reported player's tally already, so that one person's two
 * accounts from one address, or one account from two addresses, count once.
 */
export class ReportTally {
  /** Per reported player: each reporter counted, by all their names, and their last report (performance.now() ms). */
  private readonly reporters = new Map<string, Array<{ names: Set<string>; at: number }>>();

  constructor(
    private readonly needed: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Counts the report of `reported` by a reporter of these names; true when it is the one that makes enough, and the
   * tally starts over.
   */
  add(reported: string, names: readonly string[], now = performance.now()): boolean {
    // Others' tallies gone stale go too: a signed-in player's is the account's, kept after they leave (forget is by
    // session), and a room that never empties kept one for every account reported once.
    for (const [who, tally] of this.reporters) if (now - Math.max(...tally.map(({ at }) => at)) > this.windowMs) this.reporters.delete(who);
    const lately = (this.reporters.get(reported) ?? []).filter(({ at }) => now - at <= this.windowMs);
    const counted = lately.find((earlier) => names.some((name) => earlier.names.has(name)));
    // Counted already: their names all stay with that report, a later name of theirs counted as them.
    if (counted) {
      for (const name of names) counted.names.add(name);
      counted.at = now;
    } else {
      lately.push({ names: new Set(names), at: now });
    }
    if (lately.length < this.needed) {
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
