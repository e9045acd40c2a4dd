// An answer that loops is ended by the decode loop and cut back here (engine and token stream).

/**
 * Longest repeated unit looked for, in tokens ("안해도 " is about 3). Over 2,039 questions, 9 answers looped
 * a unit of 5–6 tokens ("시원한동안 안해도 " × 6) until max_new_tokens; 8 ends them all.
 */
const MAX_UNIT = 8;
/** A unit said this many times in a row is a loop, not speech. */
const REPEATS = 3;

/**
 * The length of the unit the answer ends by repeating REPEATS times ("안해도 안해도 안해도"), or 0.
 * Mirrors kobot_train/loop_guard.py so the evaluation scores what the engine says.
 */
export function loopUnit(answer: readonly number[]): number {
  for (let unit = 1; unit <= MAX_UNIT; unit++) {
    const span = unit * REPEATS;
    if (answer.length < span) break;
    const tail = answer.slice(-span);
    if (tail.every((id, i) => id === tail[i % unit])) return unit;
  }
  return 0;
}

/** The answer with a final loop cut back to one saying of its unit. */
export function withoutLoop(answer: number[]): number[] {
  const unit = loopUnit(answer);
  return unit === 0 ? answer : answer.slice(0, answer.length - unit * (REPEATS - 1));
}
