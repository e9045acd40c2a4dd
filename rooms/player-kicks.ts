import type { Presence } from "@colyseus/core";

/**
 * A moderator puts a player out of their room now, by the session id a report or the chat search names: the one
 * action on a player who did not sign in (mutes and bans hold an account). Nothing is kept: the player may join
 * again. Announced on a channel every room listens to; the room that holds the player puts them out.
 */
export const KICKS_CHANNEL = "kobot:kicks";

export interface Kick {
  player: string;
  reason?: string;
}

export async function kick(presence: Presence, player: string, reason?: string): Promise<void> {
  await presence.publish(KICKS_CHANNEL, { player, ...(reason ? { reason } : {}) } satisfies Kick);
}
