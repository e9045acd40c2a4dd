import { soundAlike } from "../../common/hangul.js";
import { looks } from "./name-looks.js";

/**
 * Words of the game's staff and of the server, which no player's name may hold: players trust what 운영자 or 시스템
 * says, and a player named "[운영자]" or "GM" was taken for them. Hangul words are refused anywhere in a name
 * ("민수운영자"), 공지 and 알림 only alone, Latin ones as a whole word of Latin letters ("GM민수", "Admin1", "staff-kim"; not "gmail" nor "modern").
 * Both are compared as names look (name-looks.ts: "ＧＭ", "Аdmin" with a Cyrillic А), Hangul as it sounds too
 * ("운영쟈", "시스탬", "써버" and "운영좌" read as the words and posted 공지 as them), and Latin letters standing one
 * by one also run together ("G M", "A-D-M-I-N" read GM and admin; "Sig Ma" and "Ad Min" are syllables of names).
 */
export const STAFF_WORDS_HANGUL: readonly string[] = ["운영자", "운영진", "운영팀", "관리자", "시스템", "공지사항", "매니저", "어드민", "지엠", "모더레이터", "개발자", "서버"];
/** Refused only as the whole name: inside one they are people's names (공지영, 공 and 지영). */
export const STAFF_NAMES_HANGUL: readonly string[] = ["공지", "알림"];
/** Other spellings of those words, which sound folds do not reach (애 for 어; 쥐, the letter G as some write it). */
export const STAFF_SPELLINGS_HANGUL: Readonly<Record<string, string>> = { 애드민: "어드민", 에드민: "어드민", 쥐엠: "지엠", 매니자: "매니저", 모더레이타: "모더레이터" };
// Not "dev": a person's name (Dev), as "developer" is not.
export const STAFF_WORDS_LATIN: readonly string[] = ["gm", "admin", "administrator", "mod", "moderator", "system", "sysop", "staff", "notice", "manager", "operator", "server", "official", "developer"];

const LATIN = new Set(STAFF_WORDS_LATIN);
const SPELLED = [...STAFF_WORDS_HANGUL.map((word) => [word, word] as const), ...Object.entries(STAFF_SPELLINGS_HANGUL)];
// A word of two syllables is one a given name's last and the next word's first make ("민지 앰버" holds 지엠): it is
// refused within a word of the name or as the whole name ("지 엠"), not across the name's space.
const HEARD_WORDS = SPELLED.map(([spelled, word]) => ({ heard: soundAlike(spelled), word, short: [...spelled].length <= 2 }));
const HEARD_NAMES = STAFF_NAMES_HANGUL.map(soundAlike);
const PARTS = /[\s_-]+/u;

/** A lone Latin g or m beside Hangul as the letter said in Hangul: "G엠" and "지M" read 지엠 ("gmail" stays Latin). */
function lettersSaid(seen: string): string {
  return /\p{Script=Hangul}/u.test(seen) ? seen.replace(/(?<![a-z])[gm](?![a-z])/g, (c) => (c === "g" ? "지" : "엠")) : seen;
}

/** A name, or a part of it, as it looks (`looks`'s output), then as it sounds. */
const heardAs = (seen: string) => soundAlike(lettersSaid(seen));

/** The staff or system word a name holds, as it looks, if any. */
export function staffWordIn(name: string): string | undefined {
  const heard = heardAs(looks(name));
  const parts = name.split(PARTS).map(looks);
  const heardParts = parts.map(heardAs);
  const word = HEARD_WORDS.find((w) => (w.short ? heard === w.heard || heardParts.some((part) => part.includes(w.heard)) : heard.includes(w.heard)));
  if (word) return word.word;
  const whole = HEARD_NAMES.indexOf(heard);
  if (whole >= 0) return STAFF_NAMES_HANGUL[whole];
  // Words of Latin letters, each part of the name (its space, `_` and `-` part words too) looked at alone, and parts
  // of one letter each run together, a word spelled apart ("G M", "A-D-M-I-N"); parts of two letters or more are
  // syllables of a name ("Mo D", "Ad Min", "Ser Ver"), which run together into a staff word by chance.
  const apart: string[] = [];
  let run = "";
  for (const part of [...parts, ""]) {
    if (/^[a-z]$/.test(part)) run += part;
    else {
      if (run.length > 1) apart.push(run);
      run = "";
    }
  }
  const latinWords = [...parts, ...apart].flatMap((part) => part.match(/[a-z]+/g) ?? []);
  return latinWords.find((word) => LATIN.has(word));
}
