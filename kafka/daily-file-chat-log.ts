import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";

import type { ChatLogRecord } from "./chat-log.js";
import type { ChatLogPublisher } from "./chat-log-transport.js";

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

  private async write(records: ChatLogRecord[]): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const record of records) {
      const day = new Date(record.ts).toISOString().slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), JSON.stringify(record)]);
    }
    for (const [day, lines] of byDay) {
      try {
        const folder = join(this.dir, `date=${day}`);
        await mkdir(folder, { recursive: true });
        await appendFile(join(folder, `${this.serverId}.ndjson`), lines.join("\n") + "\n");
      } catch (error) {
        this.onError(error as Error); // a full disk must not stop the game
      }
    }
  }

  stop(): Promise<void> {
    return this.flush();
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
