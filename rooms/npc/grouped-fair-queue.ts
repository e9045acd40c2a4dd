import { FairQueue } from "./fair-queue.js";

/**
 * A fair queue of fair queues: round-robin over groups (a client address), and inside a group over its players.
 * A group's n-th waiting question waits for every other group's (n-1)-th, so one address holding 40 connections
 * gets one turn a round, as one player does, instead of 40. Bounded in total, and admitted fairly as FairQueue is:
 * a group's questions hold slots in the outer queue, one each, and the slot given away when full is the newest of
 * the latest round, whose group then turns away its own newest of the latest round.
 */
export class GroupedFairQueue<T> {
  private readonly groups: FairQueue<null>;
  private readonly players = new Map<string, FairQueue<T>>();

  constructor(capacity: number) {
    this.groups = new FairQueue(capacity);
  }

  get size(): number {
    return this.groups.size;
  }

  /** As FairQueue.push, for `player` of `group`. */
  push(group: string, player: string, item: T): { taken: boolean; displaced?: { key: string; item: T } } {
    const { taken, displaced } = this.groups.push(group, null);
    if (!taken) return { taken: false };
    // A group's own question never displaces its own: its slot is of a later round than any it holds.
    const turnedAway = displaced && this.players.get(displaced.key)!.popLatest();
    this.playersOf(group).push(player, item);
    if (displaced) this.forgetIfIdle(displaced.key);
    return { taken: true, ...(turnedAway ? { displaced: turnedAway } : {}) };
  }

  /** The next item by group, then by player, among players that may go now (`ready`). */
  shift(ready: (player: string) => boolean = () => true): { group: string; key: string; item: T } | undefined {
    const next = this.groups.shift((group) => this.players.get(group)!.hasReady(ready));
    if (!next) return undefined;
    const { key, item } = this.players.get(next.key)!.shift(ready)!;
    return { group: next.key, key, item };
  }

  /** A taken item of `player` in `group` is finished. */
  done(group: string, player: string): void {
    this.groups.done(group);
    this.playersOf(group).done(player);
    this.forgetIfIdle(group);
  }

  /** Drops a player's waiting items (they left); returns them. */
  drop(group: string, player: string): T[] {
    const dropped = this.players.get(group)?.drop(player) ?? [];
    for (const _ of dropped) this.groups.removeLast(group);
    this.forgetIfIdle(group);
    return dropped;
  }

  /** A group's own queue of players, made when it first asks (every group with slots waiting or taken has one). */
  private playersOf(group: string): FairQueue<T> {
    let players = this.players.get(group);
    if (!players) this.players.set(group, (players = new FairQueue(Infinity)));
    return players;
  }

  private forgetIfIdle(group: string): void {
    if (this.players.get(group)?.busy === false) this.players.delete(group);
  }
}
