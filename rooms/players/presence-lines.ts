import type { Clock } from "@colyseus/core";

import { NAMES_SAID, withNames } from "../chat/named-line.js";
import { GreetingGate } from "../npc/greeting-gate.js";

/** The room says at most one join line, and one leave line, in this time; who comes or goes meanwhile shares the next. */
export const PRESENCE_GAP_MS = 2000;

/** A player came into the room, or left it. */
export type Presence = "joined" | "left";

/**
 * The room's "민수 님이 들어왔어요." and "…나갔어요." lines, gated as NPCs' greetings are, by the same gate
 * (greeting-gate.ts, keyed by the kind of line): each at once when none of its kind was said in the gap, else one line
 * after the gap for everyone who came (or went) in it. A player who leaves before their join line was said gets
 * neither. Four join-leave loops from one address made 640 visits in 5.6 s, and a bystander read 953 system lines
 * (~170 a second) where chat is held to 2 a second.
 */
export class PresenceLines {
  private readonly gate: GreetingGate;
  /** The names of those who wait for the next line of their kind, by session id. */
  private readonly names = new Map<string, string>();

  /** `say`: the line for these players' names (in order); `gapMs`: at most one line of a kind in this time (tests wait less). */
  constructor(
    private readonly clock: Clock,
    private readonly say: (presence: Presence, names: string[]) => void,
    gapMs = PRESENCE_GAP_MS,
  ) {
    this.gate = new GreetingGate(gapMs);
  }

  joined(sessionId: string, name: string): void {
    this.arrive("joined", sessionId, name);
  }

  left(sessionId: string, name: string): void {
    // Came and went within one gap: their join line is not said, nor a leave line for a join nobody was told of.
    if (this.gate.spokeFirst("joined", sessionId)) return void this.names.delete(sessionId);
    this.arrive("left", sessionId, name);
  }

  private arrive(presence: Presence, sessionId: string, name: string): void {
    const wait = this.gate.arrive(presence, sessionId);
    if (wait === "now") return this.say(presence, [name]);
    this.names.set(sessionId, name);
    if (wait > 0) this.clock.setTimeout(() => this.sayWaiting(presence), wait);
  }

  private sayWaiting(presence: Presence): void {
    const waited = this.gate.due(presence, () => true);
    const names = waited.map((sessionId) => this.names.get(sessionId)!);
    for (const sessionId of waited) this.names.delete(sessionId);
    if (names.length > 0) this.say(presence, names);
  }
}

/**
 * The line for players who came or went, and the names it says as they begin it (the line's `name`, for a client to
 * draw them as names: names hold no comma, so ", " parts them): "민수 님이 들어왔어요.", "민수, 지영 님이 나갔어요.",
 * "민수, 지영, 철수 외 2명이 들어왔어요." (NAMES_SAID names, as greetings say them).
 */
export function presenceLine(presence: Presence, names: readonly string[]): { name: string; text: string } {
  const counted = names.length > NAMES_SAID;
  const text = `${withNames("{name}", names)}${counted ? "이" : " 님이"} ${presence === "joined" ? "들어왔어요." : "나갔어요."}`;
  return { name: names.slice(0, NAMES_SAID).join(", "), text };
}
