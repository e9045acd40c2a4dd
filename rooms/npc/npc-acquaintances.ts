import type { Presence } from "@colyseus/core";

import { type HashPages, presenceHashPages } from "../hash-pages.js";

/** A meeting longer ago than this is forgotten: the player is greeted as new. */
export const FORGET_AFTER_DAYS = 30;
export const FORGET_AFTER_MS = FORGET_AFTER_DAYS * 86_400_000;

/** The start of every NPC's hash of account → when the NPC last greeted it (epoch ms). */
export const MET_PREFIX = "npc-met:";
/** Not under `kobot:`: without Redis, each is saved in a file of its own (server/stores/acquaintances-file.ts). */
export const metKeyOf = (npcId: string) => `${MET_PREFIX}${npcId}`;
/**
 * The ids of the NPCs that met anyone: the presence has no scan of keys, and an erasure must reach the hashes of NPCs
 * since removed from the world too. Not under MET_PREFIX: without Redis it is made again from the file's hashes.
 */
export const MET_NPCS_KEY = "npc-met-ids";

/**
 * Which signed-in players an NPC has met, so that it greets one who comes back as someone it knows (its
 * `greetingsAgain`). Kept in the presence: with Redis, shared by every process and kept across restarts; without
 * it, in DATA_DIR (server/stores/acquaintances-file.ts). Players who did not sign in have no account to remember.
 */
export class NpcAcquaintances {
  constructor(private readonly presence: Presence, private readonly forgetAfterMs = FORGET_AFTER_MS) {}

  /** The accounts among `accounts` that the NPC met before (within the forgetting time); all of them count as met from now. */
  async meet(npcId: string, accounts: readonly string[], now = Date.now()): Promise<Set<string>> {
    const key = metKeyOf(npcId);
    await this.presence.sadd(MET_NPCS_KEY, npcId);
    const last = await Promise.all(accounts.map((account) => this.presence.hget(key, account)));
    await Promise.all(accounts.map((account) => this.presence.hset(key, account, String(now))));
    return new Set(accounts.filter((_, i) => last[i] !== null && now - Number(last[i]) < this.forgetAfterMs));
  }
}

/**
 * Every NPC of the world (`worldNpcs`) and every NPC that met anyone forgets it met `account` (a player's erasure
 * request); returns how many had met them.
 */
export async function forgetAccount(presence: Presence, worldNpcs: readonly string[], account: string): Promise<number> {
  const forgotten = await Promise.all((await npcsThatMet(presence, worldNpcs)).map((npcId) => presence.hdel(metKeyOf(npcId), account)));
  return forgotten.filter(Boolean).length;
}

/**
 * Every NPC of the world and every NPC that met anyone drops the meetings past the forgetting time, which count as
 * not met already: without it their hashes keep every account ever greeted, with Redis for good, without it until
 * the file is read at the next start (server/stores/acquaintances-file.ts). Returns how many meetings went.
 */
export async function forgetLongAgo(
  presence: Presence,
  worldNpcs: readonly string[],
  { now = Date.now(), forgetAfterMs = FORGET_AFTER_MS, hashes = presenceHashPages(presence) }: { now?: number; forgetAfterMs?: number; hashes?: HashPages } = {},
): Promise<number> {
  const cutoff = now - forgetAfterMs;
  let forgotten = 0;
  for (const npcId of await npcsThatMet(presence, worldNpcs)) {
    const key = metKeyOf(npcId);
    for await (const page of hashes.pages(key)) {
      const old = page.filter(([, at]) => Number(at) <= cutoff).map(([account]) => account);
      forgotten += await hashes.deleteAtOrBefore(key, old, cutoff);
    }
  }
  return forgotten;
}

/**
 * The NPCs whose hashes may hold meetings: the world's, and those in MET_NPCS_KEY (with Redis, it lacks the NPCs that
 * met players before it was kept).
 */
async function npcsThatMet(presence: Presence, worldNpcs: readonly string[]): Promise<string[]> {
  return [...new Set([...worldNpcs, ...(await presence.smembers(MET_NPCS_KEY))])];
}
