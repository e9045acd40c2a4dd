import { Encoder } from "@colyseus/schema";

import { CHAT_MAX_CHARS, NAME_MAX_CHARS } from "./world-protocol.js";
import type { WorldSettings } from "./world-settings.js";

/** A chat line at its longest, encoded: UTF-8 text and name (3 bytes a Hangul syllable, 4 an emoji), its id and the id it replies to, other ids and numbers. */
const LINE_BYTES = 4 * (CHAT_MAX_CHARS + NAME_MAX_CHARS) + 160;
const PLAYER_BYTES = 3 * NAME_MAX_CHARS + 120;

/** A full room's state with a full chat history, encoded, at its largest. */
export const largestFullState = (settings: Pick<WorldSettings, "chatHistory" | "maxClients">): number =>
  settings.chatHistory * LINE_BYTES + settings.maxClients * PLAYER_BYTES + 16 * 1024;

/**
 * Sizes the state encoder's buffer for a full room with a full chat history. Its default (16 KiB) is grown on demand
 * with a multi-line console warning per room (a history of 1,000 lines is ~700 KB), outside the JSON log.
 */
export function sizeStateBuffer(settings: Pick<WorldSettings, "chatHistory" | "maxClients">): void {
  Encoder.BUFFER_SIZE = Math.max(Encoder.BUFFER_SIZE, Math.ceil(largestFullState(settings) / 1024) * 1024);
}
