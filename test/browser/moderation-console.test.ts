import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";

import { KICKED_CLOSE } from "../../rooms/world-protocol.js";
import { signToken } from "../../server/player-accounts.js";
import { startBrowserWorld } from "../helpers/browser.js";
import { joinWorld, type TestPlayer, waitFor } from "../helpers/world.js";

const SECRET = "the moderation console test's secret, 32 characters or more";
const ADMIN = { username: "ops", password: "correct-horse" };

/** The moderators' page in a real Chromium against `npm start`'s process, with players signed in. */
describe("Moderation console in Chromium (/moderation)", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;
  const players: TestPlayer[] = [];
  const admin = { authorization: "Basic " + Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64") };
  const joinAs = async (account: string, name: string, roomId?: string) => {
    const player = await joinWorld(url.replace("http", "ws"), {}, roomId, { authorization: `Bearer ${await signToken(SECRET, { account, name, hours: 1 })}` });
    players.push(player);
    return player;
  };

  before(async () => {
    ({ url, browser, stop } = await startBrowserWorld("moderation-console-server", { AUTH_SECRET: SECRET, ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password }));
  });

  after(async () => {
    await Promise.allSettled(players.map((player) => player.room.connection.isOpen && player.room.leave()));
    await stop?.();
  });

  it("shows a report with the reported player's lines, mutes them from it, lifts the mute, puts them out, and is for admins only", async () => {
    const rude = await joinAs("acc-rude", "무례한");
    const hurt = await joinAs("acc-hurt", "신고자", rude.room.roomId);
    // A player's words are text on the page, never markup.
    rude.room.send("chat", { text: "<b>굵은</b> 시비" });
    await waitFor("the line", () => hurt.room.state.chat.some((line) => line.text === "<b>굵은</b> 시비"));
    rude.room.send("chat", { text: "씨발" });
    await waitFor("the abuse stopped", () => rude.errors.some((error) => error.code === "moderated"));
    let filed = false;
    hurt.room.onMessage("reported", () => (filed = true));
    hurt.room.send("report", { player: rude.room.sessionId, reason: "욕설" });
    await waitFor("the report filed", () => filed);

    assert.equal((await fetch(`${url}/moderation`)).status, 401, "the page asks for the admin login");

    const context = await browser.newContext({ httpCredentials: ADMIN });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${url}/moderation`);
    const row = page.locator("#reports tbody tr", { hasText: "무례한 (acc-rude)" });
    await row.waitFor();
    assert.match(await row.textContent() ?? "", /신고자 \(acc-hurt\).*욕설.*<b>굵은<\/b> 시비/);
    assert.equal(await page.locator("#reports b").count(), 0, "no markup from a player");
    // Names and accounts each isolated: a right-to-left name took the brackets after it to its side.
    assert.deepEqual(await row.locator("td > bdi").allTextContents(), ["신고자", "acc-hurt", "무례한", "acc-rude"]);
    assert.equal(await row.locator("q.blocked").textContent(), "씨발 (자동 차단됨)", "the line nobody saw, marked");
    // Each line's learned score beside it, drawn by the stylesheet: the line's text stays as said.
    assert.match(await row.locator("q.blocked").getAttribute("data-toxicity") ?? "", /^(0|1)\.\d{2}$/);
    const shown = await row.locator("q.blocked").evaluate((q) => getComputedStyle(q, "::after").content);
    assert.match(shown, /유해 점수 (0|1)\.\d{2}/);
    mkdirSync("test/artifacts", { recursive: true });
    await page.screenshot({ path: "test/artifacts/moderation-console.png" });

    await row.getByRole("button", { name: "채팅 금지 30분" }).click();
    const muted = page.locator("#mutes tbody tr", { hasText: "acc-rude" });
    await muted.waitFor();
    assert.match(await muted.textContent() ?? "", /신고: 욕설/);
    await page.locator("#reports tbody td.empty").waitFor(); // the report closed with it
    rude.room.send("chat", { text: "이제 말이 막혔나" });
    await waitFor("the player muted", () => rude.errors.some((error) => error.code === "muted"));

    await muted.getByRole("button", { name: "해제" }).click();
    await page.locator("#mutes tbody td.empty").waitFor();
    const { mutes } = (await (await fetch(`${url}/api/mutes`, { headers: admin })).json()) as { mutes: unknown[] };
    assert.deepEqual(mutes, [], "lifted through the page");

    // Reported again: put out of the room from the page.
    filed = false;
    hurt.room.send("report", { player: rude.room.sessionId });
    await waitFor("the second report filed", () => filed);
    await page.reload(); // rather than wait for the page's next refresh
    let leftWith: number | undefined;
    rude.room.onLeave((code: number) => (leftWith = code));
    await page.locator("#reports tbody tr", { hasText: "무례한 (acc-rude)" }).getByRole("button", { name: "내보내기" }).click();
    await waitFor("the player put out", () => leftWith);
    assert.equal(leftWith, KICKED_CLOSE);
    await page.locator("#reports tbody td.empty").waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("keeps a report's buttons off while its sanction is under way, through a refresh, and shows no refresh older than the latest", async () => {
    const rude = await joinAs("acc-slow", "느린무례");
    const hurt = await joinAs("acc-slow-hurt", "느린신고", rude.room.roomId);
    let filed = false;
    hurt.room.onMessage("reported", () => (filed = true));
    hurt.room.send("report", { player: rude.room.sessionId, reason: "도배" });
    await waitFor("the report filed", () => filed);

    const context = await browser.newContext({ httpCredentials: ADMIN });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.clock.install(); // the 10 s refresh comes when the test says
    // Each answer to the page's reads of the mutes, kept in `mutesRead` once the page's code that awaited it has run on:
    // a message's task comes after every promise job queued before it (and the clock leaves MessageChannel alone).
    await page.addInitScript(() => {
      (window as any).mutesRead = [];
      const fetched = window.fetch;
      window.fetch = async (...args: Parameters<typeof fetch>) => {
        const response = await fetched(...args);
        if (String(args[0]).endsWith("/api/mutes") && (args[1]?.method ?? "GET") === "GET") {
          const json = response.json.bind(response);
          response.json = () =>
            json().then((body) => {
              const channel = new MessageChannel();
              channel.port1.onmessage = () => (window as any).mutesRead.push(body);
              channel.port2.postMessage(undefined);
              return body;
            });
        }
        return response;
      };
    });
    // The action is held on its way (its first call takes the report off the list) until the test lets it go.
    let letMuteGo = () => {};
    const muteHeld = new Promise<void>((resolve) => (letMuteGo = resolve));
    await page.route("**/api/reports/*", async (route) => {
      if (route.request().method() === "DELETE") await muteHeld;
      await route.continue();
    });
    await page.goto(`${url}/moderation`);
    const row = page.locator("#reports tbody tr", { hasText: "느린무례 (acc-slow)" });
    await row.waitFor();
    const buttonsOff = () => row.locator("button").evaluateAll((buttons) => buttons.map((button) => (button as HTMLButtonElement).disabled));
    assert.deepEqual(await buttonsOff(), [false, false, false, false]);
    await row.getByRole("button", { name: "채팅 금지 30분" }).click();
    assert.deepEqual(await buttonsOff(), [true, true, true, true], "no second sanction while the first is on its way");
    // A refresh draws the row anew while the mute is held: its buttons stay off.
    await row.evaluate((tr) => ((tr as HTMLElement).dataset.drawn = "before"));
    await page.mouse.move(0, 0); // off the table, which the timed refresh does not draw under the pointer
    await page.clock.runFor(10_000);
    await page.locator("#reports tbody tr:not([data-drawn])", { hasText: "느린무례 (acc-slow)" }).waitFor();
    assert.deepEqual(await buttonsOff(), [true, true, true, true], "still off after the refresh");
    letMuteGo();
    await page.locator("#mutes tbody tr", { hasText: "acc-slow" }).waitFor();
    await row.waitFor({ state: "detached" }); // the report closed with the mute

    // A refresh that answers late, after a later one, is not shown: the lifted mute does not come back.
    let letOldGo = () => {};
    const oldHeld = new Promise<void>((resolve) => (letOldGo = resolve));
    let held = 0;
    let oldRead = false;
    await page.unroute("**/api/reports/*");
    await page.route("**/api/mutes", async (route) => {
      if (route.request().method() !== "GET" || held++ > 0) return route.continue();
      const response = await route.fetch(); // the mute still in force as this one reads
      oldRead = true;
      await oldHeld;
      await route.fulfill({ response });
    });
    await page.clock.runFor(10_000); // the refresh that answers late
    await waitFor("the old refresh's read", () => oldRead);
    const lifted = await fetch(`${url}/api/mutes/acc-slow`, { method: "DELETE", headers: admin });
    assert.ok(lifted.ok, `lift: ${lifted.status}`);
    await page.clock.runFor(10_000); // a later refresh: no mute
    await page.locator("#mutes tbody td.empty").waitFor();
    await page.evaluate(() => ((window as any).mutesRead = []));
    letOldGo();
    // The older answer (the only one since with the mute in it) read, and the refresh that asked for it done with it.
    await waitFor(
      "the older answer read",
      () => page.evaluate(() => ((window as any).mutesRead as { mutes: { account: string }[] }[]).some((read) => read.mutes.some((mute) => mute.account === "acc-slow"))),
      20_000,
    );
    assert.equal(await page.locator("#mutes tbody tr", { hasText: "acc-slow" }).count(), 0, "the older answer dropped");
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("acts on a report once when two moderators press at once (the second is told, nothing imposed), keeps a longer mute, and draws no new report under the pointer", async () => {
    const rude = await joinAs("acc-twice", "두번무례");
    const hurt = await joinAs("acc-twice-hurt", "두번신고", rude.room.roomId);
    let filed = 0;
    hurt.room.onMessage("reported", () => filed++);
    hurt.room.send("report", { player: rude.room.sessionId, reason: "욕설" });
    await waitFor("the report filed", () => filed === 1);
    const week = await fetch(`${url}/api/mutes`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ account: "acc-twice", minutes: 7 * 24 * 60, reason: "일주일: 반복 욕설" }),
    });
    const { until } = (await week.json()) as { until: number };

    const context = await browser.newContext({ httpCredentials: ADMIN });
    const [first, second] = [await context.newPage(), await context.newPage()];
    const errors: string[] = [];
    for (const page of [first, second]) {
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${url}/moderation`);
      await page.locator("#reports tbody tr", { hasText: "두번무례 (acc-twice)" }).waitFor();
    }
    await first.locator("#reports tbody tr", { hasText: "두번무례" }).getByRole("button", { name: "채팅 금지 30분" }).click();
    await first.locator("#status.note", { hasText: "더 긴 채팅 금지가 이미 있어 그대로 둬요" }).waitFor();
    await second.locator("#reports tbody tr", { hasText: "두번무례" }).getByRole("button", { name: "하루 차단" }).click();
    await second.locator("#status.error", { hasText: "이미 처리됐거나 다시 접수되어 바뀌었어요" }).waitFor();
    const read = async (path: string) => (await (await fetch(`${url}${path}`, { headers: admin })).json()) as Record<string, Array<{ account: string; until: number; reason?: string }>>;
    assert.deepEqual((await read("/api/mutes")).mutes!.map(({ account, until, reason }) => [account, until, reason]), [["acc-twice", until, "일주일: 반복 욕설"]]);
    assert.deepEqual((await read("/api/bans")).bans, [], "the second moderator's ban was not imposed");

    // A new report comes while the pointer is over the table: drawn once the pointer leaves, not under it.
    await first.clock.install();
    await first.reload();
    await first.locator("#reports tbody td.empty").waitFor();
    await first.locator("#reports").hover();
    hurt.room.send("report", { player: rude.room.sessionId, reason: "또 욕설" });
    await waitFor("the second report filed", () => filed === 2);
    const drawnAt = await first.locator("#status").textContent();
    await first.clock.runFor(10_000);
    await first.waitForFunction((before) => document.querySelector("#status")!.textContent !== before, drawnAt); // the timed refresh read the list
    assert.equal(await first.locator("#reports tbody tr", { hasText: "두번무례" }).count(), 0, "not drawn under the pointer");
    await first.mouse.move(0, 0);
    await first.locator("#reports tbody tr", { hasText: "두번무례" }).waitFor();
    assert.deepEqual(errors, []);
    await fetch(`${url}/api/mutes/acc-twice`, { method: "DELETE", headers: admin });
    await context.close();
  });

  it("draws no mute under the mouse or the keyboard's focus (a lift hit another account's), and stops refreshing on a login refused", async () => {
    const mute = (account: string, minutes: number) =>
      fetch(`${url}/api/mutes`, { method: "POST", headers: { ...admin, "content-type": "application/json" }, body: JSON.stringify({ account, minutes }) });
    await mute("acc-week", 7 * 24 * 60);
    const context = await browser.newContext({ httpCredentials: ADMIN });
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(`${url}/moderation`);
    const rows = page.locator("#mutes tbody tr");
    const accounts = () => rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.account));
    await page.locator("#mutes tbody tr", { hasText: "acc-week" }).waitFor();
    // The mouse on the week's "해제": a shorter mute, sorted on top, is not drawn under it.
    await page.locator("#mutes tbody tr", { hasText: "acc-week" }).getByRole("button", { name: "해제" }).hover();
    await mute("acc-brief", 30);
    await page.clock.runFor(10_000);
    await page.locator("#status", { hasText: "포인터나 포커스가 떠나면" }).waitFor();
    assert.deepEqual(await accounts(), ["acc-week"], "held under the mouse");
    await page.mouse.move(0, 0);
    await page.waitForFunction(() => document.querySelectorAll("#mutes tbody tr").length === 2);
    assert.deepEqual(await accounts(), ["acc-brief", "acc-week"]);
    // The keyboard's focus on a row's button: held too, drawn once the focus leaves.
    await page.locator("#mutes tbody tr", { hasText: "acc-week" }).getByRole("button", { name: "해제" }).focus();
    await mute("acc-brief-2", 20);
    await page.clock.runFor(10_000);
    await page.locator("#status", { hasText: "포인터나 포커스가 떠나면" }).waitFor();
    assert.deepEqual(await accounts(), ["acc-brief", "acc-week"], "held while focused");
    assert.equal(await page.evaluate(() => document.activeElement?.closest("tr")?.dataset.account), "acc-week", "the focus stays on its row");
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    await page.waitForFunction(() => document.querySelectorAll("#mutes tbody tr").length === 3);

    // The login no longer taken (ADMIN_PASSWORD changed): said, and no more refreshes, each three wrong logins.
    let calls = 0;
    await page.route("**/api/**", (route) => {
      calls++;
      return route.fulfill({ status: 401, contentType: "application/json", body: '{"error":"admin login required"}' });
    });
    await page.clock.runFor(10_000);
    await page.locator("#status.error", { hasText: "자동 갱신을 멈췄어요" }).waitFor();
    const after = calls;
    await page.clock.runFor(30_000);
    assert.equal(calls, after, "no refresh after the refusal");
    for (const account of ["acc-week", "acc-brief", "acc-brief-2"]) await fetch(`${url}/api/mutes/${account}`, { method: "DELETE", headers: admin });
    await context.close();
  });
});
