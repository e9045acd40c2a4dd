import { appendFile, mkdir, open } from "node:fs/promises";
import { join } from "node:path";

import type { ChatLogRecord } from "./chat-log.js";
import type { ChatLogPublisher } from "./chat-log-transport.js";
import { eraseFromDailyFiles } from "./daily-file-erasure.js";

const FLUSH_EVERY_MS = 200;

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

  constructor(
    private readonly dir: string,
    private readonly serverId: string,
    private readonly onError: (error: Error) => void,
  ) {}

  publish(record: ChatLogRecord): void {
    this.buffer.push(record);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
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
   * A player's erasure request (server/erasure-routes.ts): their lines, those still buffered too, leave the files;
   * between two appends, so none written meanwhile is lost. Returns how many records went.
   */
  async erase(account: string): Promise<number> {
    await this.flush();
    const erasing = this.writing.then(() => eraseFromDailyFiles(this.dir, account));
    this.writing = erasing.then(
      () => undefined,
      () => undefined,
    );
    return erasing;
  }

  private async write(records: ChatLogRecord[]): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const record of records) {
      const day = new Date(record.ts).toISOString().slice(0, 10);
      const lines = byDay.get(day);
      if (lines) lines.push(JSON.stringify(record));
      else byDay.set(day, [JSON.stringify(record)]);
    }
    for (const [day, lines] of byDay) {
      try {
        const folder = join(this.dir, `date=${day}`);
        await mkdir(folder, { recursive: true });
        const file = join(folder, `${this.serverId}.ndjson`);
        const torn = !this.opened.has(file) && (await endsMidLine(file));
        this.opened.add(file);
        await appendFile(file, (torn ? "\n" : "") + lines.join("\n") + "\n");
      } catch (error) {
        this.onError(error as Error); // a full disk must not stop the game
      }
    }
  }

  stop(): Promise<void> {
    return this.flush();
  }
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
  };
}
