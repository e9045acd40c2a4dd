import { copyFile, mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

import type { LocalPresence } from "@colyseus/core";
import type { z } from "zod";

import type { Logger } from "../../common/log.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { ConfigError } from "../config.js";
import { FileHeldError, holdFile } from "./file-lock.js";
import { ProcessPresence } from "./local-presence.js";

/** A part of the presence kept in a file of its own: its keys (all under `prefix`), as `snapshot` writes them and `restore` reads them back. */
export interface KeptPart<T> {
  /** The file's name in DATA_DIR. */
  file: string;
  prefix: string;
  /** What the part holds, for the logs: "mutes, bans and reports". */
  holds: string;
  schema: z.ZodType<T>;
  /**
   * Whether a file that cannot be read (or wholly read) is kept aside for a person: moderation's is evidence. The
   * NPCs' memory is deleted instead: worth little, and no erasure reached a copy aside, which kept every account met.
   */
  keepsUnreadable: boolean;
  /**
   * What the file holds now (`schema`'s shape), as JSON text in pieces: between two pieces' writes the event loop runs
   * the rooms, where a part of megabytes built and written whole held them all at once.
   */
  json(presence: KeptPresence): AsyncIterable<string>;
  /** Puts what was kept back into the presence; returns counts for the log (`unreadable`: entries it could not use). */
  restore(presence: LocalPresence, kept: T): Promise<Record<string, number>>;
}

/** How often a changed part's file is brought up to date. */
export const PRESENCE_SAVE_MS = 5000;

/**
 * Colyseus's in-process presence, noting which kept parts (by their keys' prefixes) changed. The kept parts' hashes are
 * Maps of its own: LocalPresence keeps a hash as a plain object, which V8 turns into a slow dictionary past a few
 * thousand fields: saving an NPC's memory of 100,000 accounts (a copy, then an object of it) held every room ~0.4 s.
 * `hincrbyex` (matchmaking's counts, which expire) stays LocalPresence's: no kept part uses it. Its keys expire as
 * ProcessPresence's do, without keeping the process up.
 */
export class KeptPresence extends ProcessPresence {
  readonly changed = new Set<string>();
  /** The kept parts' hashes, whether they hold fields now or not (the presence lists a hash's fields, not its keys). */
  private readonly keptHashes = new Map<string, Map<string, string>>();

  constructor(private readonly prefixes: readonly string[]) {
    super();
  }

  override hset(key: string, field: string, value: string): Promise<boolean> {
    if (!this.note(key)) return super.hset(key, field, value);
    let hash = this.keptHashes.get(key);
    if (!hash) this.keptHashes.set(key, (hash = new Map()));
    hash.set(field, value);
    return Promise.resolve(true);
  }

  // LocalPresence types it string, but answers null for a field it lacks, as Redis does (the Presence interface).
  override async hget(key: string, field: string): Promise<string> {
    return this.kept(key) ? (this.keptHashes.get(key)?.get(field) ?? (null as unknown as string)) : super.hget(key, field);
  }

  override async hgetall(key: string): Promise<Record<string, string>> {
    return this.kept(key) ? Object.fromEntries(this.keptHashes.get(key) ?? []) : super.hgetall(key);
  }

  override async hlen(key: string): Promise<number> {
    return this.kept(key) ? (this.keptHashes.get(key)?.size ?? 0) : super.hlen(key);
  }

  override hincrby(key: string, field: string, by: number): Promise<number> {
    if (!this.note(key)) return super.hincrby(key, field, by);
    const value = Number(this.keptHashes.get(key)?.get(field) ?? "0") + by;
    return this.hset(key, field, String(value)).then(() => value);
  }

  override hdel(key: string, field: string): Promise<boolean> {
    if (!this.note(key)) return super.hdel(key, field);
    return Promise.resolve(this.keptHashes.get(key)?.delete(field) ?? false);
  }

  override async exists(key: string): Promise<boolean> {
    return (this.keptHashes.get(key)?.size ?? 0) > 0 || super.exists(key);
  }

  override del(key: string): void {
    this.note(key);
    this.keptHashes.delete(key);
    super.del(key);
  }

  /** The keys of the hashes written under `prefix` (one of the kept parts'), whether they hold fields now or not. */
  hashKeysUnder(prefix: string): string[] {
    return [...this.keptHashes.keys()].filter((key) => key.startsWith(prefix));
  }

  /** A kept hash's fields and values as they are, without a copy (for a part's snapshot). */
  hashEntries(key: string): ReadonlyMap<string, string> {
    return this.keptHashes.get(key) ?? new Map();
  }

  private kept(key: string): boolean {
    return this.prefixes.some((prefix) => key.startsWith(prefix));
  }

  /** Notes the change of a kept part's key; false for a key of no kept part. */
  private note(key: string): boolean {
    const prefix = this.prefixes.find((p) => key.startsWith(p));
    if (prefix !== undefined) this.changed.add(prefix);
    return prefix !== undefined;
  }
}

/**
 * Without Redis, Colyseus's presence is this process's memory, and a restart forgot what it held. The embedded default
 * keeps parts of it in files in DATA_DIR, one a part (moderation's, whom NPCs met): read back into the presence returned
 * here before any player can join, then each written within a few seconds of a change of its own (only then: 10,000
 * reports are megabytes, not to be written again for every greeting), and last as the server stops. A file that cannot
 * be read is set aside whole (`.unreadable-<time>`), never written over. The files are one process's (`presence.lock`, holdAll):
 * a second server on the same DATA_DIR would write over the first's records, so it does not start (ConfigError).
 */
export async function keepPresence(
  dir: string,
  parts: readonly KeptPart<unknown>[],
  log: Logger,
  saveEveryMs = PRESENCE_SAVE_MS,
): Promise<{ presence: KeptPresence; saveNow(): Promise<boolean>; stop(): Promise<void> }> {
  const letGo = await holdAll(dir);
  const presence = new KeptPresence(parts.map((part) => part.prefix));
  const partlyRead: string[] = [];
  try {
    for (const part of parts) if (await readBack(join(dir, part.file), part, presence, log)) partlyRead.push(part.prefix);
  } catch (error) {
    await letGo();
    throw unusable(dir, error);
  }
  presence.changed.clear();
  // Written anew without what could not be read (kept aside once): left, it was copied aside again at every start.
  for (const prefix of partlyRead) presence.changed.add(prefix);
  // Tried every few seconds: a full disk was a log line each time. Said once a minute, and always at shutdown.
  const failureSaid = logThrottle(60_000);
  /** Writes the part if it changed; false when it could not. */
  const save = async (part: KeptPart<unknown>, last = false): Promise<boolean> => {
    if (!presence.changed.delete(part.prefix)) return true; // a change while this writes is written next time
    const file = join(dir, part.file);
    try {
      await mkdir(dir, { recursive: true });
      await writeKept(file, part, presence);
      return true;
    } catch (error) {
      presence.changed.add(part.prefix); // tried again next time
      const held = failureSaid(`${part.file} ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      if (last || held !== undefined) log.error(`${part.file} not written${last ? " before shutdown: its latest changes are lost" : ""}`, { file, error, ...repeatsField(held ?? 0) });
      return false;
    }
  };
  let saving = Promise.resolve(true);
  const saveSoon = (last = false) =>
    (saving = saving.then(async () => {
      let written = true;
      for (const part of parts) written = (await save(part, last)) && written;
      return written;
    }));
  const timer = setInterval(saveSoon, saveEveryMs);
  timer.unref();
  return {
    presence,
    /** What changed, on disk now (an erasure's answer waits for it): whether every part was written. */
    saveNow: () => saveSoon(),
    async stop() {
      clearInterval(timer);
      await saveSoon(true);
      await letGo();
    },
  };
}

/**
 * Older servers held `moderation.json.lock` alone (no `presence.lock`): one of those on the same DATA_DIR, as a deploy
 * rolls from one version to the next, is stopped by that lock too. Returns what lets them all go.
 */
const LOCKS = ["presence", "moderation.json"];

async function holdAll(dir: string): Promise<() => Promise<void>> {
  const held: Array<() => Promise<void>> = [];
  const letGo = async () => {
    for (const release of held.reverse()) await release();
  };
  for (const name of LOCKS) {
    try {
      held.push(await holdFile(join(dir, name)));
    } catch (error) {
      await letGo();
      if (!(error instanceof FileHeldError)) throw unusable(dir, error);
      throw new ConfigError(
        `${dir} is kept by ${error.holder}: another server without Redis uses DATA_DIR ${dir}. Give each its own ` +
          `DATA_DIR (or share moderation through REDIS_URL); if no such server runs, delete ${error.lock}`,
      );
    }
  }
  return letGo;
}

/** A file system's refusal (not a folder, no room, not allowed) as a setting to change; anything else as it is. */
function unusable(dir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code) return error;
  // A full disk is mended by room on it: off would start the server without its mutes, bans and reports.
  const fix = code === "ENOSPC" || code === "EDQUOT" ? `free space on it (off would start without the mutes, bans and reports kept there)` : "set DATA_DIR to a folder this server can write, or to off";
  return new ConfigError(`cannot keep moderation and whom NPCs met in ${dir} (${(error as Error).message}): ${fix}`);
}

/** Reads a part's file back into the presence; true when some of it could not be used (the file is to be written anew). */
async function readBack<T>(file: string, part: KeptPart<T>, presence: LocalPresence, log: Logger): Promise<boolean> {
  // Copies that older servers set aside (`.unreadable-<time>`) of a part now deleted when unreadable: no erasure
  // reached them.
  if (!part.keepsUnreadable) {
    const aside = (await readdir(dirname(file))).filter((name) => name.startsWith(`${basename(file)}.unreadable-`));
    for (const name of aside) await rm(join(dirname(file), name), { force: true });
    if (aside.length > 0) log.warn(`${part.file}: copies set aside by an earlier version deleted`, { files: aside });
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  let kept: T;
  try {
    kept = part.schema.parse(JSON.parse(text));
  } catch (error) {
    if (!part.keepsUnreadable) {
      await rm(file);
      log.error(`${part.file} unreadable: deleted, starting without its ${part.holds}`, { file, error });
      return false;
    }
    const aside = `${file}.unreadable-${Date.now()}`;
    await rename(file, aside);
    log.error(`${part.file} unreadable: set aside, starting without its ${part.holds}`, { file, aside, error });
    return false;
  }
  const counts = await part.restore(presence, kept);
  if (counts.unreadable && !part.keepsUnreadable) {
    log.warn(`${part.file}: some entries unreadable, left out; the rest read back`, { file, ...counts });
    return true;
  }
  if (counts.unreadable) {
    // The rest taken, the file as it was kept aside: the next save writes it without what could not be read.
    const aside = `${file}.unreadable-${Date.now()}`;
    await copyFile(file, aside);
    log.warn(`${part.file}: some entries unreadable, kept aside with the file as it was; the rest read back`, { file, aside, ...counts });
    return true;
  }
  log.info(`${part.file} read back`, { file, ...counts });
  return false;
}

/**
 * Writes a part's file from its pieces, whole or not at all: a crash mid-write leaves the last file. On disk before
 * it takes the old one's name, and the name on disk too: after a power cut, a file system that does not flush on
 * rename (XFS) could leave the name on an empty file, set aside at the next start with every ban in it.
 */
export async function writeKept(file: string, part: KeptPart<unknown>, presence: KeptPresence): Promise<void> {
  const handle = await open(`${file}.tmp`, "w");
  try {
    for await (const piece of part.json(presence)) await handle.write(piece);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(`${file}.tmp`, file);
  const folder = await open(dirname(file), "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
