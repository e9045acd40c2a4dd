import { logThrottle } from "../common/log-throttle.js";
import type { Logger } from "../common/log.js";
import { chatLogDropped } from "../common/metrics.js";
import type { ChatLogRecord } from "./chat-log.js";

/**
 * Lines a chat log drops, oldest first, past its cap (a long outage of what it waits for): counted in
 * kobot_chat_log_dropped_total and said at most every 10 s, with how many since last said.
 */
export class DroppedLines {
  private dropped = 0;
  private unsaid = 0;
  private readonly throttle = logThrottle(10_000);

  constructor(
    private readonly log: Logger,
    /** What the lines wait for, as the log line says it: "waiting for Kafka". */
    private readonly waitingFor: string,
  ) {}

  /** Lines dropped so far. */
  get total(): number {
    return this.dropped;
  }

  /** Drops the oldest of `lines` past `cap`. */
  trim(lines: ChatLogRecord[], cap: number): void {
    if (lines.length <= cap) return;
    const count = lines.splice(0, lines.length - cap).length;
    this.dropped += count;
    this.unsaid += count;
    chatLogDropped.inc(count);
    if (this.throttle("dropped") !== undefined) this.say(cap);
  }

  /** Says the lines dropped since last said, if any (at shutdown: the throttle may have held the last back). */
  say(cap: number): void {
    if (this.unsaid === 0) return;
    this.log.warn(`chat lines dropped, oldest first: more than ${cap} ${this.waitingFor}`, { lines: this.unsaid, total: this.dropped });
    this.unsaid = 0;
  }
}
