import type { Clock, Delayed } from "@colyseus/core";

import type { Logger } from "../../common/log.js";
import { pickLine } from "../../common/pick-line.js";
import { GreetingGate } from "./greeting-gate.js";
import type { Position } from "../players/movement.js";
import { namedLines } from "../chat/named-line.js";
import type { NpcAcquaintances } from "./npc-acquaintances.js";
import { NpcVisits } from "./npc-visits.js";
import type { NpcSettings, WorldSettings } from "../world-settings.js";
import type { Player } from "../world-state.js";

/** What the greetings need of their room. */
export interface GreetingsRoom {
  readonly players: Pick<Map<string, Player>, "get" | "has" | "keys">;
  readonly settings: WorldSettings;
  readonly clock: Clock;
  readonly log: Logger;
  /** An NPC of the world as the room took it last; undefined once removed. */
  npc(id: string): NpcSettings | undefined;
  /** Where an NPC stands now (one on a route is not where its settings put it). */
  standing(npcId: string): Position;
  /** Whether the NPC is free to speak unasked: neither thinking nor speaking. */
  isIdle(npcId: string): boolean;
  /** The player's account, when they signed in. */
  accountOf(sessionId: string): string | undefined;
  /** The player whatever their session: their account, or their address and name (player-origins.ts departureKey). */
  whoIs(sessionId: string): string | undefined;
  /** Whether moderation lets a line the NPC says through: names filled in may spell abuse side by side. */
  passes(text: string): boolean;
  /** The NPC says `text` unasked, heard near it and by `playerIds`, turned to the first of them. */
  say(npc: NpcSettings, text: string, unasked: "greeting" | "idle", playerIds: readonly string[]): void;
}

/**
 * NPCs notice players: an NPC greets a player by name as they come within its talk radius (once a visit; arrivals
 * close together share one greeting), players it met before with its `greetingsAgain`, and now and then says an idle
 * line while players are near. Scripted lines, so none waits on the brain or holds up a question.
 */
export class NpcGreetings {
  private readonly visits: NpcVisits;
  private readonly gate: GreetingGate;
  /** Each NPC's idle lines' timer, and its interval (ms). */
  private readonly idleTimers = new Map<string, { timer: Delayed; everyMs: number }>();
  private readonly lastIdleLine = new Map<string, string>();

  /** `acquaintances`: whom NPCs with `greetingsAgain` have met (npc-acquaintances.ts). */
  constructor(private readonly room: GreetingsRoom, private readonly acquaintances: NpcAcquaintances) {
    this.visits = new NpcVisits((npc) => room.standing(npc.id));
    this.gate = new GreetingGate(room.settings.greetingGapMs);
  }

  /**
   * An NPC as the world file has it now (at the room's creation, or after an edit): its idle lines' timer anew when
   * their interval changed. Started anew at every edit, of any NPC, a world saved more often than the interval (live
   * tuning, a tool that saves again) never let an NPC say one; the timer reads the lines as they are when it fires.
   */
  takeNpc(npc: NpcSettings): void {
    const everyMs = npc.idleLines.length > 0 ? npc.idleEverySeconds * 1000 : 0;
    if ((this.idleTimers.get(npc.id)?.everyMs ?? 0) === everyMs) return;
    this.idleTimers.get(npc.id)?.timer.clear();
    this.idleTimers.delete(npc.id);
    if (everyMs > 0) this.idleTimers.set(npc.id, { timer: this.room.clock.setInterval(() => this.sayIdleLine(npc.id), everyMs), everyMs });
  }

  /** An NPC removed from the world: one added again under its id starts afresh. */
  forgetNpc(npcId: string): void {
    this.idleTimers.get(npcId)?.timer.clear();
    this.idleTimers.delete(npcId);
    this.visits.forgetNpc(npcId);
    this.gate.forget(npcId);
    this.lastIdleLine.delete(npcId);
  }

  /** The player came or moved, or the world was edited: NPCs they have just come near greet them. */
  notice(sessionId: string): void {
    this.noticeOf(sessionId, this.room.settings.npcs);
  }

  /**
   * NPCs walked (npc-walkers.ts): each greets the players it has just come near, and ends the visits of those it left
   * behind. Only these NPCs are checked against the players: the others, and the players, stand where they were last
   * checked (each move, join and world edit is noticed); checking every NPC, one patrolling guard among 100 NPCs cost
   * as much as 50 players' moves.
   */
  npcsMoved(npcIds: ReadonlySet<string>): void {
    const moved = this.room.settings.npcs.filter((npc) => npcIds.has(npc.id));
    if (moved.length === 0) return;
    for (const sessionId of this.room.players.keys()) this.noticeOf(sessionId, moved);
  }

  /** The player (session) as `npcs` see them now: those they have just come near greet them. */
  private noticeOf(sessionId: string, npcs: readonly NpcSettings[]): void {
    const player = this.room.players.get(sessionId);
    if (!player) return;
    for (const npc of this.visits.arrive(sessionId, player, npcs, performance.now(), this.room.whoIs(sessionId))) {
      if (npc.greetings.length === 0) continue;
      const turn = this.gate.arrive(npc.id, sessionId);
      if (turn === "now") this.greet(npc, [sessionId]);
      // Its greetings as they are then: the world file may have changed meanwhile, or removed it.
      else if (turn > 0) {
        this.room.clock.setTimeout(() => {
          const now = this.room.npc(npc.id);
          // Only those still visiting: one who walked away meanwhile was greeted by name from 18 m, and not when
          // they came back (their greeting counted as said).
          // …and the player's session of a join again meanwhile, not greeted as theirs counted as said: anew.
          const arriveAgain: string[] = [];
          const near = (id: string) => {
            if (this.room.players.has(id) && this.visits.visiting(npc.id, id)) return true;
            arriveAgain.push(...this.visits.notGreeted(npc.id, id, (session) => this.room.whoIs(session)));
            return false;
          };
          if (now) this.greet(now, this.gate.due(npc.id, near));
          for (const id of arriveAgain) this.notice(id);
        }, turn);
      }
    }
  }

  /**
   * The player spoke to the NPC while its greeting waited out the gap: not greeted after it has answered them ("어서
   * 오세요! 궁금한 게 있으면 불러 주세요" came 2 s after its answer), yet met, for its greetingsAgain next time.
   */
  spokeTo(npcId: string, sessionId: string): void {
    if (!this.gate.spokeFirst(npcId, sessionId)) return;
    const account = this.room.accountOf(sessionId);
    if (account === undefined || !this.room.npc(npcId)?.greetingsAgain) return;
    this.acquaintances.meet(npcId, [account]).catch((error: unknown) => this.room.log.warn("npc could not remember whom it met", { npcId, error }));
  }

  left(sessionId: string): void {
    this.visits.forget(sessionId);
  }

  /** Whether players are within the NPC's talk radius (a walking NPC stops for them). */
  hasVisitors(npcId: string): boolean {
    return this.visits.hasVisitors(npcId);
  }

  /**
   * One greeting for the players named, each by name (greeting-gate.ts: arrivals close together share one); they
   * are in the room (the gate's `due` keeps only those).
   */
  private greet(npc: NpcSettings, playerIds: readonly string[]): void {
    const accounts = new Map(playerIds.flatMap((id) => {
      const account = this.room.accountOf(id);
      return account === undefined ? [] : [[id, account] as const];
    }));
    if (!npc.greetingsAgain || accounts.size === 0) return this.sayGreeting(npc, npc.greetings, playerIds);
    // An NPC that greets players it knows asks the presence whom it has met: a moment later, in one line per kind.
    const greetingsAgain = npc.greetingsAgain;
    this.acquaintances.meet(npc.id, [...accounts.values()]).then(
      (met) => {
        const known = (id: string) => met.has(accounts.get(id)!);
        const here = playerIds.filter((id) => this.room.players.has(id));
        this.sayGreeting(npc, npc.greetings, here.filter((id) => !known(id)));
        this.sayGreeting(npc, greetingsAgain, here.filter(known));
      },
      (error: unknown) => {
        this.room.log.warn("npc could not recall whom it met; greeting as new", { npcId: npc.id, error });
        this.sayGreeting(npc, npc.greetings, playerIds.filter((id) => this.room.players.has(id)));
      },
    );
  }

  private sayGreeting(npc: NpcSettings, lines: readonly string[], playerIds: readonly string[]): void {
    // After recalling whom it met, the NPC may have been removed from the world.
    // An edit of the world file may have taken its greetings away while these players waited for one.
    const line = pickLine(lines, undefined);
    if (playerIds.length === 0 || !this.room.npc(npc.id) || line === undefined) return;
    const names = playerIds.map((id) => this.room.players.get(id)!.name);
    for (const { text, to } of namedLines(line, names, (text) => this.room.passes(text))) {
      this.room.say(npc, text, "greeting", to.map((i) => playerIds[i]!));
    }
  }

  /** Now and then, an NPC with players near and nothing to answer says one of its idle lines. */
  private sayIdleLine(npcId: string): void {
    const npc = this.room.npc(npcId);
    if (!npc || !this.room.isIdle(npcId) || !this.visits.hasVisitors(npcId)) return;
    const text = pickLine(npc.idleLines, this.lastIdleLine.get(npc.id));
    if (text === undefined) return;
    this.lastIdleLine.set(npc.id, text);
    this.room.say(npc, text, "idle", []);
  }
}
