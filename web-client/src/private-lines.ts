import { SeenIds } from "./seen-ids.js";

/** Lines of talk in private kept in the history: the oldest goes when a 51st comes. */
export const KEPT_PRIVATE_LINES = 50;

/**
 * Which `private_line` messages are new to the page, and which of those shown to drop. They are never in the room's
 * chat (NewLines sees to those): each comes once as a message, though one held over a reconnection may come again.
 */
export class PrivateLines {
  /** Ids shown, oldest first (a Set keeps the order they were added in). */
  private readonly shown = new Set<string>();
  /** More ids than are shown: one dropped for the cap and sent again is not shown again at the end. */
  private readonly came = new SeenIds(KEPT_PRIVATE_LINES * 4);

  /** The line `id` came: undefined when it came before; else the ids of the oldest shown past what is kept, to drop. */
  take(id: string): { dropped: string[] } | undefined {
    if (!this.came.add(id)) return undefined;
    this.shown.add(id);
    const dropped: string[] = [];
    for (const old of this.shown) {
      if (this.shown.size <= KEPT_PRIVATE_LINES) break;
      this.shown.delete(old);
      dropped.push(old);
    }
    return { dropped };
  }
}
