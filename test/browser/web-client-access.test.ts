import assert from "node:assert/strict";
import { type Browser, type BrowserContextOptions, type Page, type Request } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";
import { joinWorld, waitFor } from "../helpers/world.js";

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };

/** The browser client for a player with a screen reader, with only a keyboard, or on a phone: in Chromium against the embedded server. */
describe("Web client in Chromium: screen readers, keyboards and phones", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;

  before(async () => {
    ({ url, browser, stop } = await startBrowserWorld("browser-access-server", {}));
  });

  after(async () => {
    await stop?.();
  });

  /** A page joined as `name`, in a context of its own (`options`: a phone's screen). */
  async function open(name: string, options: BrowserContextOptions = { viewport: { width: 1100, height: 760 } }): Promise<Page> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto(`${url}/?name=${encodeURIComponent(name)}`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
    await page.waitForFunction(() => (window as any).kobot.room.state?.players !== undefined);
    return page;
  }

  const roomOf = (page: Page) => page.evaluate(() => (window as any).kobot.room.roomId as string);
  const position = (page: Page) =>
    page.evaluate(() => {
      const room = (window as any).kobot.room;
      const me = room.state.players.get(room.sessionId);
      return { x: me.x as number, z: me.z as number };
    });
  /** What the page's live regions hold: what a screen reader is given to read out unasked. */
  const liveText = (page: Page) =>
    page.$$eval("[aria-live]:not([aria-live=off]), [role=log], [role=status], [role=alert]", (regions) => regions.map((region) => region.textContent ?? ""));
  /** Counts the changes to `id`'s text from now (a live region reads each out). */
  const countChanges = (page: Page, id: string) =>
    page.evaluate((id) => {
      const counts = ((window as any).changes ??= {});
      counts[id] = 0;
      new MutationObserver(() => counts[id]++).observe(document.getElementById(id)!, { childList: true, characterData: true, subtree: true });
    }, id);
  const changes = (page: Page, id: string) => page.evaluate((id) => (window as any).changes[id] as number, id);

  it("reads out only the lines said after the player came, as said: not the room's backlog, nor each line's 신고", async () => {
    const early = await joinWorld(url.replace("http", "ws"), { name: "먼저온이" });
    for (let i = 1; i <= 3; i++) early.room.send("chat", { text: `지난 말 ${i}` });
    for (let tries = 0; early.room.state.chat.filter((line: { text: string }) => line.text.startsWith("지난 말")).length < 3 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const page = await open("늦게온이");
    assert.equal(await roomOf(page), early.room.roomId);
    await page.locator("#history li", { hasText: "지난 말 3" }).waitFor();
    // A line is read out (or not) by the same update that shows it; checked again below, after a later line.
    const atJoin = await liveText(page);
    assert.ok(!atJoin.some((text) => text.includes("지난 말")), `the backlog is shown, not read out: ${JSON.stringify(atJoin)}`);

    early.room.send("chat", { text: "새로 한 말" });
    await page.locator("#history li", { hasText: "새로 한 말" }).waitFor();
    // The updates since the backlog came (the region keeps the last 5 lines read out: the 3 would still be there).
    const afterJoin = await liveText(page);
    assert.ok(!afterJoin.some((text) => text.includes("지난 말")), `the backlog is shown, not read out: ${JSON.stringify(afterJoin)}`);
    const spoken = await page.$$eval("[aria-live]:not([aria-live=off]) > *", (lines) => lines.map((line) => line.textContent));
    assert.ok(spoken.includes("먼저온이: 새로 한 말"), `the new line, as said: ${JSON.stringify(spoken)}`);
    assert.ok(!(await liveText(page)).some((text) => text.includes("신고")), "no 신고 read out with it");
    // The button itself says whom it reports, to one going through the lines.
    assert.ok((await page.getByRole("button", { name: "먼저온이 님 신고" }).count()) >= 1);
    await early.room.leave();
    await page.context().close();
  });

  it("keeps the chat box, its focus and what is typed while the connection is taken back, says so once, and sends once back", async () => {
    const page = await open("끊겨도쓰는이");
    const session = await page.evaluate(() => (window as any).kobot.room.sessionId as string);
    await page.focus("#text");
    await page.keyboard.type("쓰다가");
    // Dropped in the first 5 s (the SDK does not resume then), with no network: the page retries, joining again.
    await page.context().setOffline(true);
    await page.evaluate(() => (window as any).kobot.room.connection.transport.ws.close());
    await page.waitForFunction(() => document.getElementById("toast")?.textContent === "서버에 연결할 수 없어요. 잠시 뒤에 다시 시도할게요.", undefined, { timeout: 10_000 });
    assert.equal(await page.getAttribute("#status", "role"), "status", "a screen reader hears the connection's state");
    assert.equal(await page.textContent("#status"), "다시 연결 중…");
    await page.keyboard.type(" 더 씀");
    assert.deepEqual(await page.evaluate(() => [document.activeElement?.id, (document.getElementById("text") as HTMLInputElement).value]), ["text", "쓰다가 더 씀"]);
    // Past a notice's 5 s and through two retries: the same words stay, not cleared nor written (and read out) again.
    await countChanges(page, "toast");
    await countChanges(page, "status");
    const tries = { failed: 0 };
    const failed = (request: Request) => void (new URL(request.url()).pathname.startsWith("/matchmake/") && tries.failed++);
    page.on("requestfailed", failed);
    // The notice's 5 s are a timer of the page's: one of 6 s set after it is due later, and fires after it however late
    // page timers come on a loaded machine. Two retries: two tries to get back in that the network failed (20 s: they
    // come seconds apart).
    await page.evaluate(() => new Promise((done) => setTimeout(done, 6000)));
    await waitFor("two retries", () => tries.failed >= 2, 20_000);
    page.off("requestfailed", failed);
    assert.equal(await page.textContent("#toast"), "서버에 연결할 수 없어요. 잠시 뒤에 다시 시도할게요.");
    assert.deepEqual([await changes(page, "toast"), await changes(page, "status")], [0, 0], "no notice or state read out again at each retry");
    // Enter waits: the line stays in the box.
    await page.keyboard.press("Enter");
    assert.equal(await page.inputValue("#text"), "쓰다가 더 씀");
    await page.context().setOffline(false);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중", undefined, { timeout: 20_000 });
    // Its place, kept by the room meanwhile: joined as a new player, a second avatar of it stood there, "away".
    assert.equal(await page.evaluate(() => (window as any).kobot.room.sessionId as string), session, "back in its own place, by its token");
    assert.equal(await page.evaluate(() => [...(window as any).kobot.room.state.players.values()].filter((p: { name: string }) => p.name === "끊겨도쓰는이").length), 1);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "text", "the focus is still in the box");
    await page.keyboard.press("Enter");
    await page.locator("#history li", { hasText: "쓰다가 더 씀" }).waitFor();
    assert.equal(await page.inputValue("#text"), "");
    await page.context().close();
  });

  it("works the report menu as a labelled group: arrows go from reason to reason, not the avatar; closed, the focus goes back to its button", async () => {
    const page = await open("메뉴쓰는이");
    const other = await joinWorld(url.replace("http", "ws"), { name: "메뉴대상" }, await roomOf(page));
    other.room.send("chat", { text: "메뉴 시험" });
    const report = page.locator("#history li", { hasText: "메뉴 시험" }).locator("button.report");
    await report.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("group", { name: "메뉴대상 님을 신고하는 까닭" }).waitFor();
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent);
    const before = await position(page);
    // Held over two of the page's frames: a walking key taken (on its keydown) moves the avatar on the next frame and
    // sends the move at once. A line the page sends after that, on the same socket, reaches the room after any such
    // move: by the time the page's state has the line, it has the avatar wherever that move took it.
    await page.keyboard.down("ArrowDown");
    try {
      await page.evaluate(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
    } finally {
      await page.keyboard.up("ArrowDown");
    }
    await page.evaluate(() => (window as any).kobot.room.send("chat", { text: "메뉴 안의 화살표" }));
    await page.waitForFunction(() => [...(window as any).kobot.room.state.chat].some((line: any) => line.text === "메뉴 안의 화살표"), undefined, { timeout: 20_000 });
    assert.deepEqual(await position(page), before, "the avatar stays");
    assert.equal(await focusedText(), "도배");
    await page.keyboard.press("End");
    assert.equal(await focusedText(), "취소");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedText(), "욕설·비하", "round to the first");
    await page.keyboard.press("Escape");
    assert.ok(await page.isHidden("#report-menu"));
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "메뉴대상 님 신고", "back on the button that opened it");
    // Tabbed out of, either way: closed.
    await page.keyboard.press("Enter");
    await page.locator("#report-menu:not([hidden])").waitFor();
    await page.keyboard.press("Shift+Tab");
    await page.locator("#report-menu").waitFor({ state: "hidden" });
    await page.keyboard.press("Enter");
    await page.locator("#report-menu:not([hidden])").waitFor();
    for (let i = 0; i < 6; i++) await page.keyboard.press("Tab");
    await page.locator("#report-menu").waitFor({ state: "hidden" });
    await other.room.leave();
    await page.context().close();
  });

  it("shows the village and the chat together on a phone, names as large as on a desktop, with targets a finger can hit and text that can be read", async () => {
    const context = await browser.newContext(PHONE);
    // The size names and bubbles are drawn at, in CSS pixels. A string: the test's build names functions with a helper
    // (__name) the page lacks, here and in the functions evaluated below.
    await context.addInitScript(`
      window.__name = (f) => f;
      window.drawnPx = [];
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (...args) {
        window.drawnPx.push(parseFloat(this.font) * this.getTransform().a * this.canvas.clientWidth / this.canvas.width);
        return fillText.apply(this, args);
      };
    `);
    const page = await context.newPage();
    await page.goto(`${url}/?name=${encodeURIComponent("폰으로")}`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
    const other = await joinWorld(url.replace("http", "ws"), { name: "옆사람" }, await roomOf(page));
    other.room.send("chat", { text: "크기 시험" });
    await page.locator("#history li", { hasText: "크기 시험" }).waitFor();
    const drawn = await page.evaluate(() => (window as any).drawnPx as number[]);
    assert.ok(drawn.length > 0 && Math.min(...drawn) >= 12, `names and bubbles at ${Math.min(...drawn).toFixed(1)} CSS px`);

    const layout = await page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
      const inView = (selector: string) => {
        const { top, bottom, left, right } = box(selector);
        return top >= 0 && bottom <= innerHeight && left >= 0 && right <= innerWidth;
      };
      return {
        inView: ["#world", "#history", "#text", "#chat button"].filter((selector) => !inView(selector)),
        sideways: document.documentElement.scrollWidth - innerWidth,
        villageShare: box("#world").height / innerHeight,
        // Fingers: 44 px; the report button on each line at least 24.
        small: [...document.querySelectorAll("#chat > *, #history button.report")]
          .map((element) => [element.id || element.className || element.tagName, element.getBoundingClientRect()] as const)
          .filter(([what, { width, height }]) => (what === "report" ? Math.min(width, height) < 24 : height < 44))
          .map(([what]) => what),
      };
    });
    assert.deepEqual(layout.inView, [], "the village, the history and the chat box all in view, none scrolled to");
    assert.equal(layout.sideways, 0, "no scrolling sideways");
    assert.ok(layout.villageShare <= 0.6, `the village takes ${layout.villageShare.toFixed(2)} of the screen's height`);
    assert.deepEqual(layout.small, [], "targets too small for a finger");

    // Small text at 4.5:1 at least: system lines, the report button, the menu's 취소.
    await page.locator("#history button.report").last().tap();
    await page.locator("#report-menu:not([hidden])").waitFor();
    const contrasts = await page.evaluate(() => {
      const luminance = (colour: string) => {
        const [r, g, b] = colour.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
          const c = Number(v) / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const background = (element: Element | null): string => {
        for (; element; element = element.parentElement) {
          const colour = getComputedStyle(element).backgroundColor;
          if (colour !== "rgba(0, 0, 0, 0)") return colour;
        }
        return "rgb(255, 255, 255)";
      };
      return Object.fromEntries(
        ["#history li.system", "#history button.report", "#report-menu button.cancel"].map((selector) => {
          const element = document.querySelector(selector)!;
          const [a, b] = [luminance(getComputedStyle(element).color), luminance(background(element))];
          return [selector, +((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)).toFixed(2)];
        }),
      );
    });
    assert.ok(Object.values(contrasts).every((ratio) => ratio >= 4.5), JSON.stringify(contrasts));
    await other.room.leave();
    await context.close();
  });

  it("on a phone keeps the history at its newest line as its box shrinks, the chat box usable with the keyboard up, the report menu on the screen", async () => {
    const context = await browser.newContext({ ...PHONE, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${url}/?name=${encodeURIComponent("폰기록")}`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
    const others = await Promise.all(["수다1", "수다2"].map((name) => roomOf(page).then((room) => joinWorld(url.replace("http", "ws"), { name }, room))));
    let said = 0;
    /** A line from the others in turn (each may say 8 at once, then 2 a second). */
    const say = async (text: string) => {
      others[said++ % others.length]!.room.send("chat", { text });
      await page.locator("#history li", { hasText: text }).waitFor();
    };
    await Promise.all(Array.from({ length: 14 }, (_, i) => say(`채우는 말 #${i + 1}.`)));
    // The others may say 2 more each: 1 s on the room's clock (its rate's), as the page's state has it, past the last line.
    await page.waitForFunction(() => {
      const { state } = (window as any).kobot.room;
      const filled = [...state.chat].filter((line: any) => line.text.startsWith("채우는 말")).map((line: any) => line.ts as number);
      return filled.length > 0 && state.serverTime - Math.max(...filled) >= 1000;
    }, undefined, { timeout: 20_000 });
    /** Whether the history comes to show its last line whole (it scrolls on the frame after the line or a resize). */
    const newestShown = () =>
      page
        .waitForFunction(
          () => {
            const history = document.getElementById("history")!.getBoundingClientRect();
            const last = document.querySelector("#history li:last-child")!.getBoundingClientRect();
            return last.top >= history.top - 1 && last.bottom <= history.bottom + 1;
          },
          undefined,
          { timeout: 5_000 },
        )
        .then(
          () => true,
          () => false,
        );
    const inView = (selectors: string[]) =>
      page.evaluate(
        (selectors) =>
          selectors.filter((selector) => {
            const { top, bottom, left, right } = document.querySelector(selector)!.getBoundingClientRect();
            return top < 0 || bottom > innerHeight || left < 0 || right > innerWidth;
          }),
        selectors,
      );
    assert.ok(await newestShown(), "full, at its newest line");

    // The keyboard up, where the browser shrinks the page for it (an upright phone, then a small one, wider than tall).
    for (const [width, height] of [[390, 400], [360, 330]] as const) {
      await page.setViewportSize({ width, height });
      await say(`키보드 뒤의 말 ${width}`);
      assert.ok(await newestShown(), `${width}×${height}: the line said after the box shrank is shown`);
      assert.deepEqual(await inView(["#history", "#text", "#chat button", "#toast"]), [], `${width}×${height}: the chat box and its notice in view`);
      const textWidth = await page.$eval("#text", (text) => text.getBoundingClientRect().width);
      assert.ok(textWidth >= width / 3, `${width}×${height}: the message box ${textWidth} px wide`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await say("키보드 내린 뒤의 말");
    assert.ok(await newestShown(), "back to full height, still at the newest line");

    // Sent with the button: the box keeps the focus (a phone's keyboard stays up).
    await page.tap("#text");
    await page.keyboard.type("버튼으로 보낸 말");
    await page.tap("#chat button");
    await page.locator("#history li", { hasText: "버튼으로 보낸 말" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "text");

    // The newest line's report button is at the screen's bottom: its menu opens above it, every reason on the screen.
    // That line's own: an NPC's greeting of the others (its gap after the phone's own) may come after it.
    await say("신고할 말");
    await page.locator("#history li", { hasText: "신고할 말" }).locator("button.report").tap();
    await page.locator("#report-menu:not([hidden])").waitFor();
    const offScreen = await page.$$eval("#report-menu button", (buttons) =>
      buttons.filter((button) => button.getBoundingClientRect().bottom > innerHeight || button.getBoundingClientRect().top < 0).map((button) => button.textContent),
    );
    assert.deepEqual(offScreen, [], "reasons off the screen");
    await page.keyboard.press("Escape");

    // The join form, for fingers too.
    const form = await context.newPage();
    await form.goto(`${url}/`);
    const heights = await form.$$eval("#join > *", (elements) => elements.map((element) => element.getBoundingClientRect().height));
    assert.ok(Math.min(...heights) >= 44, `the join form's name box and button ${heights.join(", ")} px tall`);
    // A field under 16 px is one iOS Safari zooms the page in on when it takes the focus.
    const fonts = await form.$$eval("input, select", (fields) => fields.map((field) => parseFloat(getComputedStyle(field).fontSize)));
    assert.ok(Math.min(...fonts) >= 16, `fields' text ${fonts.join(", ")} px`);
    await Promise.all(others.map((other) => other.room.leave()));
    await context.close();
  });

  it("keeps 보내기 on one line at 320 px", async () => {
    const page = await open("좁은화면", { viewport: { width: 320, height: 480 } });
    const lines = await page.$eval("#chat button", (button) => {
      const range = document.createRange();
      range.selectNodeContents(button);
      return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
    });
    assert.equal(lines, 1);
    await page.context().close();
  });

  it("names its controls in Korean, not by a placeholder, and goes on in the chat box once the player joins from the form", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    const village = await page.getByRole("img").getAttribute("aria-label");
    assert.match(village ?? "", /^[가-힣 ]+$/, `the village in Korean: ${village}`);
    const named = await page.$$eval("input", (inputs) => inputs.filter((input) => input.labels?.length || input.getAttribute("aria-label")).map((input) => input.id));
    assert.deepEqual(named, ["name", "text"]);
    await page.fill("#name", "양식으로");
    await page.press("#name", "Enter");
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
    await page.waitForFunction(() => document.activeElement?.id === "text", undefined, { timeout: 2000 });
    await context.close();
  });
});
