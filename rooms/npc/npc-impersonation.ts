import { CALLING_ENDINGS } from "../../common/calling.js";
import type { NpcName } from "../chat/chat-addressing.js";
import { looks } from "../players/name-looks.js";

/**
 * The NPC a player's name would pass for: its id or name as it looks ("코 봇", "ｋｏｂｏｔ", "Kоbot"), or called by it
 * ("코봇님", "미나야"). Players trust an NPC's lines; a name that merely holds one ("코봇팬") is the player's own.
 */
export function impersonatedNpc(name: string, npcs: readonly NpcName[]): NpcName | undefined {
  const seen = looks(name);
  return npcs.find((npc) => passesFor(seen, npc.id) || passesFor(seen, npc.name));
}

/** Whether a name that looks like `seen` (looks) passes for an NPC's id or name `handle`: as it looks, or called by it. */
function passesFor(seen: string, handle: string): boolean {
  return lookalikesOf(handle).has(seen);
}

/**
 * Which of `npc`'s id and name could pass for `other`'s, or theirs for its (a world whose players would take one NPC
 * for another): for the world file's check of every pair of NPCs.
 */
export function confusableNpcs(npc: NpcName, other: NpcName): string | undefined {
  const handles = [other.id, other.name];
  return [npc.id, npc.name].find((mine) => handles.some((theirs) => passesFor(looks(mine), theirs) || passesFor(looks(theirs), mine)));
}

/** Each handle's look-alikes, kept: a join compared its name with every NPC's, 2 × 16 spellings of each made anew. */
const lookalikes = new Map<string, Set<string>>();

function lookalikesOf(handle: string): Set<string> {
  let seen = lookalikes.get(handle);
  if (!seen) {
    if (lookalikes.size >= 10_000) lookalikes.clear(); // NPCs' ids and names: a world edited for long, at most
    seen = new Set(["", ...CALLING_ENDINGS].map((ending) => looks(handle + ending)));
    lookalikes.set(handle, seen);
  }
  return seen;
}
