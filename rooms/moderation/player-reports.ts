import type { Presence } from "@colyseus/core";

import type { ChatLogRecord } from "../../kafka/chat-log.js";
import { type HashPages, presenceHashPages } from "../hash-pages.js";
import { newLineId } from "../chat/line-id.js";
import type { SaidLine } from "../chat/recent-lines.js";

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
 * Reports kept at most: past it a tenth go, first those of the reporters who filed most, so that no flood of reports
 * can grow the presence without bound, nor push out others' reports, and the index is read once per thousand reports
 * then, not at every one.
 */
export const REPORTS_KEPT = 10_000;
/** The reported player's lines a report carries. */
export const REPORT_LINES = 5;

/**
 * All reports, in one hash of the presence (Redis with several processes: every server's reports in one list). Keyed
 * by who reported whom (the reporter as PlayerOrigins.reporterOf counts them: their account, else their public
 * address, else their session; the reported player's account, else session): reporting the same player again
 * replaces the report and counts it, so one player cannot fill the list by reporting one other over and over, nor by
 * joining again as a new guest each time.
 */
export const REPORTS = "kobot:reports";
/**
 * The same fields → what the list sorts and filters by, `[at, id, reported account, reporter]` (~90 bytes, where a report's JSON
 * is ~700): listing, closing and dropping read this, then only the reports they return. Reading every report's JSON
 * held a server's event loop, so every room of the process, ~200 ms at 10,000 reports, at each moderator's refresh;
 * listing, closing and dropping read the index a page at a time (HashPages), the rooms running between pages.
 */
const REPORTS_INDEX = "kobot:reports:index";
type IndexEntry = { field: string; at: number; id: string; account: string | null; reporter: string };
const indexValue = (report: PlayerReport, field: string) => JSON.stringify([report.at, report.id, report.reported.account ?? null, reporterOfField(field)]);
/** The reporter a field names (an entry written before the index held it has only the field). */
const reporterOfField = (field: string) => field.slice(0, field.lastIndexOf(" > "));
/** Who a player is across their sessions: their account when signed in, else their session. */
export const playerIdentity = ({ player, account }: Pick<ReportedPlayer, "player" | "account">) =>
  account === undefined ? `player ${player}` : `account ${account}`;

/**
 * Files a report (`times` and `id` are the store's); returns it as stored. `by`: who filed it, as reports are keyed
 * (PlayerOrigins.reporterOf; the reporter's identity unless given). `kept`: REPORTS_KEPT (tests keep fewer); `hashes`
 * reads the index when some must go (as listReports).
 */
export async function fileReport(
  presence: Presence,
  report: Omit<PlayerReport, "id" | "times">,
  { by = playerIdentity(report.reporter), kept = REPORTS_KEPT, hashes = presenceHashPages(presence) }: { by?: string; kept?: number; hashes?: HashPages } = {},
): Promise<PlayerReport> {
  const field = `${by} > ${playerIdentity(report.reported)}`;
  const before = await presence.hget(REPORTS, field);
  const times = before === null ? 1 : (JSON.parse(before) as PlayerReport).times + 1;
  const stored: PlayerReport = { id: newLineId(), times, ...report };
  // The index first: whatever happens between the two, every report is indexed (an entry without its report is skipped).
  await presence.hset(REPORTS_INDEX, field, indexValue(stored, field));
  await presence.hset(REPORTS, field, JSON.stringify(stored));
  const count = await presence.hlen(REPORTS);
  if (count > kept) await dropMostFiled(presence, count - Math.floor(kept * 0.9), hashes);
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

/**
 * Reports newest first; only those about `account` when given. `hashes` reads the index (the presence's own calls
 * unless given: the server passes Redis's HSCAN, or the embedded presence's pages).
 */
export async function listReports(
  presence: Presence,
  { account, limit }: { account?: string; limit: number },
  hashes: HashPages = presenceHashPages(presence),
): Promise<PlayerReport[]> {
  const about = account === undefined ? () => true : (entry: IndexEntry) => entry.account === account;
  const newest = await firstOfIndex(presence, hashes, about, (a, b) => b.at - a.at, limit);
  const reports = await Promise.all(newest.map(({ field }) => presence.hget(REPORTS, field)));
  return reports.filter((json) => json !== null).map((json) => JSON.parse(json) as PlayerReport);
}

/** Takes a report off the list (dealt with); false when there was none of that id. */
export async function closeReport(presence: Presence, id: string, hashes: HashPages = presenceHashPages(presence)): Promise<boolean> {
  let entry: IndexEntry | undefined;
  for await (const page of indexPages(presence, hashes)) if ((entry = page.find((indexed) => indexed.id === id))) break;
  return entry !== undefined && (await removeReport(presence, entry.field));
}

/** Takes a report and its index entry out of the store; whether the report was there (another caller may have taken it). */
async function removeReport(presence: Presence, field: string): Promise<boolean> {
  const was = await presence.hdel(REPORTS, field);
  await presence.hdel(REPORTS_INDEX, field);
  return Boolean(was);
}

/**
 * Takes off the list the open reports a signed-in player filed (their erasure: a report holds the reporter's name and
 * reason); those of them stay, a moderator's evidence. Returns how many went.
 */
export async function dropReportsFiledBy(presence: Presence, account: string, hashes: HashPages = presenceHashPages(presence)): Promise<number> {
  const theirs = `${playerIdentity({ player: "", account })} > `;
  let dropped = 0;
  for await (const page of indexPages(presence, hashes)) {
    for (const { field } of page.filter((entry) => entry.field.startsWith(theirs))) {
      const json = await presence.hget(REPORTS, field);
      // The field alone could be another account's whose name holds " > ".
      if (json === null || (JSON.parse(json) as PlayerReport).reporter.account !== account) continue;
      if (await removeReport(presence, field)) dropped++;
    }
  }
  return dropped;
}

/** Puts back, indexed, the open reports the embedded default kept in its file (REPORTS' fields → each report's JSON). */
export async function restoreReports(presence: Presence, stored: Record<string, string>): Promise<void> {
  await indexReports(presence, stored);
  await Promise.all(Object.entries(stored).map(([field, json]) => presence.hset(REPORTS, field, json)));
}

const indexReports = (presence: Presence, stored: Record<string, string>) =>
  Promise.all(Object.entries(stored).map(([field, json]) => presence.hset(REPORTS_INDEX, field, indexValue(JSON.parse(json) as PlayerReport, field))));

/**
 * Drops `count` reports, one at a time the oldest of the reporter who has most left (of equals, the one whose oldest is
 * older): where every reporter has one, the oldest. Before, the oldest went whoever filed them: one address's guests,
 * ~10,000 reports in 10 minutes, pushed out every other report.
 */
async function dropMostFiled(presence: Presence, count: number, hashes: HashPages): Promise<void> {
  const entries: IndexEntry[] = [];
  const seen = new Set<string>();
  for await (const page of indexPages(presence, hashes)) {
    for (const entry of page) if (!seen.has(entry.field)) (seen.add(entry.field), entries.push(entry));
  }
  // Each report's place among its reporter's, the newest 1: dropping the highest places first, the oldest of equal
  // places first, is taking one at a time from whoever has most.
  const place = new Map<IndexEntry, number>();
  const filed = new Map<string, number>();
  for (const entry of [...entries].sort((a, b) => b.at - a.at)) {
    const n = (filed.get(entry.reporter) ?? 0) + 1;
    filed.set(entry.reporter, n);
    place.set(entry, n);
  }
  const dropped = entries.sort((a, b) => place.get(b)! - place.get(a)! || a.at - b.at).slice(0, count);
  await Promise.all(dropped.map(({ field }) => removeReport(presence, field)));
}

/**
 * The first `count` index entries that `keep` takes, in `order`, read a page at a time and keeping no more than
 * `count` between pages. A field a scan returns again (Redis's HSCAN may, as its hash grows) counts once.
 */
async function firstOfIndex(
  presence: Presence,
  hashes: HashPages,
  keep: (entry: IndexEntry) => boolean,
  order: (a: IndexEntry, b: IndexEntry) => number,
  count: number,
): Promise<IndexEntry[]> {
  let first: IndexEntry[] = [];
  const seen = new Set<string>();
  for await (const page of indexPages(presence, hashes)) {
    const taken = page.filter((entry) => !seen.has(entry.field) && keep(entry));
    for (const { field } of taken) seen.add(field);
    first = first.concat(taken).sort(order).slice(0, count);
  }
  return first;
}

/**
 * Every report's index entry, a page at a time. A store with reports the index lacks (Redis written by a version
 * before it) is indexed from the reports' JSON first, once.
 */
async function* indexPages(presence: Presence, hashes: HashPages): AsyncGenerator<IndexEntry[]> {
  if ((await presence.hlen(REPORTS)) > (await presence.hlen(REPORTS_INDEX))) await indexReports(presence, await presence.hgetall(REPORTS));
  for await (const page of hashes.pages(REPORTS_INDEX)) {
    yield page.map(([field, value]) => {
      const [at, id, account, reporter = reporterOfField(field)] = JSON.parse(value) as [number, string, string | null, string?];
      return { field, at, id, account, reporter };
    });
  }
}
