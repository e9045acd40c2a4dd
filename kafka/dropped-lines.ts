import type { Logger } from "../common/log.js";
import { chatLogDropped } from "../common/metrics.js";
import type { ChatLogRecord } from "./chat-log.js";

/**
 * Lines a chat log drops, oldest first, past its cap (a long outage of what it waits for): counted in
 * kobot_chat_log_dropped_total and said at most every 10 s, with how many since last said. Drops held back are said
 * when that time is up, not at the next drop after it: the last drops of an outage waited for shutdown, days maybe,
 * while the log said one line was dropped.
 */
export class DroppedLines {
  private dropped = 0;
  private unsaid = 0;
  private saidAt = -Infinity;
  private due: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    /** What the lines wait for, as the log line says it: "waiting for Kafka". */
    private readonly waitingFor: string,
    private readonly sayEveryMs = 10_000,
  ) {}

  /** Lines dropped so far. */
  get total(): number {
    return this.dropped;
  }

  /** Counts a line dropped for what it is (too large for the store), said by the caller. */
  dropOne(): void {
    this.dropped++;
    chatLogDropped.inc();
  }

  /** Drops the oldest of `lines` past `cap`. */
  trim(lines: ChatLogRecord[], cap: number): void {
    if (lines.length <= cap) return;
    const count = lines.splice(0, lines.length - cap).length;
    this.dropped += count;
    this.unsaid += count;
    chatLogDropped.inc(count);
    const sinceSaid = performance.now() - this.saidAt;
    if (sinceSaid >= this.sayEveryMs) this.say(cap);
    else this.due ??= setTimeout(() => this.say(cap), this.sayEveryMs - sinceSaid).unref();
  }

  /** Says the lines dropped since last said, if any (at shutdown too: some may wait for their time). */
  say(cap: number): void {
    clearTimeout(this.due);
    this.due = undefined;
    if (this.unsaid === 0) return;
    this.log.warn(`chat lines dropped, oldest first: more than ${cap} ${this.waitingFor}`, { lines: this.unsaid, total: this.dropped });
    this.unsaid = 0;
    this.saidAt = performance.now();
  }
}
