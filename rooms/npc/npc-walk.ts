/** Where an NPC walks when nobody talks to it: from its position to each point in turn and back, over and over. */
export interface NpcRoute {
  points: Array<{ x: number; z: number }>;
  /** World units a second (players walk at up to 8). */
  speed: number;
  /** How long it stands at each point, its position included, before it walks on. */
  pauseSeconds: number;
}

/**
 * One NPC on its route: `advance` moves it on by the time walked. The room does not call it while the NPC stops for
 * players (thinking, speaking, or anyone within its talk radius), so it picks up where it stopped.
 */
export class NpcWalk {
  private readonly stops: Array<{ x: number; z: number }>;
  private next = 1;
  private pausedMs = 0;
  x: number;
  z: number;

  constructor(start: { x: number; z: number }, private route: NpcRoute) {
    this.stops = [{ x: start.x, z: start.z }, ...route.points];
    this.x = start.x;
    this.z = start.z;
  }

  /** An edit's speed and pause, the walk going on from where it is (a pause under way ends no later than the new one). */
  retime({ speed, pauseSeconds }: NpcRoute): void {
    this.route = { ...this.route, speed, pauseSeconds };
    this.pausedMs = Math.min(this.pausedMs, pauseSeconds * 1000);
  }

  advance(ms: number): void {
    let left = ms;
    // Points on top of each other with no pause take no time: a lap of them must not loop for ever.
    for (let timeless = 0; left > 0 && timeless <= this.stops.length; ) {
      if (this.pausedMs > 0) {
        const paused = Math.min(this.pausedMs, left);
        this.pausedMs -= paused;
        left -= paused;
        continue;
      }
      const target = this.stops[this.next]!;
      const away = Math.hypot(target.x - this.x, target.z - this.z);
      const reach = (this.route.speed * left) / 1000;
      if (reach < away) {
        this.x += ((target.x - this.x) * reach) / away;
        this.z += ((target.z - this.z) * reach) / away;
        return;
      }
      // There: the rest of the time goes to the pause at this point.
      left -= (away / this.route.speed) * 1000;
      timeless = away === 0 && this.route.pauseSeconds === 0 ? timeless + 1 : 0;
      this.x = target.x;
      this.z = target.z;
      this.next = (this.next + 1) % this.stops.length;
      this.pausedMs = this.route.pauseSeconds * 1000;
    }
  }
}
