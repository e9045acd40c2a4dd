import { jamoOf } from "../common/hangul.js";

/** Nouns that make an insult of the word before them (시발놈, 미친새끼); not 년, as often a year ("*신년": New Year). */
const INSULT_NOUNS = ["놈", "새끼"].map((noun) => [...noun]);
const SYLLABLE = /^[\uac00-\ud7a3]$/u;
const CONSONANT = /^[ㄱ-ㅎ]$/u;

/**
 * The banned word shown in `text` with some of its letters hidden behind stars ("f**k", "sh**", "b***h", "개*끼"),
 * one star a letter. Its first letter and one more must show, or three when the first is hidden ("*uck"), so stars
 * hide nothing in particular in "***", "씨*" or "**시발점**" (Markdown bold around an allowed word); in Hangul, one of
 * a two-syllable word's syllables may hide where the other shows before an insult noun ("*발놈", "씨*놈", "*친놈").
 * A consonant before a star begins a syllable whose vowel the star hides ("ㅅx끼", "ㅅ*발"): it matches any syllable
 * it begins, and a banned word in initials ("ㅅㄲ") by the other syllables' initials too.
 * A star that closes a word a star opens hides nothing ("*돼지*": emphasis, or an emote, not 돼지년; the first may, as
 * in "*uck*"), nor as many closing words that they opened ("**사과 한 개**", bold). A match that `allowedAt` holds (an
 * allowed word of the list: "*itch", a typo corrected to "itch") is no match.
 */
export function starredWord(
  text: string,
  banned: readonly string[],
  allowedAt: (word: string, start: number, length: number) => boolean = () => false,
): string | undefined {
  for (const word of unclosed(text)) {
    if (!word.includes("*")) continue;
    const spelled = [...word];
    const syllabled = withHiddenVowels(spelled);
    for (const letters of syllabled ? [spelled, syllabled] : [spelled]) {
      for (const ban of banned) {
        const wanted = [...ban];
        const initials = wanted.every((letter) => CONSONANT.test(letter));
        for (let start = 0; start + wanted.length <= letters.length; start++) {
          let shown = 0;
          let hidden = 0;
          let partial = 0;
          let byInitial = 0;
          const fits = wanted.every((letter, i) => {
            const at = letters[start + i]!;
            if (at === "*") hidden++;
            else if (at === letter) shown++;
            else if (at.length === 2 && initialOf(letter) === at[0]) partial++;
            else if (initials && initialOf(at) === letter) byInitial++;
            else return false;
            return true;
          });
          // A syllable is read by its initial only beside a consonant whose vowel is hidden ("ㅅx끼" is ㅅㄲ; "나*미" no ㄴㄱㅁ).
          if (!fits || hidden + partial === 0 || (byInitial > 0 && partial === 0)) continue;
          // A consonant with its vowel hidden both shows and hides.
          shown += partial + byInitial;
          // Two letters show with the first ("f**k"), else three ("*uck"); or a syllable and an insult noun.
          const length =
            shown >= (letters[start] === "*" ? 3 : 2) ? wanted.length : syllableBeforeNoun(letters, start, wanted) || nounHidden(letters, start, wanted);
          if (!length) continue;
          // Offsets in UTF-16 units, as the allowed words are matched (moderator.ts).
          const offset = letters.slice(0, start).join("").length;
          if (!allowedAt(word, offset, letters.slice(start, start + length).join("").length)) return ban;
        }
      }
    }
  }
  return undefined;
}

/**
 * The words of `text`, each without the stars that close a star opening it ("*돼지*") or as many opening an earlier
 * word ("**사과 한 개**", bold; not "x발 개xx", a mask of one letter and another of two).
 */
function unclosed(text: string): string[] {
  let opened = "";
  return text.split(/\s+/).map((word) => {
    const opens = /^\*+(?=[^*])/u.exec(word)?.[0];
    const closes = /(?<=[^*])\*+$/u.exec(word)?.[0];
    if (opens && !closes) opened = opens;
    if (!closes || !(opens || closes === opened)) return word;
    if (!opens) opened = "";
    return word.slice(0, -closes.length);
  });
}

/**
 * A word's letters with each consonant before a star read as one syllable whose vowel the star hides ("ㅅx끼": 새끼,
 * "ㅁx친": 미친), kept as the pair "ㅅ*"; undefined where no consonant stands before a star.
 */
function withHiddenVowels(letters: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < letters.length; i++) {
    if (CONSONANT.test(letters[i]!) && letters[i + 1] === "*") out.push(letters[i]! + letters[++i]!);
    else out.push(letters[i]!);
  }
  return out.length < letters.length ? out : undefined;
}

/** A syllable's initial consonant ("새" → ㅅ), a consonant itself, else undefined. */
function initialOf(letter: string): string | undefined {
  return CONSONANT.test(letter) ? letter : jamoOf(letter)?.first;
}

/**
 * Where `wanted` (which fits `letters` at `start`) is a word of two syllables, one hidden and one shown, followed by
 * an insult noun that shows, in the text ("*발놈": 시발) or in the word itself ("*친놈": 미친놈), the length in
 * letters of the word and its noun; else 0. Not for a word that ends as a noun begins (씹놈, 쌍년, 개새: "*놈놈" is
 * no 씹놈놈, "*새새끼" a chick).
 */
function syllableBeforeNoun(letters: readonly string[], start: number, wanted: readonly string[]): number {
  if (!wanted.every((letter) => SYLLABLE.test(letter)) || [letters[start], letters[start + 1]].filter((l) => l === "*").length !== 1) return 0;
  const own = INSULT_NOUNS.find((noun) => wanted.length === 2 + noun.length && noun.every((letter, i) => wanted[2 + i] === letter));
  if (!own && (wanted.length !== 2 || /^[놈년새]$/u.test(wanted[1]!))) return 0;
  const noun = own ?? INSULT_NOUNS.find((n) => n.every((letter, i) => letters[start + 2 + i] === letter));
  return noun?.every((letter, i) => letters[start + 2 + i] === letter) ? 2 + noun.length : 0;
}

/**
 * Where `wanted` is one syllable and a two-syllable insult noun (개새끼) and `letters` show the syllable at `start` with
 * the noun hidden whole, one star a syllable and no more ("개**", "이 개xx야", "개xx들"), the length of the word; else 0.
 * One star after a syllable is too little to tell, and three may hide anything ("개*", "개***").
 */
function nounHidden(letters: readonly string[], start: number, wanted: readonly string[]): number {
  const noun = INSULT_NOUNS.find((n) => n.length === 2 && wanted.length === 1 + n.length && n.every((letter, i) => wanted[1 + i] === letter));
  if (!noun || letters[start] !== wanted[0] || !SYLLABLE.test(wanted[0]!)) return 0;
  const hidden = letters.slice(start + 1, start + 1 + noun.length);
  return hidden.every((letter) => letter === "*") && letters[start + 1 + noun.length] !== "*" ? wanted.length : 0;
}
