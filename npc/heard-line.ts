import { cleanText } from "../common/clean-text.js";
import { plainChat } from "./chat-line.js";
import type { Spacing } from "./engine/spacing.js";
import { withoutOwnName } from "./own-name.js";

/**
 * A chat line as the model and retrieval read it: cleaned (clean-text.ts: a question from any producer may come as
 * separate jamo), shorthand spelled out, laughing, crying and the line's end dropped (chat-line.ts), and spaces put
 * back in a line typed without any (`spacing`, the model folder's: spacing.ts). Pure: the embedded worker's server
 * side, which has no model, reads a line as its thread's brain does.
 */
export function readChatLine(line: string, spacing: Spacing | undefined): string {
  const plain = plainChat(cleanText(line));
  const spaced = spacing?.restore(plain) ?? plain;
  // Shorthand stands out once spaces are back ("넘많이먹었다" → "넘 많이 먹었다" → "너무 많이 먹었다"): read again,
  // a line read twice reads the same (47,724 lines: Chatbot_data's and the evaluation's questions, without spaces,
  // after an NPC's name).
  return spaced === plain ? plain : plainChat(spaced);
}

/** The line as an NPC called `names` hears it: `read` (a chat line's reading), without its own name where the player calls it so. */
export function hearLine(line: string, names: readonly string[], read: (line: string) => string): string {
  const heard = read(line);
  const unnamed = withoutOwnName(heard, names);
  // Read again without the name: "코봇아 오늘날씨좋다" had a space, "오늘날씨좋다" has none to be put back.
  return unnamed === heard ? heard : read(unnamed);
}

/** The names a player may call an NPC by (its id and display name), which it does not hear as part of the question. */
export const callNamesOf = ({ npcId, name }: { npcId: string; name?: string | undefined }): string[] => [npcId, ...(name ? [name] : [])];
