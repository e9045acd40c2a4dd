import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";

import { cleanText } from "../../common/clean-text.js";
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

  /** A page in the room as `name`, its session id, and each notice's code as it comes (window.codes). */
  async function joined(name: string): Promise<{ page: Page; session: string }> {
    const page = await browser.newPage();
    await page.goto(`${url}/?name=${encodeURIComponent(name)}`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
    await page.evaluate(() => {
      const codes: string[] = ((window as any).codes = []);
      const toast = document.getElementById("toast")!;
      new MutationObserver(() => toast.dataset.code && codes.push(toast.dataset.code)).observe(toast, { attributes: true, childList: true });
    });
    return { page, session: await page.evaluate(() => (window as any).kobot.room.sessionId as string) };
  }

  /** The players' lines the page shows that hold `text`. */
  const shown = (page: Page, text: string) => page.evaluate((text) => [...document.querySelectorAll("#history li.player")].filter((li) => li.textContent?.includes(text)).length, text);

  it("sends a long paste as it is measured, cleaned, and stays in its one session", async () => {
    const { page, session } = await joined("붙여넣기");
    // 8 characters cleaned, 27,007 bytes raw: sent raw, each sending closed the socket (1009), again at each return.
    const spaces = `hi${"\u3000".repeat(9000)}there`;
    // Zalgo: 200 characters once its marks are cut to 3 a letter, 26,050 bytes raw.
    const zalgo = `x${"\u0301".repeat(260)}`.repeat(50);
    assert.ok(Buffer.byteLength(spaces) > MESSAGE_MAX_BYTES && Buffer.byteLength(zalgo) > MESSAGE_MAX_BYTES);
    for (const paste of [spaces, zalgo]) {
      await page.fill("#text", paste);
      await page.press("#text", "Enter");
      await page.waitForFunction(([text]) => [...document.querySelectorAll("#history li.player")].some((li) => li.textContent?.includes(text!)), [cleanText(paste)], { timeout: 10_000 });
    }
    await page.waitForTimeout(2000); // a close, and the return after it, would have come by now
    assert.equal(await page.evaluate(() => (window as any).kobot.room.sessionId as string), session, "the same session");
    assert.equal(await page.textContent("#status"), "접속 중");
    assert.equal(await shown(page, "hi there"), 1);
    const codes = await page.evaluate(() => (window as any).codes as string[]);
    assert.ok(!codes.includes("join_retrying") && !codes.includes("sent_again"), `no close, nothing sent again: ${codes}`);
    await page.close();
  });

  it("does not send again by itself a line whose socket the server closed as too big: the player has it a ↑ away", async () => {
    const { page, session } = await joined("큰줄");
    // As if the line were past the cap (this client's own now never is): its frame padded on this socket alone.
    await page.evaluate((bytes) => {
      const room = (window as any).kobot.room;
      const send = room.send.bind(room);
      room.send = (type: string, message: object) => send(type, type === "chat" ? { ...message, pad: "x".repeat(bytes) } : message);
    }, MESSAGE_MAX_BYTES);
    await page.fill("#text", "잘 가요");
    await page.press("#text", "Enter");
    await page.waitForFunction(
      (old) => document.getElementById("status")?.textContent === "접속 중" && (window as any).kobot.room.sessionId !== old,
      session,
      { timeout: 15_000 },
    );
    // The send again comes a second after the return: given three, it did not come.
    await page.waitForTimeout(3000);
    assert.equal(await shown(page, "잘 가요"), 0, "not said in the room");
    const codes = await page.evaluate(() => (window as any).codes as string[]);
    assert.ok(codes.includes("join_retrying") && !codes.includes("sent_again"), `told of the close, not of a line sent again: ${codes}`);
    await page.focus("#text");
    await page.keyboard.press("ArrowUp");
    assert.equal(await page.inputValue("#text"), "잘 가요");
    await page.close();
  });
});
