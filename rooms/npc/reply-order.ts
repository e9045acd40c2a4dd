/** A question waiting for its answer, or a reply ready to be said once the questions before it are answered. */
type Turn = { question: string } | { say: () => void };

/**
 * An NPC's replies to a player in the order the player spoke to it. A reply the room has at once (a bare call
 * answered, a refused line, a busy line) waits behind the answers to that player's questions still with the NPC:
 * said at once, "@코봇" alone overtook the answer to the question asked just before it, and a busy line for a
 * fifth question came before the answers to the first four. The brain answers a player's questions one at a time,
 * so the first turn waiting is always a question.
 */
export class ReplyOrder {
  /** Per NPC and player: what waits, oldest first. */
  private readonly waiting = new Map<string, Turn[]>();

  /** The player asked the NPC a question (`questionId`): replies after it wait for its answer. */
  asked(npcId: string, sessionId: string, questionId: string): void {
    const key = keyOf(npcId, sessionId);
    const turns = this.waiting.get(key) ?? [];
    turns.push({ question: questionId });
    this.waiting.set(key, turns);
  }

  /** `say` now, or once the player's questions asked before it are answered. */
  reply(npcId: string, sessionId: string, say: () => void): void {
    const turns = this.waiting.get(keyOf(npcId, sessionId));
    if (turns) turns.push({ say });
    else say();
  }

  /**
   * The question's turn is over: its reply (`say`: answered, or turned away by a question that took its place) is
   * said in its turn, then the replies waiting behind it. Without `say` (its answer already said, or only an error
   * told) its turn just ends.
   */
  answered(npcId: string, sessionId: string, questionId: string, say?: () => void): void {
    const key = keyOf(npcId, sessionId);
    const turns = this.waiting.get(key);
    const at = turns?.findIndex((turn) => "question" in turn && turn.question === questionId) ?? -1;
    if (!turns || at < 0) return say?.();
    if (say) turns[at] = { say };
    else turns.splice(at, 1);
    while (turns.length > 0 && "say" in turns[0]!) (turns.shift() as { say: () => void }).say();
    if (turns.length === 0) this.waiting.delete(key);
  }

  /** The player left: nothing waits for them. */
  left(sessionId: string): void {
    for (const key of this.waiting.keys()) if (key.endsWith(`\0${sessionId}`)) this.waiting.delete(key);
  }
}

const keyOf = (npcId: string, sessionId: string) => `${npcId}\0${sessionId}`;
