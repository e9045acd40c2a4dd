/**
 * Seats that matchmaking reserved and no WebSocket has taken yet, per client address. A reservation holds its
 * seat for Colyseus's seat reservation time (15 s) even if nobody comes: without a cap, one address posting
 * `/matchmake/joinById` in a loop kept a room full, and real players were turned away or sent elsewhere.
 */
export class WaitingSeats {
  private readonly byAddress = new Map<string, Set<number>>();
  private nextId = 0;

  /** `perAddress` 0: no cap. `holdMs`: how long an unused reservation is counted (the seat reservation time). */
  constructor(
    private readonly perAddress: number,
    private readonly holdMs: number,
  ) {}

  /** Counts a reservation for `address` and returns its id, or undefined when the address already has its cap waiting. */
  reserve(address: string): number | undefined {
    if (this.perAddress === 0) return -1;
    let waiting = this.byAddress.get(address);
    if (waiting && waiting.size >= this.perAddress) return undefined;
    if (!waiting) this.byAddress.set(address, (waiting = new Set()));
    const id = this.nextId++;
    waiting.add(id);
    setTimeout(() => this.taken(address, id), this.holdMs).unref();
    return id;
  }

  /** The reservation was used (or has expired): it no longer counts. */
  taken(address: string, id: number): void {
    const waiting = this.byAddress.get(address);
    if (!waiting?.delete(id) || waiting.size > 0) return;
    this.byAddress.delete(address);
  }

  waiting(address: string): number {
    return this.byAddress.get(address)?.size ?? 0;
  }
}
