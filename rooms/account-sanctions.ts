import type { Presence } from "@colyseus/core";

/**
 * What a moderator may do to a signed-in player's account for a while: `mute` (no lines, no questions) or `ban` (out
 * of the room, no joins). Kept in Colyseus's presence (Redis when several processes share rooms), each in a key that
 * expires with it, and announced on a channel every room listens to, so a player already in a room gets it at once.
 * Times are the wall clock's: the only one processes share.
 */
export type Sanction = "mute" | "ban";
export const SANCTIONS: readonly Sanction[] = ["mute", "ban"];
export const SANCTIONS_CHANNEL = "kobot:sanctions";

/** An account's sanction set or lifted (`until` 0), as every room hears it. */
export interface SanctionChange {
  sanction: Sanction;
  account: string;
  until: number;
}

const keyOf = (sanction: Sanction, account: string) => `kobot:${sanction}:${account}`;

/** Sanctions `account` for `ms`; returns when it ends (epoch ms). */
export async function impose(presence: Presence, sanction: Sanction, account: string, ms: number): Promise<number> {
  const until = Date.now() + ms;
  await presence.setex(keyOf(sanction, account), String(until), Math.ceil(ms / 1000));
  await presence.publish(SANCTIONS_CHANNEL, { sanction, account, until } satisfies SanctionChange);
  return until;
}

export async function lift(presence: Presence, sanction: Sanction, account: string): Promise<void> {
  await presence.del(keyOf(sanction, account));
  await presence.publish(SANCTIONS_CHANNEL, { sanction, account, until: 0 } satisfies SanctionChange);
}

/** When the account's sanction ends (epoch ms), or undefined when it has none. */
export async function sanctionedUntil(presence: Presence, sanction: Sanction, account: string): Promise<number | undefined> {
  const until = Number(await presence.get(keyOf(sanction, account)));
  return until > Date.now() ? until : undefined;
}
