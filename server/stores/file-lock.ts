import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";

import { processAlive } from "../../common/process-alive.js";

/** Another live process holds the file (its lock names it). */
export class FileHeldError extends Error {
  constructor(
    readonly lock: string,
    readonly holder: string,
  ) {
    super(`${lock} says ${holder} holds it`);
  }
}

/** How often a holder touches its lock, and how long another host's lock may go untouched before it is deemed dead. */
export const LOCK_TOUCH_MS = 10_000;
export const LOCK_STALE_MS = 60_000;
/** How long a takeover's guard may stand before it is deemed left by a crash (a takeover takes a few ms). */
export const GUARD_STALE_MS = 5_000;

/**
 * Holds `path` for this process through a lock file beside it (`path.lock`, naming the process and host), made only
 * where none is, as PostgreSQL's postmaster.pid is. A lock whose process is gone (a crash, on this host; or this
 * process's own pid, reused after a container restart) is taken over; one of a live process is not: FileHeldError.
 * Whether another host's process runs cannot be asked, and a container made again has another host name: the holder
 * touches its lock every LOCK_TOUCH_MS, and another host's lock untouched for LOCK_STALE_MS is taken over. Returns
 * what lets the file go.
 */
export async function holdFile(path: string): Promise<() => Promise<void>> {
  const lock = `${path}.lock`;
  const mine = ownText();
  await mkdir(dirname(lock), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await createWhole(lock, mine);
      const touch = setInterval(() => {
        const now = new Date();
        utimes(lock, now, now).catch(() => undefined);
      }, LOCK_TOUCH_MS).unref();
      return async () => {
        clearInterval(touch);
        // Only our own: a lock taken over by another process after ours was deemed stale stays.
        await unlinkIfOwn(lock, mine);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const { holder, touchedMsAgo } = await readHolder(lock);
    const held = heldBy(holder, touchedMsAgo);
    if (held || attempt > 0) throw new FileHeldError(lock, held ?? "another process");
    await takeOver(lock, holder); // stale: its process is gone
  }
}

/**
 * Makes `file` holding `text`, only where none is, whole from its first moment: made empty and then written, another
 * process starting at once read it empty, took it for a lock torn by a crash, deleted it and took the file too (16 of
 * 300 starts of two servers together). Written beside it, then linked to its name (which fails where one is).
 */
async function createWhole(file: string, text: string): Promise<void> {
  const draft = `${file}.${process.pid}.${randomUUID()}`;
  try {
    // A write refused (a full disk) leaves the draft made: removed below too, or each start that failed left one.
    await writeFile(draft, text, { flag: "wx" });
    await link(draft, file);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/**
 * Deletes a stale lock, as long as it is still the one judged stale (`judged`, its text), under a guard beside it
 * (`<lock>.takeover`) that one process at a time makes: a lock is then never moved or deleted while live. Moving it
 * aside to read it, and putting back one that was not the stale one, left no lock for a moment, in which a third
 * process starting took the file as well (two holders, with forced timings). A guard held by a live process: another
 * is taking the lock over, and this process leaves it to them. A guard of a process gone, or older than
 * GUARD_STALE_MS (its process died taking over; its pid may be another's since), is deleted and made again (two
 * processes deleting the same dead guard at once could both get in: a crash within a takeover's few ms, then two
 * starts at once).
 */
export async function takeOver(lock: string, judged: string): Promise<void> {
  const guard = `${lock}.takeover`;
  const mine = ownText();
  for (let attempt = 0; ; attempt++) {
    try {
      await createWhole(guard, mine);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const { holder, touchedMsAgo } = await readHolder(guard);
    // Held for a takeover's few ms: one older was left by a crash, whatever process has its pid now.
    if (attempt > 0 || (touchedMsAgo < GUARD_STALE_MS && heldBy(holder, touchedMsAgo))) return;
    await unlink(guard).catch(() => undefined);
  }
  try {
    if ((await readFile(lock, "utf8").catch(() => undefined)) === judged) await unlink(lock).catch(() => undefined);
  } finally {
    await unlinkIfOwn(guard, mine);
  }
}

/** What a lock or guard of this process says: its pid and host. */
const ownText = () => JSON.stringify({ pid: process.pid, host: hostname() });

/** What a lock or guard says (empty: gone or unreadable), and how long ago its holder last touched it. */
async function readHolder(file: string): Promise<{ holder: string; touchedMsAgo: number }> {
  const holder = await readFile(file, "utf8").catch(() => "");
  return { holder, touchedMsAgo: Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0) };
}

/** Deletes `file` only while it still says `mine`: one another process made since is left. */
async function unlinkIfOwn(file: string, mine: string): Promise<void> {
  if ((await readFile(file, "utf8").catch(() => "")) === mine) await unlink(file).catch(() => undefined);
}

/** Who holds a lock with this text, or undefined when no one can: its process is gone, or it is unreadable. */
function heldBy(text: string, touchedMsAgo: number): string | undefined {
  let pid: unknown;
  let host: unknown;
  try {
    ({ pid, host } = JSON.parse(text) as { pid?: unknown; host?: unknown });
  } catch {
    return undefined; // torn as it was written: whoever wrote it did not get to use the file
  }
  if (typeof pid !== "number" || typeof host !== "string") return undefined;
  if (host !== hostname()) {
    if (touchedMsAgo > LOCK_STALE_MS) return undefined;
    return `process ${pid} on ${host} (if it is gone, its lock is taken over ${Math.ceil((LOCK_STALE_MS - touchedMsAgo) / 1000)} s from now)`;
  }
  return pid !== process.pid && processAlive(pid) ? `process ${pid}` : undefined;
}
