import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { matchMaker } from "@colyseus/core";

import { createLogger } from "../../common/log.js";
import { freePort } from "../../tools/processes.js";
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
  const logged: string[] = [];
  const redis = (command: "start" | "stop") => run("bash", ["scripts/redis-local.sh", command, dir, ...(command === "start" ? [String(redisPort)] : [])], { timeout: 60_000 });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kobot-redis-away-"));
    redisPort = await freePort();
    await redis("start");
    const log = createLogger({}, "warn", (line) => logged.push((JSON.parse(line) as { msg: string }).msg));
    // ioredis fails a command after 5 tries while Redis is away (~1 s), not its 20 (~10 s): what follows a failure is
    // tested. A listing Redis did not take is written (or removed) again every 1 s, not 5 s.
    world = await startTestWorld({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, SERVER_ID: "redis-away" }, { log, redisRetriesPerRequest: 5, redisWriteAgainMs: 1000 });
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

  it("lets a player leave a room others stay in (the socket closes), and lists the right count once Redis is back", async () => {
    const stays = await joinWorld(world!.url, { name: "남음" });
    const goes = await joinWorld(world!.url, { name: "떠남" }, stays.room.roomId);
    await redis("stop");
    // Colyseus updates the listing's count first: its failure (ioredis gives up after ~10 s) ended the leave there.
    const leaving = goes.room.leave();
    // A join meanwhile fails as the update does, with ioredis's same message: logged all the same (the update's line
    // held it back for 10 s).
    const joining = assert.rejects(joinWorld(world!.url, { name: "못들어옴" }), (error: Error & { code?: number }) => error.code === 503);
    const left = await Promise.race([leaving.then(() => true), new Promise((resolve) => setTimeout(resolve, 30_000, false))]);
    assert.equal(left, true, "leave() ended within 30 s");
    await joining;
    assert.ok(logged.includes("a room's listing is behind until Redis answers"), logged.join("; "));
    assert.ok(logged.includes("a join could not read the room listing: Redis does not answer"), logged.join("; "));
    await redis("start"); // empty: the server lists its rooms again within seconds
    for (let tries = 0; (await matchMaker.query({ roomId: stays.room.roomId })).length === 0; tries++) {
      assert.ok(tries < 60, "listed again within 30 s of Redis's return");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const third = await joinWorld(world!.url, { name: "새손님" }, stays.room.roomId);
    const [listed] = await matchMaker.query({ roomId: stays.room.roomId });
    assert.equal(listed?.clients, 2, "the count written whole by the next update");
    await third.room.leave();
    await stays.room.leave();
  });

  it("lists a room's count again once Redis takes writes, where nobody came or went since the write it refused", async () => {
    const stays = await joinWorld(world!.url, { name: "남는이" });
    const goes = await joinWorld(world!.url, { name: "가는이" }, stays.room.roomId);
    const listed = async () => (await matchMaker.query({ roomId: stays.room.roomId }))[0]?.clients;
    const writes = (refused: boolean) => run("redis-cli", ["-p", String(redisPort), "config", "set", "min-replicas-to-write", refused ? "1" : "0"]);
    await writes(false);
    await writes(true); // Redis answers, and refuses every write (NOREPLICAS): the leave's count is not written
    try {
      await goes.room.leave();
      await waitFor("the refused write logged", () => logged.includes("a room's listing is behind until Redis answers"), 10_000);
    } finally {
      await writes(false);
    }
    // Colyseus writes a room's listing only as players come and go: the count stayed 2 for good.
    for (let tries = 0; (await listed()) !== 1; tries++) {
      assert.ok(tries < 30, "the count written again within 15 s");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await stays.room.leave();
  });

  // Colyseus's driver kept the listing's failed read and gave it to every join after: refused for good, /health "ok".
  it("takes joins again once Redis is back after one failed while it was away", async () => {
    await redis("stop");
    // Said in words the clients try again on, not ioredis's own (523, "Reached the max retries per request limit").
    await assert.rejects(joinWorld(world!.url, { name: "못들어옴" }), (error: Error & { code?: number }) => error.code === 503 && /room list does not answer/.test(error.message));
    await redis("start");
    let joined: Awaited<ReturnType<typeof joinWorld>> | undefined;
    for (let tries = 0; !joined; tries++) {
      assert.ok(tries < 30, "a join taken within 30 s of Redis's return");
      joined = await joinWorld(world!.url, { name: "들어옴" }).catch(() => undefined);
      if (!joined) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await joined.room.leave();
  });
});
