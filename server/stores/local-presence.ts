import { LocalPresence } from "@colyseus/core";

/**
 * Colyseus's in-process presence whose keys expire without keeping the process alive: LocalPresence's expiry timers
 * (a mute's or a ban's key, matchmaking's counts) are plain ones, so a process whose work was done stayed up until
 * the last key expired. The servers exit on their own signal handling; the test runs, whose worlds imposed mutes of
 * minutes, waited 3.5 minutes after their results. A key that expires later than the process lives is gone with it.
 */
export class ProcessPresence extends LocalPresence {
  override expire(key: string, seconds: number): void {
    super.expire(key, seconds);
    this.unrefExpiry(key);
  }

  override async hincrbyex(key: string, field: string, incrBy: number, expireInSeconds: number): Promise<number> {
    const value = await super.hincrbyex(key, field, incrBy, expireInSeconds);
    this.unrefExpiry(key);
    return value;
  }

  private unrefExpiry(key: string): void {
    // LocalPresence keeps its timers by key in a field its types call private.
    (this as unknown as { timeouts: Record<string, NodeJS.Timeout | undefined> }).timeouts[key]?.unref();
  }
}
