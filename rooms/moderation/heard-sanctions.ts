import { randomUUID } from "node:crypto";

import type { Sanction, SanctionChange } from "./account-sanctions.js";

/** How long a change heard is remembered against reads older than it: well past a seat's reservation (15 s). */
const HEARD_KEPT_MS = 5 * 60_000;

/** This process, in a join's read: a room here orders the read by performance.now(); one on another process cannot. */
const THIS_PROCESS = randomUUID();

/** When a join read an account's sanctions: onAuth, on the process matchmaking ran on (with Redis, maybe not the room's). */
export interface SanctionRead {
  process: string;
  /** performance.now() on `process`: an NTP step between the read and a change heard does not reorder them. */
  at: number;
  /** Epoch ms: the only clock two processes share. */
  wallAt: number;
}

/** A read of the presence's sanctions beginning now, on this process. */
export const sanctionRead = (): SanctionRead => ({ process: THIS_PROCESS, at: performance.now(), wallAt: Date.now() });

/**
 * The accounts a room has heard were muted or banned (by a moderator, or by players' reports: REPORTS_TO_MUTE), and
 * when each sanction ends (epoch ms): rooms/moderation/account-sanctions.ts announces them on a channel. Every one heard, not only
 * those of players here: a mute set while its player is between matchmaking and the room, or a ban while a dropped
 * player may still take their place back (no onAuth then), is not missed. Those that ended are dropped as the next is
 * heard.
 */
export class HeardSanctions {
  private readonly ends: Record<Sanction, Map<string, number>> = { mute: new Map(), ban: new Map() };
  /** When each account's sanction last changed here, lifted ones too: by both clocks, as a SanctionRead is. */
  private readonly changedAt: Record<Sanction, Map<string, Omit<SanctionRead, "process">>> = { mute: new Map(), ban: new Map() };

  /** `banned`: told of each account as its ban is heard, to put its players out. */
  constructor(private readonly banned: (account: string) => void) {}

  /** The channel's listener. */
  readonly heard = ({ sanction, account, until }: SanctionChange): void => {
    const now = Date.now();
    const ends = this.ends[sanction];
    for (const [other, end] of ends) if (end <= now) ends.delete(other);
    const at = performance.now();
    const changedAt = this.changedAt[sanction];
    for (const [other, changed] of changedAt) if (at - changed.at > HEARD_KEPT_MS) changedAt.delete(other);
    changedAt.set(account, { at, wallAt: now });
    if (until <= now) {
      ends.delete(account);
    } else {
      ends.set(account, until);
      if (sanction === "ban") this.banned(account);
    }
  };

  /**
   * A sanction read some other way: the join's check of the presence, `read` (none: the join skipped onAuth, and any
   * change heard is newer). A change heard since (a moderator lifted the mute, or made it longer, while the player's
   * seat waited) is newer: it stands. Ordered by performance.now() where the read was made on this process (a wall-clock
   * step back brought a lifted mute back), by the wall clock where it was not.
   */
  set(sanction: Sanction, account: string, until: number, read: SanctionRead | undefined): void {
    const changed = this.changedAt[sanction].get(account);
    if (changed && (read === undefined || (read.process === THIS_PROCESS ? changed.at >= read.at : changed.wallAt >= read.wallAt))) return;
    this.ends[sanction].set(account, until);
  }

  /** How long the account's sanction lasts still (0: it has none, or it ended). */
  msLeft(sanction: Sanction, account: string): number {
    return Math.max(0, (this.ends[sanction].get(account) ?? 0) - Date.now());
  }
}
