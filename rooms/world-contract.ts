import { z } from "zod";

/**
 * What a client may send to the `world` room and what it may receive besides state patches.
 * Written once: the server validates with these schemas, the web client and the bots import
 * the types, and the README's contract section describes them.
 */
export const WORLD_ROOM = "world";

export const NAME_MAX_CHARS = 20;
export const CHAT_MAX_CHARS = 200;

/** `joinOrCreate("world", options)` */
export const JoinOptions = z
  .object({ name: z.string().max(200).optional() })
  .loose()
  .optional();
export type JoinOptions = z.infer<typeof JoinOptions>;

/** `room.send("move", …)`: where the avatar is now. Out-of-bounds and too-fast moves are clamped. */
export const MoveMessage = z.object({
  x: z.number(),
  y: z.number(),
  z: z.number(),
  rotY: z.number().optional(),
  anim: z
    .string()
    .max(24)
    .regex(/^[a-zA-Z0-9_-]*$/, "anim is a short animation name (letters, digits, _ and -)")
    .optional(),
});
export type MoveMessage = z.infer<typeof MoveMessage>;

/** `room.send("chat", …)`: a line for the room; addressed to an NPC by `@id`/`@name` or `to`. */
export const ChatMessage = z.object({
  // The length rule (CHAT_MAX_CHARS after trimming) is checked by the room, with its own error code.
  text: z.string().max(8192),
  to: z.string().max(64).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Server → client `error` message codes. */
export type ErrorCode =
  | "bad_message" // the payload does not match the message's schema
  | "unknown_message" // no such message type
  | "chat_empty"
  | "chat_too_long"
  | "unknown_npc" // `to` names no NPC in this room
  | "npc_timeout" // the NPC did not answer in time; it said a fallback line instead
  | "npc_unavailable"; // the NPC's brain could not answer; it said a fallback line instead

/** `room.onMessage("error", (e: WorldError) => …)` */
export interface WorldError {
  code: ErrorCode;
  message: string;
}

/** Client → server message types, and the server → client ones. */
export type ClientMessageType = "move" | "chat";
export type ServerMessageType = "error";

/** Values of `ChatLine.kind` and `Npc.status` in the state. */
export type ChatLineKind = "player" | "npc" | "system";
export type NpcStatus = "idle" | "thinking" | "speaking";
