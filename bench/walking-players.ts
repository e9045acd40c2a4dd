/**
 * Players joined into one room who walk the village at 10 moves a second, each toward a random point and on to the
 * next: a busy room's traffic, for the benchmarks that read what it costs (bench:sight, bench:many-npcs).
 */
import { joinWorld, type TestPlayer } from "../test/helpers/world.js";

/** The village's walkable box (rooms/world-settings.ts), less a margin. */
const HALF_WIDTH = 45;
/** Units per move at 10 moves a second: 8 u/s, the server's top speed. */
const STEP = 0.8;

export interface Walker {
  player: TestPlayer;
  x: number;
  z: number;
  target: { x: number; z: number };
}

/** `count` players in one room, named `${prefix}-0`…: ten at a time, as one address may have 20 joins waiting (JOINS_WAITING_PER_ADDRESS). */
export async function joinPlayers(url: string, count: number, prefix: string): Promise<TestPlayer[]> {
  const players = [await joinWorld(url, { name: `${prefix}-0` })];
  while (players.length < count) {
    const names = Array.from({ length: Math.min(10, count - players.length) }, (_, i) => `${prefix}-${players.length + i}`);
    players.push(...(await Promise.all(names.map((name) => joinWorld(url, { name }, players[0]!.room.roomId)))));
  }
  return players;
}

const randomPoint = () => ({ x: (Math.random() * 2 - 1) * HALF_WIDTH, z: (Math.random() * 2 - 1) * HALF_WIDTH });

/** A walker starting where the room put `player`. */
export function walkerOf(player: TestPlayer): Walker {
  const me = player.room.state.players.get(player.room.sessionId)!;
  return { player, x: me.x, z: me.z, target: randomPoint() };
}

function step(walker: Walker): void {
  const dx = walker.target.x - walker.x;
  const dz = walker.target.z - walker.z;
  const left = Math.hypot(dx, dz);
  if (left < STEP) walker.target = randomPoint();
  const k = Math.min(1, STEP / Math.max(left, 1e-9));
  walker.x += dx * k;
  walker.z += dz * k;
  walker.player.room.send("move", { x: walker.x, y: 0, z: walker.z, rotY: (Math.atan2(dx, dz) * 180) / Math.PI, anim: "walk" });
}

/** Every walker moves 10 times a second until the function returned is called. */
export function keepWalking(walkers: readonly Walker[]): () => void {
  const timer = setInterval(() => walkers.forEach(step), 100);
  return () => clearInterval(timer);
}
