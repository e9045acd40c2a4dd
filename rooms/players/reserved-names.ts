import { soundAlike } from "../../common/hangul.js";
import { looks } from "./name-looks.js";

/**
 * Words of the game's staff and of the server, which no player's name may hold: players trust what 운영자 or 시스템
 * says, and a player named "[운영자]" or "GM" was taken for them. Hangul words are refused anywhere in a name
 * ("민수운영자"), 공지 and 알림 only alone, Latin ones as a whole word of Latin letters ("GM민수", "Admin1", "staff-kim"; not "gmail" nor "modern").
 * Both are compared as names look (name-looks.ts: "ＧＭ", "Аdmin" with a Cyrillic А), Hangul as it sounds too
 * ("운영쟈", "시스탬" and "매니져" read as the words and posted 공지 as them), and Latin letters also as the whole name's
 * run together ("G M", "G_M" read GM; "Sig Ma" is not a word of them).
 */
export const STAFF_WORDS_HANGUL: readonly string[] = ["운영자", "운영진", "운영팀", "관리자", "시스템", "공지사항", "매니저", "어드민", "지엠", "모더레이터", "개발자", "서버"];
/** Refused only as the whole name: inside one they are people's names (공지영, 공 and 지영). */
export const STAFF_NAMES_HANGUL: readonly string[] = ["공지", "알림"];
// Not "dev": a person's name (Dev), as "developer" is not.
export const STAFF_WORDS_LATIN: readonly string[] = ["gm", "admin", "administrator", "mod", "moderator", "system", "sysop", "staff", "notice", "manager", "operator", "server", "official", "developer"];

const LATIN = new Set(STAFF_WORDS_LATIN);
const HEARD_WORDS = STAFF_WORDS_HANGUL.map(soundAlike);
const HEARD_NAMES = STAFF_NAMES_HANGUL.map(soundAlike);

/** The staff or system word a name holds, as it looks, if any. */
export function staffWordIn(name: string): string | undefined {
  const seen = looks(name);
  const heard = soundAlike(seen);
  const word = HEARD_WORDS.findIndex((w) => heard.includes(w));
  if (word >= 0) return STAFF_WORDS_HANGUL[word];
  const whole = HEARD_NAMES.indexOf(heard);
  if (whole >= 0) return STAFF_NAMES_HANGUL[whole];
  // Words of Latin letters, each part of the name (its space, `_` and `-` part words too) looked at alone, and the
  // whole name's (`looks` keeps letters and digits only, so its separators are gone) for a word spelled apart.
  const latinWords = [...name.split(/[\s_-]+/u), name].flatMap((part) => looks(part).match(/[a-z]+/g) ?? []);
  return latinWords.find((word) => LATIN.has(word));
}
