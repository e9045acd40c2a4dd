import { type Client, ClientState } from "@colyseus/core";

/**
 * Bytes sent to a client that its socket has not taken, beyond the room's full state (sent as it joins), past which it
 * is put out: a client that reads nothing (and answers the server's pings, or sends pongs of its own) had the room's
 * patches and its errors pile up in the server's memory without end, ~2.4 MB a second for four such sockets.
 */
export const UNREAD_BYTES_MAX = 1 << 20;
/**
 * How long a client may leave its join unacknowledged: until it does, Colyseus keeps every message for it in a queue
 * of its own, without end (0.6 MB a second for one sending what gets errors back).
 */
export const JOIN_ACK_MS = 10_000;

/** Clients of a room that take nothing of what it sends them, and why. */
export class SlowReaders {
  /** When each session joined, or joined again (performance.now()), until it acknowledged. */
  private readonly joinedAt = new Map<string, number>();

  /**
   * `fullState`: the largest full state the room may send a joining client (state-buffer.ts), which its socket may
   * hold unread on a slow link: a room of 1,000 lines near 1 MiB put out every player joining it over one.
   */
  constructor(private readonly fullState = 0) {}

  joined(sessionId: string, now = performance.now()): void {
    this.joinedAt.set(sessionId, now);
  }

  left(sessionId: string): void {
    this.joinedAt.delete(sessionId);
  }

  /** The clients to put out now, each with why. */
  *overdue(clients: Iterable<Client>, now = performance.now()): Generator<{ client: Client; why: string }> {
    for (const client of clients) {
      const unread = (client.ref as unknown as { bufferedAmount?: number }).bufferedAmount ?? 0;
      if (unread > UNREAD_BYTES_MAX + this.fullState) {
        yield { client, why: `${Math.round(unread / 1024)} KiB sent to it unread` };
      } else if (client.state !== ClientState.JOINING) {
        this.joinedAt.delete(client.sessionId);
      } else {
        const since = this.joinedAt.get(client.sessionId);
        // Joining again after its acknowledgement (a reconnection): timed from now. Timed from nothing, one that came
        // back by its token and never acknowledged stayed for good, its queue growing.
        if (since === undefined) this.joinedAt.set(client.sessionId, now);
        else if (now - since > JOIN_ACK_MS) yield { client, why: `its join unacknowledged for ${JOIN_ACK_MS / 1000} s` };
      }
    }
  }
}
