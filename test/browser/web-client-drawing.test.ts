import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type Page } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";
import { joinWorld, type TestPlayer, waitFor } from "../helpers/world.js";

/**
 * Counts the page's animation frames (`ticks`) from a loop of its own, and the frames drawn (`framesDrawn`: each starts
 * with clearRect), noting the tick of the last (`drawnAtTick`); `onDrawn` runs as a frame starts. The tests wait on
 * frames, which a loaded machine slows.
 */
const countFrames = (onDrawn = "") => `
  window.ticks = 0;
  window.drawnAtTick = 0;
  window.framesDrawn = 0;
  const tick = () => { window.ticks++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (...args) {
    window.framesDrawn++;
    window.drawnAtTick = window.ticks;
    ${onDrawn}
    return clearRect.apply(this, args);
  };
`;
/** Until no frame was drawn for 10 animation frames: no avatar glides (a glide draws every frame). */
const settled = (page: Page) =>
  page.waitForFunction(() => (window as any).ticks - (window as any).drawnAtTick >= 10, undefined, { timeout: 20_000 });

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
    await page.addInitScript(countFrames());
    await page.goto(`${url}/?name=${encodeURIComponent("가만히")}`);
    await page.waitForFunction(() => (window as any).kobot?.room?.state?.npcs?.size === 1);
    const drawnIn = async (ms: number) => {
      const before = await page.evaluate(() => (window as any).framesDrawn as number);
      await page.waitForTimeout(ms);
      return (await page.evaluate(() => (window as any).framesDrawn as number)) - before;
    };
    await settled(page); // the join's glide over
    const still = await drawnIn(3000); // a rate: a loaded machine draws fewer, the bound is the most
    // About one a second (the server's clock); every frame would be ~180.
    assert.ok(still >= 1 && still <= 12, `${still} frames drawn in 3 s of a still village`);
    const walker = await joinWorld(url.replace("http", "ws"), { name: "걷는이" }, await page.evaluate(() => (window as any).kobot.room.roomId as string));
    let step = 0;
    const walking = setInterval(() => walker.room.send("move", { x: (step++ % 20) - 10, y: 0, z: 5 }), 100);
    // Counted from the first frame the walk drew, for 20 frames more: most frames the page had are drawn, where a still
    // village drew one a second (one in 60 frames; one in 10 where a loaded machine gives 10 frames a second). Not all:
    // on a loaded machine's slow frames a glide can end between two of the walker's moves. (It was 20 frames in 2 s,
    // which a loaded machine's Chromium may not have at all.)
    const counts = () => page.evaluate(() => [(window as any).framesDrawn as number, (window as any).ticks as number] as const);
    const [moving, ticks] = await (async (): Promise<[number, number]> => {
      const [framesStill] = await counts();
      await page.waitForFunction((then) => (window as any).framesDrawn > then, framesStill, { timeout: 20_000 });
      const [frames0, ticks0] = await counts();
      await page.waitForFunction((then) => (window as any).framesDrawn > then + 20, frames0, { timeout: 20_000 });
      const [frames1, ticks1] = await counts();
      return [frames1 - frames0, ticks1 - ticks0];
    })().finally(() => clearInterval(walking));
    assert.ok(moving > 20 && moving >= ticks * 0.5, `${moving} frames drawn of ${ticks} animation frames while another player walked`);
    await walker.room.leave();
    await page.close();
  });

  it("draws an NPC's answer bubble as patches come while it is up (not every frame), and takes it down after 7 s", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.addInitScript(`${countFrames("window.texts = [];")}
      window.__name = (f) => f;
      window.texts = [];
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
    // The avatar's last steps drawn, and the answer's bubble.
    await page.waitForFunction((words) => ((window as any).texts as string[]).join("\n").includes(words), answerText.slice(0, 3), { timeout: 20_000 });
    await settled(page);
    const before = await page.evaluate(() => (window as any).framesDrawn as number);
    await page.waitForTimeout(3000); // a rate, as for the still village
    const bubbleUp = (await page.evaluate(() => (window as any).framesDrawn as number)) - before;
    // About one a second (the server's clock): drawn every frame while it was up, ~180.
    assert.ok(bubbleUp >= 1 && bubbleUp <= 12, `${bubbleUp} frames drawn in 3 s with a bubble up`);
    const drawnText = async () => (await page.evaluate(() => (window as any).texts as string[])).join("\n");
    assert.ok((await drawnText()).includes(answerText.slice(0, 3)), `the bubble shows "${answerText}"`);
    // Taken down with the patch whose server clock is 7 s past the answer (or the next), however late that reaches the
    // page: the server's time since the answer as the page has it on the first frame drawn without the bubble.
    const gone = await page.waitForFunction((words) => {
      if (((window as any).texts as string[]).join("\n").includes(words)) return false;
      const state = (window as any).kobot.room.state;
      return { after: state.serverTime - [...state.chat].find((line: any) => line.kind === "npc").ts };
    }, answerText.slice(0, 3), { timeout: 20_000 });
    const { after } = (await gone.jsonValue()) as { after: number };
    assert.ok(after >= 7000 && after < 10_000, `the bubble went ${after} ms after the answer: ${await drawnText()}`);
    await page.close();
  });

  it("stacks the names of players who stand together a few lines deep, the page's own first, and counts the rest", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.addInitScript(`${countFrames()}
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
    const crowd: TestPlayer[] = [];
    for (let i = 0; i < 30; i++) crowd.push(await joinWorld(url.replace("http", "ws"), { name: `군중${i}` }, roomId)); // one at a time: seats waiting per address are capped
    const own = (player: TestPlayer) => player.room.state.players.get(player.room.sessionId)!;
    // Each player asked to stand where the page's player does until its own client has it there: a move sent right after
    // a join can be cut short (travel in hand is earned with time), so it is asked again, 5 times a second at most.
    let asked = 0;
    await waitFor("the crowd where the page's player stands, as their own clients have it", () => {
      const away = crowd.filter((player) => own(player).x !== me.x || own(player).z !== me.z);
      if (away.length > 0 && performance.now() - asked > 200) {
        for (const player of away) player.room.send("move", { ...me, y: 0 });
        asked = performance.now();
      }
      return away.length === 0;
    }, 20_000);
    // ...and in the page's state.
    await page.waitForFunction(({ me, ids }) => {
      const players = (window as any).kobot.room.state.players;
      return players.size === 31 && ids.every((id) => players.get(id)?.x === me.x && players.get(id)?.z === me.z);
    }, { me, ids: crowd.map((player) => player.room.sessionId) }, { timeout: 20_000 }).catch(async (error) => {
      const seen = await page.evaluate(() => Object.fromEntries([...(window as any).kobot.room.state.players.entries()].map(([id, p]: any) => [id, [p.x, p.z]])));
      throw new Error(`${error.message}\nexpected all at ${JSON.stringify(me)}\nseen ${JSON.stringify(seen)}`);
    });
    await settled(page);
    await page.evaluate(() => (window as any).names.clear());
    // A clock patch (one a second): the names drawn again.
    const framesThen = await page.evaluate(() => (window as any).framesDrawn as number);
    await page.waitForFunction((then) => (window as any).framesDrawn > then, framesThen, { timeout: 20_000 });
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
