import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";
import { joinWorld } from "../helpers/world.js";

/** What the browser client draws and when, in a real Chromium against the embedded server. */
describe("Web client in Chromium: drawing the village", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;

  before(async () => {
    // One NPC that stands still and says nothing unasked: a village in which nothing moves.
    const world = join(mkdtempSync(join(tmpdir(), "browser-drawing-")), "world.yaml");
    writeFileSync(world, `models: { default: ${resolve("npc/model")} }\nnpcs:\n  - { id: hans, name: 한스, position: { x: 0, y: 0, z: -20 }, talkRadius: 8 }\n`);
    ({ url, browser, stop } = await startBrowserWorld("browser-drawing-server", { WORLD_FILE: world, MAX_CLIENTS: "80" }));
  });

  after(async () => {
    await stop?.();
  });

  it("draws a still village only as patches come (a clock a second), and every frame again while avatars move", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.addInitScript(`
      window.framesDrawn = 0;
      const clearRect = CanvasRenderingContext2D.prototype.clearRect;
      CanvasRenderingContext2D.prototype.clearRect = function (...args) {
        window.framesDrawn++;
        return clearRect.apply(this, args);
      };
    `);
    await page.goto(`${url}/?name=${encodeURIComponent("가만히")}`);
    await page.waitForFunction(() => (window as any).kobot?.room?.state?.npcs?.size === 1);
    const drawnIn = async (ms: number) => {
      const before = await page.evaluate(() => (window as any).framesDrawn as number);
      await page.waitForTimeout(ms);
      return (await page.evaluate(() => (window as any).framesDrawn as number)) - before;
    };
    await page.waitForTimeout(1000); // the join's glide settled
    const still = await drawnIn(3000);
    // About one a second (the server's clock); every frame would be ~180.
    assert.ok(still >= 1 && still <= 12, `${still} frames drawn in 3 s of a still village`);
    const walker = await joinWorld(url.replace("http", "ws"), { name: "걷는이" }, await page.evaluate(() => (window as any).kobot.room.roomId as string));
    let step = 0;
    const walking = setInterval(() => walker.room.send("move", { x: (step++ % 20) - 10, y: 0, z: 5 }), 100);
    const moving = await drawnIn(2000).finally(() => clearInterval(walking));
    // Every frame (~120; 20 a second on a box this busy would still be 40), where a still village drew 2 or 3.
    assert.ok(moving > 20, `${moving} frames drawn in 2 s while another player walked`);
    await walker.room.leave();
    await page.close();
  });

  it("draws an NPC's answer bubble as patches come while it is up (not every frame), and takes it down after 7 s", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.addInitScript(`
      window.__name = (f) => f;
      window.framesDrawn = 0;
      window.texts = [];
      const clearRect = CanvasRenderingContext2D.prototype.clearRect;
      CanvasRenderingContext2D.prototype.clearRect = function (...args) {
        window.framesDrawn++;
        window.texts = [];
        return clearRect.apply(this, args);
      };
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        window.texts.push(text);
        return fillText.call(this, text, ...rest);
      };
    `);
    await page.goto(`${url}/?name=${encodeURIComponent("묻는이")}`);
    await page.waitForFunction(() => (window as any).kobot?.room?.state?.npcs?.size === 1);
    // Within 한스's talk radius (8 around z −20), then a question.
    // Walked there a step at a time (a move too far at once is clamped).
    await page.waitForFunction(() => {
      const room = (window as any).kobot.room;
      const me = room.state.players.get(room.sessionId);
      const dx = 0 - me.x, dz = -15 - me.z, far = Math.hypot(dx, dz);
      if (far < 0.5) return true;
      const step = Math.min(1, 0.5 / far);
      room.send("move", { x: me.x + dx * step, y: 0, z: me.z + dz * step });
      return false;
    }, undefined, { polling: 100 });
    await page.evaluate(() => (window as any).kobot.room.send("chat", { text: "안녕하세요", to: "hans" }));
    const answer = await page.waitForFunction(() => [...(window as any).kobot.room.state.chat].find((line: any) => line.kind === "npc")?.text as string | undefined);
    const answerText = (await answer.jsonValue()) as string;
    await page.waitForTimeout(1500); // the avatar's last steps drawn
    await page.waitForTimeout(300); // the answer's patch drawn
    const before = await page.evaluate(() => (window as any).framesDrawn as number);
    await page.waitForTimeout(3000);
    const bubbleUp = (await page.evaluate(() => (window as any).framesDrawn as number)) - before;
    // About one a second (the server's clock): drawn every frame while it was up, ~180.
    assert.ok(bubbleUp >= 1 && bubbleUp <= 12, `${bubbleUp} frames drawn in 3 s with a bubble up`);
    const drawnText = async () => (await page.evaluate(() => (window as any).texts as string[])).join("\n");
    assert.ok((await drawnText()).includes(answerText.slice(0, 3)), `the bubble shows "${answerText}"`);
    await page.waitForTimeout(5000); // 7 s after the answer, and a patch more
    assert.ok(!(await drawnText()).includes(answerText.slice(0, 3)), `the bubble went: ${await drawnText()}`);
    await page.close();
  });

  it("stacks the names of players who stand together a few lines deep, the page's own first, and counts the rest", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.addInitScript(`
      window.__name = (f) => f;
      window.names = new Map();
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
        if (this.font.startsWith("13px")) window.names.set(text, y);
        return fillText.call(this, text, x, y, ...rest);
      };
    `);
    await page.goto(`${url}/?name=${encodeURIComponent("나야나")}`);
    await page.waitForFunction(() => (window as any).kobot?.room?.state?.npcs?.size === 1);
    const roomId = await page.evaluate(() => (window as any).kobot.room.roomId as string);
    // 30 players where the page's player stands (players spawn together).
    const me = await page.evaluate(() => {
      const room = (window as any).kobot.room;
      const player = room.state.players.get(room.sessionId);
      return { x: player.x as number, z: player.z as number };
    });
    const crowd = [];
    for (let i = 0; i < 30; i++) crowd.push(await joinWorld(url.replace("http", "ws"), { name: `군중${i}` }, roomId)); // one at a time: seats waiting per address are capped
    for (const player of crowd) player.room.send("move", { ...me, y: 0 });
    await page.waitForFunction(() => (window as any).kobot.room.state.players.size === 31);
    await page.waitForTimeout(1500);
    await page.evaluate(() => (window as any).names.clear());
    await page.waitForTimeout(1200); // a clock patch: the names drawn again
    const drawn = new Map(await page.evaluate(() => [...(window as any).names.entries()] as Array<[string, number]>));
    assert.ok(drawn.has("나야나"), "the page's own name is drawn");
    const crowdDrawn = [...drawn.keys()].filter((text) => text.startsWith("군중"));
    assert.ok(crowdDrawn.length < 30, `${crowdDrawn.length} of 30 names drawn one over another`);
    const counted = [...drawn.keys()].filter((text) => /^\+\d+$/.test(text)).reduce((sum, text) => sum + Number(text.slice(1)), 0);
    assert.equal(crowdDrawn.length + counted, 30, `every player named or counted: ${[...drawn.keys()].join(", ")}`);
    const canvasHeight = await page.evaluate(() => (document.getElementById("world") as HTMLCanvasElement).clientHeight);
    assert.ok(Math.max(...drawn.values()) < canvasHeight, "no name below the canvas");
    await Promise.all(crowd.map((player) => player.room.leave()));
    await page.close();
  });
});
