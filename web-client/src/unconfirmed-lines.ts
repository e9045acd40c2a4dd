import { cleanText } from "../../common/clean-text.js";
import type { ChatPayload, SaidNotice, WorldError } from "../../rooms/world-protocol.js";

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
 * The player's lines sent but not yet seen to reach the room, each confirmed by the room's `said` for its sendId or by
 * the error that refuses it (naming the sendId). A socket that died without a close (SILENCE_NOTICED_SECONDS) took the
 * lines sent on it into nothing while the box had cleared; once the page is back in the room, those still unconfirmed
 * are the ones to send again, with their sendIds: the room answers one it had already as before, and says it once.
 * A server that sends no `said` (before session 68) is followed by echoes, the player's own line in the room's chat,
 * and refusals by their words: a busy room that said CHAT_HISTORY lines before the page was back held no echo.
 */
export class UnconfirmedLines {
  private lines: SentLine[] = [];
  /** The room confirms lines by their sendIds (a `said` came): echoes and words confirm nothing then. */
  private byIds = false;

  sent(payload: ChatPayload, at = Date.now()): void {
    this.lines.push({ payload, said: cleanText(payload.text), at });
    if (this.lines.length > KEPT) this.lines.shift();
  }

  /**
   * The room's lines new to the page (NewLines: each once, though a resumed room sends its lines again); `mine` tells
   * the player's own sessions. Each echo confirms its line, until a `said` showed the room confirms by sendId.
   */
  heard(added: Iterable<HeardLine>, mine: (session: string) => boolean): void {
    if (this.byIds) return;
    for (const line of added) if (line.kind === "player" && mine(line.from)) this.confirm(line.text);
  }

  /** The room's `said`: the line of this sendId reached it (again, after a drop: nothing left to confirm). */
  said(notice: SaidNotice): void {
    this.byIds = true;
    this.confirmId(notice.sendId);
  }

  /**
   * An error from the room: the refused line, named by its sendId (or, from a server that sends no `said`, by its
   * words: every refusal of a line gives it back), is answered. Not "the oldest": its refusal comes at once, before the
   * echoes of the lines sent just before it, which come with the next patch; the oldest was taken for it, and the
   * refused one sent again, and logged again, after a drop.
   */
  refused(error: WorldError): void {
    if (error.sendId !== undefined) return this.confirmId(error.sendId);
    // By its words only from a server that names no sendId: a later error about a line said (npc_busy) has none.
    if (error.text !== undefined && !this.byIds) this.confirm(cleanText(error.text));
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

  private confirmId(sendId: string): void {
    this.confirmFirst((line) => line.payload.sendId === sendId);
  }

  private confirm(said: string): void {
    this.confirmFirst((line) => line.said === said);
  }

  /** The oldest line that `matches` is confirmed: no longer to be sent again. */
  private confirmFirst(matches: (line: SentLine) => boolean): void {
    const index = this.lines.findIndex(matches);
    if (index >= 0) this.lines.splice(index, 1);
  }
}
