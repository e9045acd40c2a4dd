import type { Room } from "@colyseus/sdk";

import type { PrivateLineMessage } from "../../rooms/world-protocol.js";
import { DEFAULT_WORLD_SETTINGS } from "../../rooms/world-settings.js";
import type { WorldState } from "../../rooms/world-state.js";
import { avatarsShown } from "./avatars-shown.js";
import { type Label, placeLabels } from "./label-places.js";
import { type NpcDot, npcUnder } from "./npc-hit.js";
import { within } from "./text-within.js";

const { bounds } = DEFAULT_WORLD_SETTINGS;
const WIDTH = bounds.maxX - bounds.minX;
const DEPTH = bounds.maxZ - bounds.minZ;
/** An NPC's answer stays over its head this long. */
const BUBBLE_MS = 7000;
/** A thinking NPC's dots grow one every this many ms. */
const DOTS_MS = 300;
/** Others' avatars and NPCs (on a route) glide to their latest position instead of jumping at each patch. */
const SMOOTHING_PER_SECOND = 12;
/** The page's own avatar, and everyone else's. */
export const MINE = "#2563eb";
const OTHERS = "#f59e0b";
const AVATAR_RADIUS = 8;
const NPC_RADIUS = 11;

interface Shown {
  x: number;
  z: number;
}

/** Pixels between two lines of names. */
const LABEL_LINE = 14;
/** Characters of an answer a bubble shows at most, and CSS pixels of canvas a character needs (a phone's shows fewer). */
const BUBBLE_CHARS = 40;
const BUBBLE_PX_PER_CHAR = 15;

/**
 * The village from above on a 2D canvas: the whole world in view, avatars with names, NPCs with
 * a speech bubble for their latest answer and "…" while they think.
 */
export class WorldView {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly shown = new Map<string, Shown>();
  private lastFrame = performance.now();
  /** The canvas's width (and height) on the page, in CSS pixels: what is drawn is laid out in these. */
  private size: number;
  /** The room whose patches this view hears, whether the picture is older than the state, and when it changes by itself. */
  private heard: Room<any, WorldState> | undefined;
  private stale = true;
  /** `performance.now()` of the next frame that must be drawn though no patch came: 0 every frame, Infinity none. */
  private redrawAt = 0;
  /** The NPCs' dots and names as last drawn, for a click to find the NPC it is on. */
  private npcDots: NpcDot[] = [];
  private npcNames: Label[] = [];
  /** Each NPC's last line told to this player alone (talk in private, never in `state.chat`), for its bubble. */
  private readonly toldPrivately = new Map<string, PrivateLineMessage>();

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly room: () => Room<any, WorldState> | undefined,
    /** Every session this page has had (main.ts): after joining again, the room keeps the earlier one's avatar 20 s. */
    private readonly mySessions: ReadonlySet<string>,
  ) {
    this.ctx = canvas.getContext("2d")!;
    this.size = canvas.width;
    requestAnimationFrame(this.frame);
  }

  /** A line told to this player alone: an NPC's is its latest answer, drawn over its head as one in the state would be. */
  heardPrivately(line: PrivateLineMessage): void {
    if (line.kind !== "npc") return;
    this.toldPrivately.set(line.from, line);
    this.stale = true;
  }

  /** World coordinates of a point on the canvas (for click-to-move). */
  toWorld(clientX: number, clientY: number): { x: number; z: number } {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: bounds.minX + ((clientX - rect.left) / rect.width) * WIDTH,
      z: bounds.minZ + ((clientY - rect.top) / rect.height) * DEPTH,
    };
  }

  /** The NPC drawn under a click or tap at (clientX, clientY), its dot or its name, with a finger's slack (npc-hit.ts). */
  npcAt(clientX: number, clientY: number): string | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const point = { x: ((clientX - rect.left) / rect.width) * this.size, y: ((clientY - rect.top) / rect.height) * this.size };
    return npcUnder(point, this.npcDots, this.npcNames);
  }

  /**
   * Draws when the picture changed: a patch came, the canvas was resized, or it changes by itself (avatars gliding:
   * every frame; an NPC's thinking dots: when they change). Redrawing a still village 60 times a second took 15% of a
   * core in Chromium, all the while the tab was open.
   */
  private readonly frame = (now: number) => {
    const dt = Math.min(0.1, (now - this.lastFrame) / 1000);
    this.lastFrame = now;
    requestAnimationFrame(this.frame); // first: a frame that throws must not stop the ones after it
    const room = this.room();
    if (room !== this.heard) {
      this.heard = room;
      this.stale = true;
      room?.onStateChange(() => {
        if (this.heard === room) this.stale = true;
      });
    }
    if (this.fitToPage()) this.stale = true;
    if (!this.stale && now < this.redrawAt) return;
    this.stale = false;
    this.redrawAt = 0; // until a frame draws to its end: one that throws is drawn again
    this.redrawAt = this.draw(dt, now);
  };

  private px(x: number, z: number): [number, number] {
    return [((x - bounds.minX) / WIDTH) * this.size, ((z - bounds.minZ) / DEPTH) * this.size];
  }

  /**
   * As many pixels as the canvas covers on the screen, and everything drawn in CSS pixels: its 640 pixels shown 328
   * CSS px wide on a phone drew names at 7 px, and on a 2x screen the village was blurred.
   */
  private fitToPage(): boolean {
    const { canvas } = this;
    const size = canvas.clientWidth;
    if (size === 0) return false; // not laid out (hidden): as it was
    const pixels = Math.round(size * (devicePixelRatio || 1));
    if (canvas.width === pixels && canvas.height === pixels && this.size === size) return false;
    canvas.width = canvas.height = pixels;
    this.size = size;
    this.ctx.setTransform(pixels / size, 0, 0, pixels / size, 0, 0);
    return true;
  }

  /** Draws the village; returns when it must be drawn again though no patch comes (`redrawAt`). */
  private draw(dt: number, now: number): number {
    const { ctx, size } = this;
    ctx.clearRect(0, 0, size, size);
    this.drawGrid();
    const room = this.room();
    if (!room?.state?.players) {
      // Out of a room (not yet in, put out, the connection lost): an empty village, greyed, not the last one seen.
      this.shown.clear();
      this.npcDots = [];
      this.npcNames = [];
      ctx.fillStyle = "#52606d59";
      ctx.fillRect(0, 0, size, size);
      return Infinity;
    }
    const state = room.state;

    const bubbles: Array<() => void> = []; // drawn last, over every avatar
    const labels: Array<Omit<Label, "width">> = []; // names, drawn after every avatar so none hides one
    const me = state.players.get(room.sessionId);
    if (me && state.hearingRadius > 0) this.drawRange(me.x, me.z, state.hearingRadius, MINE); // who hears me
    if (me && state.sightRadius > 0) this.drawRange(me.x, me.z, state.sightRadius, "#64748b"); // who I see
    // The server's clock, as of the last patch: a player's own clock may be off by seconds (ahead, no bubble ever showed).
    const serverNow = state.serverTime || Date.now();
    const alive = new Set<string>();
    let redrawAt = Infinity;
    const npcDots: NpcDot[] = [];
    state.npcs.forEach((npc, id) => {
      alive.add(`npc:${id}`);
      const at = this.glide(`npc:${id}`, npc, dt);
      if (at.x !== npc.x || at.z !== npc.z) redrawAt = 0;
      const [x, y] = this.px(at.x, at.z);
      if (npc.talkRadius > 0) this.drawRange(at.x, at.z, npc.talkRadius, "#7c3aed"); // where it can be asked
      labels.push({ x, y: this.drawAvatar(x, y, "#7c3aed", NPC_RADIUS), text: npc.name, of: id });
      npcDots.push({ id, x, y, radius: NPC_RADIUS });
      const said = [...state.chat].reverse().find((line) => line.kind === "npc" && line.from === id);
      const told = this.toldPrivately.get(id);
      const answer = told && (!said || told.ts >= said.ts) ? told : said;
      if (npc.status === "thinking") {
        const tick = Math.floor(now / DOTS_MS);
        bubbles.push(() => this.drawBubble(x, y - 24, ".".repeat(1 + (tick % 3)), true));
        redrawAt = Math.min(redrawAt, (tick + 1) * DOTS_MS);
      } else if (answer && serverNow - answer.ts < BUBBLE_MS) {
        bubbles.push(() => this.drawBubble(x, y - 24, answer.text, false));
        // It goes with the patch that moves the server's clock past it (one a second); a server without one: on ours.
        if (!state.serverTime) redrawAt = Math.min(redrawAt, now + BUBBLE_MS - (serverNow - answer.ts));
      }
    });

    const { own, others } = avatarsShown(state.players, room.sessionId, this.mySessions);
    for (const { id, player } of others) {
      alive.add(id);
      const shown = this.glide(id, player, dt); // smoothed between patches
      if (shown.x !== player.x || shown.z !== player.z) redrawAt = 0;
      const [x, y] = this.px(shown.x, shown.z);
      labels.push({ x, y: this.drawAvatar(x, y, OTHERS, AVATAR_RADIUS), text: player.name });
    }
    // The page's own avatar where the server has it: its name placed with the others', its dot over every bubble.
    const ownAt = own && this.px(own.player.x, own.player.z);
    // First: in a crowd, the page's own name keeps its place.
    if (own && ownAt) labels.unshift({ x: ownAt[0], y: nameBaseline(ownAt[1], AVATAR_RADIUS), text: own.player.name });
    this.npcDots = npcDots;
    this.npcNames = this.drawLabels(labels).filter((label) => label.of !== undefined);
    for (const draw of bubbles) draw();
    if (ownAt) this.drawAvatar(ownAt[0], ownAt[1], MINE, AVATAR_RADIUS);
    for (const id of this.shown.keys()) if (!alive.has(id)) this.shown.delete(id);
    return redrawAt;
  }

  /** Where to draw `key` (a player's id, or `npc:` and an NPC's): `dt` seconds closer to `at` (Infinity: there). */
  private glide(key: string, at: Shown, dt: number): Shown {
    const shown = this.shown.get(key) ?? { x: at.x, z: at.z };
    const k = 1 - Math.exp(-SMOOTHING_PER_SECOND * dt);
    shown.x += (at.x - shown.x) * k;
    shown.z += (at.z - shown.z) * k;
    // Within a hundredth of a unit (a fifteenth of a pixel): there, so a still avatar stops asking for frames.
    if (Math.abs(at.x - shown.x) < 0.01 && Math.abs(at.z - shown.z) < 0.01) [shown.x, shown.z] = [at.x, at.z];
    this.shown.set(key, shown);
    return shown;
  }

  private drawGrid(): void {
    const { ctx, size } = this;
    ctx.strokeStyle = "#b5d6aa";
    ctx.lineWidth = 1;
    for (let i = 0; i <= 10; i++) {
      const at = (i / 10) * size;
      ctx.beginPath();
      ctx.moveTo(at, 0);
      ctx.lineTo(at, size);
      ctx.moveTo(0, at);
      ctx.lineTo(size, at);
      ctx.stroke();
    }
  }

  /** A dashed circle of `radius` world units around (x, z). */
  private drawRange(x: number, z: number, radius: number, colour: string): void {
    const { ctx, size } = this;
    const [cx, cy] = this.px(x, z);
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.globalAlpha = 0.35;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.arc(cx, cy, (radius / WIDTH) * size, 0, Math.PI * 2);
    ctx.stroke();
    ctx.restore();
  }

  /** A dot for an avatar; returns where its name's baseline goes, under it. */
  private drawAvatar(x: number, y: number, colour: string, radius: number): number {
    const { ctx } = this;
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, Math.PI * 2);
    ctx.fill();
    return nameBaseline(y, radius);
  }

  /** Names under their avatars, a line lower for each name they would cover, a few lines at most (label-places.ts); returns them as placed. */
  private drawLabels(labels: ReadonlyArray<Omit<Label, "width">>): Label[] {
    const { ctx } = this;
    ctx.font = "13px sans-serif";
    ctx.textAlign = "center";
    ctx.fillStyle = "#1f2933";
    const measured = labels.map((label) => ({ ...label, width: ctx.measureText(label.text).width + 4 }));
    const placed = placeLabels(measured, LABEL_LINE, (text) => ctx.measureText(text).width + 4);
    for (const { x, y, text } of placed) ctx.fillText(text, x, y);
    return placed;
  }

  private drawBubble(x: number, y: number, text: string, thinking: boolean): void {
    const { ctx } = this;
    ctx.font = "14px sans-serif";
    const shown = within(text, Math.min(BUBBLE_CHARS, Math.floor(this.size / BUBBLE_PX_PER_CHAR)));
    const width = Math.max(28, ctx.measureText(shown).width + 16);
    ctx.fillStyle = thinking ? "#ede9fe" : "#ffffff";
    ctx.strokeStyle = "#7c3aed";
    ctx.beginPath();
    roundedRect(ctx, x - width / 2, y - 26, width, 24, 8);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = "#1f2933";
    ctx.textAlign = "center";
    ctx.fillText(shown, x, y - 9);
  }
}

/** Where the name of an avatar drawn at `y` goes: under it. */
const nameBaseline = (y: number, radius: number) => y + radius + 14;

/** A rounded rectangle's path; drawn with arcs where the canvas has no roundRect (Safari before 16, Firefox before 112). */
function roundedRect(ctx: CanvasRenderingContext2D, x: number, y: number, width: number, height: number, radius: number): void {
  if (typeof ctx.roundRect === "function") return ctx.roundRect(x, y, width, height, radius);
  ctx.moveTo(x + radius, y);
  ctx.arcTo(x + width, y, x + width, y + height, radius);
  ctx.arcTo(x + width, y + height, x, y + height, radius);
  ctx.arcTo(x, y + height, x, y, radius);
  ctx.arcTo(x, y, x + width, y, radius);
  ctx.closePath();
}
