/** Runs of whitespace as one space, trimmed: how an answer is said, and how a shown answer compares with it. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
