import { z } from "zod";

/**
 * What a client may send to the `world` room and what it may receive besides state patches.
 * Written once: the server validates with these schemas; the constants and types clients need
 * at run time live in world-protocol.ts (no zod), which the web client imports.
 */
export { CHAT_MAX_CHARS, NAME_MAX_CHARS, REPORT_REASON_MAX_CHARS, WORLD_ROOM } from "./world-protocol.js";
export type { ChatLineKind, ErrorCode, NpcActionNotice, NpcStatus, ReportedNotice, WorldError } from "./world-protocol.js";

/**
 * An optional field, which may also come as null: many engines' JSON and MessagePack serialisers write a field not
 * set as null, and the whole message was refused for it. Read as absent.
 */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

/** `joinOrCreate("world", options)` */
export const JoinOptions = z
  .object({ name: optional(z.string()) }) // its length is checked once cleaned (NAME_MAX_CHARS), with its own message
  .loose()
  .optional();
export type JoinOptions = z.infer<typeof JoinOptions>;

/** A move's animation name, shown to every client; one that breaks these rules is refused, the move's position taken. */
export const AnimName = z
  .string()
  .max(24, "anim is a short animation name (at most 24 characters)")
  .regex(/^[a-zA-Z0-9_-]*$/, "anim is a short animation name (letters, digits, _ and -)")
  .refine((anim) => anim.toLowerCase() !== "away", 'anim "away" is the server\'s mark of a dropped player (in any case)');

/** `room.send("move", …)`: where the avatar is now. Out-of-bounds and too-fast moves are clamped. */
export const MoveMessage = z.object({
  x: z.number(),
  y: z.number(),
  z: z.number(),
  rotY: optional(z.number()),
  // Checked apart (AnimName): an engine's state name ("Run Forward") must not cost the avatar its position.
  anim: optional(z.string().max(1024)),
});
export type MoveMessage = z.infer<typeof MoveMessage>;

/** `room.send("chat", …)`: a line for the room; addressed to an NPC by `@id`/`@name` or `to`. */
export const ChatMessage = z.object({
  // The length rule (CHAT_MAX_CHARS after trimming) is checked by the room, with its own error code.
  text: z.string().max(8192),
  to: optional(z.string().max(64)),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** `room.send("report", …)`: another player's behaviour, for the moderators (rooms/player-reports.ts). */
export const ReportMessage = z.object({
  player: z.string().min(1).max(64),
  // Its length after cleaning (REPORT_REASON_MAX_CHARS) is checked by the room, as a chat line's is.
  reason: optional(z.string().max(2048)),
});
export type ReportMessage = z.infer<typeof ReportMessage>;
