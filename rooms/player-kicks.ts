import type { Presence } from "@colyseus/core";

/**
 * A moderator puts a player out of their room now, by the session id a report or the chat search names: the one
 * action on a player who did not sign in (mutes and bans hold an account). Nothing is kept: the player may join
 * again. Announced on a channel every room listens to; the room that holds the player puts them out.
 */
export const KICKS_CHANNEL = "kobot:kicks";

/** A kick as every room hears it (the reason stays in the admin route's log). */
export interface Kick {
  player: string;
}

export async function kick(presence: Presence, player: string): Promise<void> {
  await presence.publish(KICKS_CHANNEL, { player } satisfies Kick);
}
