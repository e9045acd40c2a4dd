import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { Client } from "@colyseus/sdk";

import { TOO_MANY_CONNECTIONS_CLOSE } from "../../rooms/world-protocol.js";
import type { WorldState } from "../../rooms/world-state.js";
import { signToken } from "../../server/player-accounts.js";
import { freePort, type Service, startService } from "../../tools/processes.js";
import { joinOnceFree, joinWorld, onceFree, outsideAddress, stateOf, type TestPlayer, waitFor } from "../helpers/world.js";

const run = promisify(execFile);

const AUTH_SECRET = "the proxy test's login secret, 32 characters or more";

/**
 * The world server behind a real nginx with the project's config (ops/nginx/world.conf.template), as deployed:
 * TRUST_PROXY=1, players signed in by the game (AUTH_SECRET), coming from another address than the proxy's.
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
      PORT: String(port), HOST: "127.0.0.1", WORLD_FILE: "off", TRUST_PROXY: "1", CONNECTIONS_PER_ADDRESS: "2", AUTH_SECRET,
    }, "world server listening");
    dir = mkdtempSync(join(tmpdir(), "kobot-nginx-"));
    const { stdout } = await run("bash", ["scripts/nginx-local.sh", "start", dir, "ops/nginx/world.conf.template", "0.0.0.0"], {
      env: { ...process.env, KOBOT_WORLD_SERVER: `127.0.0.1:${port}` },
    });
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
    const bearer = `Bearer ${await signToken(AUTH_SECRET, { account: "proxied", hours: 1 })}`;
    const forged = (i: number) => ({ "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.0.1.${i}`, authorization: bearer });
    players.push(await joinWorld(proxied, { name: "하나" }, undefined, forged(1)));
    const [first] = players;
    players.push(await joinWorld(proxied, { name: "둘" }, first!.room.roomId, forged(2)));
    first!.room.send("chat", { text: "프록시 너머 안녕" });
    await waitFor("the line, through nginx both ways", () => stateOf(players[1]!).chat.some((line) => line.text === "프록시 너머 안녕"));
    await assert.rejects(joinWorld(proxied, { name: "셋" }, first!.room.roomId, forged(3)), (error: { code?: number }) => {
      assert.equal(error.code, TOO_MANY_CONNECTIONS_CLOSE, "a third socket from the address nginx saw (CONNECTIONS_PER_ADDRESS 2), forged addresses or not");
      return true;
    });
    await players.pop()!.room.leave();
    const third = await joinOnceFree(proxied, { name: "셋" }, first!.room.roomId, forged(3));
    assert.ok(third, "the place a player left is free again");
    players.push(third);
  });

  it("lets in only signed-in players, and keeps their tokens, which the SDK sends in the socket's query, out of nginx's log", async () => {
    await assert.rejects(joinWorld(proxied, { name: "손님" }), (error: { code?: number; message: string }) => {
      assert.equal(error.code, 401, error.message);
      return true;
    });
    await Promise.all(players.splice(0).map((player) => player.room.leave()));
    const client = new Client(proxied);
    client.auth.token = await signToken(AUTH_SECRET, { account: "logged", name: "기록", hours: 1 });
    // Once the leavers' sockets have closed at the server (CONNECTIONS_PER_ADDRESS 2).
    const room = await onceFree(() => client.joinOrCreate<WorldState>("world", {}));
    assert.ok(room, "joined through nginx");
    await waitFor("the signed-in player's avatar", () => room.state?.players?.get(room.sessionId)?.name === "기록");
    await room.leave();
    const log = readFileSync(join(dir!, "access.log"), "utf8");
    assert.match(log, new RegExp(`"GET /[^ "]+/${room.roomId} HTTP/1.1" 101`), "the socket's request is logged, by its path");
    assert.doesNotMatch(log, /_authToken|\?/, "no query string, so no token, in the access log");
  });

  it("keeps the server's /metrics from players", async () => {
    const http = proxied.replace("ws:", "http:");
    for (const path of ["/metrics", "/METRICS/", "/metrics?x=1"]) assert.equal((await fetch(`${http}${path}`)).status, 404, path);
    assert.equal((await fetch(`${http}/health/live`)).status, 200);
  });
});

/**
 * Two world servers sharing rooms through Redis behind one nginx (ops/nginx/world-servers.conf.template): players
 * reach both through one address, each room's socket routed by its process's PUBLIC_ADDRESS path.
 */
describe("Two servers behind one nginx (ops/nginx/world-servers.conf.template)", function () {
  const players: TestPlayer[] = [];
  const servers: Service[] = [];
  const metrics: string[] = [];
  let dir: string | undefined;
  let proxied = "";

  before(async () => {
    const [proxyPort, ...ports] = await Promise.all([freePort(), freePort(), freePort()]);
    const host = outsideAddress() ?? "127.0.0.1";
    for (const [i, port] of ports.entries()) {
      metrics.push(`http://127.0.0.1:${port}/metrics`);
      servers.push(await startService(`proxied-server-${i + 1}`, "server/main.ts", {
        PORT: String(port!), HOST: "127.0.0.1", WORLD_FILE: "off", TRUST_PROXY: "1", REDIS_URL: process.env.TEST_REDIS_URL!,
        SERVER_ID: `proxied-${i + 1}`, PUBLIC_ADDRESS: `${host}:${proxyPort}/server-${i + 1}`, MAX_CLIENTS: "2",
      }, "world server listening"));
    }
    dir = mkdtempSync(join(tmpdir(), "kobot-nginx-"));
    const env = { ...process.env, KOBOT_WORLD_SERVER_1: `127.0.0.1:${ports[0]}`, KOBOT_WORLD_SERVER_2: `127.0.0.1:${ports[1]}` };
    await run("bash", ["scripts/nginx-local.sh", "start", dir, "ops/nginx/world-servers.conf.template", "0.0.0.0", String(proxyPort)], { env });
    proxied = `ws://${host}:${proxyPort}`;
  });

  after(async () => {
    await Promise.allSettled(players.map((p) => p.room.connection.isOpen && p.room.leave()));
    if (dir) {
      await run("bash", ["scripts/nginx-local.sh", "stop", dir]);
      rmSync(dir, { recursive: true, force: true });
    }
    await Promise.allSettled(servers.map((server) => server.stop()));
  });

  it("puts rooms on both servers and players into the right one through the proxy, where they hear each other", async () => {
    // Rooms of 2: each pair's first opens a room (on the process with the fewest), its second joins that room by id.
    for (let pair = 0; pair < 4; pair++) {
      const first = await joinWorld(proxied, { name: `방${pair}` });
      const second = await joinWorld(proxied, { name: `손님${pair}` }, first.room.roomId);
      players.push(first, second);
      second.room.send("chat", { text: `안녕 ${pair}` });
      await waitFor(`pair ${pair}'s line`, () => stateOf(first).chat.some((line) => line.text === `안녕 ${pair}`));
      // Each process publishes its room count to Redis at most once a second; new rooms go to the emptiest.
      await new Promise((resolve) => setTimeout(resolve, 1300));
    }
    const rooms = await Promise.all(metrics.map(async (url) => Number(/^kobot_rooms (\d+)$/m.exec(await (await fetch(url)).text())?.[1])));
    assert.ok(rooms.every((count) => count >= 1), `rooms on each server: ${rooms.join(", ")}`);
    assert.equal(rooms[0]! + rooms[1]!, 4);
  });
});
