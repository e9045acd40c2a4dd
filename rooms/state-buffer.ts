import { Encoder } from "@colyseus/schema";

import { CHAT_MAX_CHARS, NAME_MAX_CHARS } from "./world-protocol.js";
import { viewsOfTheirOwn, type WorldSettings } from "./world-settings.js";

/** A chat line at its longest, encoded: UTF-8 text and name (3 bytes a Hangul syllable, 4 an emoji), its id and the id it replies to, other ids and numbers. */
const LINE_BYTES = 4 * (CHAT_MAX_CHARS + NAME_MAX_CHARS) + 160;
const PLAYER_BYTES = 3 * NAME_MAX_CHARS + 120;
/** A player's move (x, z, rotY, anim) in the patch of a view that sees them: 20-21 bytes measured. */
const SEEN_MOVE_BYTES = 24;
/** Lines heard, at their longest, that each view's patch has room for beyond everyone's moves. */
const LINES_A_VIEW = 2;

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

/**
 * What one patch of a room with views of their own (viewsOfTheirOwn) takes at most with `players` in it, within
 * reason: Colyseus's applyPatches encodes each client's view after the shared changes into the encoder's one buffer,
 * all of them together, so it must hold every view's patch at once: each with every player moving and two of the
 * longest lines (more lines, or many players coming into sight at once, still grow it, with the warning).
 */
export const largestPatchOfViews = (players: number, settings: Pick<WorldSettings, "chatHistory" | "maxClients">): number =>
  largestFullState(settings) + players * (players * SEEN_MOVE_BYTES + LINES_A_VIEW * LINE_BYTES);

/**
 * Makes the room's encoder buffer hold the patches of `players` views, where each client has one: at 200-300 players
 * it grew past a full state (600 KB to 1.4 MB) with the console warning. It grows with the players who come (a
 * quarter ahead, to grow a few times, not at each join), never shrinks, and costs what their patches need anyway:
 * 9.3 KB a player at 300 (2.9 MB a room, a full state with it), 3.3 KB at 50 (240 KB). BUFFER_SIZE stays a full
 * state: raised, every room's buffer would be twice it, full or empty (encodeView keeps BUFFER_SIZE free past its end).
 */
export function makeRoomForViews(encoder: Pick<Encoder, "sharedBuffer">, players: number, settings: Pick<WorldSettings, "chatHistory" | "maxClients" | "hearing" | "sight" | "npcs">): void {
  if (!viewsOfTheirOwn(settings) || encoder.sharedBuffer.byteLength >= largestPatchOfViews(players, settings)) return;
  const ahead = Math.min(settings.maxClients, Math.ceil(players * 1.25));
  encoder.sharedBuffer = new Uint8Array(Math.ceil(largestPatchOfViews(ahead, settings) / 1024) * 1024);
}
