import type { Presence } from "@colyseus/core";

import type { ChatLogRecord } from "../kafka/chat-log.js";
import { newLineId } from "./line-id.js";
import type { SaidLine } from "./recent-lines.js";

/** A player as a report names them: their session in the room, the name shown, and their account when signed in. */
export interface ReportedPlayer {
  player: string;
  name: string;
  account?: string;
}

/** One player's report of another, with what the reported player last said in the room, for a moderator to judge. */
export interface PlayerReport {
  id: string;
  /** When it was filed last (epoch ms). */
  at: number;
  /** How many times this reporter reported this player: a report again replaces the one before and counts. */
  times: number;
  roomId: string;
  reporter: ReportedPlayer;
  reported: ReportedPlayer;
  reason?: string;
  /** The reported player's last lines in the room, those moderation stopped too (chat log ids: the search finds the rest). */
  lines: SaidLine[];
}

/**
 * Reports kept at most: past it the oldest tenth go, so that no flood of reports can grow the presence without bound,
 * and the list is read whole once per thousand reports then, not at every one.
 */
export const REPORTS_KEPT = 10_000;
/** The reported player's lines a report carries. */
export const REPORT_LINES = 5;

/**
 * All reports, in one hash of the presence (Redis with several processes: every server's reports in one list). Keyed
 * by who reported whom (their accounts, else their sessions): reporting the same player again replaces the report
 * and counts it, so one player cannot fill the list by reporting one other over and over.
 */
const REPORTS = "kobot:reports";
/** Who a player is across their sessions: their account when signed in, else their session. */
export const playerIdentity = ({ player, account }: Pick<ReportedPlayer, "player" | "account">) =>
  account === undefined ? `player ${player}` : `account ${account}`;

/** Files a report (`times` and `id` are the store's); returns it as stored. `kept`: REPORTS_KEPT (tests keep fewer). */
export async function fileReport(presence: Presence, report: Omit<PlayerReport, "id" | "times">, kept = REPORTS_KEPT): Promise<PlayerReport> {
  const field = `${playerIdentity(report.reporter)} > ${playerIdentity(report.reported)}`;
  const before = await presence.hget(REPORTS, field);
  const times = before === null ? 1 : (JSON.parse(before) as PlayerReport).times + 1;
  const stored: PlayerReport = { id: newLineId(), times, ...report };
  await presence.hset(REPORTS, field, JSON.stringify(stored));
  if ((await presence.hlen(REPORTS)) > kept) await dropOldest(presence, Math.floor(kept * 0.9));
  return stored;
}

/**
 * A filed report as its chat-log record: the moderators' list is a work queue, the chat log keeps every report for
 * search and analytics. The reporter speaks it (from, account, name), the reason is its text.
 */
export function reportRecord({ id, at, reporter, reported, reason, lines }: PlayerReport): Omit<ChatLogRecord, "v" | "roomId" | "serverId"> {
  return {
    id, kind: "report", from: reporter.player, ...(reporter.account ? { account: reporter.account } : {}), name: reporter.name, text: reason ?? "", ts: at,
    report: { player: reported.player, ...(reported.account ? { account: reported.account } : {}), name: reported.name, lineIds: lines.map((line) => line.id) },
  };
}

/** Reports newest first; only those about `account` when given. */
export async function listReports(presence: Presence, { account, limit }: { account?: string; limit: number }): Promise<PlayerReport[]> {
  const reports = Object.values(await presence.hgetall(REPORTS)).map((json) => JSON.parse(json) as PlayerReport);
  return reports
    .filter((report) => account === undefined || report.reported.account === account)
    .sort((a, b) => b.at - a.at)
    .slice(0, limit);
}

/** Takes a report off the list (dealt with); false when there was none of that id. */
export async function closeReport(presence: Presence, id: string): Promise<boolean> {
  const entry = Object.entries(await presence.hgetall(REPORTS)).find(([, json]) => (JSON.parse(json) as PlayerReport).id === id);
  return entry !== undefined && presence.hdel(REPORTS, entry[0]);
}

/** Every open report as the store keeps it (field → JSON), and back: what the embedded default keeps in a file. */
export const storedReports = (presence: Presence): Promise<Record<string, string>> => presence.hgetall(REPORTS);
export async function restoreReports(presence: Presence, stored: Record<string, string>): Promise<void> {
  await Promise.all(Object.entries(stored).map(([field, json]) => presence.hset(REPORTS, field, json)));
}

/** Drops the oldest reports until `left` remain. */
async function dropOldest(presence: Presence, left: number): Promise<void> {
  const entries = Object.entries(await presence.hgetall(REPORTS)).map(([field, json]) => [field, (JSON.parse(json) as PlayerReport).at] as const);
  entries.sort((a, b) => a[1] - b[1]);
  await Promise.all(entries.slice(0, entries.length - left).map(([field]) => presence.hdel(REPORTS, field)));
}
