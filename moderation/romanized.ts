import { jamoOf } from "../common/hangul.js";

const FIRST: Record<string, string> = {
  ㄱ: "g", ㄲ: "kk", ㄴ: "n", ㄷ: "d", ㄸ: "tt", ㄹ: "r", ㅁ: "m", ㅂ: "b", ㅃ: "pp", ㅅ: "s",
  ㅆ: "ss", ㅇ: "", ㅈ: "j", ㅉ: "jj", ㅊ: "ch", ㅋ: "k", ㅌ: "t", ㅍ: "p", ㅎ: "h",
};
const VOWEL: Record<string, string> = {
  ㅏ: "a", ㅐ: "ae", ㅑ: "ya", ㅒ: "yae", ㅓ: "eo", ㅔ: "e", ㅕ: "yeo", ㅖ: "ye", ㅗ: "o", ㅘ: "wa", ㅙ: "wae",
  ㅚ: "oe", ㅛ: "yo", ㅜ: "u", ㅝ: "wo", ㅞ: "we", ㅟ: "wi", ㅠ: "yu", ㅡ: "eu", ㅢ: "ui", ㅣ: "i",
};
const FINAL: Record<string, string> = {
  "": "", ㄱ: "k", ㄲ: "k", ㄳ: "k", ㄴ: "n", ㄵ: "n", ㄶ: "n", ㄷ: "t", ㄹ: "l", ㄺ: "k", ㄻ: "m", ㄼ: "l", ㄽ: "l",
  ㄾ: "l", ㄿ: "p", ㅀ: "l", ㅁ: "m", ㅂ: "p", ㅄ: "p", ㅅ: "t", ㅆ: "t", ㅇ: "ng", ㅈ: "t", ㅊ: "t", ㅋ: "k",
  ㅌ: "t", ㅍ: "p", ㅎ: "t",
};

/**
 * Words that mix syllables and Latin letters ("시bal", "si발", "병sin") with the syllables romanised (Revised
 * Romanisation, syllable by syllable), so the romanised banned words (sibal, byeongsin) find them; other words as they are.
 */
export function romanizedMixes(text: string): string {
  if (!/[a-z]/.test(text)) return text;
  return text.replace(/\S+/g, (word) =>
    /[\uac00-\ud7a3]/u.test(word) && /[a-z]/.test(word)
      ? [...word].map((c) => {
          const jamo = jamoOf(c);
          return jamo ? FIRST[jamo.first]! + VOWEL[jamo.vowel]! + FINAL[jamo.final]! : c;
        }).join("")
      : word,
  );
}
