import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type Page } from "playwright-core";

import { DEFAULT_WORLD_SETTINGS } from "../../rooms/world-settings.js";
import { startBrowserWorld } from "../helpers/browser.js";

const TALK_RADIUS = 6;
/** 30 NPCs: one at the spawn point, in the middle of the file, and 29 on a grid 16 m apart, none in reach of the spawn. */
const NPCS = (() => {
  const grid = [-40, -24, -8, 8, 24, 40];
  const npcs = grid.flatMap((z) => grid.map((x) => ({ x, z }))).slice(0, 29).map(({ x, z }, i) => ({ id: `n${i}`, name: `주민${i}`, x, z }));
  npcs.splice(14, 0, { id: "square", name: "광장지기", x: 0, z: 0 });
  return npcs;
})();
const npcAt = (x: number, z: number) => NPCS.find((npc) => npc.x === x && npc.z === z)!;

/** The "누구에게" list's groups as the page shows them: each group's label and its options' labels. */
const groups = (page: Page) =>
  page.$$eval("#to-npc optgroup", (elements) => elements.map((group) => [(group as HTMLOptGroupElement).label, [...group.querySelectorAll("option")].map((o) => o.textContent)] as const));
const namesIn = async (page: Page, label: string) => (await groups(page)).find(([group]) => group === label)?.[1] ?? [];

/** Where the world's point (x, z) is on the screen, for a click there. */
async function onScreen(page: Page, x: number, z: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator("#world").boundingBox())!;
  const { bounds } = DEFAULT_WORLD_SETTINGS;
  return { x: box.x + ((x - bounds.minX) / (bounds.maxX - bounds.minX)) * box.width, y: box.y + ((z - bounds.minZ) / (bounds.maxZ - bounds.minZ)) * box.height };
}

/** Until the page's avatar stands still where the room has it. */
const stopped = (page: Page) =>
  page.waitForFunction(() => (window as any).kobot.room.state.players.get((window as any).kobot.room.sessionId).anim === "idle", undefined, { timeout: 15_000 });

/** The page's avatar as the room has it. */
const myPosition = (page: Page) =>
  page.evaluate(() => {
    const room = (window as any).kobot.room;
    const me = room.state.players.get(room.sessionId);
    return { x: me.x as number, z: me.z as number };
  });

/** The browser client in a world of many NPCs: those in reach listed first, and an NPC chosen by a click on the map. */
describe("Web client in Chromium: choosing an NPC among many", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;

  before(async () => {
    const world = join(mkdtempSync(join(tmpdir(), "browser-npc-choice-")), "world.yaml");
    const npcs = NPCS.map(({ id, name, x, z }) => `  - { id: ${id}, name: ${name}, position: { x: ${x}, y: 0, z: ${z} }, talkRadius: ${TALK_RADIUS} }\n`);
    writeFileSync(world, `models: { default: ${resolve("npc/model")} }\nnpcs:\n${npcs.join("")}`);
    ({ url, browser, stop } = await startBrowserWorld("browser-npc-choice-server", { WORLD_FILE: world }));
  });

  after(async () => {
    await stop?.();
  });

  it("lists the NPCs in reach first, in world-file order, moves them as the player walks, and chooses and walks up to an NPC clicked on the map", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${url}/?name=${encodeURIComponent("여행자")}`);
    await page.waitForFunction((count) => (window as any).kobot?.room?.state?.npcs?.size === count, NPCS.length);
    await page.waitForFunction(() => document.querySelector("#to-npc optgroup[label='가까이']") !== null);

    // At the spawn point: the 광장지기 in reach, the 29 others after it in their order (not nearest first).
    const others = NPCS.filter((npc) => npc.id !== "square").map((npc) => npc.name);
    assert.deepEqual(await groups(page), [["가까이", ["광장지기"]], ["멀리", others]]);
    assert.equal(await page.$eval("#to-npc > option", (option) => option.textContent), "모두에게");
    await page.selectOption("#to-npc", "square");
    // A canvas wide enough that the clicks below land where meant, clear of the NPCs' dots and names.
    assert.ok((await page.locator("#world").boundingBox())!.width >= 600);

    // A click beside 주민 at (8, 8), not on it: the avatar walks there as before, and the list follows.
    const neighbour = npcAt(8, 8);
    const beside = await onScreen(page, 10, 4);
    await page.mouse.click(beside.x, beside.y);
    await page.waitForFunction(() => (window as any).kobot.room.state.players.get((window as any).kobot.room.sessionId).anim === "walk");
    await stopped(page);
    assert.deepEqual(await namesIn(page, "가까이"), [neighbour.name]);
    assert.deepEqual(await namesIn(page, "멀리"), NPCS.filter((npc) => npc !== neighbour).map((npc) => npc.name));
    assert.equal(await page.inputValue("#to-npc"), "square", "the NPC chosen stays chosen, wherever it is listed");
    const there = await myPosition(page);
    assert.ok(Math.hypot(there.x - 10, there.z - 4) < 0.5, `walked to the point clicked: ${JSON.stringify(there)}`);

    // The list is rebuilt when what it shows changes, not at every step of a walk.
    await page.evaluate(() => {
      (window as any).listRebuilt = 0;
      new MutationObserver(() => (window as any).listRebuilt++).observe(document.getElementById("to-npc")!, { childList: true });
    });
    // A tap beside 주민 at (-24, -24), off its dot's centre by a finger's width: chosen, said, and walked up to.
    const target = npcAt(-24, -24);
    const dot = await onScreen(page, target.x, target.z);
    await page.mouse.click(dot.x + 8, dot.y - 12);
    assert.equal(await page.inputValue("#to-npc"), target.id);
    assert.equal(await page.textContent("#toast"), `${target.name}에게 다가가요. 가까이 가면 말을 걸 수 있어요.`);
    await page.waitForFunction((name) => document.querySelector("#to-npc optgroup[label='가까이']")?.textContent === name, target.name, { timeout: 15_000 });
    // Stopped inside its reach, not on it.
    await stopped(page);
    const end = await myPosition(page);
    const away = Math.hypot(end.x - target.x, end.z - target.z);
    assert.ok(away <= TALK_RADIUS && away > 2, `stopped ${away.toFixed(1)} m from it`);
    const rebuilt = await page.evaluate(() => (window as any).listRebuilt as number);
    // Out of 주민 (8, 8)'s reach, through (-8, -8)'s and out, into the target's: a rebuild each, of ~60 renders.
    assert.ok(rebuilt >= 2 && rebuilt <= 6, `the list rebuilt ${rebuilt} times on the way`);
    assert.equal(await page.inputValue("#to-npc"), target.id);

    // Asked from there: answered, not too_far.
    await page.fill("#text", "안녕하세요");
    await page.press("#text", "Enter");
    const answer = await page.waitForSelector("#history li.npc[data-reply-to]", { timeout: 15_000 });
    assert.match((await answer.textContent()) ?? "", new RegExp(`^${target.name}: \\S`));
    assert.notEqual(await page.$eval("#toast", (toast) => (toast as HTMLElement).dataset.code), "too_far");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
