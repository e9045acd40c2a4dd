import type { Unconfirmed } from "./unconfirmed-messages.js";

/** Messages held for one player at most while away: what a drop's few seconds can bring (answers, their errors). */
const HELD_AT_MOST = 50;
/** Copies of lines said to them held at most besides (keepCopy), in a count of their own: they crowded the messages out. */
const COPIES_AT_MOST = 50;

/** A message held; `copyOf`, a state line's id: a copy of that line, sent only if the history lost it meanwhile. */
interface Held {
  type: string;
  message: unknown;
  copyOf?: string;
}

/** What is held for a player away, in the order sent, and how many of each kind. */
interface Away {
  held: Held[];
  messages: number;
  copies: number;
}

/**
 * Messages for players whose connection dropped, held until they take their place back: Colyseus throws away what is
 * sent to a client while it is away, so an NPC's `npc_action` (and its receipt) or the error saying why an answer was
 * a fallback line was lost for good. A line said to them in the state (an NPC's answer) comes back with the state,
 * unless CHAT_HISTORY lines came after it before they were back: a copy is held, and sent only then. Copies count
 * apart from messages: counted together, 40 answers' copies left room for 10 of their errors and actions.
 */
export class AwayOutbox {
  private readonly players = new Map<string, Away>();

  /**
   * The player's connection dropped; `unread`, what it may not have taken (unconfirmed-messages.ts), goes first: its
   * messages, and its copies of lines (`copyOf`) as copies, the newest of each kind within their count.
   */
  away(sessionId: string, unread: Unconfirmed[] = []): void {
    const messages = new Set(unread.filter(([, , copyOf]) => copyOf === undefined).slice(-HELD_AT_MOST));
    const copies = new Set(unread.filter(([, , copyOf]) => copyOf !== undefined).slice(-COPIES_AT_MOST));
    const held = unread
      .filter((one) => messages.has(one) || copies.has(one))
      .map(([type, message, copyOf]): Held => (copyOf === undefined ? { type, message } : { type, message, copyOf }));
    this.players.set(sessionId, { held, messages: messages.size, copies: copies.size });
  }

  /** Holds the message if the player is away (true), else leaves it to be sent (false); `copyOf`: see Held. */
  hold(sessionId: string, type: string, message: unknown, copyOf?: string): boolean {
    const away = this.players.get(sessionId);
    if (!away) return false;
    if (copyOf === undefined) {
      if (away.messages >= HELD_AT_MOST) return true;
      away.messages++;
      away.held.push({ type, message });
    } else {
      if (away.copies >= COPIES_AT_MOST) return true;
      away.copies++;
      away.held.push({ type, message, copyOf });
    }
    return true;
  }

  /**
   * What was held for the player, who is back (or gone: then it is dropped); a copy of a line the state still holds
   * (`inState`) is not: it comes with the state, and a client shown it twice.
   */
  back(sessionId: string, inState: (lineId: string) => boolean = () => true): Array<[type: string, message: unknown]> {
    const held = this.players.get(sessionId)?.held ?? [];
    this.players.delete(sessionId);
    return held.filter(({ copyOf }) => copyOf === undefined || !inState(copyOf)).map(({ type, message }) => [type, message]);
  }
}
