import type { PlayerAllowances } from "./player-allowances.js";

/**
 * What players who left could still do, by client address and name, until their buckets would have refilled anyway.
 * Without it, leaving and joining again ("reconnect" in a game's menu) handed a player full buckets of lines and
 * questions each time. Keyed by the name too, because many players may share an address (a LAN, a mobile carrier's
 * NAT) and a newcomer must not inherit a stranger's spent buckets. A client that takes a new name each time still
 * starts afresh, unless players sign in: the room then keys a leaver by their account (`account <id>`, no name).
 * Shared by the process's rooms.
 */
/** Leavers remembered at most: past them the oldest go (a slow refill keeps each for days). */
const MOST_REMEMBERED = 100_000;

export class DepartedAllowances {
  /** Map order is leave order: the oldest come first, and go first. */
  private readonly left = new Map<string, { allowances: PlayerAllowances; leftAt: number }>();

  /** `keepMs`: how long the slowest bucket takes to refill from empty (PlayerAllowances.refillMs). */
  constructor(
    private readonly keepMs: number,
    private readonly most = MOST_REMEMBERED,
  ) {}

  remember(address: string, name: string, allowances: PlayerAllowances, now = performance.now()): void {
    this.forgetRefilled(now);
    const key = keyOf(address, name);
    this.left.delete(key);
    this.left.set(key, { allowances, leftAt: now });
    if (this.left.size > this.most) this.left.delete(this.left.keys().next().value!);
  }

  /** The allowances this name left from this address with, still refilling, handed over once; undefined when none. */
  takeBack(address: string, name: string, now = performance.now()): PlayerAllowances | undefined {
    this.forgetRefilled(now);
    const key = keyOf(address, name);
    const left = this.left.get(key);
    this.left.delete(key);
    return left?.allowances;
  }

  /** Leavers remembered now. */
  get size(): number {
    return this.left.size;
  }

  private forgetRefilled(now: number): void {
    for (const [key, { leftAt }] of this.left) {
      if (now - leftAt < this.keepMs) return;
      this.left.delete(key);
    }
  }
}

const keyOf = (address: string, name: string) => `${address} ${name}`;
