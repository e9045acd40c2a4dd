import { CALLING_ENDINGS, TITLES } from "../common/calling.js";
import { chatWord } from "./chat-line.js";

const CALLED = ["", ...CALLING_ENDINGS];

/**
 * Each call of `names` as the words it spans, longest first: the name as written and, where it has spaces, without
 * them ("밥 아저씨", "밥아저씨": Korean players drop them), each with every calling ending on its last word.
 */
function callsOf(names: readonly string[]): string[][] {
  const spellings = names.flatMap((name) => {
    const lower = name.toLowerCase();
    const joined = lower.replaceAll(" ", "");
    return joined === lower ? [lower] : [lower, joined];
  });
  return spellings.flatMap((spelling) => CALLED.map((ending) => (spelling + ending).split(" "))).sort((a, b) => b.length - a.length);
}

/**
 * The line without the NPC's own name where the player calls it by name ("hi 한스", "미나야 빵 있어?", "밥아저씨 배고파"
 * to 밥 아저씨): its knowledge file's questions never name it, so the name only lowered the match ("hi 한스" missed
 * hans's hello line). A line that is only the name stays as it is.
 */
export function withoutOwnName(line: string, names: readonly string[]): string {
  const calls = callsOf(names);
  const words = line.split(" ");
  const bare = words.map((word) => chatWord(word)[0]);
  const dropped = new Set<number>();
  for (let at = 0; at < words.length; at++) {
    const call = calls.find((called) => called.every((word, k) => bare[at + k] === word));
    if (!call) continue;
    for (let k = 0; k < call.length; k++) dropped.add(at + k);
    at += call.length - 1;
    if (TITLES.has(bare[at + 1] ?? "")) dropped.add(++at); // "미나 님, …"
  }
  return dropped.size > 0 && dropped.size < words.length ? words.filter((_, i) => !dropped.has(i)).join(" ") : line;
}

/** The words of `lines` as withoutOwnName reads them: read once, `callsAny` tells for each of many NPCs whether any names it. */
export function wordsOf(lines: readonly string[]): Set<string> {
  return new Set(lines.flatMap((line) => line.split(" ").map((word) => chatWord(word)[0])));
}

/**
 * Whether `words` hold every word of a call of one of `names` ("한스야"; "밥" and "아저씨야"): where none does,
 * withoutOwnName leaves every line of them as it is.
 */
export function callsAny(words: ReadonlySet<string>, names: readonly string[]): boolean {
  return callsOf(names).some((call) => call.every((word) => words.has(word)));
}
