import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";

import { ChatLogRecord } from "../kafka/chat-log.js";
import type { PlayerReport } from "../rooms/moderation/player-reports.js";
import { REPORTS_BURST } from "../rooms/players/player-allowances.js";
import type { ReportedNotice } from "../rooms/world-protocol.js";
import { createWorldRoom, joinWorld, recordingChatLog, signedIn, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

const admin = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64") };

/** The `reported` notices a player gets. */
function noticesOf(player: TestPlayer): ReportedNotice[] {
  const notices: ReportedNotice[] = [];
  player.room.onMessage("reported", (notice: ReportedNotice) => notices.push(notice));
  return notices;
}

describe("players' reports of other players (room message report, GET /api/reports)", function () {
  let world: TestWorld;
  let http: string;
  const chatLog = recordingChatLog();
  const reports = async (query = "") => {
    const response = await fetch(`${http}/api/reports${query}`, { headers: admin });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { reports: PlayerReport[] }).reports;
  };

  before(async () => {
    world = await startTestWorld({ ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", CHAT_HISTORY: "3" }, { chatLog });
    http = world.url.replace("ws://", "http://");
  });
  after(() => world.stop());

  it("files a report with the reported player's last lines and the reason; again replaces it; a moderator lists and closes it", async () => {
    const rude = await world.join("무례한");
    const hurt = await world.joinBeside(rude, "다친사람");
    const witness = await world.joinBeside(rude, "목격자");
    // More lines than the room's history keeps (CHAT_HISTORY 3), the last one stopped by moderation.
    const said = ["하나", "둘", "셋", "넷", "다섯", "여섯"];
    for (const text of said) rude.room.send("chat", { text });
    await waitFor("every line", () => stateOf(hurt).chat.some((line) => line.text === "여섯"));
    rude.room.send("chat", { text: "씨발 꺼져" });
    await waitFor("the line stopped", () => rude.errors.some((error) => error.code === "moderated"));
    await waitFor("the room's history no longer holding the third line", () => !stateOf(hurt).chat.some((line) => line.text === "셋"));

    const notices = noticesOf(hurt);
    hurt.room.send("report", { player: rude.room.sessionId, reason: "  계속 시비를 걸어요 " });
    await waitFor("the report acknowledged", () => notices.length === 1);
    assert.deepEqual(notices[0], { player: rude.room.sessionId, name: "무례한" });
    const [report, ...others] = await reports();
    assert.equal(others.length, 0);
    assert.equal(report!.times, 1);
    assert.equal(report!.roomId, rude.room.roomId);
    assert.deepEqual(report!.reporter, { player: hurt.room.sessionId, name: "다친사람" });
    assert.deepEqual(report!.reported, { player: rude.room.sessionId, name: "무례한" });
    assert.equal(report!.reason, "계속 시비를 걸어요", "cleaned as a chat line is");
    assert.deepEqual(report!.lines.map((line) => [line.text, line.moderated]), [
      ...said.slice(-4).map((text) => [text, undefined]),
      ["씨발 꺼져", true],
    ], "the last five lines they said, the one nobody saw too");
    const rudeLines = chatLog.records.filter((record) => record.kind === "player" && record.from === rude.room.sessionId);
    assert.deepEqual(report!.lines.map((line) => [line.id, line.ts]), rudeLines.slice(-5).map((record) => [record.id, record.ts]), "each by its chat log id and time");
    // Each with its learned toxicity score as logged, the refused line's too: the moderator reads it beside the line.
    assert.deepEqual(report!.lines.map((line) => line.toxicity), rudeLines.slice(-5).map((record) => record.toxicity));
    assert.ok(report!.lines.every((line) => typeof line.toxicity === "number"));

    // In the chat log too, for search and analytics: the reporter's record, the reason its text, the lines by their ids.
    const logged = chatLog.records.filter((record) => record.kind === "report");
    assert.equal(logged.length, 1);
    assert.deepEqual(ChatLogRecord.parse(logged[0]), logged[0], "a valid chat-log record");
    const saidIds = rudeLines.slice(-5).map((record) => record.id);
    assert.deepEqual(
      { id: logged[0]!.id, from: logged[0]!.from, name: logged[0]!.name, text: logged[0]!.text, report: logged[0]!.report },
      { id: report!.id, from: hurt.room.sessionId, name: "다친사람", text: "계속 시비를 걸어요", report: { player: rude.room.sessionId, name: "무례한", lineIds: saidIds } },
    );

    hurt.room.send("report", { player: rude.room.sessionId });
    await waitFor("the second acknowledged", () => notices.length === 2);
    const again = await reports();
    assert.equal(again.length, 1, "one report per reporter and reported player");
    assert.equal(again[0]!.times, 2);
    assert.equal(again[0]!.reason, undefined, "the report as sent again");

    const seen = noticesOf(witness);
    witness.room.send("report", { player: rude.room.sessionId, reason: "욕설" });
    await waitFor("the witness's acknowledged", () => seen.length === 1);
    const both = await reports();
    assert.deepEqual(both.map((r) => r.reporter.name), ["목격자", "다친사람"], "newest first");
    rude.room.send("chat", { text: "신고당해도 말한다" });
    await waitFor("not muted by reports: REPORTS_TO_MUTE is off unless set", () => stateOf(hurt).chat.some((line) => line.text === "신고당해도 말한다"));
    assert.deepEqual((await reports("?limit=1")).map((r) => r.reporter.name), ["목격자"]);
    const limited = (await (await fetch(`${http}/api/reports?limit=1`, { headers: admin })).json()) as { total: number };
    assert.equal(limited.total, 2, "how many are open, past the limit too (the console shows the newest 200)");

    assert.equal((await fetch(`${http}/api/reports/${both[0]!.id}`, { method: "DELETE", headers: admin })).status, 204);
    assert.deepEqual((await reports()).map((r) => r.reporter.name), ["다친사람"]);
    assert.equal((await fetch(`${http}/api/reports/${both[0]!.id}`, { method: "DELETE", headers: admin })).status, 404);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.ok(Number(/^kobot_player_reports_total (\d+)$/m.exec(metrics)?.[1]) >= 3, "reports counted");
    await (await fetch(`${http}/api/reports/${again[0]!.id}`, { method: "DELETE", headers: admin })).text();
  });

  it("refuses a report of nobody or of oneself, a bad one, and past the player's allowance with report_limited", async () => {
    const reporter = await world.join("신고왕");
    const targets = await Promise.all(["가", "나", "다", "라", "마", "바"].map((name) => world.joinBeside(reporter, name)));
    const notices = noticesOf(reporter);
    const lastError = () => reporter.errors.at(-1);

    reporter.room.send("report", { player: "nobody" });
    await waitFor("no such player", () => lastError()?.code === "unknown_player");
    reporter.room.send("report", { player: reporter.room.sessionId });
    await waitFor("not oneself", () => reporter.errors.filter((e) => e.code === "unknown_player").length === 2);
    assert.match(lastError()!.message, /yourself/);
    reporter.room.send("report", { reason: "누군지 안 적음" });
    await waitFor("a report without its player", () => lastError()?.code === "bad_message");
    reporter.room.send("report", { player: targets[0]!.room.sessionId, reason: "가".repeat(201) });
    await waitFor("too long a reason", () => /at most 200/.test(lastError()?.message ?? ""));

    for (const target of targets.slice(0, REPORTS_BURST)) reporter.room.send("report", { player: target.room.sessionId });
    await waitFor("the allowance's reports filed", () => notices.length === REPORTS_BURST);
    reporter.room.send("report", { player: targets[REPORTS_BURST]!.room.sessionId });
    await waitFor("one too many", () => lastError()?.code === "report_limited");
    assert.ok(lastError()!.retryAfterMs! > 100_000 && lastError()!.retryAfterMs! <= 120_000, `${lastError()!.retryAfterMs} ms`);
    const filed = await reports();
    assert.equal(filed.filter((r) => r.reporter.player === reporter.room.sessionId).length, REPORTS_BURST, "the refused one was not filed");
    assert.equal((await fetch(`${http}/api/reports`)).status, 401, "for admins only");
    assert.equal((await fetch(`${http}/api/reports?limit=0`, { headers: admin })).status, 400);
    // A presence that fails (Redis down): the player is told the report was not filed.
    const presence = matchMaker.presence as unknown as { hset: (...args: unknown[]) => Promise<boolean> };
    const hset = presence.hset;
    presence.hset = () => Promise.reject(new Error("the presence is down"));
    try {
      const other = await world.joinBeside(reporter, "다른신고자");
      other.room.send("report", { player: reporter.room.sessionId });
      await waitFor("report_failed", () => other.errors.find((error) => error.code === "report_failed"));
      assert.match(other.errors.at(-1)!.message, /try again later/);
    } finally {
      presence.hset = hset;
    }
    reporter.room.send("chat", { text: "아직 여기 있어요" });
    await waitFor("the reporter still in the room, chatting", () => stateOf(targets[0]!).chat.some((line) => line.text === "아직 여기 있어요"));
  });
});

describe("players' reports that mute by themselves (REPORTS_TO_MUTE)", function () {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld({ REPORTS_TO_MUTE: "2", REPORT_MUTE_MINUTES: "5" });
  });
  after(() => world.stop());

  it("mutes a player, in the room, once two players reported them; one reporter twice is not enough", async () => {
    const rude = await world.join("무례한");
    const first = await world.joinBeside(rude, "첫째");
    const second = await world.joinBeside(rude, "둘째");
    const heard = (text: string) => stateOf(second).chat.some((line) => line.text === text);
    const notices = noticesOf(first);
    first.room.send("report", { player: rude.room.sessionId });
    first.room.send("report", { player: rude.room.sessionId });
    await waitFor("both reports filed", () => notices.length === 2);
    rude.room.send("chat", { text: "한 사람이 두 번" });
    await waitFor("still heard", () => heard("한 사람이 두 번"));

    const seen = noticesOf(second);
    second.room.send("report", { player: rude.room.sessionId });
    await waitFor("the second player's report filed", () => seen.length === 1);
    rude.room.send("chat", { text: "이제는?" });
    await waitFor("muted", () => rude.errors.some((error) => error.code === "muted"));
    const muted = rude.errors.find((error) => error.code === "muted")!;
    assert.ok(muted.retryAfterMs! > 4 * 60_000 && muted.retryAfterMs! <= 5 * 60_000, `${muted.retryAfterMs} ms`);
    assert.equal(muted.text, "이제는?", "the line comes back");
    first.room.send("chat", { text: "다른 사람은 말한다" });
    await waitFor("the others still speak", () => heard("다른 사람은 말한다"));
    assert.ok(!heard("이제는?"));

    // Leaving and joining again ("reconnect" in a game's menu) is a new session: the mute stayed with the old one.
    const roomId = rude.room.roomId;
    await rude.room.leave();
    const again = await joinWorld(world.url, { name: "무례한" }, roomId);
    again.room.send("chat", { text: "다시 들어와서" });
    await waitFor("muted again", () => again.errors.some((error) => error.code === "muted"));
    assert.ok(again.errors.find((error) => error.code === "muted")!.retryAfterMs! > 4 * 60_000);
    // Another name from the same address (a LAN) is someone else.
    const neighbour = await joinWorld(world.url, { name: "옆사람" }, roomId);
    neighbour.room.send("chat", { text: "같은 주소 다른 사람" });
    await waitFor("a neighbour heard", () => heard("같은 주소 다른 사람"));
    assert.ok(!heard("다시 들어와서"));
    await Promise.all([again, neighbour, first, second].map((player) => player.room.leave()));
  });
});

describe("players' reports that mute by themselves, players without an account behind a proxy (TRUST_PROXY=1)", function () {
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld({ REPORTS_TO_MUTE: "2", REPORT_MUTE_MINUTES: "5", TRUST_PROXY: "1" });
  });
  after(() => world.stop());

  it("counts one address's players as one reporter: one person's two tabs cannot mute anyone", async () => {
    const from = (address: string) => ({ "x-forwarded-for": address });
    const rude = await joinWorld(world.url, { name: "무례한" }, undefined, from("203.0.113.1"));
    const tab1 = await joinWorld(world.url, { name: "탭하나" }, rude.room.roomId, from("203.0.113.7"));
    const tab2 = await joinWorld(world.url, { name: "탭둘" }, rude.room.roomId, from("203.0.113.7"));
    const other = await joinWorld(world.url, { name: "다른사람" }, rude.room.roomId, from("203.0.113.8"));
    const heard = (text: string) => stateOf(other).chat.some((line) => line.text === text);
    const [notices1, notices2] = [noticesOf(tab1), noticesOf(tab2)];
    tab1.room.send("report", { player: rude.room.sessionId });
    tab2.room.send("report", { player: rude.room.sessionId });
    await waitFor("both reports filed", () => notices1.length === 1 && notices2.length === 1);
    rude.room.send("chat", { text: "두 탭이 신고" });
    await waitFor("still heard", () => heard("두 탭이 신고"));

    const seen = noticesOf(other);
    other.room.send("report", { player: rude.room.sessionId });
    await waitFor("the other address's report filed", () => seen.length === 1);
    rude.room.send("chat", { text: "이제는?" });
    await waitFor("muted", () => rude.errors.some((error) => error.code === "muted"));
    await Promise.all([rude, tab1, tab2, other].map((player) => player.room.leave()));
  });
});

describe("players' reports from one public address (TRUST_PROXY=1): guests who leave and join again under new names", function () {
  let world: TestWorld;
  let http: string;
  const share = 2;

  before(async () => {
    world = await startTestWorld({ TRUST_PROXY: "1", CHAT_ADDRESS_SHARE: String(share), ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" });
    http = world.url.replace("ws://", "http://");
  });
  after(() => world.stop());

  /** `guest` reports `victim` (a reason the tests' own): true when filed, false when refused report_limited. */
  async function reportedBy(guest: TestPlayer, victim: TestPlayer): Promise<boolean> {
    const notices = noticesOf(guest);
    guest.room.send("report", { player: victim.room.sessionId, reason: "가짜" });
    await waitFor("filed or refused", () => notices.length === 1 || guest.errors.some((error) => error.code === "report_limited"));
    return notices.length === 1;
  }

  it("keeps one report of a player per reporting address, and one allowance of reports per address, however often its guests join again", async () => {
    const from = (address: string) => ({ "x-forwarded-for": address });
    const victim = await joinWorld(world.url, { name: "피해자" }, undefined, from("203.0.113.31"));
    // A review filed 150 open reports in 8.8 s so, each guest a new session with a fresh allowance.
    const allowance = REPORTS_BURST * share;
    let [filed, limited] = [0, 0];
    for (let i = 0; i < allowance + 2; i++) {
      const guest = await joinWorld(world.url, { name: `도배${i}` }, victim.room.roomId, from("203.0.113.99"));
      if (await reportedBy(guest, victim)) filed++;
      else limited++;
      await guest.room.leave();
    }
    assert.deepEqual([filed, limited], [allowance, 2], "the address's allowance, CHAT_ADDRESS_SHARE players' worth, then report_limited");
    const listed = async () => ((await (await fetch(`${http}/api/reports`, { headers: admin })).json()) as { reports: PlayerReport[]; total: number });
    const flood = await listed();
    assert.equal(flood.total, 1, "each report replaced the address's last");
    assert.equal(flood.reports[0]!.times, allowance);
    assert.equal(flood.reports[0]!.reporter.name, `도배${allowance - 1}`, "the last reporter shown");

    // Another address is another reporter, with an allowance of its own.
    const other = await joinWorld(world.url, { name: "목격자" }, victim.room.roomId, from("203.0.113.50"));
    const seen = noticesOf(other);
    other.room.send("report", { player: victim.room.sessionId });
    await waitFor("the other address's report filed", () => seen.length === 1);
    assert.equal((await listed()).total, 2);
    await Promise.all([victim, other].map((player) => player.room.leave()));
  });

  it("gives an address one allowance of reports in all the server's rooms together, not one in each", async () => {
    const from = (address: string) => ({ "x-forwarded-for": address });
    const victims = [await createWorldRoom(world.url, { name: "이쪽" }, from("203.0.113.41")), await createWorldRoom(world.url, { name: "저쪽" }, from("203.0.113.42"))];
    assert.notEqual(victims[0]!.room.roomId, victims[1]!.room.roomId);
    const allowance = REPORTS_BURST * share;
    let [filed, limited] = [0, 0];
    // The address's guests take turns between the rooms: per room (until session 67) each room gave it an allowance.
    for (let i = 0; i < allowance + 2; i++) {
      const victim = victims[i % 2]!;
      const guest = await joinWorld(world.url, { name: `방마다${i}` }, victim.room.roomId, from("203.0.113.98"));
      if (await reportedBy(guest, victim)) filed++;
      else limited++;
      await guest.room.leave();
    }
    assert.deepEqual([filed, limited], [allowance, 2], "the address's allowance, spread over two rooms, then report_limited");
    await Promise.all(victims.map((victim) => victim.room.leave()));
  });
});

describe("players' reports that mute by themselves, signed-in players behind a proxy (AUTH_SECRET, TRUST_PROXY=1)", function () {
  const secret = "a-test-secret-of-at-least-32-characters!!";
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld({ REPORTS_TO_MUTE: "2", REPORT_MUTE_MINUTES: "5", TRUST_PROXY: "1", AUTH_SECRET: secret, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" });
  });
  after(() => world.stop());

  it("counts accounts from one public address as one reporter: one person's second account cannot mute anyone, account-wide", async () => {
    const as = async (account: string, address: string) => ({ "x-forwarded-for": address, ...(await signedIn(secret, account, account)) });
    const victim = await joinWorld(world.url, { name: "x" }, undefined, await as("victim-acct", "203.0.113.21"));
    const alt2 = await joinWorld(world.url, { name: "x" }, victim.room.roomId, await as("alt-2", "203.0.113.22"));
    const alt3 = await joinWorld(world.url, { name: "x" }, victim.room.roomId, await as("alt-3", "203.0.113.22"));
    const heard = (text: string) => stateOf(alt2).chat.some((line) => line.text === text);
    const [notices2, notices3] = [noticesOf(alt2), noticesOf(alt3)];
    alt2.room.send("report", { player: victim.room.sessionId });
    alt3.room.send("report", { player: victim.room.sessionId });
    await waitFor("both reports filed", () => notices2.length === 1 && notices3.length === 1);
    victim.room.send("chat", { text: "두 계정이 신고" });
    await waitFor("still heard", () => heard("두 계정이 신고"));
    const http = world.url.replace("ws://", "http://");
    const listed = (await (await fetch(`${http}/api/reports`, { headers: admin })).json()) as { reports: PlayerReport[] };
    assert.deepEqual(listed.reports.map((r) => r.reporter.account).sort(), ["alt-2", "alt-3"], "the moderators still see each account's report");

    // alt-3 from another address is still the account in the tally; another account there is someone else.
    const moved = await joinWorld(world.url, { name: "x" }, victim.room.roomId, await as("alt-3", "203.0.113.23"));
    const movedNotices = noticesOf(moved);
    moved.room.send("report", { player: victim.room.sessionId });
    await waitFor("alt-3's report again filed", () => movedNotices.length === 1);
    victim.room.send("chat", { text: "주소를 바꿔도" });
    await waitFor("still heard", () => heard("주소를 바꿔도"));
    const other = await joinWorld(world.url, { name: "x" }, victim.room.roomId, await as("other-acct", "203.0.113.24"));
    const seen = noticesOf(other);
    other.room.send("report", { player: victim.room.sessionId });
    await waitFor("another address's account's report filed", () => seen.length === 1);
    victim.room.send("chat", { text: "이제는?" });
    await waitFor("muted", () => victim.errors.some((error) => error.code === "muted"));
    await Promise.all([victim, alt2, alt3, moved, other].map((player) => player.room.leave()));
  });
});
