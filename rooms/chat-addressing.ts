export interface NpcName {
  id: string;
  name: string;
}

export interface Addressed {
  npcId: string;
  /** The line without its `@npc` prefix: what the NPC is asked. */
  question: string;
}

/**
 * Which NPC a chat line speaks to, if any: `to` naming an NPC id, or text starting with `@` and the
 * NPC's id or display name (case-insensitive), followed by a space, punctuation or the end.
 * Returns `undefined` for a line to the room, and `"unknown"` when `to` names no NPC here.
 */
export function addressedNpc(text: string, to: string | undefined, npcs: NpcName[]): Addressed | "unknown" | undefined {
  if (to !== undefined && to !== "") {
    const npc = npcs.find((candidate) => candidate.id === to);
    if (!npc) return "unknown";
    return { npcId: npc.id, question: stripMention(text, npc) ?? text };
  }
  if (!text.startsWith("@")) return undefined;
  for (const npc of npcs) {
    const question = stripMention(text, npc);
    if (question !== undefined) return { npcId: npc.id, question };
  }
  return undefined;
}

function stripMention(text: string, npc: NpcName): string | undefined {
  const lower = text.toLowerCase();
  for (const handle of [npc.id, npc.name]) {
    const mention = "@" + handle.toLowerCase();
    if (!lower.startsWith(mention)) continue;
    const rest = text.slice(mention.length);
    if (rest === "" || /^[\s,.:!?~]/.test(rest)) return rest.replace(/^[\s,.:!?~]+/, "").trim();
  }
  return undefined;
}
