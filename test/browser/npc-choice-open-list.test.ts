import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";

/**
 * The "누구에게" list open while an NPC on a route walks into the player's reach, in a real Chromium: the list was
 * rebuilt under it, its highlighted row then held the NPC that arrived, and Enter chose that one.
 */
describe("Web client in Chromium: the NPC list open as an NPC walks into reach", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;

  before(async () => {
    const world = join(mkdtempSync(join(tmpdir(), "browser-open-list-")), "world.yaml");
    writeFileSync(world, [
      "npcs:",
      "  - { id: walker, name: 산책꾼, position: { x: 24, y: 0, z: 0 }, talkRadius: 8, route: { points: [{ x: 1, z: 0 }], speed: 6, pauseSeconds: 0.5 } }",
      "  - { id: stay, name: 문지기, position: { x: 0, y: 0, z: 2 }, talkRadius: 6 }",
      "  - { id: far, name: 먼이, position: { x: 40, y: 0, z: 40 }, talkRadius: 6 }",
    ].join("\n"));
    ({ url, browser, stop } = await startBrowserWorld("browser-open-list-server", { WORLD_FILE: world }));
  });

  after(async () => {
    await stop?.();
  });

  it("chooses the NPC highlighted, not the one an arrival moved into its row, and regroups once the list closes", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.goto(`${url}/?name=${encodeURIComponent("여행자")}`);
    await page.waitForFunction(() => document.querySelector("#to-npc optgroup") !== null, undefined, { timeout: 20_000 });
    const groups = () => page.$$eval("#to-npc optgroup", (all) => (all as HTMLOptGroupElement[]).map((group) => `${group.label}: ${[...group.children].map((o) => o.textContent).join(", ")}`));
    assert.deepEqual(await groups(), ["가까이: 문지기", "멀리: 산책꾼, 먼이"]);
    await page.click("#to-npc"); // the list opens
    await page.keyboard.press("ArrowDown"); // 문지기 highlighted, not chosen yet
    // 산책꾼 walks into reach (8 m: it stops there, a player near) while the list is open.
    await page.waitForFunction(() => {
      const { room } = (window as any).kobot;
      const me = room.state.players.get(room.sessionId);
      const walker = room.state.npcs.get("walker");
      return Math.hypot(walker.x - me.x, walker.y - me.y, walker.z - me.z) <= 8;
    }, undefined, { timeout: 15_000 });
    // The list is drawn at each of the page's renders (every 100 ms), with the room's lines: a line of the page's own,
    // sent now and shown, was shown by a render that had 산책꾼 in reach (a rebuild under the open list would be done).
    await page.evaluate(() => (window as any).kobot.room.send("chat", { text: "다 봤어요" }));
    await page.waitForFunction(() => document.getElementById("history")?.textContent?.includes("다 봤어요"), undefined, { timeout: 20_000 });
    await page.keyboard.press("Enter");
    assert.equal(await page.$eval("#to-npc", (select) => (select as HTMLSelectElement).value), "stay");
    await page.waitForFunction(() => document.querySelector("#to-npc optgroup")?.textContent?.includes("산책꾼"), undefined, { timeout: 5000 });
    assert.deepEqual(await groups(), ["가까이: 산책꾼, 문지기", "멀리: 먼이"]);
    await page.close();
  });
});
