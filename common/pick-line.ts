/** One of `lines`, never the same as `last` when there is a choice (an NPC repeating itself sounds broken). */
export function pickLine(lines: readonly string[], last: string | undefined, random = Math.random): string {
  const choices = lines.length > 1 ? lines.filter((l) => l !== last) : lines;
  return choices[Math.floor(random() * choices.length)]!;
}
