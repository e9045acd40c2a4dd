import type { Presence } from "@colyseus/core";

/**
 * What a moderator may do to a signed-in player's account for a while: `mute` (no lines, no questions) or `ban` (out
 * of the room, no joins). Kept in Colyseus's presence (Redis when several processes share rooms), each in a key that
 * expires with it, and announced on a channel every room listens to, so a player already in a room gets it at once.
 * Times are the wall clock's: the only one processes share.
 */
export type Sanction = "mute" | "ban";
export const SANCTIONS_CHANNEL = "kobot:sanctions";

/** An account's sanction set or lifted (`until` 0), as every room hears it. */
export interface SanctionChange {
  sanction: Sanction;
  account: string;
  until: number;
}

/** A sanction in force, as moderators list them: whose, since and until when (epoch ms), and why. */
export interface SanctionRecord {
  account: string;
  since: number;
  until: number;
  reason?: string;
}

const keyOf = (sanction: Sanction, account: string) => `kobot:${sanction}:${account}`;
/**
 * Every account's record of one sanction, in one hash: the presence can list a hash but has no scan of keys. The
 * expiring key above stays what rooms check; a record past its end is dropped as the list is read.
 */
const recordsOf = (sanction: Sanction) => `kobot:${sanction}s`;

/**
 * Sanctions `account` for `ms`, unless one of this kind in force already ends later: that one stays, reason and all
 * (a 30-minute mute from a report, or the mute that reports impose by themselves, cut a moderator's week-long mute to
 * its own length). Returns when the sanction in force ends (epoch ms), and whether it is the one before.
 */
export async function impose(presence: Presence, sanction: Sanction, account: string, ms: number, reason?: string): Promise<{ until: number; longerInForce: boolean }> {
  return alone(presence, keyOf(sanction, account), async () => {
    const since = Date.now();
    const until = since + ms;
    const before = await sanctionedUntil(presence, sanction, account);
    if (before !== undefined && before >= until) return { until: before, longerInForce: true };
    await presence.setex(keyOf(sanction, account), String(until), Math.ceil(ms / 1000));
    await presence.hset(recordsOf(sanction), account, JSON.stringify({ since, until, ...(reason ? { reason } : {}) }));
    await presence.publish(SANCTIONS_CHANNEL, { sanction, account, until } satisfies SanctionChange);
    return { until, longerInForce: false };
  });
}

/** How long one call may hold a sanction while it sets it (a few calls to the presence); a holder that died lets go then. */
const HOLD_S = 5;

/**
 * Runs `work` while no other call, in any process sharing the presence, sets the sanction `key`: two at once (a
 * moderator's week-long mute and the mute players' reports bring on) both read none in force, and the shorter one,
 * written last, cut the longer (20 of 20 tries with Redis).
 */
async function alone<T>(presence: Presence, key: string, work: () => Promise<T>): Promise<T> {
  // Outside the kept parts' "kobot:" (the embedded default's moderation.json): each hold let go rewrote the file.
  const hold = `kobot-hold:${key}`;
  // The wait by this process's clock: a wall-clock step forward broke a live hold, one back made it 25 s instead of 5.
  const since = performance.now();
  while ((await presence.incr(hold)) !== 1) {
    // One that died between its incr and its expire left a key that never expires.
    if (performance.now() - since > HOLD_S * 1000) await presence.del(hold);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await presence.expire(hold, HOLD_S);
  try {
    return await work();
  } finally {
    await presence.del(hold);
  }
}

/** The longest a sanction lasts (the moderators' routes, REPORT_MUTE_MINUTES). */
export const LONGEST_SANCTION_MS = 7 * 24 * 3600_000;

/**
 * Sets again a sanction recorded before (a restart of the embedded default): its key for the time it has left, a week
 * at most. More (a file edited by hand, a clock stepped back between save and start) went past the 24.8 days a
 * timer of the in-process presence can hold, which fired at once: the ban was lifted as the server started.
 */
export async function restore(presence: Presence, sanction: Sanction, { account, ...kept }: SanctionRecord): Promise<void> {
  const record = { ...kept, until: Math.min(kept.until, Date.now() + LONGEST_SANCTION_MS) };
  const left = record.until - Date.now();
  if (left <= 0) return;
  await presence.setex(keyOf(sanction, account), String(record.until), Math.ceil(left / 1000));
  await presence.hset(recordsOf(sanction), account, JSON.stringify(record));
}

export async function lift(presence: Presence, sanction: Sanction, account: string): Promise<void> {
  await presence.del(keyOf(sanction, account));
  await presence.hdel(recordsOf(sanction), account);
  await presence.publish(SANCTIONS_CHANNEL, { sanction, account, until: 0 } satisfies SanctionChange);
}

/** The sanctions of this kind in force now, those ending first first. */
export async function sanctionsInForce(presence: Presence, sanction: Sanction): Promise<SanctionRecord[]> {
  const now = Date.now();
  const records = Object.entries(await presence.hgetall(recordsOf(sanction))).map(([account, json]) => ({
    account,
    ...(JSON.parse(json) as Omit<SanctionRecord, "account">),
  }));
  const ended = records.filter((record) => record.until <= now);
  await Promise.all(ended.map((record) => presence.hdel(recordsOf(sanction), record.account)));
  return records.filter((record) => record.until > now).sort((a, b) => a.until - b.until);
}

/** When the account's sanction ends (epoch ms), or undefined when it has none. */
export async function sanctionedUntil(presence: Presence, sanction: Sanction, account: string): Promise<number | undefined> {
  const until = Number(await presence.get(keyOf(sanction, account)));
  return until > Date.now() ? until : undefined;
}
