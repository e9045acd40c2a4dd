/**
 * Characters that show nothing yet change what a line matches or how it displays: zero-width spaces, the word
 * joiner, the byte-order mark, soft hyphens, and the bidirectional controls that let a line reverse the text
 * shown after it (U+202E). The joiners U+200C/U+200D stay: emoji sequences (👨‍👩‍👧) and some scripts need them.
 */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;

/**
 * Blanks that are letters to Unicode, not spaces: the Hangul fillers (ㅤ U+3164 and its half-width and
 * conjoining forms) and the blank braille pattern, which Korean games see in names made to look empty.
 */
const BLANK_LETTERS = /[\u115f\u1160\u3164\uffa0\u2800]/gu;

/** Combining marks stacked past this many on one letter ("Zalgo" text running over the lines above and below). */
const MAX_MARKS = 3;
const STACKED_MARKS = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, "gu");

/**
 * A name or chat line as it is shown, matched and logged: composed (NFC: macOS and iOS may send Hangul as
 * separate jamo, "배고파" in 8 code points, which no search or reading of the NPC matches), control characters
 * and blank letters made spaces, invisible characters dropped, marks stacked past three cut, runs of whitespace
 * collapsed, trimmed, and half surrogate pairs dropped (JSON join options carry them; the schema encoder took
 * one with the next character as a pair, and every client's state decoded wrong from there on). Idempotent.
 */
export function cleanText(text: string): string {
  return text
    .replace(/\p{Cs}/gu, "")
    .normalize("NFC")
    .replace(/\p{Cc}/gu, " ")
    .replace(INVISIBLE, "")
    .replace(BLANK_LETTERS, " ")
    .replace(STACKED_MARKS, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
