/**
 * The banned word shown in `text` with some of its letters hidden behind stars ("f**k", "sh**", "b***h", "개*끼"),
 * one star a letter. Its first letter and one more must show, or three when the first is hidden ("*uck"), so stars
 * hide nothing in particular in "***", "씨*" or "**시발점**" (Markdown bold around an allowed word). A match that
 * `allowedAt` holds (an allowed word of the list: "*itch", a typo corrected to "itch") is no match.
 */
export function starredWord(
  text: string,
  banned: readonly string[],
  allowedAt: (word: string, start: number, length: number) => boolean = () => false,
): string | undefined {
  for (const word of text.split(/\s+/)) {
    if (!word.includes("*")) continue;
    const letters = [...word];
    for (const ban of banned) {
      const wanted = [...ban];
      for (let start = 0; start + wanted.length <= letters.length; start++) {
        let shown = 0;
        let hidden = 0;
        const fits = wanted.every((letter, i) => {
          const at = letters[start + i];
          if (at === "*") hidden++;
          else if (at === letter) shown++;
          return at === "*" || at === letter;
        });
        // Two letters show with the first ("f**k"), else three ("*uck").
        if (!fits || hidden === 0 || shown < (letters[start] === "*" ? 3 : 2)) continue;
        // Offsets in UTF-16 units, as the allowed words are matched (moderator.ts).
        const offset = letters.slice(0, start).join("").length;
        if (!allowedAt(word, offset, letters.slice(start, start + wanted.length).join("").length)) return ban;
      }
    }
  }
  return undefined;
}
