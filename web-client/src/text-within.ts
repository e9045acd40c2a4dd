/** `text` cut to `max` UTF-16 units at a character's edge (an emoji is not split), with "…" where it was cut. */
export function within(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = "";
  for (const char of text) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  return cut + "…";
}
