import { GroupedFairQueue } from "./grouped-fair-queue.js";

/** Who asks: the player, and the group whose turn they share (their client address; on a private network, their own). */
export interface Asker {
  player: string;
  group: string;
}

/**
 * One NPC's turns: questions wait in a fair queue (round-robin over addresses, then players; bounded) and at most
 * `concurrency` are with the brain at once, which answers those together in one batch. A player has one
 * question with the brain at a time, so their answers come in the order they asked.
 */
export class NpcTurns<T> {
  private readonly queue: GroupedFairQueue<T>;
  private readonly asking = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    capacity: number,
    private readonly concurrency: number,
    private readonly ask: (item: T) => Promise<void>,
  ) {
    this.queue = new GroupedFairQueue(capacity);
  }

  /**
   * Whether the question was taken (not when the queue is full of questions of its round or earlier: the NPC is
   * busy), and the later-round question it displaced, whose asker is turned away instead.
   */
  enqueue({ player, group }: Asker, item: T): { taken: boolean; displaced?: T } {
    const { taken, displaced } = this.queue.push(group, player, item);
    if (taken) this.dispatch();
    return { taken, ...(displaced ? { displaced: displaced.item } : {}) };
  }

  /** Questions waiting their turn, not yet with the brain (bounded by the queue's capacity). */
  get waiting(): number {
    return this.queue.size;
  }

  /** A player left: their waiting questions are dropped (returned); one with the brain still finishes. */
  drop({ player, group }: Asker): T[] {
    return this.queue.drop(group, player);
  }

  /** The NPC leaves: every waiting question is dropped (returned); those with the brain still finish. */
  dropAll(): T[] {
    const dropped: T[] = [];
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) dropped.push(next.item);
    return dropped;
  }

  /** Resolves once nothing waits and nothing is with the brain (shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private dispatch(): void {
    while (this.inFlight.size < this.concurrency) {
      const next = this.queue.shift((key) => !this.asking.has(key));
      if (next === undefined) return;
      const { group, key: player, item } = next;
      this.asking.add(player);
      const asked: Promise<void> = this.ask(item).finally(() => {
        this.asking.delete(player);
        this.queue.done(group, player);
        this.inFlight.delete(asked);
        this.dispatch();
      });
      this.inFlight.add(asked);
    }
  }
}
