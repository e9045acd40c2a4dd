import { distance, type Position } from "../../rooms/players/movement.js";

/** An NPC as the state has it: where it stands now (on a route too), how far it hears, what it is doing. */
export interface ListedNpc extends Position {
  name: string;
  status: string;
  talkRadius: number;
  privateTalk: boolean;
}

/** One choice in the "누구에게" list: the NPC's id and its label, with what it is doing and whether talk is private. */
export interface NpcChoice {
  id: string;
  label: string;
}

/** The NPCs the player can talk to now, then the others, each group in world-file order. */
export interface NpcChoices {
  near: NpcChoice[];
  far: NpcChoice[];
}

/** Whether the player may ask `npc` from where they stand: measured as the server measures before it says too_far. */
export const inReach = (player: Position, npc: Position & { talkRadius: number }): boolean => distance(player, npc) <= npc.talkRadius;

/** The NPC's label in the list: "(귓속말)" when only the asker hears the talk, "(생각 중…)" while it answers. */
export function npcLabel(npc: Pick<ListedNpc, "name" | "status" | "privateTalk">): string {
  const name = npc.privateTalk ? `${npc.name} (귓속말)` : npc.name;
  return npc.status === "thinking" ? `${name} (생각 중…)` : name;
}

/**
 * The room's NPCs grouped by whether `player` can talk to them now; not nearest first, which would reorder the list
 * at every step. No player yet (the state has not placed them): every NPC is far.
 */
export function npcChoices(npcs: Iterable<[string, ListedNpc]>, player: Position | undefined): NpcChoices {
  const choices: NpcChoices = { near: [], far: [] };
  for (const [id, npc] of npcs) (player && inReach(player, npc) ? choices.near : choices.far).push({ id, label: npcLabel(npc) });
  return choices;
}

/**
 * What the list shows, as one string: the list is rebuilt only when it changes (an NPC comes into reach or leaves it,
 * its name or status changes, the chosen one leaves the room), not as the player walks.
 */
export const choicesKey = (choices: NpcChoices, gone?: { id: string; name: string }): string => JSON.stringify([choices.near, choices.far, gone ?? null]);

/** Where in its talk radius a player walking up to an NPC stops: well inside, as the NPC may walk on and the server hears the player late. */
export const APPROACH_SHARE = 0.6;

/**
 * How far from `npc`, on the ground, a player at height `player.y` stops when walking up to it: APPROACH_SHARE of its
 * talk radius, less what the heights between them take of it (0: up to it, when they differ by more).
 */
export function approachStop(player: Pick<Position, "y">, npc: Pick<Position, "y"> & { talkRadius: number }): number {
  const within = npc.talkRadius * APPROACH_SHARE;
  return Math.sqrt(Math.max(0, within ** 2 - (npc.y - player.y) ** 2));
}
