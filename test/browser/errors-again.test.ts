import assert from "node:assert/strict";
import { type Browser, type Page } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";
import { startFreezingProxy } from "../helpers/freezing-proxy.js";

/** The player's own lines in the history, as shown. */
const ownLines = (page: Page, name: string) =>
  page.$$eval("#history li.player", (items, prefix) => items.map((item) => item.textContent ?? "").filter((text) => text.startsWith(prefix)), `${name}: `);

/** The browser client against an error the room sends again after a reconnection, in a real Chromium. */
describe("Web client in Chromium: an error sent again", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;

  before(async () => {
    // One line at once, then one every 2 s: a second line at once is refused as rate_limited.
    ({ url, browser, stop } = await startBrowserWorld("browser-errors-again-server", { WORLD_FILE: "off", CHAT_BURST: "1", CHAT_LINES_PER_SECOND: "0.5" }));
  });

  after(async () => {
    await stop?.();
  });

  it("acts on a refusal once: its copy after a reconnection does not take back a line sent again since with the same words", async () => {
    const proxy = await startFreezingProxy(Number(new URL(url).port));
    try {
      const page = await browser.newPage();
      await page.goto(`http://${proxy.host}/?name=${encodeURIComponent("급한이")}`);
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
      await page.fill("#text", "안녕");
      await page.press("#text", "Enter");
      await page.waitForFunction(() => [...document.querySelectorAll("#history li.player")].some((li) => li.textContent === "급한이: 안녕"));
      // Said again at once: the room refuses it (rate_limited), and the pong that would confirm that error never
      // reaches the room, which keeps it to send again.
      proxy.muteClientAfterNextMessage();
      await page.fill("#text", "안녕");
      await page.press("#text", "Enter");
      await page.waitForFunction(() => (document.getElementById("text") as HTMLInputElement).value === "안녕", undefined, { timeout: 5000 });
      // Sent again once the wait is over (the room's 2 s, on its clock: 2.5 s past the first line as the page's state has
      // the room's time, not 2.5 s here), into a socket the room no longer hears; then the connection drops.
      await page.waitForFunction(() => {
        const { state } = (window as any).kobot.room;
        const first = [...state.chat].find((line: any) => line.text === "안녕");
        return first !== undefined && state.serverTime - first.ts >= 2500;
      }, undefined, { timeout: 20_000 });
      await page.press("#text", "Enter");
      await page.waitForFunction(() => (document.getElementById("text") as HTMLInputElement).value === "");
      proxy.cut();
      // Back, the room sends the old refusal again and the page sends the line it took as unsent (1 s after).
      await page.waitForFunction(() => [...document.querySelectorAll("#history li.player")].filter((li) => li.textContent === "급한이: 안녕").length === 2, undefined, { timeout: 15_000 });
      assert.deepEqual(await ownLines(page, "급한이"), ["급한이: 안녕", "급한이: 안녕"]);
      assert.equal(await page.inputValue("#text"), "", "the old refusal did not put the line back");
      await page.close();
    } finally {
      await proxy.close();
    }
  });
});
