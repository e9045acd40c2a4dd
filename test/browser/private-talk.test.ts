import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

import { freePort, type Service, startService } from "../helpers/processes.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The browser client with an NPC that talks in private (`privateTalk`), in a real Chromium against the embedded server. */
describe("Web client in Chromium: talk in private", function () {
  let server: Service;
  let browser: Browser;
  let url: string;

  before(async () => {
    execFileSync("node_modules/.bin/tsx", ["web-client/build.ts"], { stdio: "inherit" });
    const world = join(mkdtempSync(join(tmpdir(), "browser-private-")), "world.yaml");
    writeFileSync(world, `models: { default: ${resolve("npc/model")} }
npcs:
  - { id: mina, name: 미나, position: { x: 0, y: 0, z: 3 }, talkRadius: 12, privateTalk: true, knowledge: ${resolve("npc/knowledge/baker.jsonl")}, scriptedAbove: 0.8 }
  - { id: hans, name: 한스, position: { x: 0, y: 0, z: -3 }, talkRadius: 12 }
`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startService("browser-private-server", "server/main.ts", { PORT: String(port), WORLD_FILE: world }, "world server listening");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
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
});
