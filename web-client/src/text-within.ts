/** What a reader takes as one character: a flag, a family emoji, a thumb with its skin tone (code points where unknown). */
const graphemes = typeof Intl.Segmenter === "function" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : undefined;

/**
 * `text` cut to `max` UTF-16 units at a character's edge as a reader sees it, with "…" where it was cut: an emoji is not
 * split, nor is a sequence of them (cut between code points, "👍🏽" lost its tone and "👨‍👩‍👧‍👦" left a dangling joiner).
 */
export function within(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = "";
  for (const char of graphemes ? [...graphemes.segment(text)].map((part) => part.segment) : text) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  return cut + "…";
}
