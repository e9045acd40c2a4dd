/** An NPC says at most one greeting in this time; players who come near meanwhile are greeted together after it. */
export const GREETING_GAP_MS = 2000;

/** Names said in one greeting; past them the rest are counted ("민수, 지영, 철수 외 4명"). */
const NAMES_SAID = 3;

/**
 * When each NPC may greet next, and who waits to be greeted. Thirty players arriving at once had every bystander
 * hear 29 greetings; now they hear two: the first arrival's at once, and one for everyone who came in the gap.
 */
export class GreetingGate {
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
    const waitMs = (this.lastAt.get(npcId) ?? -Infinity) + GREETING_GAP_MS - now;
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

/**
 * `line` said to `names` for its `{name}`: all of up to three, else three and how many more. A title the line puts
 * after the name (님 or 씨, with or without a space) goes with each name, before the count: "민수 님, 지영 님, 철수 님 외
 * 2명", not "민수, 지영, 철수 외 2명 님" (a title honours people, not a head count); a name that ends in it already
 * ("관리자님") is not given it twice.
 */
export function greetingTo(line: string, names: readonly string[]): string {
  const more = names.length - NAMES_SAID;
  const counted = more > 0 ? ` 외 ${more}명` : "";
  return line.replace(NAME_AND_TITLE, (_, title: string | undefined) => names.slice(0, NAMES_SAID).map((name) => titled(name, title)).join(", ") + counted);
}

/** `{name}` and the title after it, if any: 님 or 씨 as a word of its own (not 님들, said to many). */
export const NAME_AND_TITLE = /\{name\}(\s*(?:님|씨)(?![가-힣]))?/g;

/** `name` with `title` (" 님"), unless the name ends in that title already. */
export const titled = (name: string, title = "") => (title !== "" && name.endsWith(title.trim()) ? name : name + title);
