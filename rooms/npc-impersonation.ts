import { CALLING_ENDINGS } from "../common/calling.js";
import type { NpcName } from "./chat-addressing.js";

/** Cyrillic and Greek letters drawn as Latin ones ("Kоbot" with a Cyrillic о). */
const LOOK_ALIKES: Record<string, string> = {
  а: "a", в: "b", е: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x", і: "i", ј: "j", ѕ: "s",
  α: "a", β: "b", ε: "e", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x",
};

/** A name as it looks: full-width and other compatibility forms folded, one case, look-alikes as Latin, letters and digits only. */
function looks(name: string): string {
  return [...name.normalize("NFKC").toLowerCase()]
    .map((c) => LOOK_ALIKES[c] ?? c)
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
