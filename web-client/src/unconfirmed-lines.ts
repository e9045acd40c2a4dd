import { cleanText } from "../../common/clean-text.js";
import type { ChatPayload, WorldError } from "../../rooms/world-protocol.js";

/** Lines kept: a player types a few in the seconds a dead socket goes unnoticed, not more. */
const KEPT = 20;

interface SentLine {
  payload: ChatPayload;
  /** The words as the room shows them (cleaned as the server cleans). */
  said: string;
  at: number;
}

/** A line of the room's chat, as far as confirming goes. */
export interface HeardLine {
  kind: string;
  from: string;
  text: string;
}

/**
 * The player's lines sent but not yet seen to reach the room, each confirmed by its echo (the player's own line in the
 * room's chat) or by the error that refuses it. A socket that died without a close (SILENCE_NOTICED_SECONDS) took the
 * lines sent on it into nothing while the box had cleared; once the page is back in the room, those still unconfirmed
 * are the ones to send again.
 */
export class UnconfirmedLines {
  private lines: SentLine[] = [];

  sent(payload: ChatPayload, at = Date.now()): void {
    this.lines.push({ payload, said: cleanText(payload.text), at });
    if (this.lines.length > KEPT) this.lines.shift();
  }

  /**
   * The room's lines new to the page (NewLines: each once, though a resumed room sends its lines again); `mine` tells
   * the player's own sessions. Each echo confirms its line.
   */
  heard(added: Iterable<HeardLine>, mine: (session: string) => boolean): void {
    for (const line of added) if (line.kind === "player" && mine(line.from)) this.confirm(line.text);
  }

  /**
   * An error from the room: the refused line, named by its words (every refusal of a line gives it back), is answered.
   * Not "the oldest": its refusal comes at once, before the echoes of the lines sent just before it, which come with
   * the next patch; the oldest was taken for it, and the refused one sent again, and logged again, after a drop.
   */
  refused(error: WorldError): void {
    if (error.text !== undefined) this.confirm(cleanText(error.text));
  }

  /**
   * The lines sent within `withinMs` of `now` still unconfirmed, oldest first, to send again: they stay unconfirmed
   * with the time they were first sent, older ones are dropped. Stamped anew at each sending, a line whose every
   * sending closed the socket (a paste over the frame cap, 1009) went again at each return, for ever.
   */
  unsentWithin(withinMs: number, now = Date.now()): ChatPayload[] {
    this.lines = this.lines.filter((line) => now - line.at <= withinMs);
    return this.lines.map((line) => line.payload);
  }

  /** None is to be sent again (the socket closed for one of them, 1009). */
  clear(): void {
    this.lines = [];
  }

  get size(): number {
    return this.lines.length;
  }

  private confirm(said: string): void {
    const index = this.lines.findIndex((line) => line.said === said);
    if (index >= 0) this.lines.splice(index, 1);
  }
}
