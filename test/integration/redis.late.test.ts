import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { freePort, type Service, startService } from "../../tools/processes.js";
import { joinWorld, sleep } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * A Redis of its own, not up yet when the server starts (no start order, as in Kubernetes): the server waits for it,
 * saying so, and takes players once it answers. It exited after ~10 s with ioredis's "max retries per request".
 */
describe("Redis not up yet when a server starts (real Redis, started late)", function () {
  this.timeout(120_000);
  let dir: string;
  let server: Service | undefined;

  after(async () => {
    await server?.stop();
    await run("bash", ["scripts/redis-local.sh", "stop", dir]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("waits for it, then takes players", async () => {
    dir = mkdtempSync(join(tmpdir(), "kobot-redis-late-"));
    const [redisPort, port] = [await freePort(), await freePort()];
    const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: String(port), SERVER_ID: "redis-late", PUBLIC_ADDRESS: `127.0.0.1:${port}`, WORLD_FILE: "off" };
    server = await startService("redis-late-server", "server/main.ts", env, "redis not reachable yet; retrying");
    await sleep(12_000); // past ioredis's retries, on which it exited
    assert.equal(server.process.exitCode, null, "still waiting, not exited");
    await run("bash", ["scripts/redis-local.sh", "start", dir, String(redisPort)], { timeout: 60_000 });
    const url = `http://127.0.0.1:${port}`;
    const deadline = performance.now() + 30_000;
    for (;;) {
      const health = await fetch(`${url}/health`).then((response) => response.json(), () => undefined);
      if (health?.status === "ok") break;
      assert.ok(performance.now() < deadline, `not serving 30 s after Redis came up: ${JSON.stringify(health)}`);
      await sleep(500);
    }
    const player = await joinWorld(url.replace("http:", "ws:"), { name: "민수" });
    assert.ok(player.room.roomId);
    await player.room.leave();
  });
});
