/** Compatibility jamo, consonants and vowels: chat's initials ("ㄱㅅ", 감사) and the ㅠ ㅜ of tears. */
const JAMO = /^[ㄱ-ㅣ]$/u;

/**
 * Whether the run of jamo around [start, start + length) of `text` splits wholly into everyday initials (`everyday`,
 * the allowed words written in initials: "ㄱㅅ", "ㅂㅂ"), each maybe drawn out by its last letter ("ㅋㅋㅋ", "ㅇㅋㅋ"):
 * then a banned word there ("ㄱㅅㅂㅂ", 감사 바이바이, holds ㅅㅂ) is only two of them meeting. A run with anything
 * else in it ("ㅇㅋㅅㅂ") is read as written.
 */
export function inEverydayInitials(text: string, start: number, length: number, everyday: readonly string[]): boolean {
  if (everyday.length === 0 || !JAMO.test(text[start] ?? "")) return false;
  let from = start;
  while (from > 0 && JAMO.test(text[from - 1]!)) from--;
  let to = start + length;
  while (to < text.length && JAMO.test(text[to]!)) to++;
  const run = text.slice(from, to);
  // A line's hits in one run (a check asks for each) share its answer.
  if (last.run === run && last.everyday === everyday) return last.splits;
  last.run = run;
  last.everyday = everyday;
  last.splits = splitsWhole(run, everyday);
  return last.splits;
}

const last: { run: string; everyday: readonly string[]; splits: boolean } = { run: "", everyday: [], splits: false };

function splitsWhole(run: string, everyday: readonly string[]): boolean {
  // reached[i]: the run's first i letters split into everyday initials. Forward from each split reached, one pass a
  // word: O(letters × words). Trying every earlier split for every end (O(n³) a hit, a check per hit) took 3.5 s for
  // a 200-letter line of them, and one player's eight such lines held every room of the process for 36 s.
  const reached = new Array<boolean>(run.length + 1).fill(false);
  reached[0] = true;
  for (let begin = 0; begin < run.length; begin++) {
    if (!reached[begin]) continue;
    for (const word of everyday) {
      if (!run.startsWith(word, begin)) continue;
      let end = begin + word.length;
      reached[end] = true;
      while (end < run.length && run[end] === word.at(-1)) reached[++end] = true; // drawn out: "ㅇㅋㅋㅋ"
    }
  }
  return reached[run.length]!;
}
