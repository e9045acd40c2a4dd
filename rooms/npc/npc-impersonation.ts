import { CALLING_ENDINGS } from "../../common/calling.js";
import { LATIN_LOOKALIKE } from "../../common/latin-look-alikes.js";
import type { NpcName } from "../chat/chat-addressing.js";

/** A name as it looks: full-width and other compatibility forms folded, one case, look-alikes as Latin, letters and digits only. */
function looks(name: string): string {
  return [...name.normalize("NFKC").toLowerCase()]
    .map((c) => LATIN_LOOKALIKE[c] ?? c)
    .filter((c) => /[\p{L}\p{N}]/u.test(c))
    .join("");
}

/**
 * The NPC a player's name would pass for: its id or name as it looks ("코 봇", "ｋｏｂｏｔ", "Kоbot"), or called by it
 * ("코봇님", "미나야"). Players trust an NPC's lines; a name that merely holds one ("코봇팬") is the player's own.
 */
export function impersonatedNpc(name: string, npcs: readonly NpcName[]): NpcName | undefined {
  const seen = looks(name);
  return npcs.find((npc) => [npc.id, npc.name].some((handle) => ["", ...CALLING_ENDINGS].some((ending) => looks(handle + ending) === seen)));
}
