import type { WorldSettings } from "./world-settings.js";

export interface Position {
  x: number;
  y: number;
  z: number;
}

// A client sends at ~10 Hz with jitter: allow a few frames' worth of distance in one message.
const MIN_STEP_SECONDS = 0.25;

/**
 * Where an avatar may be after asking to move from `from` to `to` in `elapsedSeconds`:
 * inside the world's bounds, and no further than its top speed allows (a teleport is cut short).
 */
export function allowedPosition(
  from: Position,
  to: Position,
  elapsedSeconds: number,
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
  const distance = Math.hypot(dx, dy, dz);
  const reach = rules.maxSpeed * Math.max(elapsedSeconds, MIN_STEP_SECONDS);
  if (distance <= reach) return target;
  const scale = reach / distance;
  return { x: from.x + dx * scale, y: from.y + dy * scale, z: from.z + dz * scale };
}

/** Angles in degrees, kept in [0, 360). */
export function normaliseAngle(degrees: number): number {
  return ((degrees % 360) + 360) % 360;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
