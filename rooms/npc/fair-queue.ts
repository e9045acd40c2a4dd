interface Waiting<T> {
  item: T;
  /** The round this item belongs to: a player's n-th question waits for everyone's (n-1)-th. */
  round: number;
  seq: number;
}

/**
 * Questions waiting for one NPC, served round-robin over players (start-time fair queueing): everyone's
 * first question before anyone's second, a player's own in the order asked, a newcomer joins the current round,
 * and a player who asks again as soon as answered goes a round after their last, so nobody who waits is overtaken
 * forever. Bounded in total, and admitted fairly too: when full,
 * a question of an earlier round takes the place of the last one of the latest round (30 players asking 5 each
 * into a queue of 100 left 5 of them refused even their first question while others waited with their fifth).
 */
export class FairQueue<T> {
  private readonly queues = new Map<string, Waiting<T>[]>();
  /**
   * The round of each player's latest question that was not taken back (waiting, with the brain, or answered). Kept
   * after the answer: forgotten then, a player who asked again at once joined the current round again and again, and
   * a question of the next round (another's second, or a second player's behind one address) waited forever, the round
   * moving on only once one of it is served. Marks before the current round mean nothing more and are let go.
   */
  private readonly lastRound = new Map<string, number>();
  private readonly taken = new Map<string, number>();
  private round = 0;
  private seq = 0;
  private total = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.total;
  }

  /**
   * Whether the item was taken; when the queue was full, the item it displaced (the newest of the latest round,
   * later than this one's), which the caller turns away instead.
   */
  push(key: string, item: T): { taken: boolean; displaced?: { key: string; item: T } } {
    const last = this.lastRound.get(key);
    const round = last === undefined ? this.round : Math.max(this.round, last + 1);
    let displaced: { key: string; item: T } | undefined;
    if (this.total >= this.capacity) {
      const latest = this.latest();
      if (!latest || latest.round <= round) return { taken: false };
      displaced = this.removeLast(latest.key);
    }
    this.lastRound.set(key, round);
    const queue = this.queues.get(key) ?? [];
    queue.push({ item, round, seq: this.seq++ });
    this.queues.set(key, queue);
    this.total += 1;
    return { taken: true, ...(displaced ? { displaced } : {}) };
  }

  /** The key whose last waiting item is of the latest round (the newest among them), and that round. */
  private latest(): { key: string; round: number } | undefined {
    let latest: { key: string; tail: Waiting<T> } | undefined;
    for (const [key, queue] of this.queues) {
      const tail = queue.at(-1)!;
      if (!latest || tail.round > latest.tail.round || (tail.round === latest.tail.round && tail.seq > latest.tail.seq)) latest = { key, tail };
    }
    return latest && { key: latest.key, round: latest.tail.round };
  }

  /** The newest item of the latest round, taken out: the one a full queue turns away for an earlier round's. */
  popLatest(): { key: string; item: T } | undefined {
    const latest = this.latest();
    return latest && this.removeLast(latest.key);
  }

  /** A key's newest item, taken out. */
  removeLast(key: string): { key: string; item: T } {
    const queue = this.queues.get(key)!;
    const { item, round } = queue.pop()!;
    this.total -= 1;
    // The key's mark goes back to before the item: its next question is not held back for one never served.
    this.lastRound.set(key, queue.length > 0 ? queue.at(-1)!.round : round - 1);
    if (queue.length === 0) this.queues.delete(key);
    return { key, item };
  }

  /** The earliest-round item among keys that may go now (`ready`); ties go to the one asked first. */
  shift(ready: (key: string) => boolean = () => true): { key: string; item: T } | undefined {
    let best: { key: string; head: Waiting<T> } | undefined;
    for (const [key, queue] of this.queues) {
      const head = queue[0]!;
      if (ready(key) && (!best || head.round < best.head.round || (head.round === best.head.round && head.seq < best.head.seq))) {
        best = { key, head };
      }
    }
    if (!best) return undefined;
    const queue = this.queues.get(best.key)!;
    queue.shift();
    if (queue.length === 0) this.queues.delete(best.key);
    this.taken.set(best.key, (this.taken.get(best.key) ?? 0) + 1);
    if (best.head.round > this.round) {
      this.round = best.head.round;
      for (const [key, last] of this.lastRound) if (last < this.round) this.lastRound.delete(key); // joins this round anyway
    }
    this.total -= 1;
    return { key: best.key, item: best.head.item };
  }

  /** Whether any key with items waiting may go now. */
  hasReady(ready: (key: string) => boolean): boolean {
    for (const key of this.queues.keys()) if (ready(key)) return true;
    return false;
  }

  /** Whether anything waits or is taken: a key's rounds are still remembered. */
  get busy(): boolean {
    return this.total > 0 || this.taken.size > 0;
  }

  /** A taken item is finished (its round stays the key's mark until the rounds pass it). */
  done(key: string): void {
    const left = (this.taken.get(key) ?? 1) - 1;
    if (left > 0) this.taken.set(key, left);
    else this.taken.delete(key);
    this.forgetMarksIfIdle();
  }

  /** Drops a key's waiting items (the player left); returns them. */
  drop(key: string): T[] {
    const queue = this.queues.get(key) ?? [];
    this.queues.delete(key);
    this.total -= queue.length;
    if (queue.length > 0) this.lastRound.set(key, queue[0]!.round - 1); // as removeLast does, for them all
    this.forgetMarksIfIdle();
    return queue.map((waiting) => waiting.item);
  }

  /** With nothing waiting nor taken nobody can be overtaken: the marks go (players who each asked once and left kept theirs). */
  private forgetMarksIfIdle(): void {
    if (!this.busy) this.lastRound.clear();
  }
}
