// The moderators' page (/moderation, admin): players' reports newest first, each with what the reported player last
// said, and the mutes and bans in force; a report is dealt with by a mute, a ban, a kick or a dismissal, all through
// the admin API (server/http/report-routes.ts, server/http/sanction-routes.ts). Player text is only ever set as text.

import type { Sanction, SanctionRecord } from "../../rooms/moderation/account-sanctions.js";
import type { PlayerReport, ReportedPlayer } from "../../rooms/moderation/player-reports.js";
import { element, fill } from "./table.js";
import { within } from "./text-within.js";

const REFRESH_MS = 10_000;
/** Reports listed, newest first; the heading says how many more are open. */
const REPORTS_SHOWN = 200;
/** What a report's buttons impose: a mute for a heated moment, a ban for a day. */
const MUTE_MINUTES = 30;
const BAN_MINUTES = 24 * 60;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const status = $<HTMLSpanElement>("#status");

/** An admin call the server refused: which call, its status and the server's words. */
class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** An admin API call; its error says which call failed and the server's words. */
async function api<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
  const response = await fetch(path, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const said = ((await response.json().catch(() => ({}))) as { error?: string }).error ?? "";
    throw new ApiError(`${method} ${path}: ${response.status} ${said}`, response.status);
  }
  return response.status === 204 ? undefined : ((await response.json()) as T);
}

/**
 * Rows whose action is under way (a report's id, a sanction's kind and account): their buttons stay off until it ends,
 * through the refreshes meanwhile too, which drew them anew and on (a second click sanctioned twice).
 */
const busy = new Set<string>();

interface Action {
  text: string;
  /** Resolves with a note for the moderator where what happened is not what the button says. */
  act: () => Promise<string | void>;
  /** Why the button is off for good (a player without an account has no sanction); undefined: it is on. */
  disabledWhy?: string;
}

/** A row's buttons, keyed `row`; one pressed turns them all off until its call ends, then the tables are read again. */
function actionsCell(row: string, actions: Action[]): HTMLTableCellElement {
  const cell = element("td", "", "actions");
  for (const { text, act, disabledWhy } of actions) {
    const made = element("button", text);
    made.type = "button";
    made.disabled = disabledWhy !== undefined || busy.has(row);
    if (disabledWhy) made.title = disabledWhy;
    made.addEventListener("click", () => {
      busy.add(row);
      for (const other of cell.querySelectorAll("button")) other.disabled = true;
      void act().then(
        async (note) => {
          busy.delete(row);
          await refresh();
          if (note) noted(note); // after the refresh, which would say "갱신" over it
        },
        async (error: Error) => {
          busy.delete(row);
          await refresh();
          shown(error); // after the refresh, which would say "갱신" over it
        },
      );
    });
    cell.append(made);
  }
  return cell;
}

const when = (ms: number) => new Date(ms).toLocaleString("ko-KR", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
/**
 * A player's cell: their name, and account, each in a <bdi>: a right-to-left name took the brackets and the count after
 * it to its side ("(acc-rude) שלום"), and the moderator read another name or account than the report's.
 */
function whoCell({ name, account }: ReportedPlayer, times = 1): HTMLTableCellElement {
  const cell = element("td");
  cell.append(element("bdi", name));
  if (account !== undefined) cell.append(" (", element("bdi", account), ")");
  if (times > 1) cell.append(` · ${times}번째`);
  return cell;
}

function reportRow(report: PlayerReport): HTMLTableRowElement {
  const row = element("tr");
  row.dataset.id = report.id;
  const lines = element("td", "", "lines");
  for (const line of report.lines) {
    // A line moderation stopped: nobody saw it, and it is most often why the player was reported.
    const said = element("q", line.moderated ? `${line.text} (자동 차단됨)` : line.text, line.moderated ? "blocked" : "");
    // Its learned score, shown by the stylesheet after the line (moderation.css): the line's own text stays as said.
    if (line.toxicity !== undefined) said.dataset.toxicity = line.toxicity.toFixed(2);
    lines.append(said);
  }
  if (report.lines.length === 0) lines.textContent = "(방에 남은 말 없음)";
  const account = report.reported.account;
  const reason = report.reason ? within(`신고: ${report.reason}`, SANCTION_REASON_MAX) : "플레이어 신고";
  // Sanctions hold an account; a player who did not sign in has none to hold.
  const noAccount = account === undefined ? "로그인하지 않은 플레이어는 제재할 수 없어요" : undefined;
  // Taken off the list first, and acted on only once this page got it: a second moderator on the same report got
  // both sanctions (a mute and a ban), then a bare 404. The server takes a report off for one caller only.
  const claim = async () => {
    try {
      await api("DELETE", `/api/reports/${encodeURIComponent(report.id)}`);
    } catch (error) {
      // Dealt with by another moderator, or filed again by its reporter (a new id): the list read again shows which.
      if (error instanceof ApiError && error.status === 404) throw new Error("이 신고는 이미 처리됐거나 다시 접수되어 바뀌었어요: 아무것도 하지 않았어요. 목록을 다시 확인해 주세요");
      throw error;
    }
  };
  const claimThenSanction = (sanction: Sanction, minutes: number) => async () => {
    await claim();
    const imposed = await api<{ until: number; longerInForce?: true }>("POST", `/api/${sanction}s`, { account, minutes, reason });
    if (imposed?.longerInForce) return `${account}: 더 긴 ${sanction === "mute" ? "채팅 금지가" : "차단이"} 이미 있어 그대로 둬요 (${when(imposed.until)}까지)`;
  };
  const actions = actionsCell(`report:${report.id}`, [
    { text: `채팅 금지 ${MUTE_MINUTES}분`, act: claimThenSanction("mute", MUTE_MINUTES), disabledWhy: noAccount },
    { text: "하루 차단", act: claimThenSanction("ban", BAN_MINUTES), disabledWhy: noAccount },
    // Out of the room now, signed in or not (they may join again): the one action on a player without an account.
    {
      text: "내보내기",
      act: async () => {
        await claim();
        // A signed-in player by their account: one who joined again since the report has another session, which the
        // report's did not reach (202, and nobody put out).
        await api("POST", "/api/kicks", account !== undefined ? { account, reason } : { player: report.reported.player, reason });
      },
    },
    { text: "문제없음", act: claim },
  ]);
  row.append(
    element("td", when(report.at)),
    whoCell(report.reporter),
    whoCell(report.reported, report.times),
    element("td", report.reason ?? ""),
    lines,
    actions,
  );
  return row;
}

function sanctionRow(sanction: Sanction, record: SanctionRecord): HTMLTableRowElement {
  const row = element("tr");
  row.dataset.account = record.account;
  const actions = actionsCell(`${sanction}:${record.account}`, [
    { text: "해제", act: () => api("DELETE", `/api/${sanction}s/${encodeURIComponent(record.account)}`) },
  ]);
  row.append(element("td", record.account), element("td", when(record.until)), element("td", record.reason ?? ""), actions);
  return row;
}

/** Until when a note or an error stays, not said over by the timed refresh's "갱신" (ms since the epoch). */
let statusKeptUntil = 0;

function shown(error: Error): void {
  status.textContent = error.message;
  status.className = "error";
  statusKeptUntil = Date.now() + 2 * REFRESH_MS;
}

function noted(note: string): void {
  status.textContent = note;
  status.className = "note";
  statusKeptUntil = Date.now() + 2 * REFRESH_MS;
}

/** The longest a table is held (HeldTable): a touch leaves the tapped row hovered for good. */
const HOLD_MS = 30_000;

/**
 * A table the timed refresh does not draw again while the moderator is at it: a mouse over it, or the keyboard's focus
 * in it. Rows drawn anew moved under a click onto another player's buttons (a report, or a sanction lifted: "해제"
 * lifted the account a shorter mute put on top), and took the focus back to the top (Tab, Enter muted the first row).
 * Drawn as soon as the mouse or the focus leaves it, after the moderator's own action, and at most HOLD_MS on.
 */
class HeldTable {
  private pending: (() => void) | undefined;
  private heldSince = 0;
  private mouseOver = false;

  constructor(readonly table: HTMLTableElement) {
    // The mouse's only: a touch's pointer never leaves (Chromium keeps the tapped row :hover).
    table.addEventListener("pointerenter", (event) => (this.mouseOver = event.pointerType === "mouse"));
    table.addEventListener("pointerleave", () => {
      this.mouseOver = false;
      this.release();
    });
    table.addEventListener("focusout", (event) => {
      if (!table.contains(event.relatedTarget as Node | null)) this.release();
    });
  }

  /** Draws with `draw` now, or once the moderator is done here (a timed refresh while they are at it). */
  show(draw: () => void, timed: boolean): void {
    const atWork = this.mouseOver || this.table.contains(document.activeElement);
    if (!timed || !atWork) return this.drawn(draw);
    if (!this.pending) this.heldSince = Date.now();
    if (Date.now() - this.heldSince > HOLD_MS) return this.drawn(draw);
    this.pending = draw;
  }

  get held(): boolean {
    return this.pending !== undefined;
  }

  private release(): void {
    if (this.pending) this.drawn(this.pending);
  }

  private drawn(draw: () => void): void {
    this.pending = undefined;
    draw();
  }
}

const reportsTable = new HeldTable($<HTMLTableElement>("#reports"));
const mutesTable = new HeldTable($<HTMLTableElement>("#mutes"));
const bansTable = new HeldTable($<HTMLTableElement>("#bans"));

/** The latest refresh begun: an older one that answers after it would show the tables as they were before. */
let latestRefresh = 0;
let refreshing: ReturnType<typeof setInterval> | undefined;

async function refresh(timed = false): Promise<void> {
  const mine = ++latestRefresh;
  try {
    const [reports, mutes, bans] = await Promise.all([
      api<{ reports: PlayerReport[]; total: number }>("GET", `/api/reports?limit=${REPORTS_SHOWN}`),
      api<{ mutes: SanctionRecord[] }>("GET", "/api/mutes"),
      api<{ bans: SanctionRecord[] }>("GET", "/api/bans"),
    ]);
    if (mine !== latestRefresh) return;
    const { reports: newest, total } = reports!;
    reportsTable.show(() => {
      fill(reportsTable.table, newest.map(reportRow), "새 신고가 없어요.");
      $("#reports-shown").textContent = total > newest.length ? `최근 ${newest.length}건 (모두 ${total}건: 처리하면 더 오래된 것이 보여요)` : "최근 것부터";
    }, timed);
    mutesTable.show(() => fill(mutesTable.table, mutes!.mutes.map((record) => sanctionRow("mute", record)), "없음"), timed);
    bansTable.show(() => fill(bansTable.table, bans!.bans.map((record) => sanctionRow("ban", record)), "없음"), timed);
    if (Date.now() < statusKeptUntil) return;
    const held = [reportsTable, mutesTable, bansTable].some((table) => table.held);
    status.textContent = `${new Date().toLocaleTimeString("ko-KR")}에 갱신${held ? " (보고 있는 목록은 포인터나 포커스가 떠나면 새로 그려요)" : ""}`;
    status.className = "";
  } catch (error) {
    if (mine !== latestRefresh) return;
    shown(error as Error);
    // A login the server no longer takes (ADMIN_PASSWORD changed) or an address locked out: every refresh was three
    // more wrong logins, which locked every moderator at this address out again each minute.
    if (error instanceof ApiError && (error.status === 401 || error.status === 429)) {
      clearInterval(refreshing);
      refreshing = undefined;
      shown(new Error(`${(error as Error).message} — 자동 갱신을 멈췄어요: 페이지를 새로 고쳐 다시 로그인해 주세요`));
    }
  }
}

void refresh();
refreshing = setInterval(() => void refresh(true), REFRESH_MS);

/**
 * A sanction's reason the server takes: at most 200 UTF-16 units (server/http/sanction-routes.ts), where a report's reason
 * is 200 characters, which emoji or the prefix take past it: every button of such a report failed with 400.
 */
const SANCTION_REASON_MAX = 200;
