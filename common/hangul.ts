/**
 * Hangul jamo arithmetic: syllables ↔ compatibility jamo (ㄱ, ㅏ…), for moderation (with the 2-beolsik keyboard,
 * so "tlqkf", 시발 typed with the keyboard in Latin mode, reads as Hangul again) and for how the NPC reads chat.
 */
const CHO = [..."ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"];
const JUNG = [..."ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"];
const JONG = ["", ..."ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"];
const SYLLABLE_FIRST = 0xac00;
const SYLLABLE_LAST = 0xd7a3;

/** Vowel pairs typed as two keys (ㅗ + ㅏ = ㅘ) and final consonant pairs (ㄱ + ㅅ = ㄳ). */
const VOWEL_PAIRS: Record<string, string> = { ㅗㅏ: "ㅘ", ㅗㅐ: "ㅙ", ㅗㅣ: "ㅚ", ㅜㅓ: "ㅝ", ㅜㅔ: "ㅞ", ㅜㅣ: "ㅟ", ㅡㅣ: "ㅢ" };
const FINAL_PAIRS: Record<string, string> = { ㄱㅅ: "ㄳ", ㄴㅈ: "ㄵ", ㄴㅎ: "ㄶ", ㄹㄱ: "ㄺ", ㄹㅁ: "ㄻ", ㄹㅂ: "ㄼ", ㄹㅅ: "ㄽ", ㄹㅌ: "ㄾ", ㄹㅍ: "ㄿ", ㄹㅎ: "ㅀ", ㅂㅅ: "ㅄ" };
const SPLIT_FINAL = Object.fromEntries(Object.entries(FINAL_PAIRS).map(([pair, final]) => [final, [...pair]]));
const SPLIT_VOWEL = Object.fromEntries(Object.entries(VOWEL_PAIRS).map(([pair, vowel]) => [vowel, [...pair]]));

const KEYBOARD: Record<string, string> = {
  q: "ㅂ", w: "ㅈ", e: "ㄷ", r: "ㄱ", t: "ㅅ", y: "ㅛ", u: "ㅕ", i: "ㅑ", o: "ㅐ", p: "ㅔ",
  a: "ㅁ", s: "ㄴ", d: "ㅇ", f: "ㄹ", g: "ㅎ", h: "ㅗ", j: "ㅓ", k: "ㅏ", l: "ㅣ",
  z: "ㅋ", x: "ㅌ", c: "ㅊ", v: "ㅍ", b: "ㅠ", n: "ㅜ", m: "ㅡ",
  Q: "ㅃ", W: "ㅉ", E: "ㄸ", R: "ㄲ", T: "ㅆ", O: "ㅒ", P: "ㅖ",
};

const isVowel = (c: string) => JUNG.includes(c);
const isConsonant = (c: string) => CHO.includes(c) || JONG.includes(c);

/** A syllable's jamo ("쇄" → ㅅ, ㅙ, ""; "닭" → ㄷ, ㅏ, ㄺ), or undefined for any other character. */
export function jamoOf(c: string): { first: string; vowel: string; final: string } | undefined {
  const code = c.codePointAt(0);
  if (code === undefined || code < SYLLABLE_FIRST || code > SYLLABLE_LAST) return undefined;
  const index = code - SYLLABLE_FIRST;
  return { first: CHO[Math.floor(index / 588)]!, vowel: JUNG[Math.floor(index / 28) % 21]!, final: JONG[index % 28]! };
}

/**
 * Conjoining jamo (U+1100 block: what NFKC makes of half-width ﾵ and circled ㉦ jamo, and what some keyboards send)
 * as the compatibility jamo the rest of this file reads (ᄉ → ㅅ).
 */
export function compatibilityJamo(text: string): string {
  return text.replace(/[ᄀ-하-ᅵᆨ-ᇂ]/gu, (c) => {
    const code = c.codePointAt(0)!;
    if (code <= 0x1112) return CHO[code - 0x1100]!;
    if (code <= 0x1175) return JUNG[code - 0x1161]!;
    return JONG[code - 0x11a8 + 1]!;
  });
}

/** The vowel a vowel ends on, which drawing it out repeats ("벼엉신": ㅕ ends on ㅓ). */
const LAST_SOUND: Record<string, string> = { ㅑ: "ㅏ", ㅕ: "ㅓ", ㅛ: "ㅗ", ㅠ: "ㅜ", ㅘ: "ㅏ", ㅝ: "ㅓ", ㅟ: "ㅣ", ㅢ: "ㅣ", ㅒ: "ㅐ", ㅖ: "ㅔ", ㅙ: "ㅐ", ㅞ: "ㅔ" };

/**
 * Syllables drawn out by a repeated vowel read as the word ("씨이이발" → 씨발, "조온나" → 존나, "시바아알" → 시발): a
 * syllable with no final consonant followed by ㅇ and the same vowel, or the vowel it ends on ("벼엉신" → 병신), takes
 * that one's final instead.
 */
export function unstretched(text: string): string {
  let out = "";
  let last: { first: string; vowel: string; final: string } | undefined;
  for (const c of text) {
    const jamo = jamoOf(c);
    if (last && !last.final && jamo?.first === "ㅇ" && (jamo.vowel === last.vowel || jamo.vowel === LAST_SOUND[last.vowel])) {
      last = { ...last, final: jamo.final };
      out = out.slice(0, -1) + syllable(last);
      continue;
    }
    last = jamo;
    out += c;
  }
  return out;
}

/** The syllable of these jamo (jamoOf's inverse). */
export function syllable({ first, vowel, final }: { first: string; vowel: string; final: string }): string {
  return String.fromCodePoint(SYLLABLE_FIRST + (CHO.indexOf(first) * 21 + JUNG.indexOf(vowel)) * 28 + JONG.indexOf(final));
}

/** Every syllable split into its jamo, compound vowels and finals into their keys ("쇄" → ㅅㅗㅐ). */
export function decompose(text: string): string {
  let out = "";
  for (const c of text) {
    const jamo = jamoOf(c);
    if (!jamo) {
      out += c;
      continue;
    }
    const { first, vowel, final } = jamo;
    out += first + (SPLIT_VOWEL[vowel] ?? [vowel]).join("") + (SPLIT_FINAL[final] ?? [final]).join("");
  }
  return out;
}

/** Jamo back into syllables, the way a Korean keyboard composes them; other characters pass through. */
export function compose(text: string): string {
  const chars = [...text];
  let out = "";
  let i = 0;
  while (i < chars.length) {
    const cho = chars[i]!;
    let vowel = chars[i + 1];
    if (!CHO.includes(cho) || vowel === undefined || !isVowel(vowel)) {
      out += cho;
      i += 1;
      continue;
    }
    let j = i + 2;
    const pair = chars[j] !== undefined ? VOWEL_PAIRS[vowel + chars[j]] : undefined;
    if (pair) {
      vowel = pair;
      j += 1;
    }
    // A consonant is this syllable's final only if no vowel follows it (then it starts the next one).
    let jong = "";
    const next = chars[j];
    if (next !== undefined && isConsonant(next) && JONG.includes(next) && !isVowel(chars[j + 1] ?? "")) {
      const double = chars[j + 1] !== undefined ? FINAL_PAIRS[next + chars[j + 1]] : undefined;
      if (double && !isVowel(chars[j + 2] ?? "")) {
        jong = double;
        j += 2;
      } else {
        jong = next;
        j += 1;
      }
    }
    out += String.fromCodePoint(SYLLABLE_FIRST + (CHO.indexOf(cho) * 21 + JUNG.indexOf(vowel)) * 28 + JONG.indexOf(jong));
    i = j;
  }
  return out;
}

/** Latin letters read as 2-beolsik keys, then composed: "tlqkf" → "시발". Case matters (T is ㅆ). */
export function fromKeyboard(text: string): string {
  return compose([...text].map((c) => KEYBOARD[c] ?? KEYBOARD[c.toLowerCase()] ?? c).join(""));
}

/** Vowels one reads the same: ㅐ and ㅔ, ㅒ and ㅖ anywhere; after ㅈ, ㅊ or ㅉ, a y-vowel as its plain one (쟈 is 자). */
const SAME_VOWEL: Record<string, string> = { ㅐ: "ㅔ", ㅒ: "ㅖ" };
const SAME_AFTER_PALATAL: Record<string, string> = { ㅑ: "ㅏ", ㅕ: "ㅓ", ㅛ: "ㅗ", ㅠ: "ㅜ" };
const PALATAL = new Set(["ㅈ", "ㅊ", "ㅉ"]);
/** Tense consonants as their plain ones: 씨스템 and 써버 are 시스템 and 서버 said with stress, not other words. */
const PLAIN_CONSONANT: Record<string, string> = { ㄲ: "ㄱ", ㄸ: "ㄷ", ㅃ: "ㅂ", ㅆ: "ㅅ", ㅉ: "ㅈ" };

/**
 * Each syllable with a vowel that reads as another folded to one of them ("운영쟈" → 운영자, "시스탬" → 시스템,
 * "매니져" → 메니저), tense consonants as plain ones ("씨스템" → 시스템, "운영짜" → 운영자), and 좌 as 자 (the slang
 * "운영좌" for 운영자): a word is heard, not spelled, and both spellings pass for it. Other characters pass through.
 */
export function soundAlike(text: string): string {
  return [...text]
    .map((c) => {
      const jamo = jamoOf(c);
      if (!jamo) return c;
      const first = PLAIN_CONSONANT[jamo.first] ?? jamo.first;
      const final = PLAIN_CONSONANT[jamo.final] ?? jamo.final;
      let vowel = PALATAL.has(first) ? (SAME_AFTER_PALATAL[jamo.vowel] ?? jamo.vowel) : jamo.vowel;
      if (first === "ㅈ" && vowel === "ㅘ") vowel = "ㅏ";
      return syllable({ first, vowel: SAME_VOWEL[vowel] ?? vowel, final });
    })
    .join("");
}
