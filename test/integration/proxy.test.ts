import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { freePort, type Service, startService } from "../helpers/processes.js";
import { joinWorld, outsideAddress, stateOf, type TestPlayer, waitFor } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * The world server behind a real nginx with the project's config (ops/nginx/world.conf.template), as deployed:
 * TRUST_PROXY=1, players coming from another address than the proxy's.
 */
describe("Behind nginx (ops/nginx, TRUST_PROXY=1)", function () {
  const outside = outsideAddress();
  const players: TestPlayer[] = [];
  let server: Service | undefined;
  let dir: string | undefined;
  let proxied = "";

  before(async function () {
    if (!outside) return this.skip(); // no network interface but loopback: every player would be nginx's own address
    const port = await freePort();
    server = await startService("proxied-server", "server/main.ts", {
      PORT: String(port), HOST: "127.0.0.1", WORLD_FILE: "off", TRUST_PROXY: "1", CONNECTIONS_PER_ADDRESS: "2",
    }, "world server listening");
    dir = mkdtempSync(join(tmpdir(), "kobot-nginx-"));
    const { stdout } = await run("bash", ["scripts/nginx-local.sh", "start", dir, `127.0.0.1:${port}`, "0.0.0.0"]);
    proxied = `ws://${outside}:${stdout.trim().split("\n").at(-1)}`;
  });

  after(async () => {
    await Promise.allSettled(players.map((p) => p.room.connection.isOpen && p.room.leave()));
    if (dir) {
      await run("bash", ["scripts/nginx-local.sh", "stop", dir]);
      rmSync(dir, { recursive: true, force: true });
    }
    await server?.stop();
  });

  it("seats players and carries their lines, and counts them by the address nginx saw, not the ones they forged", async () => {
    // Each forges another address, in both headers a client can send; nginx appends the one it saw.
    const forged = (i: number) => ({ "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.0.1.${i}` });
    players.push(await joinWorld(proxied, { name: "하나" }, undefined, forged(1)));
    const [first] = players;
    players.push(await joinWorld(proxied, { name: "둘" }, first!.room.roomId, forged(2)));
    first!.room.send("chat", { text: "프록시 너머 안녕" });
    await waitFor("the line, through nginx both ways", () => stateOf(players[1]!).chat.some((line) => line.text === "프록시 너머 안녕"));
    await assert.rejects(
      joinWorld(proxied, { name: "셋" }, first!.room.roomId, forged(3)),
      "a third socket from the address nginx saw (CONNECTIONS_PER_ADDRESS 2), forged addresses or not",
    );
    await players.pop()!.room.leave();
    let third: TestPlayer | undefined;
    for (let tries = 0; !third && tries < 20; tries++) {
      third = await joinWorld(proxied, { name: "셋" }, first!.room.roomId, forged(3)).catch(() => new Promise<undefined>((resolve) => setTimeout(resolve, 100)));
    }
    assert.ok(third, "the place a player left is free again");
    players.push(third);
  });
});
