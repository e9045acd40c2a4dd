import type { Presence } from "@colyseus/core";

import type { Logger } from "../../common/log.js";
import { playerReports, sanctionsImposed } from "../../common/metrics.js";
import type { ChatLogRecord } from "../../kafka/chat-log.js";
import type { HashPages } from "../hash-pages.js";
import { impose } from "./account-sanctions.js";
import { fileReport, type PlayerReport, playerIdentity, REPORT_LINES, type ReportedPlayer, reportRecord } from "./player-reports.js";
import { RecentLines } from "../chat/recent-lines.js";
import { ReportTally } from "./report-tally.js";
import type { WorldSettings } from "../world-settings.js";

/**
 * A room's side of players' reports, once the room has taken one (the message checked, the reporter's allowance
 * spent): what each player last said, for the report to show; filing it (rooms/moderation/player-reports.ts) and logging it in
 * the chat log; and the mute that enough players' reports bring on (REPORTS_TO_MUTE).
 */
export class ReportDesk {
  /** Each player's last lines, those moderation stopped too: what a report of them shows the moderators. */
  readonly said = new RecentLines(REPORT_LINES);
  /** Who reported whom lately (none when REPORTS_TO_MUTE is off). */
  private readonly tally?: ReportTally;
  /** Players without an account muted here by players' reports, until when (epoch ms); an account's mute is a sanction. */
  private readonly sessionMutes = new Map<string, number>();
  /**
   * Such mutes of players who left, by their client address and name (player-origins.ts departureKey), until when:
   * leaving and joining again ("reconnect" in a game's menu) is a new session, and shed the mute.
   */
  private readonly leftMuted = new Map<string, number>();

  constructor(
    private readonly presence: Presence,
    private readonly settings: WorldSettings["reportsToMute"],
    private readonly publishLog: (record: Omit<ChatLogRecord, "v" | "roomId" | "serverId">) => void,
    private readonly log: Logger,
    /** Whether a player is in the room still (or dropped and may come back): the store's write is awaited. */
    private readonly isHere: (sessionId: string) => boolean,
    /** How the store's index is read when the oldest reports go (the server's: Redis's HSCAN, or the embedded pages). */
    private readonly hashes?: HashPages,
  ) {
    if (settings.reporters > 0) this.tally = new ReportTally(settings.reporters, settings.withinMinutes * 60_000);
  }

  /**
   * Files `reporter`'s report of `reported` with what they last said; rejects when the store (the presence) fails.
   * `from`: who filed it, as reports are keyed (PlayerOrigins.reporterOf), and whom it counts as coming from toward a
   * mute (PlayerOrigins.reportCountsAs); the reporter's identity unless given.
   */
  async file(
    roomId: string,
    reporter: ReportedPlayer,
    reported: ReportedPlayer,
    reason: string,
    { by, countsAs }: { by: string; countsAs: readonly string[] } = { by: playerIdentity(reporter), countsAs: [playerIdentity(reporter)] },
  ): Promise<PlayerReport> {
    const lines = [...this.said.of(reported.player)];
    const stored = await fileReport(this.presence, { at: Date.now(), roomId, reporter, reported, ...(reason ? { reason } : {}), lines }, { by, ...(this.hashes ? { hashes: this.hashes } : {}) });
    this.publishLog(reportRecord(stored));
    playerReports.inc();
    this.log.info("player reported", { id: stored.id, times: stored.times, playerId: reported.player, by: reporter.player });
    // A player without an account who left meanwhile is forgotten (forget): counted now, they would be kept for good.
    const counts = reported.account !== undefined || this.isHere(reported.player);
    if (counts && this.tally?.add(playerIdentity(reported), countsAs)) this.muteByReports(reported);
    return stored;
  }

  /** How long a player without an account stays muted here by players' reports (0: not). */
  sessionMutedMs(sessionId: string): number {
    return Math.max(0, (this.sessionMutes.get(sessionId) ?? 0) - Date.now());
  }

  /** A player without an account joined: muted still if they left muted under `departure` (their address and name). */
  joined(sessionId: string, departure: string | undefined): void {
    this.forgetEnded();
    const until = departure === undefined ? undefined : this.leftMuted.get(departure);
    if (until !== undefined) this.sessionMutes.set(sessionId, until);
  }

  /** The player is leaving, or dropped: a mute by reports here stays with `departure` (their address and name) till it ends. */
  remember(sessionId: string, departure: string): void {
    const until = this.sessionMutes.get(sessionId);
    if (until !== undefined && until > Date.now()) this.leftMuted.set(departure, Math.max(until, this.leftMuted.get(departure) ?? 0));
  }

  /** The player left the room. */
  forget(sessionId: string): void {
    this.said.forget(sessionId);
    this.sessionMutes.delete(sessionId);
    this.tally?.forget(playerIdentity({ player: sessionId }));
  }

  private forgetEnded(): void {
    const now = Date.now();
    for (const [departure, until] of this.leftMuted) if (until <= now) this.leftMuted.delete(departure);
  }

  /**
   * Enough players reported this one lately: muted for REPORT_MUTE_MINUTES, an account as a moderator would
   * (everywhere, listed in GET /api/mutes), a player without one in this room.
   */
  private muteByReports({ player, account }: ReportedPlayer): void {
    const { reporters, muteMinutes } = this.settings;
    const ms = muteMinutes * 60_000;
    sanctionsImposed.inc({ sanction: "mute" });
    this.log.info("player muted by players' reports", { playerId: player, account, reporters, minutes: muteMinutes });
    if (account === undefined) {
      this.sessionMutes.set(player, Date.now() + ms);
      return;
    }
    impose(this.presence, "mute", account, ms, `${reporters}명이 신고`).catch((error: Error) => this.log.error("a mute by reports could not be set", { error }));
  }
}
