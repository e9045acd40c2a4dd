import type { Room } from "@colyseus/sdk";

import { DEFAULT_WORLD_SETTINGS } from "../../rooms/world-settings.js";
import type { WorldState } from "../../rooms/world-state.js";
import { MOVE_SEND_HZ, type MovePayload } from "../../rooms/world-protocol.js";
import { approachStop } from "./npc-reach.js";

/** Slightly under the server's top speed, so our moves are never clamped. */
const SPEED = DEFAULT_WORLD_SETTINGS.maxSpeed * 0.9;
const KEYS: Record<string, [number, number]> = {
  ArrowUp: [0, -1], KeyW: [0, -1], ArrowDown: [0, 1], KeyS: [0, 1],
  ArrowLeft: [-1, 0], KeyA: [-1, 0], ArrowRight: [1, 0], KeyD: [1, 0],
};

/**
 * Keyboard (WASD, arrows), click-to-move and walking up to an NPC clicked. Moves the avatar locally every frame and sends its
 * position MOVE_SEND_HZ times a second while it moves.
 */
export class MovementInput {
  private readonly held = new Set<string>();
  private target: { x: number; z: number } | undefined;
  /** The NPC the avatar walks up to (clicked on the map): followed where it walks, until the avatar is well in its reach. */
  private approaching: string | undefined;
  private position: { x: number; z: number } | undefined;
  private lastSent = 0;
  private moving = false;

  constructor(private readonly room: () => Room<any, WorldState> | undefined) {
    addEventListener("keydown", (event) => {
      // Keys typed into a form's controls are theirs: arrows pick an NPC in the list, letters go into the chat box; in
      // the report menu arrows go from reason to reason. A button elsewhere needs none of these keys: one focused (a
      // report button) does not stop the avatar.
      if (event.target instanceof HTMLElement && event.target.closest("input, select, textarea, [contenteditable], #report-menu")) return;
      if (!(event.code in KEYS)) return;
      this.held.add(event.code);
      this.target = this.approaching = undefined;
      event.preventDefault();
    });
    addEventListener("keyup", (event) => this.held.delete(event.code));
    addEventListener("blur", () => this.held.clear());
    requestAnimationFrame(this.frame);
  }

  walkTo(x: number, z: number): void {
    this.target = { x, z };
    this.approaching = undefined;
  }

  /** Walks up to the NPC `npcId`, stopping inside its talk radius (approachStop), not on it. */
  approach(npcId: string): void {
    this.approaching = npcId;
    this.target = undefined;
  }

  private last = performance.now();
  private readonly frame = (now: number) => {
    const dt = Math.min(0.1, (now - this.last) / 1000);
    this.last = now;
    requestAnimationFrame(this.frame); // first: a step that throws must not stop the ones after it
    this.step(dt, now);
  };

  private step(dt: number, now: number): void {
    const room = this.room();
    const me = room?.state?.players?.get(room.sessionId);
    if (!room || !me) {
      this.position = undefined; // a room joined again starts from where it puts the avatar
      this.moving = false;
      return;
    }
    this.position ??= { x: me.x, z: me.z };
    let dx = 0;
    let dz = 0;
    for (const code of this.held) {
      dx += KEYS[code]![0];
      dz += KEYS[code]![1];
    }
    // Where a click sent it, unless keys walk it: a point, or an NPC (where it is now: one on a route walks on).
    const destination = dx === 0 && dz === 0 ? this.destination(room.state, me) : undefined;
    /** How far this step may go: to the destination, short of it by its `stopShort`. */
    let stepLimit = Infinity;
    if (destination) {
      dx = destination.x - this.position.x;
      dz = destination.z - this.position.z;
      stepLimit = Math.max(0, Math.hypot(dx, dz) - destination.stopShort);
      if (stepLimit < 0.2) this.target = this.approaching = undefined; // there, with this step
    }
    const step = Math.min(SPEED * dt, stepLimit);
    if (Math.hypot(dx, dz) < 1e-6 || step < 1e-6) {
      if (this.moving) this.send(room, "idle");
      this.moving = false;
      this.position = { x: me.x, z: me.z }; // the server's word after we stop
      return;
    }
    const length = Math.hypot(dx, dz);
    const { bounds } = DEFAULT_WORLD_SETTINGS;
    this.position.x = Math.min(bounds.maxX, Math.max(bounds.minX, this.position.x + (dx / length) * step));
    this.position.z = Math.min(bounds.maxZ, Math.max(bounds.minZ, this.position.z + (dz / length) * step));
    this.rotY = (Math.atan2(dx, dz) * 180) / Math.PI; // as Unity's eulerAngles.y: 0 faces +z
    this.moving = true;
    if (now - this.lastSent >= 1000 / MOVE_SEND_HZ) {
      this.lastSent = now;
      this.send(room, "walk");
    }
  }

  private rotY = 0;

  /** Where a click sent the avatar, and how far short of it it stops: a point, or an NPC the player clicked. */
  private destination(state: WorldState, me: { y: number }): { x: number; z: number; stopShort: number } | undefined {
    if (this.approaching !== undefined) {
      const npc = state.npcs?.get(this.approaching);
      if (npc) return { x: npc.x, z: npc.z, stopShort: approachStop(me, npc) };
      this.approaching = undefined; // it left the room
    }
    return this.target && { ...this.target, stopShort: 0 };
  }

  private send(room: Room<any, WorldState>, anim: string): void {
    const move: MovePayload = { x: this.position!.x, y: 0, z: this.position!.z, rotY: this.rotY, anim };
    room.send("move", move);
  }
}
