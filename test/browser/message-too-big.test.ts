import { execFileSync } from "node:child_process";
import { type Browser, chromium } from "playwright-core";

import { MESSAGE_MAX_BYTES } from "../../rooms/world-contract.js";
import { freePort, type Service, startService } from "../helpers/processes.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The browser client when the server closes its socket for a message past the frame cap (1009). */
describe("Web client in Chromium: a message too big for the server", function () {
  let server: Service;
  let browser: Browser;
  let url: string;

  before(async () => {
    execFileSync("node_modules/.bin/tsx", ["web-client/build.ts"], { stdio: "inherit" });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startService("browser-too-big-server", "server/main.ts", { PORT: String(port) }, "world server listening");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
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
