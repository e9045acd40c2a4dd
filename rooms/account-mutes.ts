import type { Presence } from "@colyseus/core";

/**
 * Accounts a moderator muted: they may not chat or ask NPCs until the mute ends. Kept in Colyseus's presence (Redis
 * when several processes share rooms), each mute in a key that expires with it, and announced on a channel every
 * room listens to, so a player already in a room is muted at once. Times are the wall clock's: the only one
 * processes share.
 */
export const MUTES_CHANNEL = "kobot:mutes";

/** An account's mute set or lifted (`until` 0), as every room hears it. */
export interface MuteChange {
  account: string;
  until: number;
}

const keyOf = (account: string) => `kobot:mute:${account}`;

/** Mutes `account` for `ms`; returns when the mute ends (epoch ms). */
export async function muteAccount(presence: Presence, account: string, ms: number): Promise<number> {
  const until = Date.now() + ms;
  await presence.setex(keyOf(account), String(until), Math.ceil(ms / 1000));
  await presence.publish(MUTES_CHANNEL, { account, until } satisfies MuteChange);
  return until;
}

export async function unmuteAccount(presence: Presence, account: string): Promise<void> {
  await presence.del(keyOf(account));
  await presence.publish(MUTES_CHANNEL, { account, until: 0 } satisfies MuteChange);
}

/** When the account's mute ends (epoch ms), or undefined when it has none. */
export async function mutedUntil(presence: Presence, account: string): Promise<number | undefined> {
  const until = Number(await presence.get(keyOf(account)));
  return until > Date.now() ? until : undefined;
}
