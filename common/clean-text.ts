/**
 * Characters that show nothing yet change what a line matches or how it displays: every default-ignorable code point
 * (zero-width spaces, the word joiner, the byte-order mark, soft hyphens, the bidirectional controls that let a line
 * reverse the text shown after it, U+202E; format controls, and the ranges Unicode keeps invisible for characters
 * to come: "fu\u2065ck" and "si\u{e0080}bal" showed as the word and passed the filter, read as two), the interlinear
 * annotation marks, and the musical null notehead, which made names that look empty. Kept for the sequences they
 * belong in: the joiners U+200C/U+200D (emoji 👨‍👩‍👧, some scripts), variation selectors (emoji and ideograph
 * forms), tag characters (inside a flag, below), and the Hangul fillers (made spaces, below).
 */
const INVISIBLE =
  /(?![\u200c\u200d\ufe00-\ufe0f\u115f\u1160\u3164\uffa0\u{e0000}-\u{e007f}\u{e0100}-\u{e01ef}])[\p{Default_Ignorable_Code_Point}\ufff9-\ufffb\u{1d159}]/gu;

/** Tag characters (U+E0000–U+E007F) show nothing, except inside an emoji flag such as 🏴 England's: those stay. */
const TAGS = /(\u{1f3f4}[\u{e0020}-\u{e007e}]+\u{e007f})|[\u{e0000}-\u{e007f}]/gu;

/**
 * Blanks that are letters to Unicode, not spaces: the Hangul fillers (ㅤ U+3164 and its half-width and
 * conjoining forms) and the blank braille pattern, which Korean games see in names made to look empty.
 */
const BLANK_LETTERS = /[\u115f\u1160\u3164\uffa0\u2800]/gu;

/**
 * What shows something: a text of only default-ignorable characters (the joiners, variation selectors, tags and
 * fillers kept above for the sequences they belong in), marks and spaces is empty.
 */
const SHOWS_SOMETHING = /[^\p{Default_Ignorable_Code_Point}\p{M}\s]/u;

/**
 * A joiner (U+200C, U+200D) with a space or the text's edge beside it, and a mark (variation selectors are marks)
 * after a space or at the start: they belong to no letter there, and between spaces they kept them apart from the
 * collapsing below ("ㅋㅋ" + " \u200d" × 71 + "[공지] …" kept 71 spaces, as " \ufe0f" × 71 did, and the client
 * wrapped "[공지] …" on to a line of its own, with no speaker). A run of them goes whole.
 */
const LOOSE_JOINERS = /(?<=^|\s)[\u200c\u200d\p{M}]+|[\u200c\u200d]+(?=\s|$)/gu;

/** Combining marks stacked past this many on one letter ("Zalgo" text running over the lines above and below). */
const MAX_MARKS = 3;
const STACKED_MARKS = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, "gu");

/**
 * A name or chat line as it is shown, matched and logged: invisible characters dropped first, then composed (NFC:
 * macOS and iOS may send Hangul as separate jamo, "배고파" in 8 code points, which no search or reading of the NPC
 * matches; with a zero-width space left between them, "ᄉ\u200bᅵ", they stayed apart and only a second cleaning
 * composed them), control characters and blank letters made spaces, joiners beside a space or an edge dropped and marks after one,
 * marks stacked past three cut, runs of whitespace collapsed, trimmed, and half surrogate pairs dropped (JSON join
 * options carry them; the schema encoder took one with the next character as a pair, and every client's state
 * decoded wrong from there on); nothing at all when nothing in it shows (a name of two zero-width joiners was taken,
 * and showed as no name). Idempotent.
 */
export function cleanText(text: string): string {
  const cleaned = text
    .replace(/\p{Cs}/gu, "")
    .replace(INVISIBLE, "")
    .replace(TAGS, (_, flag: string | undefined) => flag ?? "")
    .normalize("NFC")
    .replace(/\p{Cc}/gu, " ")
    .replace(BLANK_LETTERS, " ")
    .replace(LOOSE_JOINERS, "")
    .replace(STACKED_MARKS, "$1")
    .replace(/\s+/g, " ")
    .trim();
  return SHOWS_SOMETHING.test(cleaned) ? cleaned : "";
}
