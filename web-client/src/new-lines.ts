/** Lines kept in the history: about an hour of a lively room's talk. */
export const KEPT_LINES = 200;

/** What `NewLines.take` found in a room's chat. */
export interface LinesTaken<Line> {
  /** The lines not taken before, in the room's order: each line once, though a resumed room sends its lines again. */
  added: Line[];
  /** The first lines of a room this page had not shown (a join, a rejoin): the talk before the player came. */
  backlog: boolean;
  /** The ids of the oldest lines past what is kept, to drop. */
  dropped: string[];
}

/**
 * Which of a room's chat lines are new to the page: drawn in the history (ChatHistory) and, the player's own, taken as
 * the echo that confirms a line sent (UnconfirmedLines). One place decides, so both count a line once.
 */
export class NewLines<Line extends { id: string }> {
  /** Ids taken, oldest first (a Set keeps the order they were added in). */
  private readonly ids = new Set<string>();
  private room: unknown;

  take(room: unknown, chat: Iterable<Line> & { readonly length: number }): LinesTaken<Line> {
    const backlog = room !== this.room;
    this.room = room;
    const added: Line[] = [];
    for (const line of chat) {
      if (this.ids.has(line.id)) continue;
      this.ids.add(line.id);
      added.push(line);
    }
    // At least every line the room still holds (CHAT_HISTORY may be up to 1,000): one dropped here while still there
    // came back as new at the next update, at the end, and the history went round and round.
    const kept = Math.max(KEPT_LINES, chat.length);
    const dropped: string[] = [];
    for (const id of this.ids) {
      if (this.ids.size <= kept) break;
      this.ids.delete(id);
      dropped.push(id);
    }
    return { added, backlog, dropped };
  }
}
