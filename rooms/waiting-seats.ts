import type { Presence } from "@colyseus/core";

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
    readonly holdMs: number,
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

/**
 * Seats taken in a room another process holds (Redis): matchmaking reserved them where the join came in, and counted
 * them there. Released only on the room's process, they stayed counted on the first for the whole reservation time,
 * and joins through a process that held none of the rooms were refused (429) after 20 in 15 s.
 */
export const SEATS_TAKEN_CHANNEL = "kobot:seats-taken";

/** A reserved seat, as the join's ticket carries it: which process counted it, for which address. */
export interface SeatReservation {
  process: string;
  address: string;
  seat: number;
}

/** The seat `reservation` was taken: released where it was counted, here or on its process. */
export function seatTaken(reservation: SeatReservation, here: string, seats: WaitingSeats | undefined, presence: Presence): void {
  if (reservation.seat < 0) return; // no cap (JOINS_WAITING_PER_ADDRESS=0): nothing was counted
  if (reservation.process === here) return seats?.taken(reservation.address, reservation.seat);
  void Promise.resolve(presence.publish(SEATS_TAKEN_CHANNEL, reservation)).catch(() => {}); // Redis away: it expires with its hold
}

/** Releases the seats this process counted that were taken in rooms of other processes. */
export function hearSeatsTaken(presence: Presence, here: string, seats: WaitingSeats): Promise<unknown> {
  return Promise.resolve(presence.subscribe(SEATS_TAKEN_CHANNEL, ({ process, address, seat }: SeatReservation) => process === here && seats.taken(address, seat)));
}
