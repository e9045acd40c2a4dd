import { randomUUID } from "node:crypto";
import { link, mkdir, open, readdir, readFile, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname } from "node:path";

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

/** How often a holder touches its lock (its mtime), for another host to see it lives. */
export const LOCK_TOUCH_MS = 10_000;
/**
 * How long another host's lock is watched for a touch before its holder is deemed dead: two touches missed (a holder's
 * timer may fire late under load). Watched by this process's clock: the lock's age, its mtime against this host's wall
 * clock, said nothing across hosts, and a contender whose clock ran 70 s ahead took a live lock.
 */
export const LOCK_WATCH_MS = 2 * LOCK_TOUCH_MS + 1_000;
/** How long a takeover's guard may stand before it is deemed left by a crash (a takeover takes a few ms). */
export const GUARD_STALE_MS = 5_000;

/** How another host's lock is watched (a test shortens it): its mtime read every `pollMs` for `windowMs` of `now()`. */
export const otherHostWatch = {
  windowMs: LOCK_WATCH_MS,
  pollMs: 500,
  now: (): number => performance.now(),
  sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Holds `path` for this process through a lock file beside it (`path.lock`, naming the process and host), made only
 * where none is, as PostgreSQL's postmaster.pid is. A lock whose process is gone (a crash, on this host; or this
 * process's own pid, reused after a container restart) is taken over; one of a live process is not: FileHeldError.
 * Whether another host's process runs cannot be asked, and a container made again has another host name: the holder
 * touches its lock every LOCK_TOUCH_MS, and another host's lock is watched: touched within LOCK_WATCH_MS, it is held
 * (found at its next touch, 5 s on average), not touched, taken over (a start waits those 21 s). A lock of this host
 * costs no wait. Returns what lets the file go.
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
    const found = await readHolder(lock);
    // Taken over, then lost to a process that got in first: that one holds it, and is not watched again.
    if (attempt > 0) throw new FileHeldError(lock, (found && nameOf(parseHolder(found.holder))) ?? "another process");
    const held = found && (await holderOf(lock, found));
    if (held) throw new FileHeldError(lock, held);
    if (found) await takeOver(lock, found.holder); // stale: its process is gone
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
 * Deletes a stale lock, as long as it is still the one judged stale (`judged`, its text), under a guard beside it that
 * one process at a time holds: a lock is then never moved or deleted while live. Moving it aside to read it, and
 * putting back one that was not the stale one, left no lock for a moment, in which a third process starting took the
 * file as well (two holders, with forced timings).
 *
 * Guards are numbered (`<lock>.takeover.<n>`), each made by linking, so by one process only. A live last guard: another
 * is taking the lock over, and this process leaves it to them. A last guard of a process gone, or older than
 * GUARD_STALE_MS (its process died taking over; its pid may be another's since), is passed by making the next number,
 * never deleted to be made again: two processes that had both judged it dead each deleted it and made their own, the
 * second deleting the first's, and both got in (then the second deleted the first's new lock: two holders, with forced
 * timings). Having made one, a process looks again and goes on only where no other guard is live (one made from an old
 * look, beside a live one, gives way). The one inside deletes the dead guards as it leaves, then its own. A takeover
 * paused past GUARD_STALE_MS may still overlap the next: the age limit's price.
 */
export async function takeOver(lock: string, judged: string): Promise<void> {
  const last = (await readGuards(lock)).at(-1);
  await takeoverSteps.reached("guards read");
  if (last?.live) return;
  const guard = `${lock}.takeover.${(last?.number ?? 0) + 1}`;
  const mine = ownText();
  try {
    await createWhole(guard, mine);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return; // another made this number first: it is in
    throw error;
  }
  try {
    const others = (await readGuards(lock)).filter(({ file }) => file !== guard);
    if (others.some(({ live }) => live)) return;
    const text = await readFile(lock, "utf8").catch(() => undefined);
    await takeoverSteps.reached("lock read");
    if (text === judged) await unlink(lock).catch(() => undefined);
    // Dead when looked at, and deleted by the one inside only: each is still the one looked at.
    for (const { file } of others) await unlink(file).catch(() => undefined);
  } finally {
    await unlinkIfOwn(guard, mine);
  }
}

/** Where a test holds a takeover, to force the order of two processes (a race's window is a few ms); nothing otherwise. */
export const takeoverSteps = { reached: async (_step: "guards read" | "lock read"): Promise<void> => undefined };

/** The takeover guards beside `lock`, by number, each with whether it is live (a takeover's few ms, by a live process). */
async function readGuards(lock: string): Promise<Array<{ file: string; number: number; live: boolean }>> {
  const prefix = `${basename(lock)}.takeover.`;
  const numbers = (await readdir(dirname(lock)))
    .filter((name) => name.startsWith(prefix) && /^[1-9][0-9]*$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => a - b);
  const guards = await Promise.all(
    numbers.map(async (number) => {
      const file = `${lock}.takeover.${number}`;
      const found = await readHolder(file);
      // One older than a takeover's few ms was left by a crash, whatever process has its pid now. Never touched, a
      // guard cannot be watched: another host's is judged by its age, on this host's wall clock.
      const holder = found && parseHolder(found.holder);
      const live = holder !== undefined && Date.now() - found!.mtimeMs < GUARD_STALE_MS && (holder.host !== hostname() || liveHere(holder.pid));
      return found && { file, number, live };
    }),
  );
  return guards.filter((guard) => guard !== undefined); // one gone since the listing is no one's now
}

/** What a lock or guard of this process says: its pid and host. */
const ownText = () => JSON.stringify({ pid: process.pid, host: hostname() });

/**
 * What a lock or guard says (empty: unreadable), and when its holder last touched it (its mtime, by the clock of
 * whoever touched it); undefined where none is. Both from one open file: by name, a file deleted and made again in
 * between gave one's text with the other's time.
 */
async function readHolder(file: string): Promise<{ holder: string; mtimeMs: number } | undefined> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : { holder: "", mtimeMs: -Infinity };
  }
  try {
    const { mtimeMs } = await handle.stat();
    return { holder: await handle.readFile("utf8").catch(() => ""), mtimeMs };
  } finally {
    await handle.close();
  }
}

/** Deletes `file` only while it still says `mine`: one another process made since is left. */
async function unlinkIfOwn(file: string, mine: string): Promise<void> {
  if ((await readFile(file, "utf8").catch(() => "")) === mine) await unlink(file).catch(() => undefined);
}

/** The process and host a lock or guard names, or undefined where it names none: torn as it was written, or unreadable. */
function parseHolder(text: string): { pid: number; host: string } | undefined {
  try {
    const { pid, host } = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return typeof pid === "number" && typeof host === "string" ? { pid, host } : undefined;
  } catch {
    return undefined; // whoever wrote it did not get to use the file
  }
}

/** Whether a process of this host with this pid runs (this process's own pid in a lock: reused after a restart). */
const liveHere = (pid: number) => pid !== process.pid && processAlive(pid);

/**
 * Who holds the lock `found` was read from, or undefined when no one can: its process is gone (this host), its
 * holder did not touch it while it was watched (another host: otherHostWatch), or it names no process.
 */
async function holderOf(lock: string, found: { holder: string; mtimeMs: number }): Promise<string | undefined> {
  const holder = parseHolder(found.holder);
  if (holder === undefined) return undefined;
  if (holder.host === hostname()) return liveHere(holder.pid) ? nameOf(holder) : undefined;
  return (await touchedWhileWatched(lock, found)) ? `${nameOf(holder)} (it touches its lock, as a live holder does)` : undefined;
}

const nameOf = (holder: { pid: number; host: string } | undefined) =>
  holder && (holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`);

/**
 * Whether another host's lock changed (touched, or made anew) while watched for otherHostWatch.windowMs: its mtime
 * against its own first reading, so neither host's wall clock matters. One let go meanwhile is held by no one.
 */
async function touchedWhileWatched(lock: string, first: { holder: string; mtimeMs: number }): Promise<boolean> {
  const { windowMs, pollMs, now, sleep } = otherHostWatch;
  const since = now();
  for (let waited = 0; waited < windowMs; waited = now() - since) {
    await sleep(Math.min(pollMs, windowMs - waited));
    const found = await readHolder(lock);
    if (found === undefined) return false;
    if (found.mtimeMs !== first.mtimeMs || found.holder !== first.holder) return true;
  }
  return false;
}
