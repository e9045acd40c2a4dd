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
  // splits[i]: whether the run's first i letters split into everyday initials.
  const splits = [true];
  for (let end = 1; end <= run.length; end++) {
    splits[end] = splits.some((ok, begin) => ok && begin < end && drawnOut(run.slice(begin, end), everyday));
  }
  return splits[run.length]!;
}

/** Whether `piece` is one of `words`, its last letter maybe repeated ("ㅇㅋㅋㅋ"). */
function drawnOut(piece: string, words: readonly string[]): boolean {
  return words.some((word) => piece.startsWith(word) && [...piece.slice(word.length)].every((letter) => letter === word.at(-1)));
}
