import type { NpcStatus } from "../world-protocol.js";

/** How long an NPC is `speaking` a line: a second and a half, more for a longer line, at most five. */
const SPEAKING_MS = 1500;
const SPEAKING_MS_PER_CHAR = 50;
const SPEAKING_MAX_MS = 5000;

/**
 * Each NPC's status, for clients to animate: `thinking` while a question to it is with its brain, else `speaking`
 * while its last line lasts (about as long as a player takes to read it), else `idle`. `show` is told every change;
 * `later` runs a callback after some milliseconds (the room's clock).
 */
export class NpcStatuses {
  private readonly questions = new Map<string, number>();
  private readonly speakingUntil = new Map<string, number>();

  constructor(
    private readonly show: (npcId: string, status: NpcStatus) => void,
    private readonly later: (callback: () => void, ms: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `delta` more (or fewer) of the NPC's questions are with its brain. */
  thinking(npcId: string, delta: number): void {
    const questions = (this.questions.get(npcId) ?? 0) + delta;
    // None is as good as no entry: kept, one stayed for every NPC a world edit ever took out.
    if (questions === 0) this.questions.delete(npcId);
    else this.questions.set(npcId, questions);
    this.update(npcId);
  }

  /** The NPC says a line. */
  speaking(npcId: string, text: string): void {
    const ms = Math.min(SPEAKING_MAX_MS, SPEAKING_MS + SPEAKING_MS_PER_CHAR * [...text].length);
    const until = this.now() + ms;
    this.speakingUntil.set(npcId, until);
    this.update(npcId);
    this.later(() => {
      if (this.speakingUntil.get(npcId) === until) this.speakingUntil.delete(npcId); // not a later line's
      this.update(npcId);
    }, ms);
  }

  private update(npcId: string): void {
    this.show(npcId, (this.questions.get(npcId) ?? 0) > 0 ? "thinking" : this.speakingUntil.has(npcId) ? "speaking" : "idle");
  }
}
