import { chatLines } from "../../common/metrics.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../../kafka/chat-log.js";
import type { ChatLogPublisher } from "../../kafka/chat-log-transport.js";
import { newLineId } from "./line-id.js";
import type { NpcStatuses } from "../npc/npc-statuses.js";
import type { Hearers, PlayerViews } from "../players/player-views.js";
import type { ChatLineKind, PrivateLineMessage } from "../world-contract.js";
import type { WorldSettings } from "../world-settings.js";
import { ChatLine, type WorldState } from "../world-state.js";

/** A chat-log record as the room writes it; the history stamps it with the version, room and server. */
export type RoomLogRecord = Omit<ChatLogRecord, "v" | "roomId" | "serverId">;
/** What a line's chat-log record carries beyond the line. */
export type LineLogFields = Pick<ChatLogRecord, "account" | "toNpc" | "npc" | "moderated" | "toxicity" | "unasked" | "event">;

export interface ChatHistoryDeps {
  chat: WorldState["chat"];
  settings: WorldSettings;
  views: Pick<PlayerViews, "hear">;
  statuses: Pick<NpcStatuses, "speaking">;
  /** Every chat line goes here too, for search and analytics. */
  chatLog: ChatLogPublisher;
  roomId: string;
  serverId: string;
  /** Sends a patch now, unless the room is gone. */
  patch(): void;
  /** To one player alone, as a `private_line` message (held while they are away), or to their account's player here. */
  tell(to: { only: string; account?: string }, line: PrivateLineMessage): void;
  /**
   * A state line said to this player by name (an NPC's answer, heard wherever they stand): a copy kept while they are
   * away, or until their socket confirms the patch that carries it (player-connections.ts keepCopy).
   */
  saidTo(sessionId: string, line: PrivateLineMessage): void;
}

/**
 * The room's chat: lines added for their hearers and logged, old ones trimmed before a patch. A line for one player
 * alone (talk with an NPC in private) is told to them as a message and never enters the state: there it needed a view
 * of the state per client, and so every patch encoded once per player.
 */
export class ChatHistory {
  /** A patch is already due on the next turn of the event loop (see sendNow). */
  private patchDue = false;
  /** Lines added since the last patch: they stay until it has sent them, however many came (see trim). */
  private unsentLines = 0;

  constructor(private readonly deps: ChatHistoryDeps) {}

  add(kind: ChatLineKind, from: string, name: string, text: string, replyTo = "", extra: LineLogFields = {}, hearers: Hearers = "everyone"): ChatLine {
    const line = new ChatLine().assign({ id: newLineId(), kind, from, name, text, ts: Date.now(), replyTo });
    const heardByOne = typeof hearers === "object" && "only" in hearers;
    const message: PrivateLineMessage = { id: line.id, kind, from, name, text, ts: line.ts, replyTo };
    if (heardByOne) {
      this.deps.tell(hearers, message);
    } else {
      this.deps.chat.push(line);
      this.unsentLines++;
      this.deps.views.hear(line, hearers);
      // Its player may be away, and the history trimmed of it before they are back (they never saw their answer).
      if (typeof hearers === "object") for (const sessionId of hearers.also ?? []) this.deps.saidTo(sessionId, message);
    }
    if (kind === "npc") this.deps.statuses.speaking(from, text);
    chatLines.inc({ kind });
    // A system line's names (a join line's three: up to 64 characters) are for clients to draw; the log's record names
    // no one there, as before, within its 40 characters: readers refused longer ones, to the dead letters.
    this.log({ id: line.id, kind, from, name: kind === "system" ? "" : name, text, ts: line.ts, ...(replyTo ? { replyTo } : {}), ...extra, ...(heardByOne ? { private: true } : {}) });
    return line;
  }

  /** To the chat log alone (a line moderation refused, a report): never shown. */
  log(record: RoomLogRecord): void {
    this.deps.chatLog.publish({ v: CHAT_LOG_VERSION, roomId: this.deps.roomId, serverId: this.deps.serverId, ...record });
  }

  /**
   * An NPC's answer goes out in a patch of its own on the next turn of the event loop instead of waiting up to a
   * patch interval (50 ms) for the next one: the player is waiting on it. Answers of one batch arrive in the same
   * turn and share that patch; movement keeps its regular rate.
   */
  sendNow(): void {
    if (this.patchDue) return;
    this.patchDue = true;
    setImmediate(() => {
      this.patchDue = false;
      this.deps.patch();
    });
  }

  /**
   * Old lines leave the history only right before a patch is encoded. A joining player's full state is encoded
   * between patches, and one encoded while the chat array holds a removal not yet sent arrives broken where
   * players have views of their own (proximity hearing): the decoder logs `"refId" not found` and drops or
   * misorders lines (@colyseus/schema 5.0.34). Joins and leaves keep at most a fifth of the history, dropping
   * their oldest: coming and going, however often (30 cycles filled 33 of 50 lines), cannot push what players
   * and NPCs said out of it. Lines not sent yet stay for this patch, however many came since the last one: more
   * than CHAT_HISTORY in 50 ms were accepted and then never reached anyone (25 players sending 4 lines at once lost
   * 50 of 100); the next patch trims them.
   */
  trim(): void {
    const { chat, settings } = this.deps;
    const isSystem = (line: ChatLine) => line.kind === "system";
    for (let extra = chat.filter(isSystem).length - Math.max(1, Math.floor(settings.chatHistory / 5)); extra > 0; extra--) {
      chat.splice(chat.findIndex(isSystem), 1);
    }
    while (chat.length > Math.max(settings.chatHistory, this.unsentLines)) chat.shift();
    this.unsentLines = 0;
  }
}
