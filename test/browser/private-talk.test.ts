import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type Page } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";

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

  async function open(name: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${url}/?name=${encodeURIComponent(name)}`);
    await page.waitForFunction(() => (window as any).kobot?.room?.state?.npcs?.size === 2);
    return page;
  }

  it("marks the NPC in the list, and shows the talk to the asker alone", async () => {
    const a = await open("민수");
    const b = await open("지영");
    const labels = await a.$$eval("#to-npc option", (options) => options.map((o) => o.textContent));
    assert.deepEqual(labels, ["모두에게", "미나 (귓속말)", "한스"]);

    await a.selectOption("#to-npc", "mina");
    await a.fill("#text", "빵 얼마야?");
    await a.press("#text", "Enter");
    const answer = await a.waitForSelector("#history li.npc[data-reply-to]", { timeout: 15_000 });
    assert.equal(await answer.textContent(), "미나: 식빵 한 덩이에 동전 세 닢이에요.");

    // 지영 hears 한스's answer to 민수, and never 미나's talk with 민수.
    await a.selectOption("#to-npc", "hans");
    await a.fill("#text", "안녕하세요");
    await a.press("#text", "Enter");
    await b.waitForSelector("#history li.npc[data-reply-to]", { timeout: 15_000 });
    const heard = await b.$$eval("#history li", (items) => items.map((item) => item.textContent ?? ""));
    assert.ok(heard.some((text) => text.startsWith("한스: ")), JSON.stringify(heard));
    assert.ok(!heard.some((text) => text.includes("빵") || text.includes("동전")), JSON.stringify(heard));
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
      await a.waitForTimeout(500);
      assert.equal(await a.inputValue("#text"), "한스에게 할 말", "kept, not sent");
      const heard = await b.$$eval("#history li", (items) => items.map((item) => item.textContent ?? ""));
      assert.ok(!heard.some((text) => text.includes("한스에게 할 말")), JSON.stringify(heard));
      // Chosen again: to everyone, said aloud, and the NPC that left is no longer offered.
      await a.selectOption("#to-npc", "");
      await a.press("#text", "Enter");
      await b.waitForSelector("#history li.player:has-text('한스에게 할 말')");
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
