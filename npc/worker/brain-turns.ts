/**
 * Turns on the brain: batches run side by side (a Kafka worker's partitions), and a question run `alone` waits for
 * those running to end, and holds back those that come meanwhile, until it is done.
 */
export class BrainTurns {
  private readonly running = new Set<Promise<unknown>>();
  /** Settles when the last question queued to run alone is done. */
  private aloneDone: Promise<unknown> = Promise.resolve();

  async together<T>(batch: () => Promise<T>): Promise<T> {
    // A question queued alone while this waited goes first too.
    for (let waited = this.aloneDone; ; waited = this.aloneDone) {
      await waited;
      if (waited === this.aloneDone) break;
    }
    const running = batch();
    this.running.add(running);
    try {
      return await running;
    } finally {
      this.running.delete(running);
    }
  }

  async alone<T>(question: () => Promise<T>): Promise<T> {
    const before = this.aloneDone;
    const mine = (async () => {
      await before.catch(() => undefined);
      await Promise.allSettled([...this.running]);
      return question();
    })();
    this.aloneDone = mine.catch(() => undefined);
    return mine;
  }
}
