import type { WorldSettings } from "../world-settings.js";

export interface Position {
  x: number;
  y: number;
  z: number;
}

/** How far apart two points of the world are, in a straight line. */
export function distance(a: Position, b: Position): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

/**
 * Seconds of travel at top speed a player may have in hand: earned as time passes, spent by moving. A client sends
 * at ~10 Hz with jitter, so a few frames' worth may arrive at once; but no rate of messages, and no time standing
 * still, buys more than this in one go, so over any second an avatar goes no faster than the top speed allows.
 */
export const TRAVEL_IN_HAND_SECONDS = 0.5;

/**
 * Where an avatar may be after asking to move from `from` to `to` with `travelSeconds` of travel in hand:
 * inside the world's bounds, and no further than its top speed allows in that time (a teleport is cut short).
 */
export function allowedPosition(
  from: Position,
  to: Position,
  travelSeconds: number,
  rules: Pick<WorldSettings, "bounds" | "maxSpeed">,
): Position {
  const { bounds } = rules;
  const target = {
    x: clamp(to.x, bounds.minX, bounds.maxX),
    y: clamp(to.y, bounds.minY, bounds.maxY),
    z: clamp(to.z, bounds.minZ, bounds.maxZ),
  };
  const dx = target.x - from.x;
  const dy = target.y - from.y;
  const dz = target.z - from.z;
  const asked = Math.hypot(dx, dy, dz);
  const reach = rules.maxSpeed * travelSeconds;
  if (asked <= reach) return target;
  const scale = reach / asked;
  return { x: from.x + dx * scale, y: from.y + dy * scale, z: from.z + dz * scale };
}

/** Angles in degrees, kept in [0, 360) as the state's float32 carries them (359.9999999 is 360.0 there: 0 instead). */
export function normaliseAngle(degrees: number): number {
  const angle = ((degrees % 360) + 360) % 360;
  return Math.fround(angle) >= 360 ? 0 : angle;
}

/** The `rotY` of one facing from `from` toward `to`, in degrees as players' (0: +z, 90: +x). */
export function heading(from: { x: number; z: number }, to: { x: number; z: number }): number {
  return normaliseAngle((Math.atan2(to.x - from.x, to.z - from.z) * 180) / Math.PI);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
