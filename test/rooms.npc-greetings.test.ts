import assert from "node:assert/strict";

import { LocalPresence } from "@colyseus/core";
import { ClockTimer } from "@colyseus/timer";

import { createLogger } from "../common/log.js";
import { NpcAcquaintances } from "../rooms/npc/npc-acquaintances.js";
import { type GreetingsRoom, NpcGreetings } from "../rooms/npc/npc-greetings.js";
import { DEFAULT_NPC, DEFAULT_WORLD_SETTINGS, type NpcSettings } from "../rooms/world-settings.js";
import { Player } from "../rooms/world-state.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The gap between two greetings of hans's here (GREETING_GAP_MS's 2 s in a world that sets none). */
const GAP_MS = 200;

/**
 * A room of players standing where a test puts them, beside one NPC that greets; what it says is kept. Players have
 * no account, and whom he met is not asked, unless a test gives him greetingsAgain and them accounts.
 */
function roomWithHans(more: Partial<NpcSettings> = {}, acquaintances = {} as NpcAcquaintances, accountOf = (_id: string): string | undefined => undefined) {
  const hans: NpcSettings = { ...DEFAULT_NPC, id: "hans", name: "한스", x: 0, z: 4, talkRadius: 10, greetings: ["{name}, 어서 오게."], ...more };
  const players = new Map<string, Player>();
  const said: string[] = [];
  const clock = new ClockTimer(true);
  const room: GreetingsRoom = {
    players,
    settings: { ...DEFAULT_WORLD_SETTINGS, npcs: [hans], greetingGapMs: GAP_MS },
    clock,
    log: createLogger({}, "silent"),
    npc: (id) => (id === "hans" ? hans : undefined),
    standing: () => hans,
    isIdle: () => true,
    accountOf,
    // A player whatever their session: here by name, as address and name are.
    whoIs: (id) => players.get(id)?.name,
    passes: () => true,
    say: (_npc, text) => void said.push(text),
  };
  const greetings = new NpcGreetings(room, acquaintances);
  const leave = (id: string) => {
    players.delete(id);
    greetings.left(id);
  };
  const place = (id: string, name: string, z: number) => {
    const player = players.get(id) ?? Object.assign(new Player(), { name });
    player.z = z;
    players.set(id, player);
    greetings.notice(id);
  };
  return { greetings, said, place, leave, stop: () => clock.stop() };
}

describe("NPC greetings held back by the gap between two", () => {
  it("greet no one who walked away before theirs came, and greet them when they come back", async () => {
    const { said, place, stop } = roomWithHans();
    try {
      place("a", "먼저", 0);
      assert.deepEqual(said, ["먼저, 어서 오게."], "the first at once");
      place("b", "나중", 0); // within the gap: waits for the next greeting
      place("b", "나중", -14); // 18 m from hans, past 1.25 × his talk radius: the visit is over
      await sleep(GAP_MS + 300);
      assert.deepEqual(said, ["먼저, 어서 오게."], "not greeted by name from 18 m away");
      place("b", "나중", 0); // back, within his greetAgainSeconds (30)
      await sleep(100);
      assert.deepEqual(said, ["먼저, 어서 오게.", "나중, 어서 오게."], "greeted on the visit that counts");
    } finally {
      stop();
    }
  });

  it("greet a player who left and joined again while theirs waited, on the visit of the new session", async () => {
    const { said, place, leave, stop } = roomWithHans();
    try {
      place("a", "먼저", 0);
      place("b1", "틈새", 0); // within the gap: waits for the next greeting
      leave("b1");
      place("b2", "틈새", 0); // joined again, near hans: the greeting of the session before counts as theirs
      await sleep(GAP_MS + 300);
      assert.deepEqual(said, ["먼저, 어서 오게.", "틈새, 어서 오게."], "greeted once, on this visit");
      place("b2", "틈새", 1); // a step within the radius: the same visit
      await sleep(100);
      assert.equal(said.length, 2, "not greeted twice");
    } finally {
      stop();
    }
  });

  it("greet no one who spoke to the NPC while theirs waited (it came after his answer), yet he remembers meeting them", async () => {
    const acquaintances = new NpcAcquaintances(new LocalPresence());
    const { said, place, greetings, stop } = roomWithHans({ greetingsAgain: ["{name}, 또 왔군."] }, acquaintances, (id) => `account ${id}`);
    try {
      place("a", "먼저", 0);
      place("b", "말걸음", 0); // within the gap: both wait for the next greeting
      place("c", "기다림", 0);
      greetings.spokeTo("hans", "b"); // "@한스 칼 있어요?" before it came
      await sleep(GAP_MS + 300);
      assert.deepEqual(said, ["먼저, 어서 오게.", "기다림, 어서 오게."]);
      place("b", "말걸음", 1); // a step within the radius: the same visit
      await sleep(100);
      assert.equal(said.length, 2, "not greeted after all");
      assert.deepEqual([...(await acquaintances.meet("hans", ["account b"]))], ["account b"], "met: greeted as known next time");
    } finally {
      stop();
    }
  });
});

/**
 * A room of players beside hans, who stands, and a guard on patrol, whom a test moves as his walk would; how often
 * each NPC's place is asked (once a check of a player against it) is counted.
 */
function roomWithPatrol() {
  const hans: NpcSettings = { ...DEFAULT_NPC, id: "hans", name: "한스", x: 0, z: 4, talkRadius: 10, greetings: ["{name}, 어서 오게."] };
  const guard: NpcSettings = { ...DEFAULT_NPC, id: "guard", name: "파수꾼", x: 0, z: 40, talkRadius: 3, greetAgainSeconds: 0, greetings: ["{name}, 멈춰라."] };
  const guardAt = { x: 0, y: 0, z: 40 };
  const players = new Map<string, Player>();
  const said: string[] = [];
  const checks = new Map<string, number>();
  const clock = new ClockTimer(true);
  const room: GreetingsRoom = {
    players,
    settings: { ...DEFAULT_WORLD_SETTINGS, npcs: [hans, guard], greetingGapMs: GAP_MS },
    clock,
    log: createLogger({}, "silent"),
    npc: (id) => [hans, guard].find((npc) => npc.id === id),
    standing: (id) => {
      checks.set(id, (checks.get(id) ?? 0) + 1);
      return id === "guard" ? guardAt : hans;
    },
    isIdle: () => true,
    accountOf: () => undefined,
    whoIs: (id) => players.get(id)?.name,
    passes: () => true,
    say: (_npc, text) => void said.push(text),
  };
  const greetings = new NpcGreetings(room, {} as NpcAcquaintances);
  const place = (id: string, name: string, z: number) => {
    players.set(id, Object.assign(players.get(id) ?? new Player(), { name, z }));
    greetings.notice(id);
  };
  /** The guard walks to z: a walk tick that moved him. */
  const patrol = (z: number) => {
    guardAt.z = z;
    greetings.npcsMoved(new Set(["guard"]));
  };
  return { greetings, said, checks, place, patrol, stop: () => clock.stop() };
}

describe("NPC greetings as NPCs walk (rooms/npc/npc-greetings.ts npcsMoved)", () => {
  it("check only the NPCs that walked against each player, not those that stood", () => {
    const { checks, place, patrol, stop } = roomWithPatrol();
    try {
      place("a", "민수", 0);
      place("b", "지영", -20);
      checks.clear();
      patrol(30);
      assert.deepEqual(Object.fromEntries(checks), { guard: 2 }, "the guard against both players; hans not again");
    } finally {
      stop();
    }
  });

  it("greet a player a walking NPC comes up to, who he stops for, and end the visit of one he left behind", async () => {
    const { greetings, said, place, patrol, stop } = roomWithPatrol();
    try {
      place("a", "민수", 0);
      assert.deepEqual(said, ["민수, 어서 오게."], "hans, who stands beside them");
      await sleep(GAP_MS + 50); // past the gap between two greetings
      patrol(10); // 10 m away: past his talk radius of 3
      assert.deepEqual([said.length, greetings.hasVisitors("guard")], [1, false]);
      patrol(2);
      assert.deepEqual(said, ["민수, 어서 오게.", "민수, 멈춰라."], "greeted as he came within 3 m");
      assert.equal(greetings.hasVisitors("guard"), true, "a visitor: he stops for them");
      patrol(3.5); // past his radius, within 1.25 × it: the same visit
      assert.equal(greetings.hasVisitors("guard"), true);
      patrol(4); // past 1.25 × his radius (set back by an edit, say): the visit is over
      assert.equal(greetings.hasVisitors("guard"), false, "the player left behind no longer visits him");
      assert.equal(greetings.hasVisitors("hans"), true, "hans's visit, who stood, goes on");
      await sleep(GAP_MS + 50);
      patrol(1); // back: a new visit, greeted again (his greetAgainSeconds is 0)
      assert.deepEqual(said.slice(2), ["민수, 멈춰라."]);
    } finally {
      stop();
    }
  });
});
