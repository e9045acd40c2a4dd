import { isPrivateAddress } from "../../common/private-address.js";
import type { Asker } from "../npc/npc-turns.js";
import type { WorldSettings } from "../world-settings.js";

/**
 * Who each player of a room is beyond their session: the account they signed in with, and the client address they
 * joined from, when matchmaking knew it. Limits, turns at an NPC and sanctions count by these (an address counts for
 * a signed-in player only toward a mute by reports).
 */
export class PlayerOrigins {
  private readonly accounts = new Map<string, string>();
  private readonly addresses = new Map<string, string>();

  joined(sessionId: string, account: string | undefined, address: string | undefined): void {
    if (account !== undefined) this.accounts.set(sessionId, account);
    if (address !== undefined) this.addresses.set(sessionId, address);
  }

  left(sessionId: string): void {
    this.accounts.delete(sessionId);
    this.addresses.delete(sessionId);
  }

  /** The player's account, when they signed in. */
  accountOf(sessionId: string): string | undefined {
    return this.accounts.get(sessionId);
  }

  /** Whether the player signed in as `account`, or, both without one, joined from `address`: maybe the same person. */
  isFrom(sessionId: string, account: string | undefined, address: string | undefined): boolean {
    const theirs = this.accounts.get(sessionId);
    if (theirs !== undefined || account !== undefined) return theirs === account;
    return address !== undefined && this.addresses.get(sessionId) === address;
  }

  /** The players in this room signed in as the account. */
  *sessionsOf(account: string): Generator<string> {
    for (const [sessionId, id] of this.accounts) if (id === account) yield sessionId;
  }

  /**
   * The client address a player without an account shares with others, if any: none for a signed-in player (their
   * account's limits are theirs), none on a private network's (bots and benchmarks on loopback, a LAN, a proxy
   * without TRUST_PROXY: common/private-address.ts), where every player counts as one, nor when matchmaking did not
   * know it.
   */
  sharedAddressOf(sessionId: string): string | undefined {
    return this.accounts.has(sessionId) ? undefined : this.publicAddressOf(sessionId);
  }

  /** The client address any player joined from, unless a private network's or unknown (as sharedAddressOf). */
  private publicAddressOf(sessionId: string): string | undefined {
    const address = this.addresses.get(sessionId);
    return address && !isPrivateAddress(address) ? address : undefined;
  }

  /**
   * Whose turn a question takes in an NPC's queue: a signed-in player's account's (all its avatars share it);
   * else its client address's, so that many connections from one address get one turn a round between them, as one
   * player would; the player's own without a shared address or with NPC_TURNS_BY=player.
   */
  askerOf(sessionId: string, turnsBy: WorldSettings["npcQueue"]["turnsBy"]): Asker {
    const account = this.accounts.get(sessionId);
    if (account !== undefined) return { player: sessionId, group: `account ${account}` };
    const address = turnsBy === "address" ? this.sharedAddressOf(sessionId) : undefined;
    return { player: sessionId, group: address ? `address ${address}` : `player ${sessionId}` };
  }

  /** Whose kept seats a dropped player's counts toward (away-holds.ts): their account, or their public address. */
  holderOf(sessionId: string): string | undefined {
    const account = this.accounts.get(sessionId);
    if (account !== undefined) return `account ${account}`;
    const address = this.sharedAddressOf(sessionId);
    return address ? `address ${address}` : undefined;
  }

  /** Who filed a report, as reports are keyed (player-reports.ts): a signed-in player's account; else their public address; else their session. */
  reporterOf(sessionId: string): string {
    return this.holderOf(sessionId) ?? `player ${sessionId}`;
  }

  /**
   * Who a report counts as coming from toward REPORTS_TO_MUTE, each of them once: a signed-in player's account and
   * public address, so that one person's second account counts no more than their tabs or reconnections; without an
   * account their public address; else their session. Players of one PC bang count once too: against a mute by
   * reports, which a few people could abuse, that errs on the side of the reported.
   */
  reportCountsAs(sessionId: string): string[] {
    const account = this.accounts.get(sessionId);
    const address = this.publicAddressOf(sessionId);
    const as = [...(account === undefined ? [] : [`account ${account}`]), ...(address === undefined ? [] : [`address ${address}`])];
    return as.length > 0 ? as : [`player ${sessionId}`];
  }

  /**
   * Under what a leaver's allowances are remembered for a rejoin to take back (departed-allowances.ts): their account,
   * or their client address and name; nothing to key them by without either. Any address, private ones too.
   */
  departureKey(sessionId: string, name: string): [string, string] | undefined {
    const account = this.accounts.get(sessionId);
    if (account !== undefined) return [`account ${account}`, ""];
    const address = this.addresses.get(sessionId);
    return address === undefined ? undefined : [address, name];
  }
}
