import { cleanText } from "../common/clean-text.js";
import { compatibilityJamo, compose, decompose, fromKeyboard, unstretched } from "../common/hangul.js";

/** Digits that stand in for jamo inside Hangul ("ㅅ1ㅂㅏㄹ"). */
const DIGIT_JAMO: Record<string, string> = { "1": "ㅣ", "0": "ㅇ", "7": "ㄱ", "2": "ㄹ" };
const HANGUL = /[\u3131-\u318e\uac00-\ud7a3]/u;
const SYLLABLE = /[\uac00-\ud7a3]/u;
/** Other scripts' letters that stand in for jamo ("人ㅂ", "씨ㅂトㄹ"), and Latin l/i for ㅣ between jamo ("ㅅlㅂㅏㄹ"). */
const JAMO_LOOKALIKE: Record<string, string> = { 人: "ㅅ", ㅿ: "ㅅ", ト: "ㅏ", ㆍ: "ㅏ" };
/** Cyrillic letters that look like Latin ones ("fuсk" with a Cyrillic с). */
const CYRILLIC_LATIN: Record<string, string> = { а: "a", е: "e", о: "o", р: "p", с: "c", у: "y", х: "x", і: "i", ѕ: "s", ј: "j", к: "k", м: "m", т: "t", в: "b", н: "h", ԁ: "d", ɡ: "g" };
/** Look-alikes inside Latin words ("sh!t", "b1tch", "f*ck"). */
const LEET: Record<string, string> = { "1": "i", "!": "i", "|": "i", "@": "a", "4": "a", $: "s", "5": "s", "0": "o", "3": "e" };

/**
 * The ways a player's text can be read, so a banned word is found however it was disguised (after `cleanText`:
 * separate jamo composed, invisible characters dropped, Hangul fillers as spaces):
 *  - plain: lower case, full-width forms folded (NFKC), symbols dropped ("씨.발", "씨^^발"), and runs of
 *    one-letter words joined ("씨 발 놈" → "씨발놈"; normal words are rarely one letter in a row);
 *  - without digits inside Hangul ("씨1발");
 *  - jamo recomposed, with look-alike digits as jamo ("ㅅ1ㅂㅏㄹ", "씨바ㄹ");
 *  - Latin words typed on the Korean keyboard ("tlqkf");
 *  - look-alikes inside Latin words ("sh!t", "b1tch");
 *  - drawn out ("씨이이발", "조온나", "fuuuck").
 * Before any of them: conjoining, half-width and circled jamo as ㄱ…ㅣ, joiners dropped, Cyrillic and other
 * scripts' look-alikes as the letters they pass for.
 */
export function readings(text: string): string[] {
  // Cleaned first, as the room cleans lines (a Hangul filler between syllables, "시ㅤ발", is a space there too).
  // NFKC folds full-width letters, but it would also turn compatibility jamo (ㅅ) into conjoining ones.
  // Joiners (kept in chat for emoji) would keep separate jamo from composing here ("ᄉ\u200dᅵ발").
  const joined = cleanText(text).replace(/[\u200c\u200d]/gu, "").normalize("NFC");
  const folded = compatibilityJamo(
    joined.replace(/[^\u3131-\u318e\uac00-\ud7a3]+/gu, (part) => part.normalize("NFKC")).replace(/[а-яіѕјԁɡ]/gu, (c) => CYRILLIC_LATIN[c] ?? c),
  ).replace(/[人ㅿトㆍ]/gu, (c) => JAMO_LOOKALIKE[c]!);
  const plain = joinSingleLetters(folded.toLowerCase().replace(/[^\p{L}\p{N}\s]+/gu, ""));
  const noDigits = plain.replace(/(?<=\p{L})\d+(?=\p{L})/gu, (digits, offset: number) =>
    HANGUL.test(plain[offset - 1] ?? "") ? "" : digits,
  );
  // A digit right after a whole syllable stays a digit: as a vowel it would take that syllable's final consonant
  // and make a word nobody typed ("봇18" read as "보시8", refused as "시8").
  const asJamo = plain
    .replace(/\d/g, (d, offset: number) => (SYLLABLE.test(plain[offset - 1] ?? "") ? d : (DIGIT_JAMO[d] ?? d)))
    .replace(/(?<=[\u3131-\u318e])[li](?=[\u3131-\u318e\uac00-\ud7a3])/gu, "ㅣ");
  const jamo = compose(decompose(asJamo.replace(/\s+/g, " ")));
  // Only a Latin word that types whole syllables ("tlqkf"), so English words ("news" → ㅜㄷㅈㄴ) stay English.
  const typedWith = (capsLock: boolean) =>
    joinSingleLetters(folded.replace(/[^\p{L}\p{N}\s]+/gu, "")).replace(/[A-Za-z]+/g, (word) => {
      // With Caps Lock on, "QUDTLS" is 병신 typed in lower case (as typed, Q W E R T are the double consonants).
      const typed = fromKeyboard(capsLock && word === word.toUpperCase() ? word.toLowerCase() : word);
      return /^[\uac00-\ud7a3]+$/u.test(typed) ? typed : word.toLowerCase();
    });
  const keyboard = typedWith(false);
  const capsLock = /[A-Z]{2}/.test(folded) ? typedWith(true) : keyboard;
  // "*" hides any vowel ("sh*t", "b*tch", "f*ck"): one reading per vowel, only for text that has one.
  const leets = (folded.includes("*") ? [..."aeiou"] : ["u"]).map((hidden) =>
    folded.toLowerCase().replace(/(?<=[a-z])[1!|@4$503*]+(?=[a-z])|(?<=[a-z])[1!|@4$503*]|[1!|@4$503*](?=[a-z])/g, (chars) =>
      [...chars].map((c) => (c === "*" ? hidden : (LEET[c] ?? c))).join(""),
    ),
  );
  // Drawn-out words: repeated vowels ("씨이발", "조온나"), and repeated Latin letters ("fuuuck", "sibbal").
  const stretched = unstretched(jamo).replace(/([a-z])\1+/g, "$1");
  return [...new Set([plain, noDigits, jamo, keyboard, capsLock, ...leets, stretched])];
}

function joinSingleLetters(text: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  let out = "";
  for (let i = 0; i < words.length; i++) {
    const single = [...words[i]!].length === 1;
    const previousSingle = i > 0 && [...words[i - 1]!].length === 1;
    out += i === 0 || (single && previousSingle) ? words[i] : ` ${words[i]}`;
  }
  return out;
}
