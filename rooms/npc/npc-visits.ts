import { distance, type Position } from "../players/movement.js";
import type { NpcSettings } from "../world-settings.js";

// A player standing on the edge of the talk radius must not be greeted at every step across it.
const LEAVE_FACTOR = 1.25;

/**
 * Which players are visiting which NPC: a visit starts when a player comes within the NPC's talk
 * radius and ends when they go a little beyond it, so each visit is greeted once; and not again within
 * the NPC's `greetAgainSeconds`, or a player walking in and out would make it greet the room over and over.
 * The last greeting is the player's (their account, or address and name), not their session's: a player who left
 * and joined again (a new session) five times in 13 s had the room hear five greetings.
 */
export class NpcVisits {
  private readonly visitors = new Map<string, Set<string>>();
  /** Per NPC, each player greeted lately: when, and the session it greeted. */
  private readonly greeted = new Map<string, Map<string, { at: number; sessionId: string }>>();
  /** Per NPC, its greetAgainSeconds in ms as last seen: how long a greeting is kept once its player left. */
  private readonly againMs = new Map<string, number>();

  /** `standing`: where an NPC is now (one on a route is not where its settings put it). */
  constructor(private readonly standing: (npc: NpcSettings) => Position = (npc) => npc) {}

  /**
   * The NPCs this player (session `playerId`) has just come near: the ones that should greet them now. `who`: the
   * player whatever their session (player-origins.ts departureKey), by default the session alone.
   */
  arrive(playerId: string, at: Position, npcs: readonly NpcSettings[], now = performance.now(), who = playerId): NpcSettings[] {
    const greeters: NpcSettings[] = [];
    for (const npc of npcs) {
      let visitors = this.visitors.get(npc.id);
      if (!visitors) this.visitors.set(npc.id, (visitors = new Set()));
      let greeted = this.greeted.get(npc.id);
      if (!greeted) this.greeted.set(npc.id, (greeted = new Map()));
      this.againMs.set(npc.id, npc.greetAgainSeconds * 1000);
      const d = distance(at, this.standing(npc));
      if (d <= npc.talkRadius && !visitors.has(playerId)) {
        visitors.add(playerId);
        // By the setting now: a world edit may have shortened it.
        if (now - (greeted.get(who)?.at ?? -Infinity) < npc.greetAgainSeconds * 1000) continue;
        greeted.set(who, { at: now, sessionId: playerId });
        greeters.push(npc);
      } else if (d > npc.talkRadius * LEAVE_FACTOR) {
        visitors.delete(playerId);
      }
    }
    return greeters;
  }

  /** The session left: no longer a visitor. Their last greetings stay, for a join again, until they may be greeted. */
  forget(playerId: string, now = performance.now()): void {
    for (const visitors of this.visitors.values()) visitors.delete(playerId);
    for (const [npcId, greeted] of this.greeted) {
      const againMs = this.againMs.get(npcId) ?? 0;
      for (const [who, { at }] of greeted) if (now - at >= againMs) greeted.delete(who);
    }
  }

  /** An NPC removed from the world: one added again under its id starts with no visitors. */
  forgetNpc(npcId: string): void {
    this.visitors.delete(npcId);
    this.greeted.delete(npcId);
    this.againMs.delete(npcId);
  }

  /** Whether the player's visit to the NPC goes on (they have not gone past its talk radius since they came). */
  visiting(npcId: string, playerId: string): boolean {
    return this.visitors.get(npcId)?.has(playerId) ?? false;
  }

  /**
   * The greeting meant for the session was not said (they left first): the player's next visit is greeted. Returns
   * the player's other sessions visiting the NPC now, no longer counted as visitors: they are to arrive anew. One
   * who left and joined again while waiting came near as someone greeted already, and was not greeted on that visit.
   * `whoIs`: a session's player (player-origins.ts departureKey).
   */
  notGreeted(npcId: string, playerId: string, whoIs: (sessionId: string) => string | undefined = () => undefined): string[] {
    const greeted = this.greeted.get(npcId);
    let player: string | undefined;
    for (const [who, { sessionId }] of greeted ?? []) {
      if (sessionId !== playerId) continue;
      greeted!.delete(who);
      player = who;
    }
    const visitors = this.visitors.get(npcId);
    if (player === undefined || !visitors) return [];
    const again = [...visitors].filter((id) => id !== playerId && whoIs(id) === player);
    for (const id of again) visitors.delete(id);
    return again;
  }

  hasVisitors(npcId: string): boolean {
    return (this.visitors.get(npcId)?.size ?? 0) > 0;
  }
}
