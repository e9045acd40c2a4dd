import type { Presence } from "@colyseus/core";

/** The header naming a matchmaking request, which the server sets (a client's own is written over: http-guard.ts). */
export const MATCHMAKING_REQUEST = "x-kobot-matchmaking-request";

/**
 * Seats that matchmaking reserved and no WebSocket has taken yet, per client address. A reservation holds its
 * seat for Colyseus's seat reservation time (15 s) even if nobody comes: without a cap, one address posting
 * `/matchmake/joinById` in a loop kept a room full, and real players were turned away or sent elsewhere.
 */
export class WaitingSeats {
  private readonly byAddress = new Map<string, Set<number>>();
  /** Per matchmaking request in progress (MATCHMAKING_REQUEST), the reservation it made. */
  private readonly byRequest = new Map<string, { address: string; id: number }>();
  private nextId = 0;

  /** `perAddress` 0: no cap. `holdMs`: how long an unused reservation is counted (the seat reservation time). */
  constructor(
    private readonly perAddress: number,
    readonly holdMs: number,
  ) {}

  /**
   * Counts a reservation for `address` and returns its id, or undefined when the address already has its cap waiting.
   * `request`: the matchmaking request it is for, whose retries (Colyseus asks again when a room filled meanwhile) take
   * the same one, and whose end without a seat (`requestEnded`) gives it back.
   */
  reserve(address: string, request?: string): number | undefined {
    if (this.perAddress === 0) return -1;
    const made = request === undefined ? undefined : this.byRequest.get(request);
    if (made) return made.id;
    let waiting = this.byAddress.get(address);
    if (waiting && waiting.size >= this.perAddress) return undefined;
    if (!waiting) this.byAddress.set(address, (waiting = new Set()));
    const id = this.nextId++;
    waiting.add(id);
    if (request !== undefined) this.byRequest.set(request, { address, id });
    setTimeout(() => this.expired(address, id, request), this.holdMs).unref();
    return id;
  }

  /**
   * A matchmaking request was answered: its reservation, if it made one, counts on only where it got a seat. One
   * refused after matchmaking counted it (a room that could not be made: every room full) counted 15 s, and an
   * address retrying against a full server got 429 with nothing waiting.
   */
  requestEnded(request: string, seated: boolean): void {
    const made = this.byRequest.get(request);
    if (!made) return;
    this.byRequest.delete(request);
    if (!seated) this.taken(made.address, made.id);
  }

  /**
   * Its hold is over: it no longer counts, and its request is forgotten. A client that hung up while its room's onAuth
   * awaited (a signed-in player's check, presence on Redis) ended its request before the reservation was made, and
   * the request's entry stayed for good.
   */
  private expired(address: string, id: number, request: string | undefined): void {
    if (request !== undefined && this.byRequest.get(request)?.id === id) this.byRequest.delete(request);
    this.taken(address, id);
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
