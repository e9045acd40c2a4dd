import { type Client, ClientState } from "@colyseus/core";

/** Messages kept per player until their delivery is confirmed: more than a drop's few seconds bring. */
const KEPT_AT_MOST = 50;
/** Copies of state lines said to a player kept besides, in a count of their own: an NPC's answers in a drop's seconds. */
const COPIES_KEPT_AT_MOST = 30;

/** What was sent (or, `copyOf`, a state line's id: said in the state, its copy kept) and not confirmed yet. */
interface Sent {
  type: string;
  message: unknown;
  copyOf?: string;
  /** Written to the socket (not queued behind the next patch or the join's full state). */
  written: boolean;
  /** The ping that followed it once it was written. */
  ping?: number;
}

/** An unconfirmed message, or a copy of a state line (`copyOf`): sent again when the player is back. */
export type Unconfirmed = [type: string, message: unknown, copyOf?: string];

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
 * when the drop is noticed are sent again, with what is held while the player is away. So are copies of the state
 * lines said to them (their NPC's answers) until a ping after the patch that carried them: a line pushed out of the
 * history before they were back (CHAT_HISTORY lines after it) was never seen otherwise.
 */
export class UnconfirmedMessages {
  /** Per player, what was sent and not confirmed, in the order sent. */
  private readonly sent = new Map<string, Sent[]>();
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
    // Not joined yet (joining, or taking its place back: RECONNECTING in onReconnect), its messages wait for its
    // acknowledgement of the join: pinged now, the pong came before them, and they were taken as read.
    const queued = afterNextPatch || client.state !== ClientState.JOINED;
    this.keep(client, { type, message, written: !queued });
  }

  /**
   * A state line (`lineId`) was said to `client`: a copy is kept as `type` until a pong says the client took the patch
   * that carries it (the next one: the ping follows it).
   */
  saidTo(client: Client, lineId: string, type: string, message: unknown): void {
    this.keep(client, { type, message, copyOf: lineId, written: false });
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

  /** What the player's connection never confirmed (it dropped): to be sent again once they are back, copies as such. */
  unconfirmed(sessionId: string): Unconfirmed[] {
    const kept = this.sent.get(sessionId) ?? [];
    this.left(sessionId);
    return kept.map(({ type, message, copyOf }) => (copyOf === undefined ? [type, message] : [type, message, copyOf]));
  }

  left(sessionId: string): void {
    this.sent.delete(sessionId);
    for (const client of this.pingLater) if (client.sessionId === sessionId) this.pingLater.delete(client);
  }

  /** Kept until confirmed: written now, pinged now; else pinged after the next patch. */
  private keep(client: Client, sent: Sent): void {
    const socket = client.ref as unknown as PingingSocket;
    if (typeof socket?.ping !== "function") return; // another transport: nothing to confirm by
    const kept = this.sent.get(client.sessionId) ?? [];
    const copy = sent.copyOf !== undefined;
    // The oldest of its kind goes, most likely read by now; counted apart, a busy NPC's copies crowd out no message.
    if (kept.filter((k) => (k.copyOf !== undefined) === copy).length >= (copy ? COPIES_KEPT_AT_MOST : KEPT_AT_MOST)) {
      kept.splice(kept.findIndex((k) => (k.copyOf !== undefined) === copy), 1);
    }
    kept.push(sent);
    this.sent.set(client.sessionId, kept);
    if (!this.watched.has(socket)) {
      this.watched.add(socket);
      const { sessionId } = client;
      socket.on("pong", (data) => this.confirmed(sessionId, Number(data.toString())));
    }
    if (sent.written) this.ping(client.sessionId, socket);
    else this.pingLater.add(client);
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
