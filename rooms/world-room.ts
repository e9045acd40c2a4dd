import { type AuthContext, type Client, CloseCode, matchMaker, Room, ServerError } from "@colyseus/core";
import type { z } from "zod";

import { cleanText } from "../common/clean-text.js";
import type { Logger } from "../common/log.js";
import { logThrottle, repeatsField } from "../common/log-throttle.js";
import { chatModerated, npcAnswerLatency, npcAnswers, npcQuestions, roomFailures } from "../common/metrics.js";
import { pickLine } from "../common/pick-line.js";
import type { ChatLogRecord, NpcAnswerInfo } from "../kafka/chat-log.js";
import type { ChatLogPublisher } from "../kafka/chat-log-transport.js";
import { CONTRACT_VERSION } from "../kafka/contract.js";
import type { Moderator } from "../moderation/moderator.js";
import type { Account } from "../server/player-accounts.js";
import type { ActionReceipts } from "./action-receipts.js";
import type { AnswerRouter } from "./answer-router.js";
import { SANCTIONS_CHANNEL } from "./account-sanctions.js";
import { ErasedAccounts, ERASURES_CHANNEL } from "./erased-accounts.js";
import { HeardSanctions } from "./heard-sanctions.js";
import type { HashPages } from "./hash-pages.js";
import { AddressLines } from "./address-lines.js";
import type { TokenBucket } from "./token-bucket.js";
import { addressedNpc } from "./chat-addressing.js";
import { fallbackFor, MODERATION_LINES } from "./fallback-lines.js";
import { allowedPosition, heading, normaliseAngle, type Position } from "./movement.js";
import { distance } from "./npc-visits.js";
import type { AwayHolds } from "./away-holds.js";
import type { DepartedAllowances } from "./departed-allowances.js";
import { newLineId } from "./line-id.js";
import { useMonotonicClock } from "./monotonic-clock.js";
import { largestFullState } from "./state-buffer.js";
import { seatTaken, type WaitingSeats } from "./waiting-seats.js";
import { bannedJoin, type SeatTicket, seatTicket } from "./world-room-auth.js";
import { impersonatedNpc } from "./npc-impersonation.js";
import { NpcAcquaintances } from "./npc-acquaintances.js";
import { NpcGreetings } from "./npc-greetings.js";
import { withName } from "./named-line.js";
import { eventLines, type NpcEvent, NPC_EVENTS_CHANNEL } from "./npc-events.js";
import { NpcStatuses } from "./npc-statuses.js";
import { npcReply } from "./npc-reply.js";
import { NpcWalkers } from "./npc-walkers.js";
import { type Asker, NpcTurns } from "./npc-turns.js";
import { ReplyOrder } from "./reply-order.js";
import { MESSAGE_BURST, PlayerAllowances } from "./player-allowances.js";
import { PlayerConnections } from "./player-connections.js";
import { PlayerOrigins } from "./player-origins.js";
import { type Hearers, PlayerViews } from "./player-views.js";
import { type Kick, KICKS_CHANNEL } from "./player-kicks.js";
import type { ReportedPlayer } from "./player-reports.js";
import { playerName } from "./player-name.js";
import { ReportDesk } from "./report-desk.js";
import {
  AnimName,
  CHAT_MAX_CHARS,
  ChatMessage,
  MoveMessage,
  type NpcActionNotice,
  REPORT_REASON_MAX_CHARS,
  type ReportedNotice,
  ReportMessage,
  type WorldError,
} from "./world-contract.js";
import { BANNED_CLOSE, KICKED_CLOSE, PATCHES_PER_SECOND, RECONNECT_SECONDS } from "./world-protocol.js";
import { ChatHistory } from "./chat-history.js";
import type { WorldEdits } from "./world-edits.js";
import type { NpcSettings, OwnLineKind, WorldSettings } from "./world-settings.js";
import { ChatLine, Npc, Player, WorldState } from "./world-state.js";



/** To a player whose question an NPC removed from the world will not answer; `name` is the NPC's as players know it. */
const npcLeft = (npcId: string, name: string, text: string): WorldError => ({ code: "unknown_npc", message: `${name} has left this world: it will not answer`, text, npcId });

/** One of `lines`, said to `player`; none when there are none. */
const lineFor = (player: Player, lines: readonly string[]) => {
  const line = pickLine(lines, undefined);
  return line === undefined ? undefined : withName(line, player.name);
};

/** The NPC's own words for a stock line (its world file's `lines`), said to the player named; else `stock`. */
const ownLine = (npc: NpcSettings | undefined, kind: OwnLineKind, name: string, stock: string) => {
  const line = pickLine(npc?.lines?.[kind] ?? [], undefined);
  return line === undefined ? stock : withName(line, name);
};

export interface WorldRoomDeps {
  settings: WorldSettings;
  answers: AnswerRouter;
  /** Every chat line goes here too, for search and analytics. */
  chatLog: ChatLogPublisher;
  serverId: string;
  log: Logger;
  /** Blocks abuse in player lines and NPC answers; absent when moderation is off. */
  moderator?: Moderator;
  /** Seats reserved by matchmaking and not yet taken, per client address (shared by the process's rooms). */
  seats?: WaitingSeats;
  /** What players who left could still do, per account or client address and name, for a rejoin to take back (shared likewise). */
  departed?: DepartedAllowances;
  /** Seats kept for a reconnection, per account or public address (shared likewise). */
  awayHolds?: AwayHolds;
  /** Players' accounts from the game's login (server/player-accounts.ts): set, every join needs a signed token. */
  accounts?: { verify(token: string | undefined): Promise<Account> };
  /** Edits of the world file taken while the server runs (server/world-reload.ts): NPCs' lines, places, radii. */
  worldEdits?: WorldEdits;
  /** Set (ACTION_SECRET): each `npc_action` carries a signed receipt for the game's backend. */
  actionReceipts?: ActionReceipts;
  /** The presence's large hashes a page at a time (the server's choice, hash-pages.ts): the reports' index. */
  hashes?: () => HashPages;
}

/** A question waiting for, or with, an NPC. */
interface Question {
  client: Client;
  npcId: string;
  text: string;
  line: ChatLine;
  /** performance.now() when the line entered the room: the answer's latency includes its wait in the queue. */
  askedAt: number;
  /** Asked in private (the NPC's privateTalk): answered so, even if an edit of the world ends that meanwhile. */
  privately: boolean;
  /** The asker's account, signed in: still known when the answer comes after they left. */
  account: string | undefined;
}

/** What an NPC's reply is logged with: the question's line, its words, and who asked. */
interface AskedQuestion {
  npcId: string;
  sessionId: string;
  /** The question's line. */
  id: string;
  /** The question's words. */
  text: string;
  ts: number;
  /** The asker's name, as the NPC says it. */
  name: string;
  account: string | undefined;
  /** Asked in private; unset, as the NPC talks now. */
  privately?: boolean;
}

const asked = (question: Question): AskedQuestion => ({
  npcId: question.npcId, sessionId: question.client.sessionId, id: question.line.id, text: question.text, ts: question.line.ts,
  name: question.line.name, account: question.account, privately: question.privately,
});

/** Fallback lines logged, shared by the process's rooms. */
const fallbacksLogged = logThrottle(10_000);

/**
 * A shared world: players move and chat; lines addressed to the NPC become questions to the NPC
 * worker, and its answers are added to the chat for everyone. Built by `defineWorldRoom` so each
 * server process hands its rooms the same router and settings.
 */
export abstract class WorldRoom extends Room<{ state: WorldState }> {
  protected abstract readonly deps: WorldRoomDeps;
  /** Per player, what they may still send, travel, say and ask (player-allowances.ts). */
  private readonly allowances = new Map<string, PlayerAllowances>();
  /** Per player, their account (signed in), or else the client address they joined from (player-origins.ts). */
  private readonly origins = new PlayerOrigins();
  /** The accounts muted or banned, as this room heard (heard-sanctions.ts); a ban puts the account's players out. */
  private readonly sanctions = new HeardSanctions((account) => this.putOut(account));
  /** Players' reports: what each player last said, filing, and the mute enough reports bring on (report-desk.ts). */
  private reports!: ReportDesk;
  /** Accounts erased while their questions may wait for answers: those answers are logged without the question. */
  private readonly erased = new ErasedAccounts();
  /** Players here a moderator put out while they were dropped: put out as they take their place back (no onAuth then). */
  private readonly kickedWhileAway = new Set<string>();
  private readonly heardKick = (kick: Kick) => {
    const players = "player" in kick ? [kick.player] : [...this.origins.sessionsOf(kick.account)];
    for (const player of players) {
      if (!this.state.players.has(player)) continue;
      const client = this.clients.getById(player); // a dropped player's is gone until they take their place back
      if (client) this.connections.putOut(client, KICKED_CLOSE, "a moderator put this player out of the room");
      else this.kickedWhileAway.add(player);
    }
  };
  /**
   * A game event the backend fired (rooms/npc-events.ts): the NPC says one of its lines for it, if this room holds
   * the NPC and the player named. Heard near the NPC, and by that player wherever they stand.
   */
  private readonly heardEvent = (event: NpcEvent) => {
    // Heard through the presence's subscription, beside every other room's: a failure here is this room's alone.
    try {
      this.sayForEvent(event);
    } catch (error) {
      this.log.error("an NPC event could not be said", { event, error });
    }
  };

  private sayForEvent(event: NpcEvent): void {
    if (event.room !== undefined && event.room !== this.roomId) return;
    const npc = this.npcSettings.get(event.npc);
    const named = event.player !== undefined || event.account !== undefined;
    // An account on two devices in one room: the first of them.
    const player = event.account !== undefined ? this.origins.sessionsOf(event.account).next().value : event.player;
    if (!npc || (named && !(player && this.state.players.has(player)))) return;
    const lines = eventLines(npc, event.event, named);
    // Without a player named, its lines say no name (eventLines).
    const text = player ? lineFor(this.state.players.get(player)!, lines) : pickLine(lines, undefined);
    if (text === undefined) return; // none: the world file was edited since the backend's check
    if (player) this.turnTo(npc.id, player);
    this.history.add("npc", npc.id, npc.name, text, "", { unasked: "event", event: event.event }, { near: this.standing(npc.id), ...(player ? { also: [player] } : {}) });
  }

  /** Lines the players of one address say between them (CHAT_ADDRESS_SHARE; none when 0). */
  private addressLines?: AddressLines;
  private readonly statuses = new NpcStatuses(
    (npcId, status) => {
      const npc = this.state.npcs.get(npcId);
      if (npc) npc.status = status;
    },
    (callback, ms) => void this.clock.setTimeout(callback, ms),
  );
  private readonly turns = new Map<string, NpcTurns<Question>>();
  /** Turns of NPCs removed by an edit whose questions are still with the brain: shutdown waits for them too. */
  private readonly leavingTurns = new Set<NpcTurns<Question>>();
  /** Each NPC's replies to a player in the order they spoke to it (reply-order.ts). */
  private readonly replies = new ReplyOrder();
  private readonly npcSettings = new Map<string, NpcSettings>();
  /** NPCs on a route, and the timer that moves them on (npc-walkers.ts). */
  private walkers!: NpcWalkers;
  private stopTakingEdits?: () => void;
  /** NPCs greeting players who come near, and saying idle lines while players are (npc-greetings.ts). */
  private greetings!: NpcGreetings;
  /** What each client is sent: the lines its player heard, the players in its sight (player-views.ts). */
  private views!: PlayerViews;
  /** The chat lines players hear, and the chat log (chat-history.ts). */
  private history!: ChatHistory;
  /** Players' connections: what is sent to them, seats kept when one drops, who is put out for good (player-connections.ts). */
  private connections!: PlayerConnections;
  private disposed = false;
  /** Shutting down: questions already asked are answered; new ones are not taken (they put the exit off). */
  private closing = false;
  private log!: Logger;

  onCreate(): void {
    const { settings } = this.deps;
    if (matchMaker.stats.local.roomCount >= settings.maxRooms) {
      throw new ServerError(503, `this server holds its most rooms (MAX_ROOMS ${settings.maxRooms}): join a room that has space, or try again later`);
    }
    this.log = this.deps.log.child({ roomId: this.roomId });
    // Colyseus reads COLYSEUS_SEAT_RESERVATION_TIME itself, as Number(value || 15): one of spaces alone, which the
    // config takes as unset (15 s), was 0 s there, and every join failed with "seat reservation expired".
    if (this.deps.seats) this.seatReservationTimeout = this.deps.seats.holdMs / 1000;
    useMonotonicClock(this);
    this.maxClients = settings.maxClients;
    this.patchRate = 1000 / PATCHES_PER_SECOND;
    // The room counts messages itself (withinMessageRate); Colyseus's own count, which would hold a flooder's
    // seat open for a reconnection, only catches what never reaches a handler.
    this.maxMessagesPerSecond = 2 * MESSAGE_BURST;
    this.connections = new PlayerConnections({
      clients: this.clients,
      log: this.log,
      fullState: largestFullState(settings),
      maxMessagesPerSecond: this.maxMessagesPerSecond,
      awayHolds: this.deps.awayHolds,
      messagesOf: (sessionId) => this.allowances.get(sessionId)?.messages,
      accountOf: (sessionId) => this.origins.accountOf(sessionId),
    });
    this.state = new WorldState();
    this.views = new PlayerViews(this.state, settings);
    const { chatLog, serverId } = this.deps;
    const patch = () => void (this.disposed || this.broadcastPatch());
    this.history = new ChatHistory({ chat: this.state.chat, settings, views: this.views, statuses: this.statuses, chatLog, roomId: this.roomId, serverId, patch });
    // The presence is the room's once it is created, not as it is constructed.
    const acquaintances = new NpcAcquaintances(this.presence);
    this.greetings = new NpcGreetings({
      players: this.state.players,
      settings,
      clock: this.clock,
      log: this.log,
      npc: (id) => this.npcSettings.get(id),
      standing: (npcId) => this.standing(npcId),
      isIdle: (npcId) => this.state.npcs.get(npcId)?.status === "idle",
      accountOf: (sessionId) => this.origins.accountOf(sessionId),
      whoIs: (sessionId) => this.departureOf(sessionId)?.join(" "),
      say: (npc, text, unasked, playerIds) => this.sayUnasked(npc, text, unasked, playerIds),
    }, acquaintances);
    // An NPC that walks up to a player greets them, and stops for them.
    const noticeEveryone = () => { for (const sessionId of this.state.players.keys()) this.greetings.notice(sessionId); };
    this.walkers = new NpcWalkers(this.state.npcs, this.clock, (npcId) => this.greetings.hasVisitors(npcId), noticeEveryone);
    if (settings.chatAddressShare > 0) this.addressLines = new AddressLines(settings.chatRate, settings.chatAddressShare);
    this.reports = new ReportDesk(this.presence, settings.reportsToMute, (record) => this.history.log(record), this.log, (id) => this.state.players.has(id), this.deps.hashes?.());
    this.takeWorld();
    this.stopTakingEdits = this.deps.worldEdits?.subscribe(() => this.takeEdit());

    for (const [channel, heard] of this.channels()) this.presence.subscribe(channel, heard).catch((error: Error) => this.presenceFailed(channel, error));
    this.onMessage("move", (client, message) => this.guard(client, () => this.move(client, message)));
    this.onMessage("chat", (client, message) => this.guard(client, () => this.chat(client, message)));
    this.onMessage("report", (client, message) => this.guard(client, () => this.report(client, message)));
    this.onMessage("*", (client, type) => {
      if (!this.connections.withinMessageRate(client)) return;
      // The type as far as it names one: echoed whole (up to 25 KB), each error was as large as what was sent.
      this.connections.sendError(client, { code: "unknown_message", message: `unknown message type "${String(type).slice(0, 64)}"` });
    });
  }

  /**
   * The NPCs, hearing and sight radii as the settings have them now: at creation, and again after each edit of the
   * world file taken while the room runs (server/world-reload.ts), which may move NPCs and change their lines.
   */
  private takeWorld(): void {
    const { hearing, sight, npcs, npcQueue } = this.deps.settings;
    this.state.hearingRadius = hearing.mode === "proximity" ? hearing.radius : 0;
    this.state.sightRadius = sight.radius;
    for (const npc of npcs) {
      const { id, name, y, talkRadius } = npc;
      const privateTalk = npc.privateTalk === true;
      this.npcSettings.set(id, npc);
      const { x, z } = this.walkers.placeOf(npc); // a walking NPC stays where its walk has taken it
      const shown = this.state.npcs.get(id);
      if (shown) {
        if (shown.name !== name) this.warnOfLookAlikes(npc);
        shown.assign({ name, x, y, z, talkRadius, privateTalk });
      } else {
        this.state.npcs.set(id, new Npc().assign({ name, x, y, z, talkRadius, privateTalk, status: "idle" }));
        this.statuses.thinking(id, 0); // back before its question in flight was answered: `thinking` still
        this.warnOfLookAlikes(npc);
      }
      if (!this.turns.has(id)) this.turns.set(id, new NpcTurns(npcQueue.capacity, npcQueue.concurrency, (question) => this.askNpcSafely(question)));
      this.greetings.takeNpc(npc);
    }
    for (const id of [...this.npcSettings.keys()]) if (!npcs.some((npc) => npc.id === id)) this.removeNpc(id);
    this.walkers.keepTime();
  }

  /**
   * An NPC removed from the world file leaves: players stop seeing it, and those whose questions wait for it, or are
   * with its brain, are told it left (`unknown_npc`).
   */
  private removeNpc(id: string): void {
    const name = this.npcSettings.get(id)?.name ?? id;
    this.npcSettings.delete(id);
    this.state.npcs.delete(id);
    this.walkers.forget(id);
    this.greetings.forgetNpc(id);
    const turns = this.turns.get(id);
    const waiting = turns?.dropAll() ?? [];
    this.turns.delete(id);
    if (turns) {
      // A question with its brain still ends (its asker told the NPC left): a shutdown meanwhile waits for it.
      this.leavingTurns.add(turns);
      void turns.idle().then(() => this.leavingTurns.delete(turns));
    }
    this.statuses.thinking(id, -waiting.length);
    for (const question of waiting) {
      this.connections.sendError(question.client, npcLeft(id, name, question.line.text));
      this.replies.answered(id, question.client.sessionId, question.line.id);
    }
    this.log.info("npc left the room: removed from the world file", { npcId: id, questionsWaiting: waiting.length });
  }

  /**
   * An NPC added or renamed while players are here (an edit of the world file): a player who joined under a name like
   * its new one keeps it (joins after are refused such names), for moderators to see to.
   */
  private warnOfLookAlikes(npc: NpcSettings): void {
    for (const [playerId, player] of this.state.players) {
      if (impersonatedNpc(player.name, [npc])) this.log.warn("a player's name is like an NPC's, added or renamed since they joined", { playerId, name: player.name, npcId: npc.id });
    }
  }

  /**
   * An edit of the world file, taken while players are here: who sees whom and who visits which NPC follow the new
   * radii and places at once, not at each player's next move (an NPC moved beside a player greets them).
   */
  private takeEdit(): void {
    this.takeWorld();
    for (const sessionId of this.state.players.keys()) {
      this.views.moved(sessionId);
      this.greetings.notice(sessionId);
    }
  }

  /** Each patch, and the messages queued to follow it: the pings that confirm those follow them (unconfirmed-messages.ts). */
  override broadcastPatch(): boolean {
    const changed = super.broadcastPatch();
    this.connections.afterPatch();
    return changed;
  }

  /**
   * The clock players read (how old a line is) goes out with every patch that carries something else, and once a
   * second when nothing does: stamped on every tick, it made each idle room send 20 patches a second to everyone.
   */
  onBeforePatch(state: WorldState): void {
    this.connections.putOutSlowReaders();
    this.history.trim();
    // The wall clock, as lines' `ts` are (clients take a line's age as serverTime − ts: on a clock of its own, a step
    // of the wall clock or a paused VM hid every NPC's speech bubble, or held them up), and the monotonic clock's
    // fraction of a millisecond, for the load test's patch delays.
    const now = Date.now() + ((performance.timeOrigin + performance.now()) % 1);
    if (this.stateChanged() || now - state.serverTime >= 1000) state.serverTime = now;
  }

  /** Whether this patch has anything to send: Colyseus's encoder knows (not public API: without it, always). */
  private stateChanged(): boolean {
    return (this as unknown as { _serializer?: { encoder?: { hasChanges?: boolean } } })._serializer?.encoder?.hasChanges ?? true;
  }

  onJoin(client: Client, options: unknown, ticket?: SeatTicket): void {
    if (ticket?.seat !== undefined) seatTaken(ticket.seat, matchMaker.processId, this.deps.seats, this.presence);
    const account = ticket?.account;
    // Banned after onAuth read the presence, before this join: heard here, where no put-out can reach a player not yet in.
    const bannedMs = account ? this.sanctions.msLeft("ban", account.id) : 0;
    if (bannedMs > 0) throw bannedJoin(Date.now() + bannedMs);
    const name = playerName(options, client.sessionId, { accountName: account?.name, moderator: this.deps.moderator, npcs: this.deps.settings.npcs });
    const { spawn } = this.deps.settings;
    const angle = Math.random() * 2 * Math.PI;
    const radius = Math.random() * spawn.radius;
    const player = new Player().assign({ name, x: spawn.x + Math.cos(angle) * radius, y: spawn.y, z: spawn.z + Math.sin(angle) * radius });
    this.state.players.set(client.sessionId, player);
    client.view = this.views.viewOf(client.sessionId);
    this.views.joined(client.sessionId, player);
    this.connections.joined(client);
    // Leaving, or dropping, and joining again does not refill what a player may say and ask (departed-allowances.ts),
    // nor does joining the room twice under one account: both avatars draw on the same lines and questions.
    this.origins.joined(client.sessionId, account?.id, ticket?.address);
    const departure = this.departureOf(client.sessionId);
    const samePlayer = (account && this.allowancesOfAccount(account.id)) || (departure && this.deps.departed?.takeBack(...departure)) || undefined;
    this.allowances.set(client.sessionId, new PlayerAllowances(this.deps.settings, samePlayer));
    if (account && ticket?.mutedUntil) this.sanctions.set("mute", account.id, ticket.mutedUntil, ticket.readAt ?? 0);
    if (!account) this.reports.joined(client.sessionId, departure?.join(" "));
    this.history.add("system", "", "", `${name} 님이 들어왔어요.`);
    this.greetings.notice(client.sessionId);
  }

  /** A dropped connection keeps its avatar for a while; the SDK reconnects into it. */
  async onDrop(client: Client, code?: number): Promise<void> {
    const holder = this.origins.holderOf(client.sessionId);
    if (!this.connections.keepsSeat(client, code, holder)) return; // onLeave follows at once
    const player = this.state.players.get(client.sessionId);
    if (player) player.anim = "away";
    // Remembered now, not only once it is gone: a player without an account who joins again at once, as another
    // session, while this avatar waits for them, would have got fresh allowances (again at every drop).
    this.rememberDeparture(client.sessionId);
    await this.connections.awaitReturn(client, holder, () => this.allowReconnection(client, RECONNECT_SECONDS));
  }

  /**
   * Colyseus asks this of every socket that comes to take a seat. One the SDK resumes on with the reconnection token
   * of a session still connected here is the player back from a network that died without a close: Colyseus would
   * hold it until the pings notice the old socket (up to DROP_NOTICED_SECONDS), and the player waited so long. The old
   * socket is taken for dropped now, as Colyseus's own matchmaking `reconnect` does (checkReconnectionToken: onDrop
   * keeps the seat, and this socket takes it). Only the session's own token does this, a secret of its client's;
   * any other changes nothing, and is refused as before.
   */
  override hasReservedSeat(sessionId: string, reconnectionToken?: string): boolean {
    if (reconnectionToken && this.clients.getById(sessionId)?.reconnectionToken === reconnectionToken) this.checkReconnectionToken(reconnectionToken);
    return super.hasReservedSeat(sessionId, reconnectionToken);
  }

  /** Colyseus's takeover of a connected session by its token: onDrop, within, keeps the seat (player-connections.ts takeOver). */
  override checkReconnectionToken(reconnectionToken: string): string {
    return this.connections.takeOver(() => super.checkReconnectionToken(reconnectionToken));
  }

  onReconnect(client: Client): void {
    const held = this.connections.back(client);
    // Banned while away: taking one's place back skips onAuth, which refuses a banned account's joins.
    const account = this.origins.accountOf(client.sessionId);
    if (account !== undefined && this.sanctions.msLeft("ban", account) > 0) return this.putOut(account);
    if (this.kickedWhileAway.delete(client.sessionId)) return this.connections.putOut(client, KICKED_CLOSE, "a moderator put this player out of the room");
    const player = this.state.players.get(client.sessionId);
    if (player) player.anim = "idle";
    const departure = this.departureOf(client.sessionId);
    if (departure) this.deps.departed?.takeBack(...departure); // back: nobody else's to take
    client.view = this.views.viewAgain(client.sessionId);
    this.connections.resumed(client, held);
  }

  /**
   * What the player could still do, for a join again of theirs to take back (departed-allowances.ts), and a mute by
   * players' reports they are under (a join again is a new session).
   */
  private rememberDeparture(sessionId: string): void {
    const allowances = this.allowances.get(sessionId);
    const departure = this.departureOf(sessionId);
    if (departure && allowances) this.deps.departed?.remember(...departure, allowances);
    if (departure) this.reports.remember(sessionId, departure.join(" "));
  }

  /** Under what a player here is remembered as they go (player-origins.ts departureKey). */
  private departureOf(sessionId: string): [string, string] | undefined {
    const player = this.state.players.get(sessionId);
    return player && this.origins.departureKey(sessionId, player.name);
  }

  onLeave(client: Client): void {
    this.rememberDeparture(client.sessionId);
    this.connections.left(client.sessionId);
    const player = this.state.players.get(client.sessionId);
    const asker = this.askerOf(client.sessionId);
    this.state.players.delete(client.sessionId);
    this.allowances.delete(client.sessionId);
    this.origins.left(client.sessionId);
    this.views.left(client.sessionId);
    this.reports.forget(client.sessionId);
    this.kickedWhileAway.delete(client.sessionId);
    this.greetings.left(client.sessionId);
    this.replies.left(client.sessionId);
    for (const [npcId, turns] of this.turns) this.statuses.thinking(npcId, -turns.drop(asker).length);
    if (player) this.history.add("system", "", "", `${player.name} 님이 나갔어요.`);
  }

  /** Server shutting down: no new players; questions in flight get their answer or fallback first. */
  onBeforeShutdown(): void {
    this.closing = true;
    void this.lock()
      .then(() => Promise.allSettled([...this.turns.values(), ...this.leavingTurns].map((turns) => turns.idle())))
      .then(() => {
        this.broadcastPatch(); // the last answers reach players now, not at the next patch tick
        return this.disconnect(CloseCode.SERVER_SHUTDOWN);
      })
      .catch((error: Error) => this.log.error("shutdown of the room failed", { error }));
  }

  /**
   * A room's failure stays the room's: defined, Colyseus catches what its timers (greetings, idle lines, NPC walks)
   * and hooks throw, which otherwise ended the whole process and every room in it. A join refused on purpose (a
   * ServerError: banned, full) passes through here too, and is no failure.
   */
  onUncaughtException(error: Error, method: string): void {
    if (error.cause instanceof ServerError) return;
    roomFailures.inc({ method });
    this.log.error("room failure caught", { roomId: this.roomId, method, error: error.cause ?? error });
  }

  onDispose(): void {
    this.disposed = true;
    this.stopTakingEdits?.();
    // Not awaited; with Redis away a rejection left unheard would end the process.
    for (const [channel, heard] of this.channels()) Promise.resolve(this.presence.unsubscribe(channel, heard)).catch((error: Error) => this.presenceFailed(channel, error));
  }

  /** An account erased: its answers still to come are logged without its words, and its lines kept for reports go. */
  private readonly heardErasure = (account: string): void => {
    this.erased.heard(account);
    // A report of them filed after the erasure copied the erased lines into the moderators' store.
    for (const sessionId of this.origins.sessionsOf(account)) this.reports.said.forget(sessionId);
  };

  /** What the room hears from every process through the presence. */
  private channels(): Array<[string, (message: any) => void]> {
    return [
      [ERASURES_CHANNEL, this.heardErasure],
      [SANCTIONS_CHANNEL, this.sanctions.heard],
      [KICKS_CHANNEL, this.heardKick],
      [NPC_EVENTS_CHANNEL, this.heardEvent],
    ];
  }

  private presenceFailed(channel: string, error: Error): void {
    this.log.warn("the presence did not take a room's (un)subscription", { roomId: this.roomId, channel, error: error.message });
  }

  private move(client: Client, message: unknown): void {
    const move = this.parse(client, MoveMessage, message, "move");
    const player = this.state.players.get(client.sessionId);
    const travel = this.allowances.get(client.sessionId)?.travel;
    if (!move || !player || !travel) return;
    const { maxSpeed } = this.deps.settings;
    const to = allowedPosition(player, move, travel.available(), this.deps.settings);
    travel.spend(distance(player, to) / maxSpeed);
    player.assign(to);
    if (move.rotY !== undefined) player.rotY = normaliseAngle(move.rotY);
    const anim = move.anim === undefined ? undefined : this.parse(client, AnimName, move.anim, "move", { field: "anim", taken: "the position" });
    if (anim !== undefined) player.anim = anim;
    this.views.moved(client.sessionId);
    this.greetings.notice(client.sessionId);
  }

  /** An NPC's greeting or idle line (npc-greetings.ts): heard near it, and by the players it speaks to, whom it turns to. */
  private sayUnasked(npc: NpcSettings, text: string, unasked: "greeting" | "idle", playerIds: readonly string[]): void {
    if (this.disposed) return; // after recalling whom it met, the room may be gone
    if (playerIds[0] !== undefined) this.turnTo(npc.id, playerIds[0]);
    this.history.add("npc", npc.id, npc.name, text, "", { unasked }, { near: this.standing(npc.id), also: playerIds });
  }

  private chat(client: Client, message: unknown): void {
    const chat = this.parse(client, ChatMessage, message, "chat");
    const player = this.state.players.get(client.sessionId);
    if (!chat || !player) return;
    const text = cleanText(chat.text);
    const chars = [...text].length;
    // Each refusal of a line gives it back (text): a client tells by it which of its lines was refused, where the
    // echoes of the lines before it come only with the next patch, after the error.
    if (chars === 0) return this.connections.sendError(client, { code: "chat_empty", message: "chat text is empty", text });
    if (chars > CHAT_MAX_CHARS) {
      return this.connections.sendError(client, {
        code: "chat_too_long",
        message: `chat text is ${chars} characters; at most ${CHAT_MAX_CHARS} are allowed`,
        text,
      });
    }
    const mutedMs = this.mutedMs(client.sessionId);
    if (mutedMs > 0) {
      const minutes = Math.ceil(mutedMs / 60_000);
      return this.connections.sendError(client, { code: "muted", message: `you are muted (by a moderator, or by players' reports): you may chat again in ${minutes} min`, retryAfterMs: mutedMs, text });
    }
    const npcs = [...this.state.npcs.entries()].map(([id, npc]) => ({ id, name: npc.name }));
    const addressed = addressedNpc(text, chat.to, npcs);
    if (addressed === "unknown") {
      return this.connections.sendError(client, { code: "unknown_npc", message: `no NPC "${chat.to}" in this room`, text });
    }
    const asks = addressed && addressed.question !== "" ? addressed : undefined;
    const npc = addressed && this.npcSettings.get(addressed.npcId);
    const away = npc ? distance(player, this.standing(npc.id)) : 0;
    if (npc && away > npc.talkRadius) {
      return this.connections.sendError(client, {
        code: "too_far",
        message: `${npc.name} is ${away.toFixed(1)} m away: come within ${npc.talkRadius} m to talk`,
        text, npcId: npc.id, distance: Math.round(away * 10) / 10, talkRadius: npc.talkRadius,
      });
    }
    // Before moderation: a line it refuses still costs (it is logged, and an NPC it was addressed to answers it).
    const limited = this.allowances.get(client.sessionId)?.say(asks !== undefined, this.addressLinesOf(client.sessionId));
    if (limited) return this.connections.sendError(client, { code: "rate_limited", ...limited, text });
    if (npc) this.greetings.spokeTo(npc.id, client.sessionId);
    const verdict = this.deps.moderator?.check(text);
    if (verdict?.blocked) return this.refuse(client, player, text, asks?.npcId, verdict.term);
    const privately = npc?.privateTalk === true;
    const hearers: Hearers = privately ? { only: client.sessionId } : { near: player };
    const line = this.history.add("player", client.sessionId, player.name, text, "", { ...this.accountInLog(client.sessionId), ...(asks ? { toNpc: asks.npcId } : {}) }, hearers);
    this.reports.said.add(client.sessionId, { id: line.id, text, ts: line.ts });
    if (asks) this.enqueue({ client, npcId: asks.npcId, text: asks.question, line, askedAt: performance.now(), privately, account: this.origins.accountOf(client.sessionId) });
    else if (npc) this.answerCall(npc, player, line);
  }

  /**
   * A player reports another to the moderators (GET /api/reports): checked here, filed by the report desk, and
   * acknowledged with `reported`. Reports are few (PlayerAllowances.reports); one again of the same player replaces
   * the last.
   */
  private report(client: Client, message: unknown): void {
    const report = this.parse(client, ReportMessage, message, "report");
    const reporter = this.state.players.get(client.sessionId);
    if (!report || !reporter) return;
    const reported = report.player === client.sessionId ? undefined : this.state.players.get(report.player);
    if (!reported) {
      const message = report.player === client.sessionId ? "you cannot report yourself" : `no player "${report.player}" in this room`;
      return this.connections.sendError(client, { code: "unknown_player", message });
    }
    const reason = report.reason === undefined ? "" : cleanText(report.reason);
    const chars = [...reason].length;
    if (chars > REPORT_REASON_MAX_CHARS) {
      return this.connections.sendError(client, { code: "report_reason_too_long", message: `the reason is ${chars} characters; at most ${REPORT_REASON_MAX_CHARS} are allowed` });
    }
    const taken = this.allowances.get(client.sessionId)?.reports.take();
    if (taken?.ok === false) {
      const minutes = Math.ceil(taken.waitMs / 60_000);
      return this.connections.sendError(client, { code: "report_limited", message: `too many reports: you may report again in ${minutes} min`, retryAfterMs: taken.waitMs });
    }
    const filed = this.reports.file(this.roomId, this.reportedPlayer(client.sessionId, reporter), this.reportedPlayer(report.player, reported), reason, this.origins.reporterOf(client.sessionId));
    void filed.then(
      () => {
        const notice: ReportedNotice = { player: report.player, name: reported.name };
        this.connections.sendTo(client, "reported", notice);
      },
      (error: Error) => {
        this.log.error("a report could not be filed", { error });
        this.connections.sendError(client, { code: "report_failed", message: "the server could not file that report: try again later" });
      },
    );
  }

  private reportedPlayer(sessionId: string, player: Player): ReportedPlayer {
    const account = this.origins.accountOf(sessionId);
    return { player: sessionId, name: player.name, ...(account === undefined ? {} : { account }) };
  }

  /** "@코봇" alone: the NPC answers its name with one of its call replies (the brain read a bare name as nonsense). */
  private answerCall(npc: NpcSettings, player: Player, call: ChatLine): void {
    const reply = lineFor(player, npc.callReplies);
    if (reply === undefined) return; // a world file's callReplies have one at least
    this.replies.reply(npc.id, call.from, () => {
      if (!this.npcSettings.has(npc.id)) return; // removed from the world while the reply waited its turn
      this.turnTo(npc.id, call.from);
      this.history.add("npc", npc.id, npc.name, reply, call.id, { unasked: "call" }, this.toAsker(npc.id, call.from));
      this.history.sendNow();
    });
  }

  /** Into the NPC's fair queue; when it is full, or the server is shutting down, the NPC says so instead. */
  private enqueue(question: Question): void {
    const turns = this.turns.get(question.npcId)!;
    this.replies.asked(question.npcId, question.client.sessionId, question.line.id); // before the brain may answer it
    const { taken, displaced } = this.closing ? { taken: false } : turns.enqueue(this.askerOf(question.client.sessionId), question);
    if (!taken) return this.turnAway(question);
    this.statuses.thinking(question.npcId, +1);
    if (displaced) {
      this.statuses.thinking(displaced.npcId, -1);
      this.turnAway(displaced);
    }
  }

  /** A banned account's avatars leave at once, with no place kept for a reconnection (its joins are refused). */
  private putOut(accountId: string): void {
    for (const sessionId of this.origins.sessionsOf(accountId)) {
      const client = this.clients.getById(sessionId);
      if (client) this.connections.putOut(client, BANNED_CLOSE, "a moderator banned this account");
    }
  }

  /** How long the player stays muted: their account's mute, or without one a mute by players' reports here (0: not muted). */
  private mutedMs(sessionId: string): number {
    const account = this.origins.accountOf(sessionId);
    if (account !== undefined) return this.sanctions.msLeft("mute", account);
    return this.reports.sessionMutedMs(sessionId);
  }


  /** A signed-in player's account, for their lines in the chat log (where moderators find all they said). */
  private accountInLog(sessionId: string): Pick<ChatLogRecord, "account"> {
    const account = this.origins.accountOf(sessionId);
    return account === undefined ? {} : { account };
  }

  /** The allowances of another of this account's avatars in the room, if it has one. */
  private allowancesOfAccount(accountId: string): PlayerAllowances | undefined {
    for (const sessionId of this.origins.sessionsOf(accountId)) {
      const allowances = this.allowances.get(sessionId);
      if (allowances) return allowances; // not the joining avatar's own, which has none yet
    }
    return undefined;
  }

  /** The lines a player's address has left to say between its players (CHAT_ADDRESS_SHARE), when shared. */
  private addressLinesOf(sessionId: string): TokenBucket | undefined {
    const address = this.origins.sharedAddressOf(sessionId);
    return address === undefined ? undefined : this.addressLines?.of(address);
  }

  /** Whose turn a question takes in an NPC's queue (player-origins.ts). */
  private askerOf(sessionId: string): Asker {
    return this.origins.askerOf(sessionId, this.deps.settings.npcQueue.turnsBy);
  }

  /** The NPC says it is busy (or closing) to a question it will not answer, and the asker gets the line back. */
  private turnAway(question: Question): void {
    const refused = fallbackFor(this.closing ? "closing" : "busy");
    // In the question's turn: after the answers to the player's questions before it.
    this.replies.answered(question.npcId, question.client.sessionId, question.line.id, () => {
      this.sayReply(asked(question), { own: this.closing ? "closing" : "busy", text: refused.line, info: { fallback: true, reason: refused.code } });
      this.connections.sendError(question.client, { code: refused.code, message: refused.message, text: question.line.text, npcId: question.npcId });
    });
  }

  /** A line with a banned word: logged (flagged) for review but never shown; an addressed NPC politely refuses. */
  private refuse(client: Client, player: Player, text: string, npcId: string | undefined, term: string): void {
    const id = newLineId();
    const ts = Date.now();
    this.history.log({
      id, kind: "player", from: client.sessionId, ...this.accountInLog(client.sessionId), name: player.name, text, ts, moderated: true, ...(npcId ? { toNpc: npcId } : {}),
    });
    this.reports.said.add(client.sessionId, { id, text, ts, moderated: true });
    chatModerated.inc({ side: "input" });
    this.log.info("chat line moderated", { roomId: this.roomId, playerId: client.sessionId, term });
    // Given back to its sender alone, to say otherwise.
    this.connections.sendError(client, { code: "moderated", message: "that line was not sent: it holds a word that is not allowed here", text });
    if (!npcId) return;
    const question = { npcId, sessionId: client.sessionId, id, text, ts, name: player.name, account: this.origins.accountOf(client.sessionId) };
    // In its turn, after the answers to the player's questions before it (the error above comes at once: the line was not sent).
    this.replies.reply(npcId, client.sessionId, () => {
      this.sayReply(question, { own: "refusal", text: MODERATION_LINES.input, info: { fallback: true, reason: "moderated_input" } });
    });
  }

  /** A failure in giving an answer is logged and told to its asker; it must not reject where nothing waits for it. */
  private askNpcSafely(question: Question): Promise<void> {
    return this.askNpc(question).catch((error: unknown) => {
      roomFailures.inc({ method: "askNpc" });
      if (this.npcSettings.has(question.npcId)) countReply(question.npcId, "failed");
      this.log.error("an NPC's answer could not be given", { questionId: question.line.id, error });
      this.connections.sendError(question.client, { code: "npc_unavailable", message: "the NPC could not answer that: ask again", text: question.line.text, npcId: question.npcId });
    }).then(() => {
      // Its turn is over, whatever came of it: the player's replies waiting behind it are said.
      if (this.disposed) return;
      try {
        this.replies.answered(question.npcId, question.client.sessionId, question.line.id);
      } catch (error) {
        this.log.error("an NPC's reply waiting its turn could not be said", { questionId: question.line.id, error });
      }
    });
  }

  private async askNpc(question: Question): Promise<void> {
    const { client, npcId, text, line, askedAt } = question;
    npcQuestions.inc({ npc: npcId });
    const name = this.npcSettings.get(npcId)?.name ?? npcId; // for the error, if it leaves the world meanwhile
    const outcome = await this.deps.answers.ask({
      v: CONTRACT_VERSION,
      questionId: line.id,
      roomId: this.roomId,
      npcId,
      playerId: client.sessionId,
      playerName: line.name,
      text,
      ts: line.ts,
    }, performance.now() - askedAt);
    // Each question counted with an outcome, also one whose room closed meanwhile (questions less answers crept up
    // with ordinary comings and goings, read as questions never answered).
    // Not for an NPC removed from the world meanwhile: its series left /metrics with it and are not made again.
    if (this.disposed) return this.npcSettings.has(npcId) ? countReply(npcId, "room_closed") : undefined;
    this.statuses.thinking(npcId, -1);
    // Removed from the world meanwhile: its series left /metrics with it, questions too, and are not made again.
    if (!this.npcSettings.has(npcId)) return this.connections.sendError(client, npcLeft(npcId, name, line.text));
    const reply = npcReply(outcome, line.name, this.deps.moderator);
    const { fallback, blocked, info } = reply;
    // No answer from its brain, or one moderation blocked: in its own words, where its world file gives them.
    const own = fallback?.code === "npc_timeout" || fallback?.code === "npc_unavailable" ? "noAnswer" : blocked ? "blocked" : undefined;
    if (blocked) chatModerated.inc({ side: "output" });
    this.turnTo(npcId, client.sessionId);
    const latencyMs = Math.round((performance.now() - askedAt) * 10) / 10;
    const said = this.sayReply(asked(question), { own, text: reply.text, info, latencyMs, moderated: blocked });
    // The game does what the line says (opens the shop) for the player who asked, as the line arrives.
    if (said && info.action) {
      this.sendAction(client, { npcId, action: info.action, lineId: said.id, replyTo: line.id }, line.name)
        .catch((error: unknown) => this.log.error("npc action not sent", { lineId: said.id, error }));
    }
    this.history.sendNow();
    if (fallback) {
      // Once in 10 s a reason in the process (a broker away a while made a line a question, in every room); each one
      // at debug, and all counted (kobot_npc_answers_total).
      const held = fallbacksLogged(`${outcome.kind} ${fallback.code}`);
      const fields = { questionId: line.id, reason: outcome.kind, code: fallback.code };
      if (held === undefined) this.log.debug("npc fallback", fields);
      else this.log.warn("npc fallback", { ...fields, ...repeatsField(held) });
      this.connections.sendError(client, { code: fallback.code, message: fallback.message, npcId });
    }
  }

  /**
   * An NPC's reply to a question: its answer, or a stock line in place of one (`own`: the NPC's own words for it,
   * where its world file has them), logged with the question and its asker (neither once the asker's account was
   * erased since: the stores no longer hold them, and must not again), and counted. Without `latencyMs` the question
   * never reached the brain (busy, refused), where questions are counted: counted here, without a latency.
   */
  private sayReply(
    question: AskedQuestion,
    reply: { text: string; own?: OwnLineKind; info: Omit<NpcAnswerInfo, "questionId" | "question" | "asker" | "latencyMs">; latencyMs?: number; moderated?: boolean },
  ): ChatLine | undefined {
    const { npcId, sessionId, account } = question;
    const npc = this.state.npcs.get(npcId);
    if (!npc) return undefined;
    const erased = this.erased.erasedSince(account, question.ts);
    const info: NpcAnswerInfo = {
      questionId: question.id,
      question: erased ? "" : question.text,
      ...(account === undefined || erased ? {} : { asker: account }),
      latencyMs: reply.latencyMs ?? 0,
      ...reply.info,
    };
    const text = reply.own ? ownLine(this.npcSettings.get(npcId), reply.own, question.name, reply.text) : reply.text;
    const said = this.history.add("npc", npcId, npc.name, text, question.id, { npc: info, ...(reply.moderated ? { moderated: true } : {}) }, this.toAsker(npcId, sessionId, question.privately));
    if (reply.latencyMs === undefined) npcQuestions.inc({ npc: npcId });
    countReply(npcId, info.reason ?? "answer", reply.latencyMs);
    return said;
  }

  /** An NPC's line to a player is heard near the NPC, and by that player wherever they stand; in private, by them alone. */
  private toAsker(npcId: string, sessionId: string, privately = this.npcSettings.get(npcId)?.privateTalk === true): Hearers {
    if (privately) return { only: sessionId };
    return { near: this.standing(npcId), also: [sessionId] };
  }

  /** An NPC turns to the player it speaks to (3D clients show it facing them); not to one who has left. */
  private turnTo(npcId: string, sessionId: string): void {
    const npc = this.state.npcs.get(npcId);
    const player = this.state.players.get(sessionId);
    if (npc && player && (player.x !== npc.x || player.z !== npc.z)) npc.rotY = heading(npc, player);
  }

  /** Where an NPC stands now: its state, which its route moves (the settings hold where it started). */
  private standing(npcId: string): Position {
    return this.state.npcs.get(npcId)!;
  }

  /** `message` as `schema` reads it, or undefined with a `bad_message`; `field` of a message checked apart, the rest `taken`. */
  private parse<T>(client: Client, schema: z.ZodType<T>, message: unknown, type: string, part?: { field: string; taken: string }): T | undefined {
    const result = schema.safeParse(message);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const path = [...(part ? [part.field] : []), ...(issue?.path ?? [])];
    const where = path.length ? `${path.join(".")}: ` : "";
    const taken = part ? ` (${part.taken} was taken)` : "";
    this.connections.sendError(client, { code: "bad_message", message: `bad "${type}" message: ${where}${issue?.message ?? "invalid"}${taken}` });
    return undefined;
  }

  /** With ACTION_SECRET, the action goes with a receipt the game's backend can trust (rooms/action-receipts.ts). */
  private async sendAction(client: Client, notice: NpcActionNotice, playerName: string): Promise<void> {
    const receipts = this.deps.actionReceipts;
    const account = this.origins.accountOf(client.sessionId);
    const receipt = await receipts?.sign({
      npc: notice.npcId, action: notice.action, line: notice.lineId, question: notice.replyTo,
      room: this.roomId, player: client.sessionId, name: playerName, ...(account !== undefined ? { account } : {}),
    });
    // After the patch that carries its line: a game that looks the line up in state.chat finds it (sent at once, the
    // notice came first, the answer's patch being sent on the next turn of the event loop).
    this.connections.sendTo(client, "npc_action", { ...notice, ...(receipt ? { receipt } : {}) } satisfies NpcActionNotice, { afterNextPatch: true });
  }

  /** Nothing a client sends may take the room down: a handler's failure is logged and reported to it. */
  private guard(client: Client, handle: () => void): void {
    if (!this.connections.withinMessageRate(client)) return;
    try {
      handle();
    } catch (error) {
      this.log.error("message handler failed", { sessionId: client.sessionId, error });
      this.connections.sendError(client, { code: "bad_message", message: "the server could not handle that message" });
    }
  }
}

/** A `world` room class bound to this process's router and settings, for `server.define`. */
export function defineWorldRoom(deps: WorldRoomDeps): new () => WorldRoom {
  return class BoundWorldRoom extends WorldRoom {
    protected readonly deps = deps;

    /** Matchmaking, before a seat is reserved (world-room-auth.ts). */
    static onAuth(token: string | undefined, options: unknown, context: AuthContext): Promise<SeatTicket> {
      return seatTicket(deps, token, options, context);
    }
  };
}

/**
 * An NPC's reply in the metrics, with its outcome, for every question, also those never sent to the brain (turned away
 * busy, refused for a banned word), so questions and answers add up: 8 asked of a full queue counted 3 questions beside
 * 8 answers. Its latency only for those sent: a busy reply's 0 s would pull the latency down as the NPC is overrun.
 */
function countReply(npc: string, outcome: string, latencyMs?: number): void {
  npcAnswers.inc({ npc, outcome });
  if (latencyMs !== undefined) npcAnswerLatency.observe({ npc }, latencyMs / 1000);
}
