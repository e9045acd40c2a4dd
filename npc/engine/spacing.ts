import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The model folder's pairs of syllables that Korean text mostly writes apart (kobot_train/spacing.py). */
export const SPACED_PAIRS_FILE = "spaced-pairs.txt";

/** Shorter lines read the same with or without spaces ("배고파", "뭐해"), and have too little to go on. */
const MIN_SYLLABLES = 5;

/**
 * Spaces back into a line typed without any ("잠이안와서큰일이야" → "잠이 안와서 큰일이야"): the model's tokens and the
 * retrieval's grams were all learnt from spaced text, and such a line lost 6 of the 28 sensible everyday answers
 * (`npm run eval:chat-variants`). A space goes inside each pair of syllables that the training text mostly writes
 * apart; it misses spaces more often than it adds wrong ones (validation questions: 35% restored exactly).
 */
export class Spacing {
  private constructor(private readonly pairs: ReadonlySet<string>) {}

  /** The folder's pairs, or undefined for a model exported without them. */
  static load(folder: string): Spacing | undefined {
    const path = join(folder, SPACED_PAIRS_FILE);
    if (!existsSync(path)) return undefined;
    return new Spacing(new Set(readFileSync(path, "utf8").split("\n").filter((pair) => [...pair].length === 2)));
  }

  /** The line with spaces put back if it has none and at least five syllables; any other line as it is. */
  restore(line: string): string {
    const chars = [...line];
    if (line.includes(" ") || chars.filter((c) => /[가-힣]/.test(c)).length < MIN_SYLLABLES) return line;
    return chars.map((c, i) => (i > 0 && this.pairs.has(chars[i - 1]! + c) ? ` ${c}` : c)).join("");
  }
}
