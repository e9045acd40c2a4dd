import type { Room } from "@colyseus/core";

/**
 * Colyseus's room clock reads `Date.now()` on Node, so a wall clock stepped by NTP, or a VM catching up after a
 * pause, fired a room's timers (greetings, idle lines, the speaking status) early, or held them back by the size
 * of the step. This makes it read the monotonic clock, restarted from now: call it before any timer is set.
 */
export function useMonotonicClock(room: Room): void {
  // `now` is protected in the clock's types; it is what tick() and start() read.
  Object.assign(room.clock, { now: () => performance.now() });
  room.clock.start();
}
