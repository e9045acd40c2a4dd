import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type Page } from "playwright-core";

import { startBrowserWorld } from "../helpers/browser.js";

/**
 * The browser client told `npc_changed` (an edit gave the chosen NPC another id, its name kept): the NPC of that name
 * is chosen again, whether the error or the state listing its new id comes first. The room sends that error to a
 * question waiting on the NPC during the edit (world.added-npc tests when); here it is handed to the page's room as
 * if received, for the moment it comes is the case under test.
 */
describe("Web client in Chromium: an NPC given another id by an edit", function () {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let url: string;
  let world: string;
  /** The world with 한스 under `hansId`, and 미나. */
  const writeWorld = (hansId: string) =>
    writeFileSync(
      world,
      `models: { default: ${resolve("npc/model")} }\nnpcs:\n` +
        `  - { id: ${hansId}, name: 한스, position: { x: 0, y: 0, z: -3 }, talkRadius: 12 }\n` +
        "  - { id: mina, name: 미나, position: { x: 0, y: 0, z: 3 }, talkRadius: 12 }\n",
    );

  before(async () => {
    world = join(mkdtempSync(join(tmpdir(), "browser-npc-changed-")), "world.yaml");
    writeWorld("hans");
    ({ url, browser, stop } = await startBrowserWorld("browser-npc-changed-server", { WORLD_FILE: world }));
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

  const receiveChanged = (page: Page, npcId: string, text?: string) =>
    page.evaluate(
      ({ npcId, text }) => (window as any).kobot.room.dispatchMessage("error", { code: "npc_changed", message: "", npcId, id: `changed-${npcId}-${text}`, ...(text ? { text } : {}) }),
      { npcId, text },
    );
  const chosen = (page: Page) =>
    page.$eval("#to-npc", (select) => [(select as HTMLSelectElement).value, (select as HTMLSelectElement).selectedOptions[0]?.textContent]);
  /** The chosen 한스 shown as gone: the edit reached the page, his new id not chosen. */
  const markedGone = (page: Page) =>
    page.waitForFunction(() => (document.getElementById("to-npc") as HTMLSelectElement).selectedOptions[0]?.textContent === "한스 (떠남)", undefined, { timeout: 10_000 });
  const chosenIs = (page: Page, id: string) =>
    page.waitForFunction((id) => {
      const select = document.getElementById("to-npc") as HTMLSelectElement;
      return select.value === id && select.selectedOptions[0]?.textContent === "한스";
    }, id, { timeout: 10_000 });

  it("chooses the NPC's new id when the error comes before the state lists it, and the next line goes to it", async () => {
    const page = await open("먼저에러");
    await page.selectOption("#to-npc", "hans");
    await receiveChanged(page, "hans2");
    assert.deepEqual(await chosen(page), ["hans", "한스"], "not listed yet: the choice waits");
    writeWorld("hans2");
    try {
      await chosenIs(page, "hans2");
      await page.fill("#text", "새 이름도 한스");
      await page.press("#text", "Enter");
      // Answered by the NPC of the new id.
      const answer = await page.waitForFunction(
        () => {
          const chat = [...(window as any).kobot.room.state.chat];
          const asked = chat.find((line: any) => line.kind === "player" && line.text === "새 이름도 한스");
          return asked && chat.find((line: any) => line.kind === "npc" && line.replyTo === asked.id)?.from;
        },
        undefined,
        { timeout: 15_000 },
      );
      assert.equal(await answer.jsonValue(), "hans2");
    } finally {
      writeWorld("hans");
    }
    await page.close();
  });

  it("chooses it from the NPC marked gone when the state came first, and not another NPC's id", async () => {
    const page = await open("나중에러");
    await page.selectOption("#to-npc", "hans");
    writeWorld("hans3");
    try {
      await markedGone(page);
      await receiveChanged(page, "mina"); // another NPC's name: not the chosen one changed
      assert.deepEqual(await chosen(page), ["hans", "한스 (떠남)"]);
      await receiveChanged(page, "hans3");
      await chosenIs(page, "hans3");
      assert.equal(await page.textContent("#toast"), "한스가 바뀌었어요. 이제 다시 말을 걸 수 있어요.", "a blocked line's word: no asking again");
    } finally {
      writeWorld("hans");
    }
    await page.close();
  });

  it("chooses it while the player types another line, the question given back a ↑ away", async () => {
    const page = await open("쓰는중");
    await page.selectOption("#to-npc", "hans");
    writeWorld("hans5");
    try {
      await markedGone(page);
      await page.fill("#text", "쓰고 있는 말");
      await receiveChanged(page, "hans5", "물어본 말");
      await chosenIs(page, "hans5");
      assert.equal(await page.inputValue("#text"), "쓰고 있는 말", "kept");
      await page.press("#text", "ArrowUp");
      assert.equal(await page.inputValue("#text"), "물어본 말", "the question a ↑ away");
    } finally {
      writeWorld("hans");
    }
    await page.close();
  });
});
