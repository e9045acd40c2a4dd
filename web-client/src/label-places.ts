/** A name to draw centred at `x`, its baseline at `y` (under its avatar), `width` pixels wide. */
export interface Label {
  x: number;
  y: number;
  text: string;
  width: number;
  /** The NPC whose name it is: a tap on it chooses the NPC (npc-hit.ts). */
  of?: string;
}

/** Lines of names stacked under one spot at most; past them, a count ("+12"). */
export const STACKED_LINES = 3;

/**
 * Where each name goes: under its avatar, or a line lower for each name it would cover (players who stand together),
 * at most STACKED_LINES lines; names past that are counted under the stack instead. Labels earlier in the list win
 * their place (the page's own name first). Placed names are kept by line band, so each name checks only its
 * neighbours: every name checked against every placed one, line after line, took 68% of a core for 300 players in one
 * spot, and their column ran off the canvas.
 */
export function placeLabels(labels: readonly Label[], lineHeight: number, widthOf: (text: string) => number = (text) => text.length * 8): Label[] {
  const bands = new Map<number, Label[]>();
  const covers = (x: number, y: number, half: number): Label | undefined => {
    const band = Math.floor(y / lineHeight);
    for (let b = band - 1; b <= band + 1; b++) {
      const hit = bands.get(b)?.find((p) => x - half < p.x + p.width / 2 && x + half > p.x - p.width / 2 && Math.abs(y - p.y) < lineHeight);
      if (hit) return hit;
    }
    return undefined;
  };
  const placed: Label[] = [];
  /** Puts `label` in the first free line of its stack, or gives what covers its last line. */
  const place = (label: Label): Label | undefined => {
    let blocker: Label | undefined;
    let y = label.y;
    for (let line = 0; line < STACKED_LINES; line++, y += lineHeight) {
      blocker = covers(label.x, y, label.width / 2);
      if (!blocker) break;
    }
    if (blocker) return blocker;
    const at = { ...label, y };
    placed.push(at);
    const band = Math.floor(y / lineHeight);
    const neighbours = bands.get(band);
    if (neighbours) neighbours.push(at);
    else bands.set(band, [at]);
    return undefined;
  };
  const hidden = new Map<Label, number>(); // the last name of a full stack, and how many more would have gone under it
  for (const label of labels) {
    const blocker = place(label);
    if (blocker) hidden.set(blocker, (hidden.get(blocker) ?? 0) + 1);
  }
  // Counts are placed as names are, under their stack: not over a name that stands there.
  for (const [under, count] of hidden) {
    const text = `+${count}`;
    place({ x: under.x, y: under.y + lineHeight, text, width: widthOf(text) });
  }
  return placed;
}
