import { access, appendFile, mkdir, open } from "node:fs/promises";
import { dirname, join } from "node:path";

import type { Logger } from "../common/log.js";
import { logThrottle, repeatsField } from "../common/log-throttle.js";
import { chatArchiveWaiting, chatLogDropped } from "../common/metrics.js";
import { type ChatLogRecord, withoutAccount } from "./chat-log.js";
import type { ChatLogPublisher } from "./chat-log-transport.js";
import { eraseFromDailyFiles } from "./daily-file-erasure.js";
import { DroppedLines } from "./dropped-lines.js";

const FLUSH_EVERY_MS = 200;
/** A write that failed (a full disk) is tried again this long after. */
const RETRY_AFTER_MS = 1000;
/** Lines kept for a write that fails: past them the oldest go, said (about 10 MB of chat). */
const MOST_KEPT = 20_000;
/** A failing write is said at most this often: retried every second, a full disk was 86,000 log lines a day. */
const SAY_FAILURE_EVERY_MS = 10_000;

/**
 * The chat archive of the embedded default: chat-log records appended as JSON lines to one file
 * per day and server, `DIR/date=YYYY-MM-DD/<serverId>.ndjson` (UTC), the layout the Spark jobs read
 * (analytics/), like the Parquet archive a deployment writes from Kafka.
 */
export class DailyFileChatLog implements ChatLogPublisher {
  private buffer: ChatLogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Files this process has appended to: only the first append to each can follow a torn line. */
  private readonly opened = new Set<string>();
  private readonly failureSaid = logThrottle(SAY_FAILURE_EVERY_MS);
  private readonly dropped: DroppedLines;
  /** A write failed and none has worked since. */
  private failing = false;

  constructor(
    private readonly dir: string,
    private readonly serverId: string,
    private readonly log: Logger,
  ) {
    this.dropped = new DroppedLines(log, "kept for the chat archive, which has failed to write for too long");
  }

  publish(record: ChatLogRecord): void {
    this.buffer.push(record);
    this.flushIn(FLUSH_EVERY_MS);
  }

  private flushIn(ms: number): void {
    this.timer ??= setTimeout(() => void this.flush(), ms);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /**
   * A player's erasure request (server/http/erasure-routes.ts): their lines, those still buffered too, leave the files;
   * between two appends, so none written meanwhile is lost. Returns how many records went. `ownFiles`: only this
   * server's files (an erasure asked of another server, whose DATA_DIR may be this one: its files are its to rewrite).
   */
  async erase(account: string, { ownFiles = false }: { ownFiles?: boolean } = {}): Promise<number> {
    await this.flush();
    // Kept to write again (a full disk): written after the erasure, they would bring the player's words back.
    this.buffer = withoutAccount(this.buffer, account);
    const erasing = this.writing.then(() => eraseFromDailyFiles(this.dir, account, ownFiles ? `${this.serverId}.ndjson` : undefined));
    this.writing = erasing.then(
      () => undefined,
      () => undefined,
    );
    return erasing;
  }

  /** Never rejects: what it could not write is logged (and kept to write again), never thrown. */
  private async write(records: ChatLogRecord[]): Promise<void> {
    const byDay = new Map<string, ChatLogRecord[]>();
    for (const record of records) {
      const day = dayOf(record.ts);
      // A clock years off gives no date: thrown, it ended the process (a timer's flush) or stopped every write after it.
      if (day === undefined) this.log.error("chat line not archived: its ts is no date", { id: record.id, ts: record.ts });
      else if (byDay.has(day)) byDay.get(day)!.push(record);
      else byDay.set(day, [record]);
    }
    for (const [day, dayRecords] of byDay) {
      const file = join(this.dir, `date=${day}`, `${this.serverId}.ndjson`);
      try {
        await mkdirSayingWhy(dirname(file));
        const torn = !this.opened.has(file) && (await endsMidLine(file));
        this.opened.add(file);
        await appendFile(file, (torn ? "\n" : "") + dayRecords.map(identifiedFirst).join("\n") + "\n");
        if (this.failing) this.log.info("chat archive writing again", { file, waiting: this.buffer.length });
        this.failing = false;
      } catch (error) {
        // A full disk must not stop the game, nor lose the lines: written again later (readers keep a record written
        // twice once, by its id), after a look for a line the failed append left cut short, which they must not join.
        this.opened.delete(file);
        this.keepToWrite(dayRecords);
        this.failing = true;
        const held = this.failureSaid((error as NodeJS.ErrnoException).code ?? (error as Error).message);
        if (held !== undefined) this.log.error("chat archive write failed: its lines are kept and written again", { error, waiting: this.buffer.length, ...repeatsField(held) });
      }
    }
    chatArchiveWaiting.set(this.buffer.length);
  }

  private keepToWrite(records: ChatLogRecord[]): void {
    this.buffer.unshift(...records);
    this.dropped.trim(this.buffer, MOST_KEPT);
    this.flushIn(RETRY_AFTER_MS);
    this.timer?.unref(); // a process that stops is not held up by it
  }

  /** Writes what it holds; what it still cannot write is lost, said with how many (it went without a word). */
  async stop(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dropped.say(MOST_KEPT);
    if (this.buffer.length === 0) return;
    this.log.error("chat lines not archived: the archive could not write them before shutdown", { lines: this.buffer.length, dir: this.dir });
    chatLogDropped.inc(this.buffer.length);
    this.buffer = [];
    chatArchiveWaiting.set(0);
  }
}

/**
 * mkdir -p, with the cause a read-only file system gives: Node's recursive mkdir says ENOENT there ("no such file or
 * directory", of a folder that exists), and the log sent the operator looking for a missing folder.
 */
async function mkdirSayingWhy(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    // The first folder missing, made alone, fails with the cause (EROFS, EACCES).
    let first = dir;
    while (dirname(first) !== first && !(await exists(dirname(first)))) first = dirname(first);
    await mkdir(first).catch((cause: NodeJS.ErrnoException) => {
      throw cause.code === "EEXIST" ? error : cause;
    });
    await mkdir(dir, { recursive: true });
  }
}

const exists = (path: string) => access(path).then(() => true, () => false);

/** `ts`'s UTC day, YYYY-MM-DD, or undefined for a time no Date holds. */
function dayOf(ts: number): string | undefined {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 10);
}

/**
 * A process killed mid-append (or a full disk) leaves a file's last line cut short. The next line written after it
 * starts on a line of its own, or it would be glued to the fragment and both lost to the analytics' quarantine.
 */
async function endsMidLine(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/** One publisher feeding several (archive and search index). */
export function fanOut(...publishers: ChatLogPublisher[]): ChatLogPublisher {
  return {
    publish: (record) => publishers.forEach((p) => p.publish(record)),
    flush: async () => void (await Promise.all(publishers.map((p) => p.flush()))),
    stop: async () => void (await Promise.all(publishers.map((p) => p.stop()))),
    dropWaiting: async (account) => void (await Promise.all(publishers.map((p) => p.dropWaiting?.(account)))),
  };
}

/**
 * A record as written: its account and the line it answers first, so that a line a killed append cut short still
 * names whose it is (written after the text, its largest field, a cut line never did: an erasure kept it).
 */
const identifiedFirst = (record: ChatLogRecord) => JSON.stringify({ account: record.account, replyTo: record.replyTo, ...record });
