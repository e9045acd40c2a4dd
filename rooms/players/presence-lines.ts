import type { Clock } from "@colyseus/core";

import { NAMES_SAID, withNames } from "../chat/named-line.js";

/** The room says at most one join line, and one leave line, in this time; who comes or goes meanwhile shares the next. */
export const PRESENCE_GAP_MS = 2000;

/** A player came into the room, or left it. */
export type Presence = "joined" | "left";

/**
 * The room's "민수 님이 들어왔어요." and "…나갔어요." lines, gated as NPCs' greetings are (greeting-gate.ts): each at once
 * when none of its kind was said in the gap, else one line after the gap for everyone who came (or went) in it. A
 * player who leaves before their join line was said gets neither. Four join-leave loops from one address made 640
 * visits in 5.6 s, and a bystander read 953 system lines (~170 a second) where chat is held to 2 a second.
 */
export class PresenceLines {
  private readonly lastAt: Record<Presence, number> = { joined: -Infinity, left: -Infinity };
  /** Who waits for the next line of each kind: session id → name, in order of arrival. */
  private readonly waiting: Record<Presence, Map<string, string>> = { joined: new Map(), left: new Map() };
  private readonly due: Record<Presence, boolean> = { joined: false, left: false };

  /** `say`: the line for these players' names (in order); `gapMs`: at most one line of a kind in this time (tests wait less). */
  constructor(
    private readonly clock: Clock,
    private readonly say: (presence: Presence, names: string[]) => void,
    private readonly gapMs = PRESENCE_GAP_MS,
  ) {}

  joined(sessionId: string, name: string): void {
    this.arrive("joined", sessionId, name);
  }

  left(sessionId: string, name: string): void {
    // Came and went within one gap: their join line is not said, nor a leave line for a join nobody was told of.
    if (this.waiting.joined.delete(sessionId)) return;
    this.arrive("left", sessionId, name);
  }

  private arrive(presence: Presence, sessionId: string, name: string): void {
    const waiting = this.waiting[presence];
    if (this.due[presence]) return void waiting.set(sessionId, name);
    const now = performance.now();
    const waitMs = this.lastAt[presence] + this.gapMs - now;
    if (waitMs <= 0) {
      this.lastAt[presence] = now;
      return this.say(presence, [name]);
    }
    waiting.set(sessionId, name);
    this.due[presence] = true;
    this.clock.setTimeout(() => this.sayWaiting(presence), waitMs);
  }

  private sayWaiting(presence: Presence): void {
    this.due[presence] = false;
    const names = [...this.waiting[presence].values()];
    this.waiting[presence].clear();
    if (names.length === 0) return;
    this.lastAt[presence] = performance.now();
    this.say(presence, names);
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
