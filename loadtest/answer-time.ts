import type { Room } from "@colyseus/sdk";

import { fallbackFor, isNoAnswerLine } from "../rooms/npc/fallback-lines.js";
import { PRIVATE_LINE, type PrivateLineMessage, type WorldError } from "../rooms/world-protocol.js";
import type { WorldState } from "../rooms/world-state.js";
import { listenToState } from "./state-listener.js";

/** The NPC's line for a question the room turned away without asking the brain (world-room turnAway) → its code. */
const REFUSAL_LINES = new Map((["busy", "closing"] as const).map((reason) => [fallbackFor(reason).line, fallbackFor(reason).code]));

/** The NPC's reply to a question: how long it took, and whether it was a fallback line or a refusal. */
export interface AnswerTime {
  ms: number;
  /** Not a real answer: a fallback line for an answer that never came (timeout, brain unavailable), or a refusal. */
  fallback: boolean;
  /**
   * Turned away, by the error's code (the NPC's queue full, the server closing: in the question's turn, after the
   * answers before it; rate_limited, too_far…: at once): no answer was tried, so `ms` is no answer time.
   */
  refused?: string;
}

/**
 * Time from now (call it just before sending `text`) to the NPC's reply to this client's line `text`
 * in its state, or told to it alone (an NPC that talks in private: both lines are `private_line` messages), or to the
 * error that turns it away; undefined after `timeoutMs`. Listens to patches and messages: no polling, no state copies.
 */
export function answerTime(room: Room<any, WorldState>, text: string, timeoutMs = 15_000): Promise<AnswerTime | undefined> {
  const started = performance.now();
  // The player's lines of that text already in the room's history: asked again (bench:fairness with --players 24),
  // their old answer ended the wait at once.
  const askedBefore = new Set(room.state.chat?.filter((line) => line.from === room.sessionId && line.text === text).map((line) => line.id));
  return new Promise((resolve) => {
    const told: PrivateLineMessage[] = [];
    const check = () => {
      const heard = [...(room.state.chat ?? []), ...told];
      const question = heard.find((line) => line.from === room.sessionId && line.text === text && !askedBefore.has(line.id));
      const answer = question && heard.find((line) => line.replyTo === question.id);
      if (!answer) return;
      const refused = REFUSAL_LINES.get(answer.text);
      finish({ ms: performance.now() - started, fallback: refused !== undefined || isNoAnswerLine(answer.text), ...(refused ? { refused } : {}) });
    };
    // The error carries the line it refused; the NPC's refusal line (busy, closing) comes too, whichever first.
    const refusedNow = (error: WorldError) => error.text === text && finish({ ms: performance.now() - started, fallback: true, refused: error.code });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const stopErrors = room.onMessage("error", refusedNow);
    const stopTold = room.onMessage(PRIVATE_LINE, (line: PrivateLineMessage) => {
      told.push(line);
      check();
    });
    let finished = false;
    const finish = (result: AnswerTime | undefined) => {
      if (finished) return; // the answer and its error can both come
      finished = true;
      clearTimeout(timer);
      stopListening();
      stopErrors();
      stopTold();
      resolve(result);
    };
    const stopListening = listenToState(room, check);
  });
}
