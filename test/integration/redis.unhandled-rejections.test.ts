import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { freePort, type Service, serviceLog, startService } from "../../tools/processes.js";
import { joinWorld, waitFor } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * The rejections Colyseus leaves unhandled when its Redis calls fail: Node's default ends the process, and @pm2/io
 * (which Colyseus loads when it is installed, as it once was) had caught them where it was there.
 */
describe("A server while Redis is away, as a player leaves", function () {
  this.timeout(120_000);
  let dir: string;
  let server: Service | undefined;
  let redisPort: number;
  const redis = (command: "start" | "stop", port?: number) => run("bash", ["scripts/redis-local.sh", command, dir, ...(port ? [String(port)] : [])], { timeout: 60_000 });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "kobot-redis-rejections-"));
  });
  after(async () => {
    await redis("start", redisPort).catch(() => {}); // so that the server stops without waiting out Redis
    await server?.stop();
    await redis("stop").catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps running when a player leaves with Redis away: the rejections Colyseus leaves are logged, not fatal", async () => {
    redisPort = await freePort();
    await redis("start", redisPort);
    const port = await freePort();
    const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: String(port), SERVER_ID: "rejections-server" };
    server = await startService("rejections-server", "server/main.ts", env, "world server listening");
    const url = `ws://127.0.0.1:${port}`;
    const stays = await joinWorld(url, { name: "남음" });
    const goes = await joinWorld(url, { name: "떠남" }, stays.room.roomId);
    await redis("stop");
    await goes.room.leave();
    // ioredis gives up on the calls the leave made after its retries (~10 s): the process has ended by then, or logged.
    const log = () => readFileSync(serviceLog("rejections-server"), "utf8");
    await waitFor("the unhandled rejection logged, or the server gone", () => server!.process.exitCode !== null || log().includes("unhandled rejection"), 60_000);
    assert.equal(server.process.exitCode, null, `the server ended; see ${serviceLog("rejections-server")}`);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 503, "it answers, degraded while Redis is away");
    await stays.room.leave().catch(() => {});
  });
});
