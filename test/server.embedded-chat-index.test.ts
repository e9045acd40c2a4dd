import assert from "node:assert/strict";

import { freePort, type Service, startService } from "../tools/processes.js";
import { joinWorld, sleep, type TestPlayer } from "./helpers/world.js";

/** A series' value in a /metrics page (one without labels); undefined when it is not there. */
const valueOf = (page: string, name: string) => {
  const line = page.split("\n").find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

/**
 * The embedded default with ES_URL set and Elasticsearch down: its lines wait in the server for the index template's
 * install, up to 100,000, and /metrics said nothing of it (kobot_chat_index_retries_total counts bulk requests, and
 * none is sent before the template is in).
 */
describe("The embedded chat index with Elasticsearch down", function () {
  this.timeout(120_000);
  let server: Service | undefined;
  let player: TestPlayer | undefined;

  after(async () => {
    await player?.room.leave().catch(() => {});
    await server?.stop();
  });

  it("shows on /metrics the lines waiting to be indexed and the template installs that failed", async () => {
    const [port, closed] = [await freePort(), await freePort()]; // nothing listens on `closed`
    const env = { PORT: String(port), ES_URL: `http://127.0.0.1:${closed}`, WORLD_FILE: "off", MODEL_DIR: "/no/such/model", DATA_DIR: "off" };
    server = await startService("es-down-server", "server/main.ts", env, "world server listening");
    const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    player = await joinWorld(`ws://127.0.0.1:${port}`, { name: "민수" });
    await sleep(500);
    const before = valueOf(await metrics(), "kobot_chat_index_waiting") ?? 0; // the room's own lines (a join)
    for (const text of ["안녕", "여기 누구 있어?", "심심하다"]) player.room.send("chat", { text });
    // A try fails once the Elasticsearch client has spent its own retries of each request: ~16 s.
    const deadline = performance.now() + 60_000;
    const failed = (page: string) => (valueOf(page, "kobot_chat_index_template_failures_total") ?? 0) >= 1;
    let page = "";
    for (;;) {
      page = await metrics();
      if ((valueOf(page, "kobot_chat_index_waiting") === before + 3 && failed(page)) || performance.now() > deadline) break;
      await sleep(500);
    }
    assert.equal(valueOf(page, "kobot_chat_index_waiting"), before + 3, "the player's three lines, waiting");
    assert.ok(failed(page), "the template's install failed, Elasticsearch away");
  });
});
