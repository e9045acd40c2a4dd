import { ArraySchema, MapSchema, Schema, type, view } from "@colyseus/schema";

import "./schema-refcounts.js"; // a room open for good would keep a count for every instance it ever held

/**
 * The world's replicated state. The server mutates it; Colyseus sends patches to every client.
 * Unity's C# classes are generated from this file (`npm run schema:unity`).
 */
export class Player extends Schema {
  @type("string") name = "";
  // 32-bit floats: 4 bytes each in every patch, where "number" adds a type byte to each (and sends 9 bytes for a
  // value not within 1e-4 of a 32-bit float). Within the world's bounds (±50) they are exact to micrometres.
  @type("float32") x = 0;
  @type("float32") y = 0;
  @type("float32") z = 0;
  @type("float32") rotY = 0;
  @type("string") anim = "idle";
}

export class Npc extends Schema {
  @type("string") name = "";
  @type("number") x = 0;
  @type("number") y = 0;
  @type("number") z = 0;
  /** `idle` | `thinking` (a question is being answered) | `speaking` (its last line, for a few seconds). */
  @type("string") status = "idle";
  /** Players within this distance may ask it (farther: error `too_far`) and are greeted. */
  @type("number") talkRadius = 0;
  /** Which way it faces, in degrees as players' `rotY`: toward the player it answers or greets, or where it walks. */
  @type("float32") rotY = 0;
  /** What a player and it say to each other only that player hears (a dialogue window, not the room's chat). */
  @type("boolean") privateTalk = false;
}

export class ChatLine extends Schema {
  @type("string") id = "";
  /** `player` | `npc` | `system`. */
  @type("string") kind = "player";
  /** Session id of the player, or NPC id; empty for system lines. */
  @type("string") from = "";
  @type("string") name = "";
  @type("string") text = "";
  /** Milliseconds since the Unix epoch. */
  @type("number") ts = 0;
  /** For an NPC answer: the id of the line it answers. */
  @type("string") replyTo = "";
}

export class WorldState extends Schema {
  /** Each player reaches the clients whose view holds them: all, or (a sight radius) those near them. */
  @view() @type({ map: Player }) players = new MapSchema<Player>();
  @type({ map: Npc }) npcs = new MapSchema<Npc>();
  /** 0: every player hears every line; otherwise a line reaches only players this close to its speaker. */
  @type("number") hearingRadius = 0;
  /**
   * The server's wall clock (ms since the Unix epoch, sub-ms), the clock of lines' `ts`, when this patch left: clients interpolate
   * remote avatars against it, and the load test measures each patch's delay with it.
   */
  @type("float64") serverTime = 0;
  /**
   * Each line reaches only the clients whose view holds it: all clients share one view in a whole-room
   * world; with a hearing range each has its own, so players out of earshot never receive the line.
   */
  @view() @type([ChatLine]) chat = new ArraySchema<ChatLine>();
  /** 0: every player is in sight; otherwise players farther than this are not sent (clients draw the ring). */
  @type("number") sightRadius = 0;
}

