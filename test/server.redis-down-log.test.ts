import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { freePort } from "../tools/processes.js";
import { sleep } from "./helpers/world.js";

/**
 * README: the server logs JSON lines on stderr, Colyseus's own messages too (server/colyseus-logger.ts). The Redis
 * presence's connection errors came before that logger was installed (with the Server, after the wait for Redis):
 * plain text among the JSON, ~2 a second, none held back.
 */
describe("A server whose REDIS_URL refuses connections (a closed port, no Redis needed)", function () {
  this.timeout(60_000);

  it("logs only JSON lines while it waits for Redis, the presence's errors held back to one in 10 s", async () => {
    const [redisPort, port] = [await freePort(), await freePort()];
    const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: "off", WORLD_FILE: "off", MODEL_DIR: "/nowhere" };
    const child = spawn("node_modules/.bin/tsx", ["server/main.ts"], { env: { ...process.env, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", (line) => lines.push(line));
    try {
      const deadline = performance.now() + 40_000;
      while (!lines.some((line) => line.includes('"msg":"redis not reachable yet; retrying"'))) {
        assert.ok(performance.now() < deadline && child.exitCode === null, `not waiting for Redis:\n${lines.join("\n")}`);
        await sleep(200);
      }
      await sleep(5000); // a few of ioredis's reconnections more
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
    const plain = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== "object";
      } catch {
        return true;
      }
    });
    assert.deepEqual(plain, [], "every line JSON");
    const presence = lines.filter((line) => line.includes("RedisPresence"));
    assert.ok(presence.length >= 1, "the presence's errors logged");
    assert.ok(presence.every((line) => JSON.parse(line).from === "colyseus"), "through Colyseus's logger");
    assert.ok(presence.length <= 4, `held back, not one per reconnection: ${presence.length}`);
  });
});
