import type { Label } from "./label-places.js";

/**
 * CSS pixels around an NPC's dot or name that a click or tap still takes as on it: with the dot's radius of 11, a
 * target 46 px across, a finger's (44 px) at least.
 */
export const TAP_SLOP = 12;
/** A name's box around its baseline, in CSS pixels: its 13 px letters above it, their tails under it. */
const NAME_ABOVE = 12;
const NAME_BELOW = 3;

/** An NPC's dot as last drawn, in CSS pixels of the canvas. */
export interface NpcDot {
  id: string;
  x: number;
  y: number;
  radius: number;
}

/**
 * The NPC a click at `point` (CSS pixels of the canvas) is on: the one whose dot or name, as drawn, is nearest to
 * it, within TAP_SLOP; none further (the click walks there). Names are the placed labels whose `of` names an NPC.
 */
export function npcUnder(point: { x: number; y: number }, dots: readonly NpcDot[], names: readonly Label[], slop = TAP_SLOP): string | undefined {
  let nearest: { id: string; away: number } | undefined;
  const consider = (id: string, away: number) => {
    if (away <= slop && (!nearest || away < nearest.away)) nearest = { id, away };
  };
  for (const dot of dots) consider(dot.id, Math.max(0, Math.hypot(point.x - dot.x, point.y - dot.y) - dot.radius));
  for (const name of names) {
    if (name.of === undefined) continue;
    const dx = Math.max(0, Math.abs(point.x - name.x) - name.width / 2);
    const dy = Math.max(0, name.y - NAME_ABOVE - point.y, point.y - (name.y + NAME_BELOW));
    consider(name.of, Math.hypot(dx, dy));
  }
  return nearest?.id;
}
