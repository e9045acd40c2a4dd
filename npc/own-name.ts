import { CALLING_ENDINGS, TITLES } from "../common/calling.js";
import { chatWord } from "./chat-line.js";

const CALLED = ["", ...CALLING_ENDINGS];

/**
 * The line without the NPC's own name where the player calls it by name ("hi 한스", "미나야 빵 있어?"): its knowledge
 * file's questions never name it, so the name only lowered the match ("hi 한스" missed hans's hello line). A line
 * that is only the name stays as it is.
 */
export function withoutOwnName(line: string, names: readonly string[]): string {
  const called = new Set(names.flatMap((name) => CALLED.map((ending) => name.toLowerCase() + ending)));
  const bare = (word: string) => chatWord(word)[0];
  const words = line.split(" ");
  const kept = words.filter((word, i) => !called.has(bare(word)) && !(TITLES.has(bare(word)) && i > 0 && called.has(bare(words[i - 1]!))));
  return kept.length > 0 && kept.length < words.length ? kept.join(" ") : line;
}

/** The words of `lines` as withoutOwnName reads them: read once, `callsAny` tells for each of many NPCs whether any names it. */
export function wordsOf(lines: readonly string[]): Set<string> {
  return new Set(lines.flatMap((line) => line.split(" ").map((word) => chatWord(word)[0])));
}

/** Whether any of `words` calls one of `names` ("한스야"): where none does, withoutOwnName leaves every line of them as it is. */
export function callsAny(words: ReadonlySet<string>, names: readonly string[]): boolean {
  return names.some((name) => CALLED.some((ending) => words.has(name.toLowerCase() + ending)));
}
