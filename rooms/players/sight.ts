import type { StateView } from "@colyseus/schema";

import type { Player } from "../world-state.js";

/** A player in sight leaves it only a quarter beyond the radius: one standing on its edge must not blink in and out. */
const LEAVE_FACTOR = 1.25;

/**
 * Shows `player` in `view` or takes it out, by their distance from the view's owner and the sight radius (0: in
 * sight wherever they are). Out of sight, a player's moves are not sent: with 50 players walking, every client
 * received all 50 players' moves.
 */
export function updateSight(view: StateView, player: Player, distance: number, radius: number): void {
  const inSight = view.has(player);
  const shouldBe = radius === 0 || distance <= (inSight ? radius * LEAVE_FACTOR : radius);
  if (shouldBe && !inSight) view.add(player);
  else if (!shouldBe && inSight) view.remove(player);
}
