import { z } from "zod";

/**
 * What a client may send to the `world` room and what it may receive besides state patches.
 * Written once: the server validates with these schemas; the constants and types clients need
 * at run time live in world-protocol.ts (no zod), which the web client imports.
 */
import { SEND_ID_MAX_CHARS } from "./world-protocol.js";

export { CHAT_MAX_CHARS, NAME_MAX_CHARS, REPORT_REASON_MAX_CHARS, SAID, SEND_ID_MAX_CHARS, WORLD_ROOM } from "./world-protocol.js";
export type { ChatLineKind, ErrorCode, NpcActionNotice, NpcStatus, PrivateLineMessage, ReportedNotice, SaidNotice, WorldError } from "./world-protocol.js";

/**
 * An optional field, which may also come as null: many engines' JSON and MessagePack serialisers write a field not
 * set as null, and the whole message was refused for it. Read as absent.
 */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

/**
 * The longest each string of a message may be as sent, in UTF-16 units (a string's length, as zod counts), before it
 * is cleaned and its own rule applies (CHAT_MAX_CHARS, REPORT_REASON_MAX_CHARS, AnimName): longer is `bad_message`.
 */
export const SENT_MAX = { chatText: 8192, chatTo: 64, sendId: SEND_ID_MAX_CHARS, reportPlayer: 64, reportReason: 2048, anim: 1024 } as const;

/** A message's bytes besides its strings' characters: the protocol byte, its type, keys, msgpack headers, numbers. */
const ENVELOPE_BYTES = 256;

/**
 * The largest WebSocket frame a client's message may come in (server/world-server.ts): the largest message these
 * schemas take, in any script, so that every refusal with its own code (chat_too_long for a long paste) is read and
 * answered rather than the socket closed (1009) and the player dropped untold, as 16 KiB did past 5,400 Hangul.
 * UTF-8 takes at most 3 bytes a UTF-16 unit (a 4-byte character is 2 units).
 */
export const MESSAGE_MAX_BYTES =
  3 * Math.max(SENT_MAX.chatText + SENT_MAX.chatTo + SENT_MAX.sendId, SENT_MAX.reportPlayer + SENT_MAX.reportReason, SENT_MAX.anim) + ENVELOPE_BYTES;

/** `joinOrCreate("world", options)` */
export const JoinOptions = z
  .object({
    name: optional(z.string()), // its length is checked once cleaned (NAME_MAX_CHARS), with its own message
    /** The state's shape a client's own state classes were generated from (rooms/schema-fingerprint.ts). */
    schema: optional(z.string().max(64)),
  })
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
  // Checked apart (AnimName): an engine's state name ("Run Forward"), or an Animator state's hash (a number), must not
  // cost the avatar its position. SENT_MAX.anim still sizes the frame cap; the frame's own cap bounds what comes here.
  anim: optional(z.unknown()),
});
export type MoveMessage = z.infer<typeof MoveMessage>;

/** `room.send("chat", …)`: a line for the room; addressed to an NPC by `@id`/`@name` or `to`. */
export const ChatMessage = z.object({
  // The length rule (CHAT_MAX_CHARS after trimming) is checked by the room, with its own error code.
  text: z.string().max(SENT_MAX.chatText),
  to: optional(z.string().max(SENT_MAX.chatTo)),
  // Kept by the room with its answer (rooms/chat/answered-sends.ts): short, and plain to log.
  sendId: optional(
    z
      .string()
      .min(1)
      .max(SENT_MAX.sendId, `sendId is at most ${SEND_ID_MAX_CHARS} characters`)
      .regex(/^[A-Za-z0-9_-]+$/, "sendId is letters, digits, _ and - (a UUID fits)"),
  ),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** `room.send("report", …)`: another player's behaviour, for the moderators (rooms/moderation/player-reports.ts). */
export const ReportMessage = z.object({
  player: z.string().min(1).max(SENT_MAX.reportPlayer),
  // Its length after cleaning (REPORT_REASON_MAX_CHARS) is checked by the room, as a chat line's is.
  reason: optional(z.string().max(SENT_MAX.reportReason)),
});
export type ReportMessage = z.infer<typeof ReportMessage>;
