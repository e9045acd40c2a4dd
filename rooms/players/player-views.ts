import { StateView } from "@colyseus/schema";

import { distance, type Position } from "./movement.js";
import { updateSight } from "./sight.js";
import { viewsOfTheirOwn, type WorldSettings } from "../world-settings.js";
import type { ChatLine, Player, WorldState } from "../world-state.js";

/** Who a line in the state reaches: everyone, or (hearing mode proximity) players near a point, and the players named besides. */
export type StateHearers = "everyone" | { near: Position; also?: readonly string[] };
/**
 * Who a chat line reaches: as in the state, or one player alone (talk with an NPC in private, sent as a message); with
 * the `account` they signed in with, a line for one who left goes to the account's player in the room (a page reloaded).
 */
export type Hearers = StateHearers | { only: string; account?: string };

/**
 * What each player's client is sent of the room's state: the chat lines they heard and the players in their sight,
 * as Colyseus state views. Where hearing is by proximity or sight has a radius (viewsOfTheirOwn), each player has a
 * view of their own; else all share one view, encoded once per patch.
 */
export class PlayerViews {
  /** Per player, their own view; kept across a reconnection. */
  private readonly views = new Map<string, StateView>();
  /** Whole-room hearing with everyone in sight: one view for every client. */
  private readonly everyone = new StateView();

  /** `settings` is read at each call: an edit of the world file changes radii and modes in place (world-edits.ts). */
  constructor(private readonly state: WorldState, private readonly settings: WorldSettings) {}

  /** The view of a player who came: shared, or their own (made as they first come). */
  viewOf(sessionId: string): StateView {
    if (!this.ownViews) return this.everyone;
    let view = this.views.get(sessionId);
    if (view) return view;
    this.views.set(sessionId, (view = new StateView()));
    // Room-wide hearing: a newcomer reads what was said before they came, as in a room where all share one view.
    if (this.settings.hearing.mode === "room") for (const line of this.state.chat) view.add(line);
    return view;
  }

  /** A player came in: seen by everyone, or by those near them, whom they see in turn. */
  joined(sessionId: string, player: Player): void {
    if (this.ownViews) this.updateSightOf(sessionId);
    else this.everyone.add(player);
  }

  /** A player moved, or an edit of the world file changed the sight radius: who they see and who sees them. */
  moved(sessionId: string): void {
    if (this.settings.sight.radius > 0) this.updateSightOf(sessionId);
  }

  /**
   * The view of a player who came back after a drop, made anew with what their old one holds now. The old one kept
   * the lines they heard while away as changes still to send: those the history dropped meanwhile reached the client as
   * blank lines, for good, in the places of lines they never heard (far away).
   */
  viewAgain(sessionId: string): StateView {
    const old = this.views.get(sessionId);
    if (!this.ownViews || !old) return this.viewOf(sessionId);
    const view = new StateView();
    for (const line of this.state.chat) if (old.has(line)) view.add(line);
    for (const player of this.state.players.values()) if (old.has(player)) view.add(player);
    old.dispose();
    this.views.set(sessionId, view);
    return view;
  }

  left(sessionId: string): void {
    this.views.get(sessionId)?.dispose(); // its visibility marks go now, not when it is collected (Colyseus's advice)
    this.views.delete(sessionId);
  }

  /** `line` reaches the views of its hearers. */
  hear(line: ChatLine, hearers: StateHearers): void {
    if (!this.ownViews) {
      this.everyone.add(line);
      return;
    }
    const { mode, radius } = this.settings.hearing;
    for (const [sessionId, view] of this.views) {
      const player = this.state.players.get(sessionId);
      const hears =
        mode === "room" || hearers === "everyone" || hearers.also?.includes(sessionId) || (player !== undefined && distance(player, hearers.near) <= radius);
      if (hears) view.add(line);
    }
  }

  /** Each client has a view of its own: lines heard near where they are said, players seen near where they are. */
  private get ownViews(): boolean {
    return viewsOfTheirOwn(this.settings);
  }

  /** Who `sessionId` sees and who sees them, after they came or moved (sight.ts); themselves always. */
  private updateSightOf(sessionId: string): void {
    const me = this.state.players.get(sessionId);
    const myView = this.views.get(sessionId);
    if (!me || !myView) return;
    const { radius } = this.settings.sight;
    if (!myView.has(me)) myView.add(me);
    for (const [other, view] of this.views) {
      const them = this.state.players.get(other);
      if (other === sessionId || !them) continue;
      const d = distance(me, them);
      updateSight(myView, them, d, radius);
      updateSight(view, me, d, radius);
    }
  }
}
