interface Waiting<T> {
  item: T;
  /** The round this item belongs to: a player's n-th question waits for everyone's (n-1)-th. */
  round: number;
  seq: number;
}

/**
 * Questions waiting for one NPC, served round-robin over players (start-time fair queueing): everyone's
 * first question before anyone's second, a player's own in the order asked, and a newcomer joins the
 * current round, so nobody who waits is overtaken forever. Bounded in total, and admitted fairly too: when full,
 * a question of an earlier round takes the place of the last one of the latest round (30 players asking 5 each
 * into a queue of 100 left 5 of them refused even their first question while others waited with their fifth).
 */
export class FairQueue<T> {
  private readonly queues = new Map<string, Waiting<T>[]>();
  /** The round of each player's latest question, while they have one waiting or taken. */
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
    if (queue.length > 0) this.lastRound.set(key, queue.at(-1)!.round);
    else {
      this.queues.delete(key);
      // With a question at the brain, the next one still waits a round after it.
      if (this.taken.has(key)) this.lastRound.set(key, round - 1);
      else this.lastRound.delete(key);
    }
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
    this.round = Math.max(this.round, best.head.round);
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

  /** A taken item is finished: once a key has nothing left, its next question starts a new turn. */
  done(key: string): void {
    const left = (this.taken.get(key) ?? 1) - 1;
    if (left > 0) this.taken.set(key, left);
    else this.taken.delete(key);
    this.forgetIfIdle(key);
  }

  /** Drops a key's waiting items (the player left); returns them. */
  drop(key: string): T[] {
    const queue = this.queues.get(key) ?? [];
    this.queues.delete(key);
    this.total -= queue.length;
    this.forgetIfIdle(key);
    return queue.map((waiting) => waiting.item);
  }

  private forgetIfIdle(key: string): void {
    if (!this.queues.has(key) && !this.taken.has(key)) this.lastRound.delete(key);
  }
}
