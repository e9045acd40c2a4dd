import type { Position } from "./movement.js";
import type { NpcSettings } from "./world-settings.js";

export function distance(a: Position, b: Position): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

// A player standing on the edge of the talk radius must not be greeted at every step across it.
const LEAVE_FACTOR = 1.25;

/**
 * Which players are visiting which NPC: a visit starts when a player comes within the NPC's talk
 * radius and ends when they go a little beyond it, so each visit is greeted once; and not again within
 * the NPC's `greetAgainSeconds`, or a player walking in and out would make it greet the room over and over.
 */
export class NpcVisits {
  private readonly visitors = new Map<string, Set<string>>();
  /** Per NPC, when it last greeted each player. */
  private readonly greeted = new Map<string, Map<string, number>>();

  /** `standing`: where an NPC is now (one on a route is not where its settings put it). */
  constructor(private readonly standing: (npc: NpcSettings) => Position = (npc) => npc) {}

  /** The NPCs this player has just come near: the ones that should greet them now. */
  arrive(playerId: string, at: Position, npcs: readonly NpcSettings[], now = performance.now()): NpcSettings[] {
    const greeters: NpcSettings[] = [];
    for (const npc of npcs) {
      let visitors = this.visitors.get(npc.id);
      if (!visitors) this.visitors.set(npc.id, (visitors = new Set()));
      let greeted = this.greeted.get(npc.id);
      if (!greeted) this.greeted.set(npc.id, (greeted = new Map()));
      const d = distance(at, this.standing(npc));
      if (d <= npc.talkRadius && !visitors.has(playerId)) {
        visitors.add(playerId);
        if (now - (greeted.get(playerId) ?? -Infinity) < npc.greetAgainSeconds * 1000) continue;
        greeted.set(playerId, now);
        greeters.push(npc);
      } else if (d > npc.talkRadius * LEAVE_FACTOR) {
        visitors.delete(playerId);
      }
    }
    return greeters;
  }

  forget(playerId: string): void {
    for (const visitors of this.visitors.values()) visitors.delete(playerId);
    for (const greeted of this.greeted.values()) greeted.delete(playerId);
  }

  /** An NPC removed from the world: one added again under its id starts with no visitors. */
  forgetNpc(npcId: string): void {
    this.visitors.delete(npcId);
    this.greeted.delete(npcId);
  }

  /** Whether the player's visit to the NPC goes on (they have not gone past its talk radius since they came). */
  visiting(npcId: string, playerId: string): boolean {
    return this.visitors.get(npcId)?.has(playerId) ?? false;
  }

  /** The greeting meant for the player was not said (they left first): their next visit is greeted. */
  notGreeted(npcId: string, playerId: string): void {
    this.greeted.get(npcId)?.delete(playerId);
  }

  hasVisitors(npcId: string): boolean {
    return (this.visitors.get(npcId)?.size ?? 0) > 0;
  }
}
