import { cleanText } from "../common/clean-text.js";
import { compatibilityJamo, compose, decompose, fromKeyboard, unstretched } from "../common/hangul.js";
import { LATIN_LOOKALIKE } from "../common/latin-look-alikes.js";
import { romanizedMixes } from "./romanized.js";

/** Digits that stand in for jamo inside Hangul ("ㅅ1ㅂㅏㄹ"). */
const DIGIT_JAMO: Record<string, string> = { "1": "ㅣ", "0": "ㅇ", "7": "ㄱ", "2": "ㄹ" };
const HANGUL = /[\u3131-\u318e\uac00-\ud7a3]/u;
const SYLLABLE = /[\uac00-\ud7a3]/u;
/**
 * Other scripts' letters that stand in for jamo ("人ㅂ", "씨ㅂトㄹ", "ㅅㅣㅂㅏ己", "口ㅊ", "从ㅂ", "ロ친놈"; ⊥ and ┴ for ㅗ,
 * "⊥⊥"), and Latin l/i for ㅣ between jamo or ending a word after one ("ㅅlㅂㅏㄹ", "또라ㅇl").
 */
const JAMO_LOOKALIKE: Record<string, string> = { 人: "ㅅ", ㅿ: "ㅅ", 从: "ㅆ", ト: "ㅏ", ㆍ: "ㅏ", 己: "ㄹ", 口: "ㅁ", ロ: "ㅁ", "⊥": "ㅗ", "┴": "ㅗ" };
const JAMO_LOOKALIKES = new RegExp(`[${Object.keys(JAMO_LOOKALIKE).join("")}]`, "gu");
/**
 * Hanja that players write for the syllable they sound, or the word they mean: 十八 as 18 ("十八놈"), 十 八 女 ("김치女"),
 * and 狗 (a dog) as 개 ("狗새끼"), as 犬 is listed.
 */
const HANJA_SOUND: Record<string, string> = { 十八: "18", 十: "십", 八: "팔", 女: "녀", 狗: "개" };
const HANJA_SOUNDS = /十八|[十八女狗]/gu;
/** The middle-finger emoji, and the finger drawn with box lines ("┌∩┐"), as the character chat uses for it: a symbol, it was dropped as punctuation. */
const MIDDLE_FINGER = /🖕|┌∩┐/gu;
/** ^ for ㅅ before a consonant ("^ㅂ", ㅅㅂ), not in a face ("^^", "^ㅂ^"). */
const CARET_S = /(?<!\^)\^(?=[ㄱ-ㅎ](?!\^))/gu;
/**
 * 꺼저 misspelling 꺼져, read so in every reading (after spaces, symbols, jamo and drawn-out vowels are read: "꺼.저",
 * "ㄲㅓㅈㅓ", "꺼어저"), so that its allowed forms are allowed misspelt too ("불이 꺼저서" as "불이 꺼져서"); not where
 * 꺼 (a thing, "내꺼") runs into a word of 저 ("내꺼저장해놨어", "니꺼저번에", "할꺼저녁에", "내꺼저기", "누꺼저거"). Read
 * only before an ending of 꺼지다, "꺼저임마", "꺼저좀", "꺼저용" passed.
 */
const MISSPELT_OFF = /꺼저(?!장|번|녁|기|거|게|건|걸|희|쪽|런|렇|리|는|를|의|한테)/gu;
const LATIN_LOOKALIKES = new RegExp(`[${Object.keys(LATIN_LOOKALIKE).join("")}]`, "gu");
/**
 * ㅡ (or the look-alike ー 一 丨), or ㅣ or ㆍ, once or drawn out, between two syllables is a dash, not a letter
 * ("씨ㅡ발", "병ㅡㅡ신", "씨ㅣㅣㅣ발"), and so is ㅡ ー 一 丨 between two consonants ("ㅅㅡㅂ") or after a vowel, which ㅡ never joins
 * ("ㅆㅣㅡㅂㅏㄹ"); ㅣ and ㆍ between consonants are vowels ("ㅅㅣㅂㅏㄹ", "씨ㅂㆍㄹ"). A dash between two words leaves them two
 * ("역시ㅡㅡ발전이 없네"; breakAtSymbols).
 */
const DASH = /(?<=[\uac00-\ud7a3])(?:[ㅡー一丨]+|[ㅣㆍ]+)(?=[\uac00-\ud7a3])|(?<=[\uac00-\ud7a3ㄱ-ㅣ])[ㅡー一丨]+(?=[\uac00-\ud7a3ㄱ-ㅎ])/gu;
/**
 * Letters in white on a black circle or square ("🅵🆄🅲🅺"), and regional indicators ("🇫🇺🇨🇰"), which NFKC leaves
 * as they are (it folds the outlined ones, "Ⓕ🄵"): the first code point of each block and the letter it stands for.
 */
const BOXED_LETTERS = /[\u{1F150}-\u{1F169}\u{1F170}-\u{1F189}\u{1F1E6}-\u{1F1FF}]/gu;
const BOXED_BLOCKS = [0x1f1e6, 0x1f170, 0x1f150];
/**
 * Other masks that hide a letter as a star does: x beside Hangul, not touching a Latin letter or a digit ("개x끼",
 * "씨X놈", "미친x"; NSMC's reviews mask with x as often as with *), and @ or # between two Hangul letters ("개@끼"):
 * at a word's edge they are an address, a mention or a hashtag ("@민수", "#태그"), and after one that opens a Hangul
 * word a quote mark ("@완장찬 돼지@같다는", NSMC).
 */
const MASK = /(?<=[\u3131-\u318e\uac00-\ud7a3])[xX×]+(?![A-Za-z\d])|(?<![A-Za-z\d])[xX×]+(?=[\u3131-\u318e\uac00-\ud7a3])|(?<=[\u3131-\u318e\uac00-\ud7a3])[@#]+(?=[\u3131-\u318e\uac00-\ud7a3])/gu;
/** @ or # opening a Hangul word: a quote mark, which the same mark inside a later word closes. */
const QUOTE_OPENED: Record<string, RegExp> = { "@": /(?<![\p{L}\p{N}])@[\u3131-\u318e\uac00-\ud7a3]/u, "#": /(?<![\p{L}\p{N}])#[\u3131-\u318e\uac00-\ud7a3]/u };
/** Look-alikes inside Latin words ("sh!t", "b1tch", "f*ck"). */
const LEET: Record<string, string> = { "1": "i", "!": "i", "|": "i", "@": "a", "4": "a", $: "s", "5": "s", "0": "o", "3": "e", "7": "t", "(": "c" };

/** How a reading was made; allowed words (moderator.ts) are read the same way and matched in the reading of their kind. */
export type ReadingKind =
  | "plain" | "words" | "glued" | "unbroken" | "trailing" | "noDigits" | "jamo" | "keyboard" | "capsLock" | "leet" | "stretched" | "romanized" | "starred";
export type Reading = { kind: ReadingKind; text: string };

/**
 * The ways a player's text can be read, so a banned word is found however it was disguised (after `cleanText`:
 * separate jamo composed, invisible characters dropped, Hangul fillers as spaces):
 *  - plain: lower case, full-width forms folded (NFKC), accents dropped ("fück"), symbols dropped inside a word
 *    ("씨.발", "씨^^발", "또라.이") but a word break between two words of two letters or more ("다시...발견했어"),
 *    and runs of one-letter words joined ("씨 발 놈" → "씨발놈"; normal words are rarely one letter in a row);
 *  - words: plain before one-letter words are joined, where a `=` word beside one is still a word ("너 ㅗ");
 *  - glued: plain, with a lone one-letter word joined to the next ("씨 발놈아", "병 신같은": a filler between them,
 *    "씨ㅤ발놈", is a space by now);
 *  - unbroken, only for text with a symbol inside a word: every symbol inside a word dropped, even between two pieces
 *    of two letters or more ("애미.뒤진놈", "fuc.king", "또라.이새끼"), and trailing, only for text with a one-letter word
 *    after a longer one: that word joined to the one before ("또라 이", "김치 녀"); the moderator looks in these two
 *    for banned words of three letters or more only, as "다시...발견" and "역시 발" are innocent words beside each other;
 *  - without digits inside Hangul ("씨1발"), but for the number that begins one of `numberedWords`, allowed words
 *    such as "7등신" ("키가7등신" is no 등신);
 *  - jamo recomposed, with look-alike digits as jamo ("ㅅ1ㅂㅏㄹ", "씨바ㄹ") and h after a consonant as ㅐ ("ㄱH새끼");
 *  - Latin words typed on the Korean keyboard ("tlqkf"), and typed with Caps Lock on ("QUDTLS") or capitalised by
 *    the phone ("Qudtls");
 *  - look-alikes inside Latin words ("sh!t", "b1tch");
 *  - drawn out ("씨이이발", "조온나", "fuuuck");
 *  - romanised where a word mixes syllables and Latin letters ("시bal", "si발");
 *  - starred, only for text with a star (or ○, which hides letters as often: "개○끼"; or a mask, a star by now)
 *    beside a letter: lower case, folded, ○ as a star, stars kept ("f**k", "개*끼"); the moderator matches a star
 *    to any letter there (starred.ts), not searches it as written.
 * Before any of them: conjoining, half-width and circled jamo as ㄱ…ㅣ, joiners dropped, ㅡ between syllables as a
 * dash, boxed letters ("🅵🆄🅲🅺") as letters, Cyrillic, Greek and other scripts' look-alikes as the letters they pass for,
 * and masks as stars (x beside Hangul, "개x끼", "미친x"; @ and # inside a Hangul word, "개@끼").
 */
export function readings(text: string, numberedWords: readonly string[] = []): Reading[] {
  // Cleaned first, as the room cleans lines (a Hangul filler between syllables, "시ㅤ발", is a space there too).
  // NFKC folds full-width letters, but it would also turn compatibility jamo (ㅅ) into conjoining ones.
  // Joiners (kept in chat for emoji) would keep separate jamo from composing here ("ᄉ\u200dᅵ발").
  const joined = cleanText(text)
    .replace(/[\u200c\u200d]/gu, "")
    .normalize("NFC")
    .replace(BOXED_LETTERS, (c) => {
      const code = c.codePointAt(0)!;
      return String.fromCharCode(0x41 + code - BOXED_BLOCKS.find((first) => code >= first)!);
    });
  // Outside Hangul, accents go too ("fück", "fu\u0308ck", "sïbal").
  const folded = compatibilityJamo(
    joined.replace(/[^\u3131-\u318e\uac00-\ud7a3]+/gu, (part) => part.normalize("NFKC").normalize("NFD").replace(/\p{M}+/gu, "").normalize("NFC")),
  )
    .replace(DASH, "-")
    .replace(JAMO_LOOKALIKES, (c) => JAMO_LOOKALIKE[c]!)
    .replace(HANJA_SOUNDS, (c) => HANJA_SOUND[c]!)
    .replace(CARET_S, "ㅅ")
    .replace(MIDDLE_FINGER, "凸")
    .replace(LATIN_LOOKALIKES, (c) => LATIN_LOOKALIKE[c]!)
    .replace(MASK, (mask, offset: number, text: string) => (QUOTE_OPENED[mask[0]!]?.test(text.slice(0, offset)) ? mask : "*".repeat(mask.length)));
  const words = breakAtSymbols(folded.toLowerCase());
  const plain = joinSingleLetters(words);
  const noDigits = plain.replace(/(?<=\p{L})\d+(?=\p{L})/gu, (digits, offset: number) =>
    HANGUL.test(plain[offset - 1] ?? "") && !numberedWords.some((word) => plain.startsWith(word, offset)) ? "" : digits,
  );
  // A digit right after a whole syllable stays a digit: as a vowel it would take that syllable's final consonant
  // and make a word nobody typed ("봇18" read as "보시8", refused as "시8").
  const asJamo = plain
    .replace(/\d/g, (d, offset: number) => (SYLLABLE.test(plain[offset - 1] ?? "") ? d : (DIGIT_JAMO[d] ?? d)))
    .replace(/(?<=[\u3131-\u318e])[li](?=[\u3131-\u318e\uac00-\ud7a3]|(?![a-z]))/gu, "ㅣ")
    .replace(/(?<=[ㄱ-ㅎ])h/gu, "ㅐ");
  // A laugh or tears typed on ("ㅈㅗㄴㄴㅏㅋㅋ", "개쌔애끼ㅋㅋㅋ") kept apart: its first ㅋ would close the syllable before (존낰).
  const jamo = compose(decompose(asJamo.replace(/\s+/g, " ").replace(/([ㅋㅎ])\1+(?![ㅏ-ㅣ])|([ㅠㅜ])\2+/gu, " $&")));
  // Only a Latin word that types whole syllables ("tlqkf"), so English words ("news" → ㅜㄷㅈㄴ) stay English. Typed
  // before symbols and spaces are read, so that a syllable typed in two letters is one letter ("tl qkf", "tl.qkf": 시 발).
  const typedWith = (shifted: boolean) =>
    joinSingleLetters(breakAtSymbols(folded.replace(/[A-Za-z](?:[A-Za-z1]*[A-Za-z])?/g, (word) => {
      // With Caps Lock on, "QUDTLS" is 병신 typed in lower case (as typed, Q W E R T are the double consonants);
      // a phone capitalises the first letter ("Qudtls").
      const unshifted = word === word.toUpperCase() ? word.toLowerCase() : /^[A-Z][a-z1]+$/.test(word) ? word[0]!.toLowerCase() + word.slice(1) : word;
      // 1 inside stands for l, the key of ㅣ ("t1qkf"), and a last key held down types it once ("tlqkfffff").
      const keys = (shifted ? unshifted : word).replaceAll("1", "l").replace(/([a-z])\1+$/, "$1");
      const typed = fromKeyboard(keys);
      // …and a laugh or tears typed after it ("tlqkfzz": 시발ㅋㅋ).
      return /^[\uac00-\ud7a3]+[ㅋㅎㅠㅜ]*$/u.test(typed) ? typed : word.toLowerCase();
    })));
  const keyboard = typedWith(false);
  const capsLock = /[A-Z]/.test(folded) ? typedWith(true) : keyboard;
  // "*" hides any vowel ("sh*t", "b*tch", "f*ck"): one reading per vowel, only for text that has one.
  const leets = (folded.includes("*") ? [..."aeiou"] : ["u"]).map((hidden) =>
    folded.toLowerCase().replace(/(?<=[a-z])[1!|@4$5037(*]+(?=[a-z])|(?<=[a-z])[1!|@4$5037(*]|[1!|@4$5037(*](?=[a-z])/g, (chars) =>
      [...chars].map((c) => (c === "*" ? hidden : (LEET[c] ?? c))).join(""),
    ),
  );
  // Drawn-out words: repeated vowels ("씨이발", "조온나"), and repeated Latin letters ("fuuuck", "sibbal").
  const stretched = unstretched(jamo).replace(/([a-z])\1+/g, "$1");
  const starred = folded.toLowerCase().replace(/○/gu, "*");
  // Only where a text can need them (most lines have neither), as each reading is searched for every banned word.
  const unbroken = /[\p{L}\p{N}][^\p{L}\p{N}\s]+[\p{L}\p{N}]/u.test(folded) ? unbrokenWords(folded) : undefined;
  const trailing = joinTrailing(plain);
  const read: Reading[] = [
    { kind: "plain", text: plain },
    { kind: "words", text: words },
    { kind: "glued", text: joinSingleLetters(words, true) },
    ...(unbroken !== undefined && unbroken !== plain ? [{ kind: "unbroken" as const, text: unbroken }] : []),
    ...(trailing !== undefined ? [{ kind: "trailing" as const, text: trailing }] : []),
    { kind: "noDigits", text: noDigits },
    { kind: "jamo", text: jamo },
    { kind: "keyboard", text: keyboard },
    { kind: "capsLock", text: capsLock },
    ...leets.map((leet) => ({ kind: "leet" as const, text: leet })),
    { kind: "stretched", text: stretched },
    { kind: "romanized", text: romanizedMixes(plain) },
    ...(/\p{L}\*|\*\p{L}/u.test(starred) ? [{ kind: "starred" as const, text: starred }] : []),
  ];
  return read.map((reading) => ({ ...reading, text: reading.text.replace(MISSPELT_OFF, "꺼져") }));
}

/**
 * Symbols inside a word dropped ("씨.발", "또라.이", "씨*발놈아": a letter alone on one side; "fu.ck", "sh-it": Latin of
 * two letters at most on one side), but a word break between two words of two letters or more ("다시...발견했어",
 * "역시!발빠르네": punctuation between words, not inside one).
 */
function breakAtSymbols(text: string): string {
  return text
    .split(/\s+/)
    .map((word) => {
      const pieces = word.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
      let out = pieces[0] ?? "";
      for (let i = 1; i < pieces.length; i++) {
        const [before, after] = [pieces[i - 1]!, pieces[i]!];
        const latinBit = LATIN.test(before) && LATIN.test(after) && Math.min(before.length, after.length) <= 2;
        const alone = letters(before) === 1 || letters(after) === 1 || latinBit;
        out += alone ? pieces[i] : ` ${pieces[i]}`;
      }
      return out;
    })
    .filter(Boolean)
    .join(" ");
}

const LATIN = /^[a-z]+$/;

/** Letters a piece of a word shows, its jamo as the syllables they spell ("ㅆㅣ" is one: 씨). */
function letters(piece: string): number {
  return [...(/[ㄱ-ㅣ]/u.test(piece) ? compose(piece) : piece)].length;
}

const ONE_LETTER_WORD_AFTER = / (?:\S|[ㄱ-ㅣ]{2,3})(?: |$)/u;

/** Each word with every symbol inside it dropped ("애미.뒤진놈" → "애미뒤진놈"), one-letter words joined as in plain. */
function unbrokenWords(text: string): string {
  return joinSingleLetters(
    text.toLowerCase().split(/\s+/).map((word) => word.replace(/[^\p{L}\p{N}]+/gu, "")).filter(Boolean).join(" "),
  );
}

/** `text` with each one-letter word joined to a word of two letters or more before it ("또라 이" → "또라이"); none if it has none. */
function joinTrailing(text: string): string | undefined {
  // Most lines have no short word after the first to look at (one letter: a character, or a syllable's 2–3 jamo).
  if (!ONE_LETTER_WORD_AFTER.test(text)) return undefined;
  const words = text.split(" ");
  let out = words[0]!;
  let joined = false;
  for (let i = 1; i < words.length; i++) {
    const trails = letters(words[i]!) === 1 && letters(words[i - 1]!) >= 2;
    joined ||= trails;
    out += trails ? words[i] : ` ${words[i]}`;
  }
  return joined ? out : undefined;
}

/**
 * One-syllable words that stand alone before others, not a syllable split off a banned word: "이진호 짱 개그맨",
 * "또 라이벌전", "돌 아이템", "조연 등 신인들" (NSMC reviews blocked by the glued reading, read one by one).
 */
const STANDS_ALONE = new Set(["짱", "또", "돌", "등"]);
/**
 * One-syllable words that stand alone before words of a verb they begin: 존 (a zone) before 나가다, 나오다
 * ("세이프 존 나가면", "존 나오면"), not 존나 with a syllable split off; "존 나 못하네" stays one word (plain).
 */
const STANDS_ALONE_BEFORE = new Map([["존", /^나(?:가|갔|간|갈|감|오|와|왔|온|올|옴)/u]]);
/** A count before 시 makes it a time, not a syllable split off: "몇 시 발차예요?", "세 시 발령", "10 시 발사". */
const COUNT = /^(몇|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|열한|열두|\d+)$/u;

/**
 * Runs of one-letter words joined ("씨 발 놈" → "씨발놈"); with `glue`, a one-letter word joined to the word after it
 * too ("씨 발놈아", "야 씨 발놈아" → "야씨발놈아").
 */
function joinSingleLetters(text: string, glue = false): string {
  const words = text.split(/\s+/).filter(Boolean);
  let out = "";
  for (let i = 0; i < words.length; i++) {
    // A syllable typed in jamo is one letter too ("ㅅㅣ ㅂㅏㄹ" is "시 발").
    const single = letters(words[i]!) === 1;
    const previous = words[i - 1];
    const previousSingle = previous !== undefined && letters(previous) === 1;
    const time = previous === "시" && COUNT.test(words[i - 2] ?? "");
    const alone = STANDS_ALONE.has(previous!) || STANDS_ALONE_BEFORE.get(previous!)?.test(words[i]!) === true;
    const joined = (single && previousSingle) || (glue && previousSingle && !alone && !time);
    out += i === 0 || joined ? words[i] : ` ${words[i]}`;
  }
  return out;
}
