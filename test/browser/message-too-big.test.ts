import type { Browser } from "playwright-core";

import { MESSAGE_MAX_BYTES } from "../../rooms/world-contract.js";
import { startBrowserWorld } from "../helpers/browser.js";

/** The browser client when the server closes its socket for a message past the frame cap (1009). */
describe("Web client in Chromium: a message too big for the server", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;

  before(async () => {
    ({ url, browser, stop } = await startBrowserWorld("browser-too-big-server", {}));
  });

  after(async () => {
    await stop?.();
  });

  it("says the message was too big, not a bare disconnect, and joins again", async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/?name=${encodeURIComponent("큰말")}`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
    const before = await page.evaluate(() => (window as any).kobot.room.sessionId as string);
    // A custom client's frame (this client's box stops at 200 characters): Hangul is 3 bytes of UTF-8 each.
    await page.evaluate((chars) => (window as any).kobot.room.send("chat", { text: "가".repeat(chars) }), Math.ceil(MESSAGE_MAX_BYTES / 3));
    await page.waitForFunction(() => document.getElementById("toast")?.textContent === "보낸 메시지가 너무 커서 연결이 끊겼어요. 다시 들어갈게요.");
    await page.waitForFunction(
      (old) => document.getElementById("status")?.textContent === "접속 중" && (window as any).kobot.room.sessionId !== old,
      before,
      { timeout: 15_000 },
    );
    await page.close();
  });
});
