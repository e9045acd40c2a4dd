/**
 * The parts of the world room's contract a client needs at run time, free of server-only
 * dependencies so the browser bundle stays small. Validation schemas are in world-contract.ts.
 */
export const WORLD_ROOM = "world";
export const NAME_MAX_CHARS = 20;
export const CHAT_MAX_CHARS = 200;
/** Clients send their avatar's position this often; the server clamps faster moves. */
export const MOVE_SEND_HZ = 10;
/** State patches the server sends per second (when something changed). */
export const PATCHES_PER_SECOND = 20;
/**
 * How the server's refusal (400) of a name begins when the name was the account's (the sign-in token's `name`), not
 * one typed in the client: no name typed there can help. A token without a name takes the join's typed name.
 */
export const ACCOUNT_NAME_REFUSED = "account name refused: ";
/**
 * How the server's refusal (400) of a name begins when a player in the room already has it, or one that looks the
 * same ("민수" and "민 수", "믾수"): another name, or another room, can join.
 */
export const NAME_TAKEN = "name_taken: ";
/** Seconds a dropped player has to reconnect into their place before they leave the room. */
export const RECONNECT_SECONDS = 20;
/**
 * Seconds the server may take to notice a connection that went silent (its pings, every third of this, unanswered
 * three times), and so to start the RECONNECT_SECONDS: a client that saw the drop at once may have its place back
 * that much longer. Counted from the client's own notice, a page offline ~20–29 s joined as a new player while its
 * old avatar stood in the room, "away".
 */
export const DROP_NOTICED_SECONDS = 9;
/**
 * Seconds without a patch after which a client takes its connection for dead and resumes it (a new socket, its place
 * kept): the server sends its clock once a second when nothing else changes, and a network that stops carrying
 * anything while the socket stays open (a NAT or Wi-Fi that forgets the connection) left the page saying "접속 중",
 * its lines sent into nothing, until the browser gave the socket up minutes later.
 */
export const SILENCE_NOTICED_SECONDS = 5;
/**
 * Seconds one of the SDK's tries to resume may keep its socket connecting before a client closes it, so that the SDK
 * tries again (it does only on a close): a network that takes the connection and passes nothing keeps it connecting
 * until the browser gives up, 240 s in Chromium, the place the server keeps long gone by then.
 */
export const OPENING_GIVEN_UP_SECONDS = 10;
/**
 * Seconds a join or a resume may take before a client counts it as no answer and tries again: its HTTP request can go
 * out on a pooled keep-alive socket the network forgot (a join's, seconds before the network died), and then it never
 * ends, nor fails.
 */
export const JOIN_ANSWERED_SECONDS = 15;
/** Lines sent into a connection that died unnoticed are sent again once back if said within this: older ones would come out of place. */
export const SEND_AGAIN_WITHIN_SECONDS = 60;
/**
 * WebSocket close code of a join refused because the player's address holds CONNECTIONS_PER_ADDRESS sockets already
 * (behind TRUST_PROXY): the SDKs give a join refused this way this code, where an HTTP 429 on the upgrade said nothing.
 */
export const TOO_MANY_CONNECTIONS_CLOSE = 4429;
/**
 * WebSocket close code of a player put out of the room because a moderator banned their account: joining again is
 * refused (HTTP 403) until the ban ends, so a client should not try.
 */
export const BANNED_CLOSE = 4403;

/**
 * WebSocket close code of a player a moderator put out of the room (a kick): no place is kept for a reconnection,
 * but joining again is allowed, so a client should say why and let the player choose to.
 */
export const KICKED_CLOSE = 4410;

/**
 * WebSocket close code (RFC 6455 "message too big", sent by the ws library) of a socket that sent a frame over the
 * server's cap (MESSAGE_MAX_BYTES in world-contract.ts, beyond the longest message the contract takes): no place is
 * kept, and joining again works.
 */
export const MESSAGE_TOO_BIG_CLOSE = 1009;

/** Server → client `error` message codes. */
export type ErrorCode =
  | "bad_message" // the payload breaks its schema, or a rule checked apart (a move's anim, its position taken)
  | "unknown_message" // no such message type
  | "chat_empty"
  | "chat_too_long"
  | "unknown_npc" // `to` names no NPC in this room, or the NPC asked left the world (an edit) before it answered
  | "npc_changed" // an edit gave the NPC asked another id before it answered; the NPC of its name (npcId) is here: ask again
  | "npc_timeout" // the NPC did not answer in time; it said a fallback line instead
  | "npc_unavailable" // the NPC's brain could not answer; it said a fallback line instead (none when the room failed to give the answer)
  | "moderated" // the line holds a word not allowed here: nobody else saw it
  | "rate_limited" // too many lines, or questions to NPCs, too fast (byAddress: the address's share); the message says how long to wait
  | "muted" // a moderator, or enough players' reports (REPORTS_TO_MUTE), muted the player for a while (retryAfterMs: until it ends); the line was not sent
  | "npc_busy" // the NPC's queue is full (or an earlier round's question took this one's place); it said so in character
  | "server_closing" // the server is shutting down: questions asked before are answered, new ones not taken
  | "too_far" // the player stands beyond the NPC's talk radius; the message says how far
  | "unknown_player" // a report names no other player in this room
  | "report_reason_too_long" // a report's reason over REPORT_REASON_MAX_CHARS after cleaning; the report was not filed
  | "report_limited" // too many reports too fast (retryAfterMs: until the next may be sent); the report was not filed
  | "report_failed"; // the server could not file the report (its presence store failed): try again later

/**
 * `room.onMessage("error", (e: WorldError) => …)`. `message` is English, for developers and logs; the fields
 * after it let a client word the error in the player's language and give back a refused line to send again.
 */
export interface WorldError {
  /**
   * This error's own id, set as the server sends it (servers before session 67 sent none). One the socket did not
   * confirm taking comes again after a reconnection with the same id: act on an id once, or a stale refusal is taken
   * for the refusal of a line sent again since, which is then never sent.
   */
  id?: string;
  /**
   * The `sendId` of the chat message this error refuses, when it had one: a client tells by it, exactly, which of its
   * lines was refused (its words alone could be two lines'). Errors about a line said already (npc_busy, npc_timeout),
   * and the later word to a blocked line whose NPC an edit removed or changed (unknown_npc, npc_changed), have none.
   */
  sendId?: string;
  code: ErrorCode;
  message: string;
  /**
   * The line refused, as the server read it (cleaned): every refusal of a chat line has it (too_far, rate_limited,
   * muted, unknown_npc, npc_changed, npc_busy, server_closing, moderated, chat_too_long, chat_empty — empty there; npc_unavailable
   * when the room failed to give the answer; bad_message when `text` was a string, too long as sent), so nothing typed
   * is lost, and a client tells which of its lines it was. Not the later unknown_npc or npc_changed to a blocked line
   * (moderated gave it back; it is not to be asked again).
   */
  text?: string;
  /**
   * The NPC the error concerns (too_far, npc_busy, server_closing, npc_timeout, npc_unavailable; unknown_npc when it left
   * the world; npc_changed: the NPC of its name now, to ask again).
   */
  npcId?: string;
  /**
   * rate_limited, muted (a moderator's mute or one by players' reports), report_limited: milliseconds until the player
   * may ask (muted: chat; report_limited: report) again.
   */
  retryAfterMs?: number;
  /** rate_limited: true when the players of the player's address said too many lines between them (CHAT_ADDRESS_SHARE). */
  byAddress?: boolean;
  /** too_far: metres between the player and the NPC, and the NPC's talk radius. */
  distance?: number;
  talkRadius?: number;
}

/** Client → server payloads. */
export interface MovePayload {
  x: number;
  y: number;
  z: number;
  /** Degrees about the vertical axis, as Unity's eulerAngles.y: 0 faces +z, 90 faces +x. */
  rotY?: number;
  anim?: string;
}
export interface ChatPayload {
  text: string;
  to?: string;
  /**
   * The client's own id for this line (SEND_ID_MAX_CHARS of letters, digits, `_` and `-`: a UUID fits). The room answers
   * it with `said` (or an error naming it), and a line sent again with the same id is answered as before, never said
   * twice: a client sends again, after a drop, what it has no answer for. Optional: without it, no `said` comes.
   */
  sendId?: string;
}
export const SEND_ID_MAX_CHARS = 64;

/**
 * Server → client `said`: the chat message with this `sendId` reached the room and is its line `lineId` (in `chat`,
 * or a `private_line`). Sent again if the socket did not confirm taking it, and to a line sent again with its id.
 */
export const SAID = "said";
export interface SaidNotice {
  sendId: string;
  lineId: string;
}
/** `room.send("report", …)`: the player tells the moderators about another player's behaviour. */
export interface ReportPayload {
  /** The reported player's session id (a chat line's `from`, a key of `state.players`). */
  player: string;
  /** In the player's words, at most REPORT_REASON_MAX_CHARS. */
  reason?: string;
}
export const REPORT_REASON_MAX_CHARS = 200;

/** Server → client `reported`: the report reached the moderators. */
export interface ReportedNotice {
  player: string;
  name: string;
}

/**
 * Server → client `npc_action`, to the player whose question the NPC answered with a knowledge line that has an
 * `action` (npc/knowledge-index.ts): the game does it (opens the shop, starts the quest). `lineId` is the NPC's line
 * in `chat` (or its `private_line`), `replyTo` the player's question.
 */
export interface NpcActionNotice {
  npcId: string;
  action: string;
  lineId: string;
  replyTo: string;
  /** With ACTION_SECRET set: the action signed (rooms/npc/action-receipts.ts), for the client to hand the game's backend. */
  receipt?: string;
}

/**
 * Server → client `private_line`: a line of a player's talk with an NPC in private (`privateTalk`): their question or
 * call to it, and its reply. Such lines are never in `chat`: each goes to its one player alone as this message, with
 * a state line's fields, so the room keeps the one view all clients share (a view per client, which private lines in
 * `chat` needed, encoded every patch once per player). Held while the player is away and sent when they are back:
 * a client shows an id it shows already only once. So comes, too, a `chat` line said to a player while away (an NPC's
 * answer) that the history lost before they were back (away-outbox.ts).
 */
export const PRIVATE_LINE = "private_line";
export interface PrivateLineMessage {
  id: string;
  kind: ChatLineKind;
  from: string;
  name: string;
  text: string;
  ts: number;
  /** The question this line answers; "" when none, as in `chat`. */
  replyTo: string;
}

/** Values of `ChatLine.kind` and `Npc.status` in the state. */
export type ChatLineKind = "player" | "npc" | "system";
export type NpcStatus = "idle" | "thinking" | "speaking";
