import { type AuthContext, type Client, CloseCode, matchMaker, Room, ServerError } from "@colyseus/core";
import type { Encoder } from "@colyseus/schema";
import type { z } from "zod";

import { cleanText } from "../common/clean-text.js";
import type { Logger } from "../common/log.js";
import { chatModerated, joinsRefused, roomFailures } from "../common/metrics.js";
import { pickLine } from "../common/pick-line.js";
import type { ChatLogRecord } from "../kafka/chat-log.js";
import type { ChatLogPublisher } from "../kafka/chat-log-transport.js";
import type { Moderator } from "../moderation/moderator.js";
import type { Account } from "./players/account.js";
import type { ActionReceipts } from "./npc/action-receipts.js";
import type { AnswerRouter } from "./npc/answer-router.js";
import { SANCTIONS_CHANNEL } from "./moderation/account-sanctions.js";
import { ERASURES_CHANNEL } from "./moderation/erased-accounts.js";
import { HeardSanctions } from "./moderation/heard-sanctions.js";
import type { HashPages } from "./hash-pages.js";
import type { AddressShares } from "./players/address-shares.js";
import type { TokenBucket } from "./players/token-bucket.js";
import { addressedNpc, playerWords } from "./chat/chat-addressing.js";
import { allowedPosition, distance, heading, normaliseAngle, type Position } from "./players/movement.js";
import type { AwayHolds } from "./players/away-holds.js";
import type { DepartedAllowances } from "./players/departed-allowances.js";
import { newLineId } from "./chat/line-id.js";
import { useMonotonicClock } from "./monotonic-clock.js";
import { largestFullState, makeRoomForViews } from "./state-buffer.js";
import { seatTaken, type WaitingSeats } from "./players/waiting-seats.js";
import { bannedJoin, type SeatTicket, seatTicket } from "./world-room-auth.js";
import { impersonatedNpc } from "./npc/npc-impersonation.js";
import { NpcAcquaintances } from "./npc/npc-acquaintances.js";
import { NpcGreetings } from "./npc/npc-greetings.js";
import { type LinePasses, lineFor, passedBy } from "./chat/named-line.js";
import { eventLines, type NpcEvent, NPC_EVENTS_CHANNEL } from "./npc/npc-events.js";
import { NpcStatuses } from "./npc/npc-statuses.js";
import { NpcWalkers } from "./npc/npc-walkers.js";
import type { Asker } from "./npc/npc-turns.js";
import { MESSAGE_BURST, PlayerAllowances } from "./players/player-allowances.js";
import { NpcQuestions } from "./npc/npc-questions.js";
import { PlayerConnections } from "./players/player-connections.js";
import { PlayerOrigins } from "./players/player-origins.js";
import { type Hearers, PlayerViews } from "./players/player-views.js";
import { type Kick, KICKS_CHANNEL } from "./moderation/player-kicks.js";
import type { ReportedPlayer } from "./moderation/player-reports.js";
import { playerLooks } from "./players/name-looks.js";
import { chosenName, type NameChecks, namelessName, namingAccountName, playerName } from "./players/player-name.js";
import { type Presence, presenceLine, PresenceLines } from "./players/presence-lines.js";
import { ReportDesk } from "./moderation/report-desk.js";
import {
  AnimName,
  CHAT_MAX_CHARS,
  ChatMessage,
  MoveMessage,
  type PrivateLineMessage,
  REPORT_REASON_MAX_CHARS,
  type ReportedNotice,
  ReportMessage,
  SAID,
  type SaidNotice,
  type WorldError,
} from "./world-contract.js";
import { ACCOUNT_NAME_REFUSED, BANNED_CLOSE, KICKED_CLOSE, NAME_TAKEN, PATCHES_PER_SECOND, PRIVATE_LINE, RECONNECT_SECONDS } from "./world-protocol.js";
import { ChatHistory } from "./chat/chat-history.js";
import { AnsweredSends } from "./chat/answered-sends.js";
import type { WorldEdits } from "./world-edits.js";
import type { NpcSettings, WorldSettings } from "./world-settings.js";
import { Npc, Player, WorldState } from "./world-state.js";

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
  /** Lines and reports the players of one address have between them in all the process's rooms (CHAT_ADDRESS_SHARE; absent when 0; shared likewise). */
  addressShares?: AddressShares;
  /** Seats kept for a reconnection, per account or public address (shared likewise). */
  awayHolds?: AwayHolds;
  /** Players' accounts from the game's login (server/player-accounts.ts): set, every join needs a signed token. */
  accounts?: { verify(token: string | undefined): Promise<Account> };
  /** Edits of the world file taken while the server runs (server/world-files/world-reload.ts): NPCs' lines, places, radii. */
  worldEdits?: WorldEdits;
  /** Set (ACTION_SECRET): each `npc_action` carries a signed receipt for the game's backend. */
  actionReceipts?: ActionReceipts;
  /** The presence's large hashes a page at a time (the server's choice, hash-pages.ts): the reports' index. */
  hashes?: () => HashPages;
}

/**
 * A shared world: players move and chat; lines addressed to an NPC become questions to the NPC
 * worker, and its answers are heard near the NPC and by the asker (in private talk, by the asker
 * alone). Built by `defineWorldRoom` so each server process hands its rooms the same router and settings.
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
   * A game event the backend fired (rooms/npc/npc-events.ts): the NPC says one of its lines for it, if this room holds
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
    const text = player ? lineFor(lines, this.state.players.get(player)!.name, this.npcLinePasses) : pickLine(lines, undefined);
    if (text === undefined) return; // none: the world file was edited since the backend's check
    if (player) this.turnTo(npc.id, player);
    this.history.add("npc", npc.id, npc.name, text, "", { unasked: "event", event: event.event }, { near: this.standing(npc.id), ...(player ? { also: [player] } : {}) });
  }

  private readonly statuses = new NpcStatuses(
    (npcId, status) => {
      const npc = this.state.npcs.get(npcId);
      if (npc) npc.status = status;
    },
    (callback, ms) => void this.clock.setTimeout(callback, ms),
  );
  private readonly npcSettings = new Map<string, NpcSettings>();
  /** NPCs on a route, and the timer that moves them on (npc-walkers.ts). */
  private walkers!: NpcWalkers;
  private stopTakingEdits?: () => void;
  /** NPCs greeting players who come near, and saying idle lines while players are (npc-greetings.ts). */
  private greetings!: NpcGreetings;
  /** Whether moderation lets an NPC's line with a player's name filled in through (named-line.ts). */
  private npcLinePasses!: LinePasses;
  /** What each client is sent: the lines its player heard, the players in its sight (player-views.ts). */
  private views!: PlayerViews;
  /** The chat lines players hear, and the chat log (chat-history.ts). */
  private history!: ChatHistory;
  /** Players' connections: what is sent to them, seats kept when one drops, who is put out for good (player-connections.ts). */
  private connections!: PlayerConnections;
  /** Questions to the NPCs, their answers and the lines said in place of one (npc-questions.ts). */
  private questions!: NpcQuestions;
  /** The room's join and leave lines, at most one of each a gap (presence-lines.ts). */
  private presenceLines!: PresenceLines;
  /** Chat messages' sendIds and the room's answer to each: a line sent again is answered, not said again (answered-sends.ts). */
  private readonly answeredSends = new AnsweredSends();
  private disposed = false;
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
    this.npcLinePasses = passedBy(this.deps.moderator);
    const patch = () => void (this.disposed || this.broadcastPatch());
    const tell = ({ only, account }: { only: string; account?: string }, line: PrivateLineMessage) => {
      if (this.connections.sendToSession(only, PRIVATE_LINE, line) || account === undefined) return;
      // They left and came back as a new session (a page reloaded) before the answer: it is theirs still.
      for (const sessionId of this.origins.sessionsOf(account)) this.connections.sendToSession(sessionId, PRIVATE_LINE, line);
    };
    const saidTo = (sessionId: string, line: PrivateLineMessage) => this.connections.keepCopy(sessionId, line.id, PRIVATE_LINE, line);
    this.history = new ChatHistory({ chat: this.state.chat, settings, views: this.views, statuses: this.statuses, chatLog, roomId: this.roomId, serverId, patch, tell, saidTo });
    this.questions = new NpcQuestions({
      roomId: this.roomId,
      settings,
      answers: this.deps.answers,
      moderator: this.deps.moderator,
      actionReceipts: this.deps.actionReceipts,
      log: this.log,
      history: this.history,
      connections: this.connections,
      statuses: this.statuses,
      npc: (id) => this.npcSettings.get(id),
      npcNamed: (name) => [...this.npcSettings.values()].find((npc) => npc.name === name),
      standing: (npcId) => this.standing(npcId),
      turnTo: (npcId, sessionId) => this.turnTo(npcId, sessionId),
      accountOf: (sessionId) => this.origins.accountOf(sessionId),
      askerOf: (sessionId) => this.askerOf(sessionId),
    });
    // The presence is the room's once it is created, not as it is constructed.
    const acquaintances = new NpcAcquaintances(this.presence);
    this.presenceLines = new PresenceLines(this.clock, (presence, names) => this.sayPresence(presence, names), settings.presenceGapMs);
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
      passes: this.npcLinePasses,
      say: (npc, text, unasked, playerIds) => this.sayUnasked(npc, text, unasked, playerIds),
    }, acquaintances);
    // An NPC that walks up to a player greets them, and stops for them.
    this.walkers = new NpcWalkers(this.state.npcs, this.clock, (npcId) => this.greetings.hasVisitors(npcId), (npcIds) => this.greetings.npcsMoved(npcIds));
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
   * world file taken while the room runs (server/world-files/world-reload.ts), which may move NPCs and change their lines.
   */
  private takeWorld(): void {
    const { hearing, sight, npcs } = this.deps.settings;
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
      this.questions.takeNpc(id);
      this.greetings.takeNpc(npc);
    }
    for (const id of [...this.npcSettings.keys()]) if (!npcs.some((npc) => npc.id === id)) this.removeNpc(id);
    this.walkers.keepTime();
  }

  /**
   * An NPC removed from the world file leaves: players stop seeing it, and those whose questions wait for it, or are
   * with its brain, are told it left (`unknown_npc`), or was changed where the edit gave its name another id (`npc_changed`).
   */
  private removeNpc(id: string): void {
    const name = this.npcSettings.get(id)?.name ?? id;
    this.npcSettings.delete(id);
    this.state.npcs.delete(id);
    this.walkers.forget(id);
    this.greetings.forgetNpc(id);
    const waiting = this.questions.npcLeft(id, name);
    this.log.info("npc left the room: removed from the world file", { npcId: id, questionsWaiting: waiting });
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
    return this.encoder?.hasChanges ?? true;
  }

  /** The state's encoder, which Colyseus keeps to itself. */
  private get encoder(): Encoder | undefined {
    return (this as unknown as { _serializer?: { encoder?: Encoder } })._serializer?.encoder;
  }

  onJoin(client: Client, options: unknown, ticket?: SeatTicket): void {
    if (ticket?.seat !== undefined) seatTaken(ticket.seat, matchMaker.processId, this.deps.seats, this.presence);
    const account = ticket?.account;
    // Banned after onAuth read the presence, before this join: heard here, where no put-out can reach a player not yet in.
    const bannedMs = account ? this.sanctions.msLeft("ban", account.id) : 0;
    if (bannedMs > 0) throw this.refuseBannedJoin(client, Date.now() + bannedMs);
    // Checked by onAuth; a join that skipped it (a server-side matchMaker call has no auth context) is checked here.
    const taken = (made: string) => this.lookalikeOf(made) !== undefined;
    const checks = { accountName: account?.name, moderator: this.deps.moderator, npcs: this.deps.settings.npcs, taken };
    if (ticket?.name !== undefined) this.checkNameAgain(options, checks);
    const name = ticket ? (ticket.name ?? namelessName(client.sessionId, this.deps.moderator, taken)) : playerName(options, client.sessionId, checks);
    this.refuseTakenName(name, account?.id, ticket?.address, namingAccountName(account?.name) !== undefined);
    const { spawn } = this.deps.settings;
    const angle = Math.random() * 2 * Math.PI;
    const radius = Math.random() * spawn.radius;
    const player = new Player().assign({ name, x: spawn.x + Math.cos(angle) * radius, y: spawn.y, z: spawn.z + Math.sin(angle) * radius });
    this.state.players.set(client.sessionId, player);
    client.view = this.views.viewOf(client.sessionId);
    this.views.joined(client.sessionId, player);
    if (this.encoder) makeRoomForViews(this.encoder, this.state.players.size, this.deps.settings);
    this.connections.joined(client);
    // Leaving, or dropping, and joining again does not refill what a player may say and ask (departed-allowances.ts),
    // nor does joining the room twice under one account: both avatars draw on the same lines and questions.
    this.origins.joined(client.sessionId, account?.id, ticket?.address);
    const departure = this.departureOf(client.sessionId);
    const samePlayer = (account && this.allowancesOfAccount(account.id)) || (departure && this.deps.departed?.takeBack(...departure)) || undefined;
    this.allowances.set(client.sessionId, new PlayerAllowances(this.deps.settings, samePlayer));
    if (account && ticket?.mutedUntil) this.sanctions.set("mute", account.id, ticket.mutedUntil, ticket.readAt);
    if (!account) this.reports.joined(client.sessionId, departure?.join(" "));
    this.presenceLines.joined(client.sessionId, name);
    this.greetings.notice(client.sessionId);
  }

  /**
   * A join's name, checked by onAuth, checked again against the NPCs of now: a world edit in the seconds between
   * matchmaking and the socket may have added or renamed one to it, and the player sat down under the NPC's name. The
   * refusal is onAuth's (a 400 saying which NPC), which the SDKs hand the join as they do matchmaking's.
   */
  private checkNameAgain(options: unknown, checks: NameChecks): void {
    try {
      chosenName(options, checks);
    } catch (error) {
      joinsRefused.inc({ reason: "name" });
      throw error;
    }
  }

  /**
   * A join or leave line (presence-lines.ts), its players' names in its `name` too, for clients to draw them as names
   * and not as the server's words. Names that spell abuse side by side are said a line each, as greetings do.
   */
  private sayPresence(presence: Presence, names: string[]): void {
    const together = presenceLine(presence, names);
    const lines = names.length > 1 && !this.npcLinePasses(together.text) ? names.map((name) => presenceLine(presence, [name])) : [together];
    for (const { name, text } of lines) this.history.add("system", "", name, text);
  }

  /**
   * A name that looks like a player's here (name-looks.ts playerLooks) is refused: seven players shown as 민수 made
   * any line "민수" said anyone's. Matchmaking's onAuth knows no room yet, so the refusal is here, a 400 as onAuth's.
   * Not the player's own: an account's avatars share its name, and a guest whose resume failed joins again from
   * their address while their dropped avatar still waits for them. A name that was the account's (`accountsName`) is
   * refused as the account's (ACCOUNT_NAME_REFUSED): the token's name wins over a typed one, so only the game can mend it.
   */
  private refuseTakenName(name: string, account: string | undefined, address: string | undefined, accountsName: boolean): void {
    for (const [sessionId, player] of this.lookalikesOf(name)) {
      if (this.origins.isFrom(sessionId, account, address) && (account !== undefined || !this.clients.getById(sessionId))) continue;
      joinsRefused.inc({ reason: "name_taken" });
      const taken = `${NAME_TAKEN}a player in this room is named "${player.name}", which "${name}" looks like`;
      throw new ServerError(400, accountsName ? `${ACCOUNT_NAME_REFUSED}${taken}: change the account's name in the game` : `${taken}: choose another name`);
    }
  }

  /** The players here whose names look like `name` (name-looks.ts playerLooks). */
  private *lookalikesOf(name: string): Generator<[string, Player]> {
    const seen = playerLooks(name);
    for (const entry of this.state.players) if (playerLooks(entry[1].name) === seen) yield entry;
  }

  private lookalikeOf(name: string): Player | undefined {
    return this.lookalikesOf(name).next().value?.[1];
  }

  /**
   * A join banned since onAuth, closed with BANNED_CLOSE before Colyseus answers the throw with an error frame and
   * close 4002, which says "join again" to a client: the 403 is the ban's words, not a code a client can tell by.
   */
  private refuseBannedJoin(client: Client, until: number): ServerError {
    const refusal = bannedJoin(until);
    client.leave(BANNED_CLOSE, refusal.message);
    return refusal;
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
    // Copies of lines said to them while away go only where the history lost them: the state they get back has the rest.
    const held = this.connections.back(client, (lineId) => this.state.chat.some((line) => line.id === lineId));
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
    this.questions.left(client.sessionId, asker);
    if (player) this.presenceLines.left(client.sessionId, player.name);
  }

  /** Server shutting down: no new players; questions in flight get their answer or fallback first. */
  onBeforeShutdown(): void {
    this.questions.close();
    void this.lock()
      .then(() => this.questions.idle())
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
    this.questions?.dispose(); // none where onCreate refused the room (MAX_ROOMS): a throw here kept its patch timer
    this.stopTakingEdits?.();
    // Not awaited; with Redis away a rejection left unheard would end the process.
    for (const [channel, heard] of this.channels()) Promise.resolve(this.presence.unsubscribe(channel, heard)).catch((error: Error) => this.presenceFailed(channel, error));
  }

  /** An account erased: its answers still to come are logged without its words, and its lines kept for reports go. */
  private readonly heardErasure = (account: string): void => {
    this.questions.heardErasure(account);
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
    const chat = this.parse(client, ChatMessage, message, "chat", undefined, givenBack(message));
    const player = this.state.players.get(client.sessionId);
    if (!chat || !player) return;
    const text = cleanText(chat.text);
    const send: Send = { sender: this.senderOf(client.sessionId, player.name), sendId: chat.sendId, words: `${text}\n${chat.to ?? ""}` };
    if (send.sendId !== undefined && this.answeredAgain(client, send.sender, send.sendId, send.words, text)) return;
    const refuse = (error: WorldError) => this.refuseLine(client, send, error);
    const chars = [...text].length;
    // Each refusal of a line gives it back (text): a client tells by it which of its lines was refused, where the
    // echoes of the lines before it come only with the next patch, after the error.
    if (chars === 0) return refuse({ code: "chat_empty", message: "chat text is empty", text });
    if (chars > CHAT_MAX_CHARS) {
      return refuse({
        code: "chat_too_long",
        message: `chat text is ${chars} characters; at most ${CHAT_MAX_CHARS} are allowed`,
        text,
      });
    }
    const mutedMs = this.mutedMs(client.sessionId);
    if (mutedMs > 0) {
      const minutes = Math.ceil(mutedMs / 60_000);
      return refuse({ code: "muted", message: `you are muted (by a moderator, or by players' reports): you may chat again in ${minutes} min`, retryAfterMs: mutedMs, text });
    }
    const npcs = [...this.state.npcs.entries()].map(([id, npc]) => ({ id, name: npc.name }));
    const addressed = addressedNpc(text, chat.to, npcs);
    if (addressed === "unknown") {
      return refuse({ code: "unknown_npc", message: `no NPC "${chat.to}" in this room`, text });
    }
    const asks = addressed && addressed.question !== "" ? addressed : undefined;
    const npc = addressed && this.npcSettings.get(addressed.npcId);
    const away = npc ? distance(player, this.standing(npc.id)) : 0;
    if (npc && away > npc.talkRadius) {
      return refuse({
        code: "too_far",
        message: `${npc.name} is ${away.toFixed(1)} m away: come within ${npc.talkRadius} m to talk`,
        text, npcId: npc.id, distance: Math.round(away * 10) / 10, talkRadius: npc.talkRadius,
      });
    }
    // Before moderation: a line it refuses still costs (it is logged, and an NPC it was addressed to answers it).
    const limited = this.allowances.get(client.sessionId)?.say(asks !== undefined, this.addressLinesOf(client.sessionId));
    if (limited) return refuse({ code: "rate_limited", ...limited, text });
    if (npc) this.greetings.spokeTo(npc.id, client.sessionId);
    const verdict = this.deps.moderator?.checkPlayerLine(text, playerWords(text, addressed));
    // The learned score goes with the line into the chat log, refused or not: the community team sorts lines by it.
    const scored = verdict?.toxicity === undefined ? {} : { toxicity: roundedScore(verdict.toxicity) };
    if (verdict?.blocked) return this.refuse(client, player, text, asks, verdict.term, scored, send);
    const privately = npc?.privateTalk === true;
    const hearers: Hearers = privately ? { only: client.sessionId, account: this.origins.accountOf(client.sessionId) } : { near: player };
    const line = this.history.add("player", client.sessionId, player.name, text, "", { ...this.accountInLog(client.sessionId), ...(asks ? { toNpc: asks.npcId } : {}), ...scored }, hearers);
    this.reports.said.add(client.sessionId, { id: line.id, text, ts: line.ts, ...scored });
    if (send.sendId !== undefined) {
      // After the patch that carries the line: a client shows its line, then takes it for said.
      const said: SaidNotice = { sendId: send.sendId, lineId: line.id };
      this.connections.sendTo(client, SAID, said, { afterNextPatch: true });
      this.answeredSends.answered(send.sender, send.sendId, [SAID, said], send.words);
    }
    if (asks) this.questions.enqueue({ client, npcId: asks.npcId, text: asks.question, line, askedAt: performance.now(), privately, account: this.origins.accountOf(client.sessionId) });
    else if (npc) this.questions.answerCall(client, npc, player.name, line, privately);
  }

  /**
   * A line sent again by a client that never saw the room's answer (its socket died first): answered as before, and
   * nothing more (true). Its sendId on other words is a client's fault, refused, not taken for the line it named.
   */
  private answeredAgain(client: Client, sender: string, sendId: string, words: string, text: string): boolean {
    const answered = this.answeredSends.answerOf(sender, sendId);
    if (!answered) return false;
    if (answered.words !== words) {
      this.connections.sendError(client, { code: "bad_message", message: `sendId ${sendId} was used for another line: a new line needs a new sendId`, text, sendId });
    } else {
      const [type, message] = answered.answer;
      // A said as the first was: after the patch that carries the line (one sent again within a patch came before it).
      this.connections.sendTo(client, type, message, { afterNextPatch: type === SAID });
    }
    return true;
  }

  /**
   * A chat line refused: the error names its sendId. Kept to answer the line again only if moderated (logged, and its
   * NPC replies: not twice); any other refusal did nothing, and a line sent again is checked afresh (a rate limit or a
   * mute may be over by then, and a paste's 8,192 characters were kept per refusal).
   */
  private refuseLine(client: Client, send: Send, error: WorldError): void {
    if (send.sendId === undefined) return this.connections.sendError(client, error);
    const sent: WorldError = { ...error, id: newLineId(), sendId: send.sendId };
    this.connections.sendError(client, sent);
    if (error.code === "moderated") this.answeredSends.answered(send.sender, send.sendId, ["error", sent], send.words);
  }

  /** Whose sendIds a line's are (answered-sends.ts): the account, or the guest's address and name; else the session. */
  private senderOf(sessionId: string, name: string): string {
    return this.origins.departureKey(sessionId, name)?.join(" ") ?? `session ${sessionId}`;
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
    const address = this.origins.sharedAddressOf(client.sessionId);
    const limited = this.allowances.get(client.sessionId)?.report(address === undefined ? undefined : this.deps.addressShares?.reports.of(address));
    if (limited) {
      const minutes = Math.ceil(limited.waitMs / 60_000);
      return this.connections.sendError(client, { code: "report_limited", message: `too many reports: you may report again in ${minutes} min`, retryAfterMs: limited.waitMs });
    }
    const filed = this.reports.file(this.roomId, this.reportedPlayer(client.sessionId, reporter), this.reportedPlayer(report.player, reported), reason, {
      by: this.origins.reporterOf(client.sessionId),
      countsAs: this.origins.reportCountsAs(client.sessionId),
    });
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
    return address === undefined ? undefined : this.deps.addressShares?.lines.of(address);
  }

  /** Whose turn a question takes in an NPC's queue (player-origins.ts). */
  private askerOf(sessionId: string): Asker {
    return this.origins.askerOf(sessionId, this.deps.settings.npcQueue.turnsBy);
  }

  /**
   * A line with a banned word: logged (flagged) for review but never shown; an addressed NPC politely refuses, its
   * reply naming the question as asked ones do, without the call ("@코봇 …" made each refused line a question of its own
   * in Kibana's top questions).
   */
  private refuse(client: Client, player: Player, text: string, asks: { npcId: string; question: string } | undefined, term: string, scored: { toxicity?: number }, send: Send): void {
    const npcId = asks?.npcId;
    const id = newLineId();
    const ts = Date.now();
    this.history.log({
      id, kind: "player", from: client.sessionId, ...this.accountInLog(client.sessionId), name: player.name, text, ts, moderated: true, ...(npcId ? { toNpc: npcId } : {}), ...scored,
    });
    this.reports.said.add(client.sessionId, { id, text, ts, moderated: true, ...scored });
    chatModerated.inc({ side: "input" });
    this.log.info("chat line moderated", { roomId: this.roomId, playerId: client.sessionId, term });
    // Given back to its sender alone, to say otherwise.
    this.refuseLine(client, send, { code: "moderated", message: "that line was not sent: it holds a word that is not allowed here", text });
    if (!npcId) return;
    // In its turn, after the answers to the player's questions before it (the error above comes at once: the line was not sent).
    const privately = this.npcSettings.get(npcId)?.privateTalk === true;
    this.questions.refused(client, { npcId, sessionId: client.sessionId, id, text: asks.question, askedAt: performance.now(), name: player.name, account: this.origins.accountOf(client.sessionId), privately });
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

  /**
   * `message` as `schema` reads it, or undefined with a `bad_message`; `field` of a message checked apart, the rest
   * `taken`; `given`: what the error gives back (a chat line's text and sendId, givenBack).
   */
  private parse<T>(
    client: Client,
    schema: z.ZodType<T>,
    message: unknown,
    type: string,
    part?: { field: string; taken: string },
    given: Pick<WorldError, "text" | "sendId"> = {},
  ): T | undefined {
    const result = schema.safeParse(message);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const path = [...(part ? [part.field] : []), ...(issue?.path ?? [])];
    const where = path.length ? `${path.join(".")}: ` : "";
    const taken = part ? ` (${part.taken} was taken)` : "";
    this.connections.sendError(client, { code: "bad_message", message: `bad "${type}" message: ${where}${issue?.message ?? "invalid"}${taken}`, ...given });
    return undefined;
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
 * What a chat message's `bad_message` gives back: its `text`, cleaned, where it is a string (a paste over
 * SENT_MAX.chatText: the line is not lost), and its `sendId` where that is well formed, by which the client tells
 * which of its lines was refused.
 */
function givenBack(message: unknown): Pick<WorldError, "text" | "sendId"> {
  const { text, sendId } = (message ?? {}) as { text?: unknown; sendId?: unknown };
  return {
    ...(typeof text === "string" ? { text: cleanText(text) } : {}),
    ...(ChatMessage.shape.sendId.safeParse(sendId).success && typeof sendId === "string" ? { sendId } : {}),
  };
}

/** A chat message's sender, its sendId if it came with one (answered-sends.ts), and its words (text and whom to). */
interface Send {
  sender: string;
  sendId: string | undefined;
  words: string;
}

/** A score as logged: three decimals say all a bar or a sort needs, and keep the record short. */
const roundedScore = (score: number) => Math.round(score * 1000) / 1000;
