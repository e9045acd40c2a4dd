/** An NPC says at most one greeting in this time; players who come near meanwhile are greeted together after it. */
export const GREETING_GAP_MS = 2000;

/**
 * When each NPC may greet next, and who waits to be greeted. Thirty players arriving at once had every bystander
 * hear 29 greetings; now they hear two: the first arrival's at once, and one for everyone who came in the gap.
 */
export class GreetingGate {
  /** `gapMs`: at most one greeting per NPC in this time (tests wait less). */
  constructor(private readonly gapMs = GREETING_GAP_MS) {}

  private readonly lastAt = new Map<string, number>();
  private readonly waiting = new Map<string, string[]>();

  /**
   * A player came near `npcId`: "now" to greet them at once, or the milliseconds until the greeting they wait for,
   * when theirs is the first to wait (the caller sets one timer, then calls `due`); 0 when a timer is already set.
   */
  arrive(npcId: string, playerId: string, now = performance.now()): "now" | number {
    const waiting = this.waiting.get(npcId);
    if (waiting) {
      // Once each: stepping out and in again within the gap (greetAgainSeconds under it) made "B, B, B, 안녕".
      if (!waiting.includes(playerId)) waiting.push(playerId);
      return 0;
    }
    const waitMs = (this.lastAt.get(npcId) ?? -Infinity) + this.gapMs - now;
    if (waitMs <= 0) {
      this.lastAt.set(npcId, now);
      return "now";
    }
    this.waiting.set(npcId, [playerId]);
    return waitMs;
  }

  /** Everyone who waited for `npcId`'s greeting and is `still` there, in arrival order (the timer fired). */
  due(npcId: string, still: (playerId: string) => boolean, now = performance.now()): string[] {
    const waiting = (this.waiting.get(npcId) ?? []).filter(still);
    this.waiting.delete(npcId);
    if (waiting.length > 0) this.lastAt.set(npcId, now);
    return waiting;
  }

  /** The player spoke to `npcId` while waiting for its greeting: no longer waits (whether they did). */
  spokeFirst(npcId: string, playerId: string): boolean {
    const waiting = this.waiting.get(npcId);
    const at = waiting?.indexOf(playerId) ?? -1;
    if (at >= 0) waiting!.splice(at, 1);
    return at >= 0;
  }

  /** `npcId` left the world: one added back under its id greets at once, not after a greeting nobody is left to say. */
  forget(npcId: string): void {
    this.lastAt.delete(npcId);
    this.waiting.delete(npcId);
  }
}
