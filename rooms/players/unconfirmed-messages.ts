import { type Client, ClientState } from "@colyseus/core";

/** Messages kept per player until their delivery is confirmed: more than a drop's few seconds bring. */
const KEPT_AT_MOST = 50;

/** What of the player's socket is used: its WebSocket pings, whose pongs come back in order with what was sent. */
interface PingingSocket {
  ping(data: Buffer): void;
  on(event: "pong", listener: (data: Buffer) => void): unknown;
}

/**
 * Messages sent to each player (an `error`, an `npc_action` with its receipt) until their socket shows it took them.
 * A connection that dies without a close (a phone out of coverage, a network cut) goes unnoticed for up to
 * DROP_NOTICED_SECONDS, and what was sent meanwhile went nowhere: the player took their place back, their answer's
 * line in the state, but never its `npc_action`. Each message is followed by a ping carrying its number; the pong
 * that answers it says the client read the message, as a WebSocket's frames arrive in order. Those not confirmed
 * when the drop is noticed are sent again, with what is held while the player is away.
 */
export class UnconfirmedMessages {
  /** Per player, what was sent and not confirmed: `ping`, the ping that followed it once it was written. */
  private readonly sent = new Map<string, Array<{ type: string; message: unknown; written: boolean; ping?: number }>>();
  /** Clients with a message queued (after the next patch, or their join's full state): pinged once it is written. */
  private readonly pingLater = new Set<Client>();
  private readonly watched = new WeakSet<object>();
  private pings = 0;

  /**
   * `message` was just sent to `client` (or queued: `afterNextPatch`, or it is joining, its messages held until its
   * full state): kept until a pong says the client has it. The ping goes after the message is written: a pong to
   * one sent before would confirm a message still queued.
   */
  sentTo(client: Client, type: string, message: unknown, afterNextPatch = false): void {
    const socket = client.ref as unknown as PingingSocket;
    if (typeof socket?.ping !== "function") return; // another transport: nothing to confirm by
    // Not joined yet (joining, or taking its place back: RECONNECTING in onReconnect), its messages wait for its
    // acknowledgement of the join: pinged now, the pong came before them, and they were taken as read.
    const queued = afterNextPatch || client.state !== ClientState.JOINED;
    const kept = this.sent.get(client.sessionId) ?? [];
    if (kept.length >= KEPT_AT_MOST) kept.shift(); // the oldest, most likely read by now
    kept.push({ type, message, written: !queued });
    this.sent.set(client.sessionId, kept);
    if (!this.watched.has(socket)) {
      this.watched.add(socket);
      const { sessionId } = client;
      socket.on("pong", (data) => this.confirmed(sessionId, Number(data.toString())));
    }
    if (queued) this.pingLater.add(client);
    else this.ping(client.sessionId, socket);
  }

  /** A patch went out, and the messages queued after it: their pings follow them (a client not joined yet waits). */
  afterPatch(): void {
    for (const client of this.pingLater) {
      if (client.state !== ClientState.JOINED) continue;
      for (const sent of this.sent.get(client.sessionId) ?? []) sent.written = true;
      this.ping(client.sessionId, client.ref as unknown as PingingSocket);
      this.pingLater.delete(client);
    }
  }

  /** The messages the player's connection never confirmed (it dropped): to be sent again once they are back. */
  unconfirmed(sessionId: string): Array<[type: string, message: unknown]> {
    const kept = this.sent.get(sessionId) ?? [];
    this.left(sessionId);
    return kept.map(({ type, message }) => [type, message]);
  }

  left(sessionId: string): void {
    this.sent.delete(sessionId);
    for (const client of this.pingLater) if (client.sessionId === sessionId) this.pingLater.delete(client);
  }

  /** A ping after what was written to the player and not followed by one yet. */
  private ping(sessionId: string, socket: PingingSocket): void {
    const id = ++this.pings;
    for (const sent of this.sent.get(sessionId) ?? []) if (sent.written && sent.ping === undefined) sent.ping = id;
    try {
      socket.ping(Buffer.from(String(id)));
    } catch {
      // Not open any more: what it was sent stays unconfirmed, to be sent again.
    }
  }

  /** Pongs come back in order: one confirms every message its ping, or an earlier one, followed. */
  private confirmed(sessionId: string, id: number): void {
    const kept = this.sent.get(sessionId);
    // Colyseus's own pings carry nothing (0): they confirm nothing.
    if (!kept || !Number.isInteger(id) || id <= 0) return;
    const left = kept.filter((sent) => sent.ping === undefined || sent.ping > id);
    if (left.length > 0) this.sent.set(sessionId, left);
    else this.sent.delete(sessionId);
  }
}
