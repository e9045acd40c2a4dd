import { looks } from "./name-looks.js";

/**
 * Words of the game's staff and of the server, which no player's name may hold: players trust what 운영자 or 시스템
 * says, and a player named "[운영자]" or "GM" was taken for them. Hangul words are refused anywhere in a name
 * ("민수운영자"), 공지 and 알림 only alone, Latin ones as a whole word of Latin letters ("GM민수", "Admin1", "staff-kim"; not "gmail" nor "modern").
 * Both are compared as names look (name-looks.ts: "ＧＭ", "Аdmin" with a Cyrillic А).
 */
export const STAFF_WORDS_HANGUL: readonly string[] = ["운영자", "운영진", "운영팀", "관리자", "시스템", "공지사항", "매니저", "어드민", "지엠", "모더레이터", "개발자", "서버"];
/** Refused only as the whole name: inside one they are people's names (공지영, 공 and 지영). */
export const STAFF_NAMES_HANGUL: readonly string[] = ["공지", "알림"];
// Not "dev": a person's name (Dev), as "developer" is not.
export const STAFF_WORDS_LATIN: readonly string[] = ["gm", "admin", "administrator", "mod", "moderator", "system", "sysop", "staff", "notice", "manager", "operator", "server", "official", "developer"];

const LATIN = new Set(STAFF_WORDS_LATIN);

/** The staff or system word a name holds, as it looks, if any. */
export function staffWordIn(name: string): string | undefined {
  const seen = looks(name);
  const hangul = STAFF_WORDS_HANGUL.find((word) => seen.includes(word)) ?? STAFF_NAMES_HANGUL.find((word) => seen === word);
  if (hangul) return hangul;
  // Words of Latin letters, each part of the name (its space, `_` and `-` part words too) looked at alone.
  const latinWords = name.split(/[\s_-]+/u).flatMap((part) => looks(part).match(/[a-z]+/g) ?? []);
  return latinWords.find((word) => LATIN.has(word));
}
