import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@colyseus/sdk";

import { freePort, type Service, startService } from "../../tools/processes.js";
import { joinWorld, type TestPlayer } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * Two servers on a Redis of their own, each holding one room of one seat: with every room full and both at MAX_ROOMS,
 * a join through either is refused 503 (full, try again). Colyseus made the room on the other process, whose refusal
 * came back over Redis without its status: 523.
 */
describe("Every room full on two servers sharing Redis (real Redis, two server processes)", function () {
  this.timeout(120_000);
  let dir: string;
  let redisPort: number;
  const services: Service[] = [];
  const servers: string[] = [];
  const players: TestPlayer[] = [];
  const redis = (command: "start" | "stop") => run("bash", ["scripts/redis-local.sh", command, dir, ...(command === "start" ? [String(redisPort)] : [])], { timeout: 60_000 });
  // Colyseus writes each process's room count to Redis at most once a second.
  const countsWritten = () => new Promise((resolve) => setTimeout(resolve, 1500));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kobot-redis-full-"));
    redisPort = await freePort();
    await redis("start");
    for (const name of ["full-server-a", "full-server-b"]) {
      const port = await freePort();
      servers.push(`ws://127.0.0.1:${port}`);
      const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: String(port), SERVER_ID: name, PUBLIC_ADDRESS: `127.0.0.1:${port}`, MAX_ROOMS: "1", MAX_CLIENTS: "1", MODEL_DIR: join(dir, "no-model") };
      services.push(await startService(name, "server/main.ts", env, "world server listening"));
    }
  });

  after(async () => {
    await Promise.allSettled(players.map((player) => player.room.leave()));
    await Promise.allSettled(services.map((service) => service.stop()));
    await redis("stop").catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes the second room on the server with space, then refuses a join through either with 503", async () => {
    players.push(await joinWorld(servers[0]!, { name: "첫째" }));
    await countsWritten();
    players.push(await joinWorld(servers[0]!, { name: "둘째" }));
    assert.notEqual(players[1]!.room.roomId, players[0]!.room.roomId, "a room of its own, on the other server");
    await countsWritten();
    for (const server of servers) {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(new Client(server.replace("ws:", "http:")).joinOrCreate("world", { name: "셋째" }), (error: { code?: number; message: string }) => {
          assert.equal(error.code, 503, error.message);
          assert.match(error.message, /MAX_ROOMS 1/);
          return true;
        });
      }
    }
  });
});
