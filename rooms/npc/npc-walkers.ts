import type { Clock, Delayed } from "@colyseus/core";
import type { MapSchema } from "@colyseus/schema";

import { heading } from "../players/movement.js";
import { NpcWalk } from "./npc-walk.js";
import type { NpcSettings } from "../world-settings.js";
import type { Npc } from "../world-state.js";

/** How often NPCs on a route move on: 10 times a second, as often as players' clients send their moves. */
const WALK_EVERY_MS = 100;

/**
 * A room's NPCs on a route (npc-walk.ts), moved on by a timer that runs while there are any: a world without routes
 * keeps no timer in each room. An NPC stops for players: while it thinks or speaks, or anyone is within its talk radius.
 */
export class NpcWalkers {
  /** Each walking NPC's walk, and the place and route points it set out with (an edit of either sets it out again). */
  private readonly walks = new Map<string, { walk: NpcWalk; from: string }>();
  private timer?: Delayed;

  constructor(
    private readonly npcs: MapSchema<Npc>,
    private readonly clock: Clock,
    private readonly hasVisitors: (npcId: string) => boolean,
    /** These NPCs moved (their ids): each may have walked up to a player, who it greets and stops for, or left one behind. */
    private readonly moved: (npcIds: ReadonlySet<string>) => void,
  ) {}

  /**
   * Where `npc` stands as the world is taken: where its walk has taken it, at the edit's speed and pause, unless an
   * edit changed where it starts or its route's points (tuning its speed sent it back to its start, away from a
   * player it had stopped for); where it starts without one.
   */
  placeOf(npc: NpcSettings): { x: number; z: number } {
    const { id, x, z, route } = npc;
    if (!route) {
      this.walks.delete(id);
      return npc;
    }
    const from = JSON.stringify([x, z, route.points]);
    const current = this.walks.get(id);
    if (current?.from === from) {
      current.walk.retime(route);
      return current.walk;
    }
    const walk = new NpcWalk({ x, z }, route);
    this.walks.set(id, { walk, from });
    return walk;
  }

  forget(npcId: string): void {
    this.walks.delete(npcId);
  }

  /** After the world's NPCs were taken (placeOf, forget): the timer runs while any of them walks. */
  keepTime(): void {
    if (this.walks.size > 0) {
      this.timer ??= this.clock.setInterval(() => this.walk(WALK_EVERY_MS), WALK_EVERY_MS);
    } else {
      this.timer?.clear();
      this.timer = undefined;
    }
  }

  private walk(ms: number): void {
    const moved = new Set<string>();
    for (const [id, { walk }] of this.walks) {
      const shown = this.npcs.get(id);
      if (!shown || shown.status !== "idle" || this.hasVisitors(id)) continue;
      walk.advance(ms);
      if (walk.x === shown.x && walk.z === shown.z) continue;
      shown.assign({ rotY: heading(shown, walk), x: walk.x, z: walk.z });
      moved.add(id);
    }
    if (moved.size > 0) this.moved(moved);
  }
}
