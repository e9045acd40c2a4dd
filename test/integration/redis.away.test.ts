import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { matchMaker } from "@colyseus/core";

import { freePort } from "../helpers/processes.js";
import { joinWorld, startTestWorld, type TestWorld, waitFor } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * A Redis of its own that goes away while a room empties: Colyseus disposes of a room only once it is off the shared
 * listing, which failed with Redis away, and the room ran on (its clock, patches and subscriptions) for good.
 */
describe("Redis away while a room empties (real Redis, stopped and started again)", function () {
  this.timeout(120_000);
  let dir: string;
  let redisPort: number;
  let world: TestWorld | undefined;
  const redis = (command: "start" | "stop") => run("bash", ["scripts/redis-local.sh", command, dir, ...(command === "start" ? [String(redisPort)] : [])], { timeout: 60_000 });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kobot-redis-away-"));
    redisPort = await freePort();
    await redis("start");
    world = await startTestWorld({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, SERVER_ID: "redis-away" });
  });

  after(async () => {
    await redis("start").catch(() => {}); // so that the world stops without waiting out Redis
    await world?.stop();
    await redis("stop").catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("disposes of the room all the same (its clock stops), and takes it off the listing once Redis is back", async () => {
    const player = await joinWorld(world!.url, { name: "혼자" });
    const room = matchMaker.getLocalRoomById(player.room.roomId)!;
    assert.equal(room.clock.running, true);
    await redis("stop");
    await player.room.leave();
    await waitFor("the room disposed of", () => !room.clock.running, 30_000);
    await redis("start");
    for (let tries = 0; (await matchMaker.query({ roomId: room.roomId })).length > 0; tries++) {
      assert.ok(tries < 60, "off the listing within 30 s of Redis's return");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
});
