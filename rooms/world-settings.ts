import type { NpcRoute } from "./npc/npc-walk.js";

/** One NPC as the room sees it: where it stands, how far it hears, what it says unasked. */
export interface NpcSettings {
  id: string;
  name: string;
  x: number;
  y: number;
  z: number;
  /** Players further than this cannot ask it (error `too_far`); within it they are greeted. */
  talkRadius: number;
  /** Said by name when a player first comes within talkRadius (once per visit); `{name}` is the player's name. */
  greetings: string[];
  /** Said instead to a signed-in player it has greeted before, today or within 30 days (rooms/npc/npc-acquaintances.ts). */
  greetingsAgain?: string[];
  /** Said when a player calls it by name with nothing else ("@코봇"); `{name}` is the player's name. */
  callReplies: string[];
  /** A visit this soon after the player's last greeting from this NPC is not greeted (walking in and out). */
  greetAgainSeconds: number;
  /** Said now and then while players are near and it has nothing to answer. */
  idleLines: string[];
  idleEverySeconds: number;
  /**
   * Per game event (an id the game's backend fires: POST /api/events, rooms/npc/npc-events.ts), the lines the NPC says
   * when it happens; `{name}` is the player's the event names.
   */
  events?: Record<string, string[]>;
  /** Where it walks while nobody talks to it (rooms/npc/npc-walk.ts); without one it stands at its position. */
  route?: NpcRoute;
  /**
   * What a player says to it, and what it says back, is heard by that player alone (a shopkeeper's or quest giver's
   * dialogue window); its greetings, idle lines and events are heard as other NPCs' are.
   */
  privateTalk?: boolean;
  /**
   * The model it speaks with, by its name in the world file (`default`, `big`): its questions carry it, and a worker
   * whose world file gives it another refuses them rather than answer as someone else.
   */
  model?: string;
  /**
   * Its own words, in character, for the room's stock lines (rooms/npc/fallback-lines.ts): `busy` when its queue is full,
   * `noAnswer` when its brain gave no answer (in time, or at all), `refusal` for a player's line moderation blocked,
   * `blocked` instead of an answer of its brain that moderation blocked, `closing` to questions the server takes no
   * more as it shuts down; `{name}` is the asker's name.
   */
  lines?: Partial<Record<OwnLineKind, string[]>>;
}

/**
 * Whether each client is sent a view of the state of its own (Colyseus StateView): lines heard by distance, players
 * seen by distance. Otherwise all share one view, encoded once per patch (talk in private goes as messages).
 */
export const viewsOfTheirOwn = (settings: Pick<WorldSettings, "hearing" | "sight">): boolean =>
  settings.hearing.mode === "proximity" || settings.sight.radius > 0;

/** Who hears a chat line: everyone in the room, or only players within `radius` of the speaker. */
export interface HearingSettings {
  mode: "room" | "proximity";
  radius: number;
}

/** Rules of one world room. Defaults suit a small village scene; the server overrides from env and the world file. */
export interface WorldSettings {
  maxClients: number;
  /** Rooms this process holds at most: a client creating rooms in a loop (each ticks 20 times a second) stops here. */
  maxRooms: number;
  /** Seats one client address may hold reserved by matchmaking, not yet taken by its WebSocket (0: no cap). */
  joinsWaitingPerAddress: number;
  /** Chat lines kept in state (older ones are dropped from the list, not from the chat log). */
  chatHistory: number;
  /** The walkable box: moves are clamped into it. */
  bounds: { minX: number; maxX: number; minY: number; maxY: number; minZ: number; maxZ: number };
  /** Fastest an avatar may move, in world units per second; faster moves are clamped. */
  maxSpeed: number;
  /** An NPC says at most one greeting in this time (greeting-gate.ts); absent: GREETING_GAP_MS. Tests wait less. */
  greetingGapMs?: number;
  /** The room says at most one join line and one leave line in this time (presence-lines.ts); absent: PRESENCE_GAP_MS. Tests wait less. */
  presenceGapMs?: number;
  spawn: { x: number; y: number; z: number; radius: number };
  npcs: NpcSettings[];
  hearing: HearingSettings;
  /** Players farther than `radius` from a player are not sent to them (their moves neither); 0: all in sight. */
  sight: { radius: number };
  /** After this long without an answer the NPC says a fallback line; a later answer is dropped. */
  questionTimeoutMs: number;
  /** Lines one player may say (questions to NPCs included): `burst` at once, then `perSecond`. */
  chatRate: { burst: number; perSecond: number };
  /** The players of one client address may say this many players' worth of lines between them, in all the process's rooms together (0: no such cap). */
  chatAddressShare: number;
  /**
   * Players' reports that mute the reported player by themselves: `reporters` distinct players within
   * `withinMinutes` mute them for `muteMinutes` (an account everywhere, as a moderator's mute; a player without one
   * in the room). `reporters` 0: off.
   */
  reportsToMute: { reporters: number; withinMinutes: number; muteMinutes: number };
  /** Questions one player may ask an NPC: `burst` at once, then `perSecond`. */
  questionRate: { burst: number; perSecond: number };
  /**
   * Per NPC: questions that may wait (then it says it is busy), how many go to the brain at once, and whose turns
   * are served round-robin: client addresses' (the players of one take turns inside its turn) or players'.
   */
  npcQueue: { capacity: number; concurrency: number; turnsBy: "address" | "player" };
}

export const DEFAULT_NPC: NpcSettings = {
  id: "kobot",
  name: "코봇",
  x: 0,
  y: 0,
  z: 5,
  talkRadius: 12,
  greetings: [],
  callReplies: ["네, {name} 님? 궁금한 걸 말씀해 주세요."],
  greetAgainSeconds: 30,
  idleLines: [],
  idleEverySeconds: 45,
};

export const DEFAULT_WORLD_SETTINGS: WorldSettings = {
  maxClients: 50,
  maxRooms: 200,
  joinsWaitingPerAddress: 20, // a joining player takes its seat within a second; bots join ten at a time
  chatHistory: 50,
  bounds: { minX: -50, maxX: 50, minY: 0, maxY: 10, minZ: -50, maxZ: 50 },
  maxSpeed: 8,
  spawn: { x: 0, y: 0, z: 0, radius: 3 },
  npcs: [DEFAULT_NPC],
  hearing: { mode: "room", radius: 15 },
  sight: { radius: 0 },
  questionTimeoutMs: 10_000,
  chatRate: { burst: 8, perSecond: 2 },
  chatAddressShare: 4,
  questionRate: { burst: 5, perSecond: 1 },
  // Off: a few friends could silence anyone. A game that wants it sets how many (REPORTS_TO_MUTE).
  reportsToMute: { reporters: 0, withinMinutes: 10, muteMinutes: 10 },
  npcQueue: { capacity: 100, concurrency: 32, turnsBy: "address" }, // two batches of 16: see server/config.ts
};

/** The room's stock lines an NPC may say in its own words (NpcSettings.lines). */
export type OwnLineKind = "busy" | "noAnswer" | "refusal" | "blocked" | "closing";
