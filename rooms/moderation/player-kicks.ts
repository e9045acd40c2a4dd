import type { Presence } from "@colyseus/core";

/**
 * A moderator puts a player out of their room now, by the session id a report or the chat search names, or by their
 * account: the one action on a player who did not sign in (mutes and bans hold an account). Nothing is kept: the player may join
 * again. Announced on a channel every room listens to; the room that holds the player puts them out.
 */
export const KICKS_CHANNEL = "kobot:kicks";

/**
 * A kick as every room hears it (the reason stays in the admin route's log): of a session, or of every session of a
 * signed-in player's account (one who joined again since a report has another session: its kick reached nobody).
 */
export type Kick = { player: string } | { account: string };

export async function kick(presence: Presence, whom: Kick): Promise<void> {
  await presence.publish(KICKS_CHANNEL, whom satisfies Kick);
}
