/**
 * One of `lines`, never the same as `last` when there is a choice (an NPC repeating itself sounds broken); lines that
 * are all `last` (written twice in a world file) leave none, and then it is said again. Undefined only for no lines.
 */
export function pickLine(lines: readonly string[], last: string | undefined, random = Math.random): string | undefined {
  const others = lines.filter((l) => l !== last);
  const choices = others.length > 0 ? others : lines;
  return choices[Math.floor(random() * choices.length)];
}
