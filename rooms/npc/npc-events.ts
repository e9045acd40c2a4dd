import type { Presence } from "@colyseus/core";

import type { NpcSettings } from "../world-settings.js";

/**
 * Something happened in the game that an NPC reacts to (a quest done, a boss fallen, the shop restocked): the game's
 * backend fires it (POST /api/events) and the NPC says one of its lines for it (the world file's `events`). Announced
 * on a channel every room listens to, so it reaches rooms on every process sharing the presence.
 */
export const NPC_EVENTS_CHANNEL = "kobot:npc-events";

export interface NpcEvent {
  npc: string;
  event: string;
  /** Only this room hears it; otherwise every room with the NPC (and the player, when one is named). */
  room?: string;
  /** The player it is about, by session id or by account: the NPC turns to them, says their name, and they hear it wherever they stand. */
  player?: string;
  account?: string;
}

export async function fireNpcEvent(presence: Presence, event: NpcEvent): Promise<void> {
  await presence.publish(NPC_EVENTS_CHANNEL, event);
}

/** What is wrong with `event` for the world's NPCs, said for the backend's developers; undefined when it can be said. */
export function npcEventProblem(npcs: readonly NpcSettings[], event: NpcEvent): string | undefined {
  const npc = npcs.find((n) => n.id === event.npc);
  if (!npc) return `no NPC "${event.npc}" in this world (${npcs.map((n) => n.id).join(", ")})`;
  const lines = linesOf(npc, event.event);
  if (!lines) {
    const known = Object.keys(npc.events ?? {}).join(", ") || "none";
    return `${npc.id} has no lines for the event "${event.event}" (its events: ${known}): give it some under events in the world file`;
  }
  if (event.player !== undefined && event.account !== undefined) return "name the player by player (session id) or by account, not both";
  if (event.player === undefined && event.account === undefined && lines.every(saysName)) {
    return `every line of ${npc.id} for "${event.event}" says {name}: name the player (player or account)`;
  }
  return undefined;
}

/** The lines an NPC may say for an event: without a player to name, those that say no name. */
export function eventLines(npc: NpcSettings, event: string, named: boolean): string[] {
  const lines = linesOf(npc, event) ?? [];
  return named ? lines : lines.filter((line) => !saysName(line));
}

const saysName = (line: string) => line.includes("{name}");

/**
 * The NPC's own lines for an event, by its own key only: `events["constructor"]` is every object's (a function),
 * which passed as an event's lines and threw in every room that heard it.
 */
const linesOf = (npc: NpcSettings, event: string): string[] | undefined =>
  npc.events && Object.hasOwn(npc.events, event) ? npc.events[event] : undefined;
