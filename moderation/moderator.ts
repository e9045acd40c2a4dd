import { readFileSync } from "node:fs";
import { join } from "node:path";

import { readings } from "./readings.js";

export const DEFAULT_WORD_LIST = join(import.meta.dirname, "words.ko.txt");

export type Verdict = { blocked: false } | { blocked: true; term: string };

/**
 * Finds banned words (Korean abuse and profanity) in any reading of a text (see readings.ts).
 * Word list file: one word per line; `!word` allows a harmless word that contains a banned one
 * (시발점, "starting point"), unless a banned word holds it in turn (시발역겨: 시발 + 역겨워); `~word` is banned
 * written with spaces inside too ("미친 놈": the usual spelling of 미친놈; only for words no two innocent words
 * run into, unlike 시발 in "역시 발연기"); `#` starts a comment.
 * Both sides are read the same way.
 */
export class Moderator {
  private readonly banned: string[];
  /** Banned words that hold an allowed one ("시발역겨": 시발 + 역겨워, not the station 시발역): they outrank it. */
  private readonly bannedOverAllowed: string[];
  private readonly allowed: string[];
  /** Banned words that are found across spaces too. */
  private readonly spaced: string[];

  constructor(words: string[]) {
    const entries = words.map((w) => w.replace(/#.*/, "").trim()).filter(Boolean);
    const plain = (word: string) => readings(word)[0]!.replace(/\s+/g, "");
    this.allowed = entries.filter((w) => w.startsWith("!")).map((w) => plain(w.slice(1)));
    this.spaced = entries.filter((w) => w.startsWith("~")).map((w) => plain(w.slice(1)));
    this.banned = [...entries.filter((w) => !w.startsWith("!") && !w.startsWith("~")).map(plain), ...this.spaced];
    this.bannedOverAllowed = this.banned.filter((word) => this.allowed.some((allowed) => word.includes(allowed)));
    if (this.banned.length === 0) throw new Error("moderation word list has no banned words");
  }

  static fromFile(path = DEFAULT_WORD_LIST): Moderator {
    try {
      return new Moderator(readFileSync(path, "utf8").split("\n"));
    } catch (error) {
      throw new Error(`moderation word list ${path}: ${(error as Error).message}`);
    }
  }

  check(text: string): Verdict {
    for (const reading of readings(text)) {
      const over = this.bannedOverAllowed.find((word) => reading.includes(word));
      if (over) return { blocked: true, term: over };
      // Spaces stay: "다시 발견" must not read as 시발. Disguising spaces are handled by readings().
      let words = reading;
      for (const word of this.allowed) words = words.replaceAll(word, " ");
      const unspaced = words.replace(/\s+/g, "");
      const term = this.banned.find((word) => words.includes(word)) ?? this.spaced.find((word) => unspaced.includes(word));
      if (term) return { blocked: true, term };
    }
    return { blocked: false };
  }
}
