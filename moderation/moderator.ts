import { join } from "node:path";

import { NotUtf8Error, readAuthoredText } from "../common/authored-text.js";
import { jamoOf } from "../common/hangul.js";
import { inEverydayInitials } from "./initials.js";
import { type Reading, type ReadingKind, readings } from "./readings.js";
import { starredWord } from "./starred.js";
import type { ToxicityModel } from "./toxicity.js";

export const DEFAULT_WORD_LIST = join(import.meta.dirname, "words.ko.txt");

/** What the listed words say of a text: names, NPC lines and knowledge are held to them alone. */
export type WordsVerdict = { blocked: false } | { blocked: true; term: string };

/**
 * A player's line's verdict (checkPlayerLine): `toxicity`, the learned score of the player's own words (toxicity.ts),
 * where the moderator has a model; the words decide `blocked`, and so does the score at or above a bar.
 */
export type Verdict = WordsVerdict & { toxicity?: number };

/**
 * Finds banned words (Korean abuse and profanity) in any reading of a text (see readings.ts).
 * Word list file: one word per line; `!word` allows a harmless word that contains a banned one (시발점, "starting
 * point"; a phrase with a space, "자꾸 꺼져", is allowed written with it or without): a banned word found wholly inside it is not counted, one that runs past it is (시발역겨: 시발 + 역겨워;
 * 씨발씨름 beside the allowed 발씨름); `~word` is banned written with spaces inside too ("미친 놈": the usual spelling of
 * 미친놈; only for words no two innocent words run into, unlike 시발 in "역시 발연기"; without it, a word of three letters
 * or more is found with its last letter split off, "또라 이", as readings.ts's trailing reading joins it); `=word` is banned only as a word
 * of its own, once or over again, in the plain reading ("ㅗ", the middle finger: "최악 ㅗㅗ", not "호ㅗㅗ"); `#` starts a
 * comment.
 * Both sides are read the same way: an allowed word is matched as written in every reading, and as that reading
 * makes it in its own ("7등신" in the jamo reading is "ㄱ등신"). Allowed words written in initials ("!ㄱㅅ", 감사; "!ㅂㅂ")
 * are everyday initials: a run of them allows the banned ones where two meet ("ㄱㅅㅂㅂ" holds ㅅㅂ; initials.ts).
 * A `=word` of one jamo is also a word of its own typed on to another twice or more, as chat types ㅋㅋ on ("최악ㅗㅗ"),
 * between two words run together or before one ("드라마ㅗㅗ작가", "ㅗㅗ노잼").
 */
export class Moderator {
  private readonly banned: string[];
  /** Banned words that are found across spaces too. */
  private readonly spaced: string[];
  /** Where banned words are in a text: all of them, and those found across spaces; `long`, those of three letters or more, the only ones looked for where a reading joins words (LONG_ONLY). */
  private readonly finders: { all: WordFinders; long: WordFinders };
  /** Banned words of three letters or more by their last letter: a word found across a letter the trailing reading joined ends in it. */
  private readonly longEndingIn = new Map<string, string[]>();
  /** Banned words found only as a word of their own, repeated or not. */
  private readonly alone: string[];
  /** Allowed words, by the reading they are matched in. */
  private readonly allowed: Map<ReadingKind, string[]>;
  /** Allowed words that begin with a number ("7등신"), whose number a reading keeps (readings.ts). */
  private readonly numbered: string[];
  /** Allowed words written in initials ("ㄱㅅ", "ㅂㅂ"): everyday initials. */
  private readonly initials: string[];

  /**
   * Verdicts of texts checked lately, oldest first (a check reads a text ~10 ways: 50–100 µs), with the plain reading
   * a player's line is scored from.
   */
  private readonly recent = new Map<string, Checked>();

  /**
   * `remembered`: how many texts' verdicts are kept. NPCs say their lines again and again (copied answers, fallback and
   * unsure lines) and players their greetings. Moderation was a third of the rooms' CPU an answer in a profile of
   * `bench:fairness`'s load with a scripted brain (0.39 of 1.16 ms; 0.77 with the verdicts kept, where its 48
   * questions and their answers repeat: what repeats less saves less).
   */
  constructor(
    words: string[],
    private readonly remembered = 4096,
    /**
     * Scores a player's line (checkPlayerLine), from the plain reading the words are looked for in first; no other
     * text, as nothing reads their score. `bar`: a player's line scoring at or above it is refused as a listed word
     * is, none without one.
     */
    private readonly toxicity?: { model: ToxicityModel; bar?: number },
  ) {
    const entries = words.map((w) => w.replace(/#.*/, "").trim()).filter(Boolean);
    const unspaced = (reading: Reading) => ({ ...reading, text: reading.text.replace(/\s+/g, "") });
    const plain = (word: string) => unspaced(readings(word)[0]!).text;
    this.spaced = entries.filter((w) => w.startsWith("~")).map((w) => plain(w.slice(1)));
    this.alone = entries.filter((w) => w.startsWith("=")).map((w) => plain(w.slice(1)));
    const listed = [...entries.filter((w) => !/^[!~=]/.test(w)).map(plain), ...this.spaced];
    if (listed.length + this.alone.length === 0) throw new Error("moderation word list has no banned words");
    this.banned = [...new Set([...listed, ...listed.flatMap(halfInitials)])];
    const isLong = (word: string) => [...word].length >= 3;
    this.finders = {
      all: { inText: wordFinder(this.banned), acrossSpaces: wordFinder(this.spaced) },
      long: { inText: wordFinder(this.banned.filter(isLong)), acrossSpaces: wordFinder(this.spaced.filter(isLong)) },
    };
    for (const word of this.banned.filter(isLong)) this.longEndingIn.set(word.at(-1)!, [...(this.longEndingIn.get(word.at(-1)!) ?? []), word]);
    this.allowed = new Map();
    for (const word of entries.filter((w) => w.startsWith("!")).map((w) => w.slice(1))) {
      const read = readings(word).map(unspaced);
      // A phrase is allowed with its space too ("자꾸 꺼져": the game keeps switching off), as texts keep theirs.
      for (const { kind, text } of [...read, ...readings(word)]) {
        // A reading that turns the allowed word into a banned one ("시이발" drawn out is 시발) would allow that word everywhere.
        const forms = new Set([read[0]!.text, ...(this.banned.includes(text) ? [] : [text])]);
        const list = this.allowed.get(kind) ?? [];
        for (const form of forms) if (form && !list.includes(form)) list.push(form);
        this.allowed.set(kind, list);
      }
    }
    // Those readings are the plain one with words joined: what plain allows, they allow ("존내쉬" as "존내 쉬").
    for (const kind of LONG_ONLY) this.allowed.set(kind, [...new Set([...(this.allowed.get("plain") ?? []), ...(this.allowed.get(kind) ?? [])])]);
    this.numbered = (this.allowed.get("plain") ?? []).filter((word) => /^\d/.test(word));
    this.initials = (this.allowed.get("plain") ?? []).filter((word) => /^[ㄱ-ㅣ]+$/u.test(word));
  }

  static fromFile(path = DEFAULT_WORD_LIST, remembered?: number, toxicity?: { model: ToxicityModel; bar?: number }): Moderator {
    try {
      // Read as the other files people write: a list saved in CP949 banned only words no one can type, without a word.
      return new Moderator(readAuthoredText(path).split("\n"), remembered, toxicity);
    } catch (error) {
      // One in another encoding names its path and line itself.
      throw new Error(`moderation word list ${error instanceof NotUtf8Error ? "" : `${path}: `}${(error as Error).message}`);
    }
  }

  /**
   * `remember: false` for a text checked once, apart from play (a knowledge file's answers as the world file loads):
   * a big file's thousands of lines took the places of the verdicts on what players and NPCs say.
   */
  check(text: string, { remember = true } = {}): WordsVerdict {
    return this.checked(text, remember).verdict;
  }

  private checked(text: string, remember = true): Checked {
    const known = this.recent.get(text);
    if (known) return known;
    const read = this.readingsOf(text);
    const checked = { verdict: this.wordsIn(read), scored: scoredReading(read) };
    if (remember && this.remembered > 0) {
      if (this.recent.size >= this.remembered) this.recent.delete(this.recent.keys().next().value!);
      this.recent.set(text, checked);
    }
    return checked;
  }

  /**
   * The text the learned score reads of `text`, as checkPlayerLine scores it. train_toxicity.py reads its training
   * texts through this too (training/normalise.ts), so the model learns on what the server scores.
   */
  scoredText(text: string): string {
    return scoredReading(this.readingsOf(text));
  }

  /** Every reading of `text`, with the numbers of the allowed words kept ("7등신"). */
  private readingsOf(text: string): Reading[] {
    return readings(text, this.numbered);
  }

  /**
   * A player's chat line: its words, then its learned score against the bar. Names, NPC lines and knowledge are held to
   * the words alone: the score was learned on news comments, and a bar for chat need not fit them. `scored`: the part
   * of the line that is the player's own (without an NPC's call, playerWords): "@한스" scored several times "@코봇".
   */
  checkPlayerLine(text: string, scored = text): Verdict {
    const { verdict, scored: read } = this.checked(text);
    // Scored here only, once a line: nothing reads the score of an NPC's answer, a name or a greeting.
    const toxicity = this.toxicity?.model.scoreNormalised(scored === text ? read : this.scoredText(scored));
    if (toxicity === undefined) return verdict;
    const bar = this.toxicity?.bar;
    // Refused only at or above the bar: an unscored line is not.
    if (verdict.blocked || bar === undefined || !(toxicity >= bar)) return { ...verdict, toxicity };
    return { blocked: true, term: `toxicity ${toxicity.toFixed(3)} ≥ ${bar}`, toxicity };
  }

  private wordsIn(read: Reading[]): WordsVerdict {
    // Readings often repeat the text: each text is searched once, and only the words found are weighed against the
    // allowed words of each reading that made it.
    const found = new Map<string, { inText: string[]; unspaced: string; acrossSpaces: string[] }>();
    for (const { kind, text: reading } of read) {
      if (kind === "plain") {
        const term = this.alone.find((word) =>
          reading.split(" ").some((token) => repeated(token, word) || typedOn(token, word) || scriptPieces(token).some((piece) => repeated(piece, word))),
        );
        if (term) return { blocked: true, term };
      }
      if (kind === "words") {
        // Beside a one-letter word, which the plain reading joins it to ("너 ㅗ", "ㅗ 너"): a word of its own all the
        // same, unless it spells a word in jamo with the letters beside it ("ㅂ ㅗ ㄱ").
        const tokens = reading.split(" ");
        const jamo = (token: string | undefined) => token !== undefined && /^[ㄱ-ㅣ]$/u.test(token);
        const term = this.alone.find((word) =>
          tokens.some((token, i) => repeated(token, word) && !jamo(tokens[i - 1]) && !jamo(tokens[i + 1])),
        );
        if (term) return { blocked: true, term };
        continue;
      }
      if (kind === "starred") {
        const allowed = this.allowed.get(kind) ?? [];
        const term = starredWord(reading, this.banned, (word, at, length) => allowed.some((harmless) => holds(word, harmless, at, length)));
        if (term) return { blocked: true, term };
        continue;
      }
      const finders = this.findersFor(kind, reading, read[0]!.text);
      const key = kind === "unbroken" || kind === "trailing" ? `${kind}\0${reading}` : reading;
      let words = found.get(key);
      if (!words) {
        // Spaces stay: "다시 발견" must not read as 시발. Disguising spaces are handled by readings().
        const unspaced = reading.replace(/\s+/g, "");
        const inText = finders.inText(reading);
        const acrossSpaces = unspaced === reading ? [] : finders.acrossSpaces(unspaced);
        found.set(key, (words = { inText, unspaced, acrossSpaces }));
      }
      const allowed = this.allowed.get(kind) ?? [];
      const term =
        words.inText.find((word) => foundIn(reading, word, allowed, this.initials)) ??
        words.acrossSpaces.find((word) => foundIn(words.unspaced, word, allowed, this.initials));
      if (term) return { blocked: true, term };
    }
    return { blocked: false };
  }

  /** What finds banned words in a reading of `kind`, and across its spaces; `plain`: the plain reading. */
  private findersFor(kind: ReadingKind, reading: string, plain: string): WordFinders {
    if (kind === "unbroken") return this.finders.long;
    // Everyday lines often have a one-letter word after a longer one ("먹고 잘 거야": a quarter of Chatbot_data's
    // questions): a word the join made ends in the joined letter, one elsewhere was found in plain, and so was any
    // across spaces (the same text unspaced); only those are looked for, each check costs 10% more otherwise.
    if (kind === "trailing") {
      const inPlain = new Set(plain.split(" "));
      const joined = reading.split(" ").filter((token) => !inPlain.has(token));
      const made = [...new Set(joined.flatMap((token) => this.longEndingIn.get(token.at(-1)!) ?? []))];
      return { inText: (text) => made.filter((word) => text.includes(word)), acrossSpaces: () => [] };
    }
    return this.finders.all;
  }
}

/**
 * A banned word of three or four syllables with one of them written as its initial consonant ("느ㄱ마", "ㄴ금마"), or
 * more after its first in full ("쪽ㅂㄹ"), as players half-hide a word. Two initials before a syllable are too often
 * chat's own: a laugh ("ㅋㅋ이게", 쿵쾅이) or a year read as jamo ("1972년", 걸레년); all of them in initials is
 * listed where it is abuse (ㄴㄱㅁ). Longer words are specific enough in full.
 */
function halfInitials(word: string): string[] {
  const syllables = [...word];
  if (syllables.length < 3 || syllables.length > 4 || !syllables.every((c) => jamoOf(c))) return [];
  const forms: string[] = [];
  for (let mask = 1; mask < (1 << syllables.length) - 1; mask++) {
    const initials = syllables.filter((_, i) => mask & (1 << i)).length;
    if (initials > 1 && mask & 1) continue;
    forms.push(syllables.map((c, i) => (mask & (1 << i) ? jamoOf(c)!.first : c)).join(""));
  }
  return forms;
}

/**
 * Of a text's readings, the one the learned score reads: the plain one, where the words are looked for first. Taken
 * only here, by checked and by scoredText, which training reads through.
 */
const scoredReading = (read: readonly Reading[]): string => read[0]!.text;

/** The words of a list that occur in a text, in the list's order. */
type WordFinder = (text: string) => string[];
type WordFinders = { inText: WordFinder; acrossSpaces: WordFinder };

/**
 * A WordFinder of `words`: only the words that begin with a letter of the text are looked for (a few of the list's
 * 500 for a line of chat; looking for every word in every reading was most of a check's cost).
 */
function wordFinder(words: readonly string[]): WordFinder {
  const byFirstLetter = new Map<string, number[]>();
  words.forEach((word, i) => {
    const first = word.codePointAt(0);
    if (first === undefined) return;
    const letter = String.fromCodePoint(first);
    byFirstLetter.set(letter, [...(byFirstLetter.get(letter) ?? []), i]);
  });
  return (text) => {
    const at: number[] = [];
    for (const letter of new Set(text)) for (const i of byFirstLetter.get(letter) ?? []) if (text.includes(words[i]!)) at.push(i);
    return at.sort((a, b) => a - b).map((i) => words[i]!);
  };
}

/**
 * Readings that join words a symbol or a space kept apart ("애미.뒤진놈", "또라 이"): found there, a word of two letters
 * is as often two innocent words side by side ("다시...발견", "역시 발"), so only longer banned words are looked for.
 */
const LONG_ONLY: readonly ReadingKind[] = ["unbroken", "trailing"];

/** Whether `token` is `word` once or over again ("ㅗ", "ㅗㅗ"). */
const repeated = (token: string, word: string) => token !== "" && token === word.repeat(token.length / word.length);

/**
 * A token's pieces where Hangul meets Latin letters or digits: "c8놈아" is c8 and 놈아, a word of its own typed on to
 * Hangul ("아c8", "c8ㅋㅋ"), where "c8h10n4o2" is one piece.
 */
const scriptPieces = (token: string) => token.split(/(?<=[\u3131-\u318e\uac00-\ud7a3])(?=[a-z0-9])|(?<=[a-z0-9])(?=[\u3131-\u318e\uac00-\ud7a3])/u);

/** The vowels a jamo typed after them draws out: "호ㅗㅗ", "요ㅗㅗ" are 호오오, 요오오. */
const DRAWN_OUT: Record<string, readonly string[]> = { ㅗ: ["ㅗ", "ㅛ"] };

/** Vowel jamo: a run of the finger followed by one spells a word in jamo ("ㅗㅗㅜㅑ", as "ㅗㅜㅑ"). */
const VOWEL_JAMO = /^[ㅏ-ㅣ]$/u;

/**
 * Whether `token` holds `word`, one jamo, typed on to a syllable twice or more: at its end ("있으니깐ㅗㅗ"), between two
 * words run together ("드라마ㅗㅗ작가"), or before a word that opens the token ("영화 ㅗㅗ노잼"). Once it is as often a
 * slip (ㅗ is the h key, typed in 봐 and 화: "봐ㅗ", "영하ㅗ"), and after a vowel it draws out it is that vowel ("호ㅗㅗ",
 * "좋아요ㅗㅗ작가"); after other jamo it may be more of them ("ㅋㅋㅗㅗ").
 */
function typedOn(token: string, word: string): boolean {
  if (!/^[ㄱ-ㅣ]$/u.test(word)) return false;
  for (let from = token.indexOf(word); from >= 0; from = token.indexOf(word, from)) {
    let to = from;
    while (token[to] === word) to++;
    const before = jamoOf(token[from - 1] ?? "");
    const onto = from === 0 ? jamoOf(token[to] ?? "") !== undefined : before !== undefined && !(DRAWN_OUT[word] ?? [word]).includes(before.vowel);
    if (to - from >= 2 && onto && !VOWEL_JAMO.test(token[to] ?? "")) return true;
    from = to;
  }
  return false;
}

/**
 * Whether `word` occurs in `text` anywhere but wholly inside an allowed word or a run of everyday initials, or, a Latin
 * word, inside a Latin word it neither starts nor ends (but for an English ending: "bullshit", "motherfucker").
 */
function foundIn(text: string, word: string, allowed: readonly string[], initials: readonly string[]): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    if (!allowed.some((harmless) => holds(text, harmless, at, word.length)) && !inEverydayInitials(text, at, word.length, initials) && !insideLatinWord(text, word, at)) {
      return true;
    }
  }
  return false;
}

const LATIN_WORD = /^[a-z]+$/;
const LATIN_LETTERS_AFTER = /^[a-z]*/;
/** What may follow a banned Latin word inside a longer one: the endings English gives it ("dipshits", "motherfucker"). */
const ENGLISH_ENDINGS = new Set(["", "s", "es", "er", "ers", "ed", "ing", "ings", "y"]);

/**
 * Whether a Latin `word` found `at` sits inside a Latin word, after letters of it and before others that are no
 * English ending: a name's syllables ("Yamashita", "Kinoshita"), not abuse.
 */
function insideLatinWord(text: string, word: string, at: number): boolean {
  if (!LATIN_WORD.test(word) || !/[a-z]/.test(text[at - 1] ?? "")) return false;
  return !ENGLISH_ENDINGS.has(LATIN_LETTERS_AFTER.exec(text.slice(at + word.length))![0]);
}

/** Whether an occurrence of `harmless` in `text` covers the span [start, start + length). */
function holds(text: string, harmless: string, start: number, length: number): boolean {
  if (harmless.length < length) return false;
  for (let from = Math.max(0, start + length - harmless.length); from <= start; from++) {
    if (text.startsWith(harmless, from)) return true;
  }
  return false;
}

/** A text's verdict on its words, and the reading a player's line is scored from (scoredReading). */
type Checked = { verdict: WordsVerdict; scored: string };
