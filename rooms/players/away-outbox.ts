/** Messages held for one player at most while away: what a drop's few seconds can bring (answers, their errors). */
const HELD_AT_MOST = 50;

/**
 * Messages for players whose connection dropped, held until they take their place back: Colyseus throws away what is
 * sent to a client while it is away, so an NPC's `npc_action` (and its receipt) or the error saying why an answer was
 * a fallback line was lost for good, though the line itself came back with the state.
 */
export class AwayOutbox {
  private readonly held = new Map<string, Array<[type: string, message: unknown]>>();

  /** The player's connection dropped; `unread`, messages it may not have taken (unconfirmed-messages.ts), go first. */
  away(sessionId: string, unread: Array<[type: string, message: unknown]> = []): void {
    this.held.set(sessionId, unread.slice(-HELD_AT_MOST));
  }

  /** Holds the message if the player is away (true), else leaves it to be sent (false). */
  hold(sessionId: string, type: string, message: unknown): boolean {
    const held = this.held.get(sessionId);
    if (!held) return false;
    if (held.length < HELD_AT_MOST) held.push([type, message]);
    return true;
  }

  /** What was held for the player, who is back (or gone: then it is dropped). */
  back(sessionId: string): Array<[type: string, message: unknown]> {
    const held = this.held.get(sessionId) ?? [];
    this.held.delete(sessionId);
    return held;
  }
}
