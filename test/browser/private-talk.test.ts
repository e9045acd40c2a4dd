import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type Page } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";
import { startFreezingProxy } from "../helpers/freezing-proxy.js";

/** Keeps in `window.framesHeard` each WebSocket message the page receives, as text: the lines' words are UTF-8 in them. */
function recordFrames(): void {
  const heard: string[] = ((window as any).framesHeard = []);
  const decoder = new TextDecoder();
  window.WebSocket = class extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener("message", (event) => heard.push(typeof event.data === "string" ? event.data : decoder.decode(event.data)));
    }
  };
}

/** Keeps in `window.canvasTexts` every text the page draws on a canvas (names, bubbles). */
function recordCanvasTexts(): void {
  const drawn: string[] = ((window as any).canvasTexts = []);
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, ...args: Parameters<CanvasRenderingContext2D["fillText"]>) {
    drawn.push(args[0]);
    return fillText.apply(this, args);
  };
}

/** The history's lines as the page shows them, oldest first. */
const shownLines = (page: Page) =>
  page.$$eval("#history li", (items) => items.map((item) => ({ id: item.dataset.id, replyTo: item.dataset.replyTo, text: item.textContent ?? "" })));

/** The browser client with an NPC that talks in private (`privateTalk`), in a real Chromium against the embedded server. */
describe("Web client in Chromium: talk in private", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;
  let world: string;
  const mina = `{ id: mina, name: 미나, position: { x: 0, y: 0, z: 3 }, talkRadius: 12, privateTalk: true, knowledge: ${resolve("npc/knowledge/baker.jsonl")}, scriptedAbove: 0.8 }`;
  const hans = "{ id: hans, name: 한스, position: { x: 0, y: 0, z: -3 }, talkRadius: 12 }";
  const writeWorld = (...npcs: string[]) => writeFileSync(world, `models: { default: ${resolve("npc/model")} }\nnpcs:\n${npcs.map((npc) => `  - ${npc}\n`).join("")}`);

  before(async () => {
    world = join(mkdtempSync(join(tmpdir(), "browser-private-")), "world.yaml");
    writeWorld(mina, hans);
    ({ url, browser, stop } = await startBrowserWorld("browser-private-server", { WORLD_FILE: world }));
  });

  after(async () => {
    await stop?.();
  });

  async function open(name: string, server = url): Promise<Page> {
    const page = await browser.newPage();
    await page.addInitScript(recordFrames);
    await page.addInitScript(recordCanvasTexts);
    await page.goto(`${server}/?name=${encodeURIComponent(name)}`);
    await page.waitForFunction(() => (window as any).kobot?.room?.state?.npcs?.size === 2);
    return page;
  }

  it("marks the NPC in the list, and shows the talk to the asker alone: the question, then the answer", async () => {
    const a = await open("민수");
    const b = await open("지영");
    const labels = await a.$$eval("#to-npc option", (options) => options.map((o) => o.textContent));
    assert.deepEqual(labels, ["모두에게", "미나 (귓속말)", "한스"]);

    await a.selectOption("#to-npc", "mina");
    await a.fill("#text", "빵 얼마야?");
    await a.press("#text", "Enter");
    const answer = await a.waitForSelector("#history li.npc[data-reply-to]", { timeout: 15_000 });
    assert.equal(await answer.textContent(), "미나: 식빵 한 덩이에 동전 세 닢이에요.");
    // Both came as private_line messages, shown where they came: the question, then its answer, each once.
    const talk = (await shownLines(a)).filter((line) => line.text.includes("빵"));
    assert.deepEqual(talk.map((line) => line.text), ["민수: 빵 얼마야?", "미나: 식빵 한 덩이에 동전 세 닢이에요."]);
    assert.equal(talk[1]!.replyTo, talk[0]!.id);
    assert.equal(await a.evaluate(() => [...(window as any).kobot.room.state.chat].some((line: any) => line.text.includes("빵"))), false, "not in the room's chat");
    // Her answer in the bubble over her head too, as any NPC's latest answer (it read the room's chat alone).
    await a.waitForFunction(() => ((window as any).canvasTexts as string[]).some((text) => text.includes("식빵")), undefined, { timeout: 5000 });

    // 지영 hears 한스's answer to 민수, and never 미나's talk with 민수.
    await a.selectOption("#to-npc", "hans");
    await a.fill("#text", "안녕하세요");
    await a.press("#text", "Enter");
    await b.waitForSelector("#history li.npc[data-reply-to]", { timeout: 15_000 });
    const heard = await b.$$eval("#history li", (items) => items.map((item) => item.textContent ?? ""));
    assert.ok(heard.some((text) => text.startsWith("한스: ")), JSON.stringify(heard));
    assert.ok(!heard.some((text) => text.includes("빵") || text.includes("동전")), JSON.stringify(heard));
    assert.ok(!((await b.evaluate(() => (window as any).canvasTexts)) as string[]).some((text) => text.includes("식빵")), "no bubble of it on 지영's map");
    // Nothing of it reached 지영's page at all: no message, no state.
    const frames = (await b.evaluate(() => (window as any).framesHeard)) as string[];
    assert.ok(frames.length > 0);
    assert.ok(!frames.some((frame) => frame.includes("빵 얼마야") || frame.includes("동전 세 닢") || frame.includes("private_line")));
  });

  it("shows a line said in private once, though the room sends it again after a reconnection", async () => {
    const proxy = await startFreezingProxy(Number(new URL(url).port));
    try {
      const a = await open("되돌이", `http://${proxy.host}`);
      await a.selectOption("#to-npc", "mina");
      await a.fill("#text", "배고파");
      // The question reaches the room, then nothing the page sends does: the pongs that would confirm the question's
      // private_line and the answer's never come, and the room sends both again when the page is back.
      proxy.muteClientAfterNextMessage();
      await a.press("#text", "Enter");
      await a.waitForSelector("#history li.npc[data-reply-to]", { timeout: 15_000 });
      proxy.cut();
      const answer = "따끈한 빵 하나 드셔 보세요.";
      // The answer's private_line came twice: the room did send it again.
      await a.waitForFunction(
        (words) => ((window as any).framesHeard as string[]).filter((frame) => frame.includes("private_line") && frame.includes(words)).length === 2,
        answer,
        { timeout: 20_000 },
      );
      await a.waitForFunction(() => document.getElementById("status")?.textContent === "접속 중");
      // Absence: the page sends again what it took as unsent 1 s after it is back (a timer of its own). A timer of 1.5 s
      // set in the page after that is due later, so it fires after the page's (however loaded the machine, page timers
      // come late, in order); then a line of the page's own, on the same socket, comes back after the echo of anything
      // sent again before it (a question sent again would be shown again: a new line, a new id).
      await a.evaluate(() => new Promise((done) => setTimeout(done, 1500)));
      await a.evaluate(() => (window as any).kobot.room.send("chat", { text: "다 왔어요" }));
      await a.waitForFunction(() => document.getElementById("history")?.textContent?.includes("다 왔어요"), undefined, { timeout: 20_000 });
      const talk = (await shownLines(a)).filter((line) => line.text.includes("배고파") || line.text.includes(answer));
      assert.deepEqual(talk.map((line) => line.text), ["되돌이: 배고파", `미나: ${answer}`]);
      await a.close();
    } finally {
      await proxy.close();
    }
  });

  it("says so when the NPC a player speaks to leaves the world, and sends nothing to everyone instead until they choose again", async () => {
    const a = await open("혼잣말");
    const b = await open("옆에서");
    await a.selectOption("#to-npc", "hans");
    writeWorld(mina); // an edit of the world while the server runs: 한스 is gone
    try {
      await a.waitForFunction(() => document.getElementById("toast")?.textContent === "한스가 이 방을 떠났어요. 누구에게 말할지 다시 골라 주세요.", undefined, { timeout: 10_000 });
      assert.deepEqual(
        await a.$eval("#to-npc", (select) => [(select as HTMLSelectElement).value, (select as HTMLSelectElement).selectedOptions[0]?.textContent]),
        ["hans", "한스 (떠남)"],
      );
      await a.fill("#text", "한스에게 할 말");
      await a.press("#text", "Enter");
      // The page decides on Enter at once (its keydown handler): the box as it left it.
      assert.equal(await a.inputValue("#text"), "한스에게 할 말", "kept, not sent");
      // Chosen again: to everyone, said aloud, and the NPC that left is no longer offered.
      await a.selectOption("#to-npc", "");
      await a.press("#text", "Enter");
      await b.waitForSelector("#history li.player:has-text('한스에게 할 말')", { timeout: 20_000 });
      // Not sent by the first Enter: a line sent then went out on the same socket before this one and a later one, so
      // by the later one (a marker) 지영 heard it twice.
      await a.fill("#text", "나중에 한 말");
      await a.press("#text", "Enter");
      await b.waitForSelector("#history li.player:has-text('나중에 한 말')", { timeout: 20_000 });
      const heard = await b.$$eval("#history li", (items) => items.map((item) => item.textContent ?? ""));
      assert.equal(heard.filter((text) => text.includes("한스에게 할 말")).length, 1, JSON.stringify(heard));
      await a.waitForFunction(() => [...document.querySelectorAll("#to-npc option")].every((option) => option.textContent !== "한스 (떠남)"));
    } finally {
      writeWorld(mina, hans);
    }
  });

  it("takes the chosen NPC back as it was when an edit brings it back", async () => {
    const a = await open("기다림");
    await a.selectOption("#to-npc", "hans");
    writeWorld(mina);
    try {
      await a.waitForFunction(() => (document.getElementById("to-npc") as HTMLSelectElement).selectedOptions[0]?.textContent === "한스 (떠남)", undefined, { timeout: 10_000 });
    } finally {
      writeWorld(mina, hans);
    }
    await a.waitForFunction(() => {
      const select = document.getElementById("to-npc") as HTMLSelectElement;
      return select.value === "hans" && select.selectedOptions[0]?.textContent === "한스" && select.options.length === 3;
    }, undefined, { timeout: 10_000 });
    await a.fill("#text", "다시 오셨네요");
    await a.press("#text", "Enter");
    await a.waitForFunction(() => (document.getElementById("text") as HTMLInputElement).value === "", undefined, { timeout: 5000 });
  });
});
