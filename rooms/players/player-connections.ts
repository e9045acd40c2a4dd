import { type Client, type ClientArray, CloseCode, type Deferred } from "@colyseus/core";

import type { Logger } from "../../common/log.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { playerErrors } from "../../common/metrics.js";
import { newLineId } from "../chat/line-id.js";
import type { AwayHolds } from "./away-holds.js";
import { AwayOutbox } from "./away-outbox.js";
import { MESSAGE_BURST, MESSAGES_PER_SECOND } from "./player-allowances.js";
import { SlowReaders } from "./slow-readers.js";
import type { TokenBucket } from "./token-bucket.js";
import { UnconfirmedMessages } from "./unconfirmed-messages.js";
import type { WorldError } from "../world-contract.js";

/** A client's WebSocket (ws) is open: 1, its `OPEN` (Colyseus types `ref` as a plain event emitter). */
const socketOpen = (socket: Client["ref"]) => (socket as unknown as { readyState?: number }).readyState === 1;
/** Whether Colyseus's count of this client's frames in the last second is past `most` (its own field: no API says). */
const flooded = (client: Client, most: number) => ((client as unknown as { _numMessagesLastSecond?: number })._numMessagesLastSecond ?? 0) > most;
const terminate = (socket: Client["ref"]) => (socket as unknown as { terminate(): void }).terminate();
/** A frame refused, per kind (too big, bad UTF-8, undecodable): a warning once a minute, shared by the rooms, as any client can send one. */
const refusedFramesLogged = logThrottle(60_000);

export interface PlayerConnectionsDeps {
  clients: ClientArray;
  log: Logger;
  /** The largest full state the room may send a joining client (state-buffer.ts). */
  fullState: number;
  /** Colyseus's own cap on a client's frames a second (the room's maxMessagesPerSecond). */
  maxMessagesPerSecond: number;
  /** Seats kept for a reconnection, per account or public address (shared by the process's rooms). */
  awayHolds?: AwayHolds;
  /** The messages a player may still send (player-allowances.ts). */
  messagesOf(sessionId: string): TokenBucket | undefined;
  accountOf(sessionId: string): string | undefined;
}

/**
 * Players' connections: what is sent to them (held while they are away, sent again if unconfirmed), whose seat is
 * kept when a connection drops, and who is put out for good, no seat kept: flooders, slow readers, bad frames, kicks.
 */
export class PlayerConnections {
  /** Clients closed for floods, refused frames or a ban: no seat is kept for them (the SDK does not reconnect from that). */
  private readonly closedForWhatTheySent = new Set<string>();
  /** Set while checkReconnectionToken closes a client for a reconnection taking its seat (onDrop runs within). */
  private takingOver = false;
  private readonly slowReaders: SlowReaders;
  /** What is sent to players while their connection is down: sent when they are back. */
  private readonly outbox = new AwayOutbox();
  /** What each player's socket has not confirmed taking, sent again if it drops (unconfirmed-messages.ts). */
  private readonly unconfirmed = new UnconfirmedMessages();
  /** Seats not kept for their holder's reconnection, said once in 10 s per holder. */
  private readonly awayHoldsLogged = logThrottle(10_000);

  constructor(private readonly deps: PlayerConnectionsDeps) {
    this.slowReaders = new SlowReaders(deps.fullState);
  }

  joined(client: Client): void {
    this.slowReaders.joined(client.sessionId);
    this.watchFrames(client);
  }

  /**
   * The player took their place back: what was held for them, to send once the room has seen to them; copies of lines
   * said to them that the state still holds (`inState`) are left out (keepCopy).
   */
  back(client: Client, inState: (lineId: string) => boolean): Array<[type: string, message: unknown]> {
    this.slowReaders.joined(client.sessionId);
    return this.outbox.back(client.sessionId, inState);
  }

  /**
   * A state line said to the player (an NPC's answer): a copy is kept as `type`, while they are away or until their
   * socket confirms the patch that carries it (a drop goes unnoticed for up to DROP_NOTICED_SECONDS), and sent when
   * they are back only if the history lost the line by then (CHAT_HISTORY lines after it: the answer was never seen).
   */
  keepCopy(sessionId: string, lineId: string, type: string, message: unknown): void {
    if (this.outbox.hold(sessionId, type, message, lineId)) return;
    const client = this.deps.clients.getById(sessionId);
    if (client) this.unconfirmed.saidTo(client, lineId, type, message);
  }

  /** Back and still here: watched again, and sent what was held (after the full state, which holds the lines they are about). */
  resumed(client: Client, held: Array<[type: string, message: unknown]>): void {
    this.watchFrames(client);
    for (const [type, message] of held) this.sendTo(client, type, message);
  }

  left(sessionId: string): void {
    this.outbox.back(sessionId); // never to be back
    this.unconfirmed.left(sessionId);
    this.slowReaders.left(sessionId);
    this.closedForWhatTheySent.delete(sessionId); // put out as it came back: onDrop, which clears it, never ran
  }

  /** After each patch, and the messages queued to follow it: the pings that confirm those follow them. */
  afterPatch(): void {
    this.unconfirmed.afterPatch();
  }

  /**
   * Whether a dropped connection's seat is kept for a reconnection: not for a client put out for good, one Colyseus
   * closed for flooding or a bad frame, or a `holder` (account or address) that keeps the most seats already.
   */
  keepsSeat(client: Client, code: number | undefined, holder: string | undefined): boolean {
    const { log, maxMessagesPerSecond } = this.deps;
    if (this.closedForWhatTheySent.delete(client.sessionId)) return false; // gone for good: onLeave follows at once
    // A reconnection taking the seat over (takeOver below) closes with 4002 too: that one keeps the seat.
    if (code === CloseCode.WITH_ERROR && !this.takingOver && socketOpen(client.ref) && flooded(client, maxMessagesPerSecond)) {
      // Colyseus's own count of frames (pings and requests, which no handler of ours sees) closes it as a takeover
      // would, socket open: kept, it stood 20 s "away", deaf.
      log.warn("client disconnected for flooding", { playerId: client.sessionId, limit: maxMessagesPerSecond });
      return false;
    }
    if (code === CloseCode.WITH_ERROR && !this.takingOver && !socketOpen(client.ref)) {
      // Colyseus closed this socket itself for a frame it could not read (4002).
      this.frameRefused(client, { code });
      return false;
    }
    if (this.deps.awayHolds?.take(holder) === false) {
      const held = this.awayHoldsLogged(holder!);
      if (held !== undefined) log.warn("dropped player's seat not kept: their account or address keeps the most seats already", { playerId: client.sessionId, holder, ...repeatsField(held) });
      return false; // onLeave follows at once
    }
    return true;
  }

  /**
   * The dropped player's seat kept while `reconnection` waits for them; what was sent since their socket last
   * confirmed (the drop went unnoticed for up to DROP_NOTICED_SECONDS) comes again when they are back.
   */
  async awaitReturn(client: Client, holder: string | undefined, reconnection: () => Pick<Deferred, "then">): Promise<void> {
    this.outbox.away(client.sessionId, this.unconfirmed.unconfirmed(client.sessionId));
    const socket = client.ref;
    try {
      await reconnection();
      // Taken over by a reconnection while still open (the same player's second connection): Colyseus leaves that
      // socket open, and deaf, for good (30 takeovers held 32 sockets).
      if (socketOpen(socket)) terminate(socket);
    } catch {
      // Not back in time: onLeave follows.
    } finally {
      this.deps.awayHolds?.release(holder);
    }
  }

  /**
   * Colyseus's takeover of a connected session by its token (`check`): it closes the old client with 4002, and
   * onDrop runs within. Marked, onDrop keeps the seat even where the old socket is closing already (a client that
   * closed it and resumed at once), which it took for a socket Colyseus closed for a bad frame: the player was put out.
   */
  takeOver<T>(check: () => T): T {
    this.takingOver = true;
    try {
      return check();
    } finally {
      this.takingOver = false;
    }
  }

  /** Clients that take nothing of what the room sends them go, no place kept: it piled up in the server's memory. */
  putOutSlowReaders(): void {
    for (const { client, why } of this.slowReaders.overdue(this.deps.clients)) {
      // At once: a close frame would wait behind what it has not read (ws gives it 30 s).
      this.closeForGood(client, "client put out: it reads nothing sent to it", { why }, () => terminate(client.ref));
    }
  }

  /** The player leaves at once with `code` (a moderator's kick or ban), and no place is kept for a reconnection. */
  putOut(client: Client, code: number, why: string): void {
    const fields = { account: this.deps.accountOf(client.sessionId), code };
    this.closeForGood(client, "player put out by a moderator", fields, () => client.leave(code, why), "info");
  }

  /**
   * Past MESSAGES_PER_SECOND a client is disconnected at once, its avatar gone, not kept for a reconnection: a
   * flooder must not stay in the room as a silent ghost.
   */
  withinMessageRate(client: Client): boolean {
    if (this.deps.messagesOf(client.sessionId)?.take().ok !== false) return true;
    const fields = { limit: MESSAGES_PER_SECOND, burst: MESSAGE_BURST };
    this.closeForGood(client, "client disconnected for flooding", fields, () => client.leave(CloseCode.WITH_ERROR, `more than ${MESSAGE_BURST} messages at once or ${MESSAGES_PER_SECOND} a second`));
    return false;
  }

  /**
   * To the player's connection now: a question asked before a reconnection is answered after it, on the new socket.
   * Its id is new, unless the room gave it one (a refused line's, kept to answer the line again: answered-sends.ts).
   */
  sendError(client: Client, error: WorldError): void {
    // Counted: a rise in rate_limited or moderated is a flood or abuse an operator wants to see.
    playerErrors.inc({ code: error.code, by_address: String(error.byAddress === true) });
    this.sendTo(client, "error", { ...error, id: error.id ?? newLineId() });
  }

  /**
   * To the player's connection now (a question asked before a reconnection is answered after it, on the new socket),
   * or held while they are away, to be sent when they are back.
   */
  sendTo(client: Client, type: string, message: unknown, options?: { afterNextPatch: boolean }): void {
    const now = this.deps.clients.getById(client.sessionId);
    if (now) {
      now.send(type, message, options);
      this.unconfirmed.sentTo(now, type, message, options?.afterNextPatch === true);
    } else if (!this.outbox.hold(client.sessionId, type, message)) client.send(type, message, options);
  }

  /** To the player in the room by `sessionId`, or held while they are away: false once they left. */
  sendToSession(sessionId: string, type: string, message: unknown): boolean {
    const now = this.deps.clients.getById(sessionId);
    if (!now) return this.outbox.hold(sessionId, type, message);
    this.sendTo(now, type, message);
    return true;
  }

  /** The client goes for good, once: marked (onDrop keeps no seat for it), logged, then `close`d. */
  private closeForGood(client: Client, logged: string, fields: Record<string, unknown>, close: () => void, level: "info" | "warn" = "warn"): void {
    if (this.closedForWhatTheySent.has(client.sessionId)) return;
    this.closedForWhatTheySent.add(client.sessionId);
    this.deps.log[level](logged, { playerId: client.sessionId, ...fields });
    close();
  }

  /**
   * The socket refuses a frame it cannot take (over MESSAGE_MAX_BYTES of world-contract.ts, bad UTF-8, a bad opcode)
   * by closing with 1009, 1007 … and an `error` first; the room only sees the close, as 1006 like any dropped
   * connection. Marked here, its avatar goes at once instead of waiting 20 s for a reconnection that the SDK does not
   * make after such a close.
   */
  private watchFrames(client: Client): void {
    const socket = client.ref;
    socket.once("error", (error: Error) => {
      // A socket a reconnection took the seat over from is no longer the player's: its error marked the session, and
      // every kick and ban after it passed the player by.
      if (client.ref !== socket) return;
      this.closedForWhatTheySent.add(client.sessionId);
      this.frameRefused(client, { error: error.message });
    });
  }

  /** A client closed for a frame it sent: each at debug, a warning once a minute a kind, with how many were held back. */
  private frameRefused(client: Client, why: { code: number } | { error: string }): void {
    const fields = { playerId: client.sessionId, ...why };
    const held = refusedFramesLogged("code" in why ? String(why.code) : why.error);
    if (held === undefined) this.deps.log.debug("client closed for a frame it sent", fields);
    else this.deps.log.warn("client closed for a frame it sent", { ...fields, ...repeatsField(held) });
  }
}
