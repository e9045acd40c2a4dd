import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { RedisPresence } from "@colyseus/redis-presence";

import { createLogger } from "../../common/log.js";
import { ADMIN_TRIES, ADMIN_WRONG_PER_MINUTE } from "../../server/http/admin-auth.js";
import { ADMIN_ADDRESS_KEPT_MS, ADMIN_ADDRESSES_KEPT, ADMIN_ADDRESSES_KEY, adminAddressesIn } from "../../server/stores/admin-addresses.js";
import { freePort } from "../../tools/processes.js";
import { startTestWorld, type TestWorld, waitFor } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * The addresses admins logged in from, on a Redis of its own (stopped and started again): read back by a server
 * started after the one that wrote them, as a restarted one would, those past a day not; at most
 * ADMIN_ADDRESSES_KEPT; and a login while Redis is away logged, not fatal, and kept once Redis is back.
 */
describe("Admin addresses kept in Redis (real Redis, servers restarted)", function () {
  this.timeout(120_000);
  let dir: string;
  let redisUrl: string;
  let presence: RedisPresence;
  let world: TestWorld | undefined;
  const logged: string[] = [];
  const log = createLogger({}, "warn", (line) => logged.push((JSON.parse(line) as { msg: string }).msg));
  const env = () => ({ REDIS_URL: redisUrl, SERVER_ID: "admin-addresses", ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", TRUST_PROXY: "1" });
  // ioredis fails a command after 5 tries while Redis is away (~1 s), not its 20 (~10 s).
  const startWorld = async () => (world = await startTestWorld(env(), { log, redisRetriesPerRequest: 5 }));
  const stopWorld = async () => {
    await world?.stop();
    world = undefined;
  };
  const redis = (command: "start" | "stop") =>
    run("bash", ["scripts/redis-local.sh", command, dir, ...(command === "start" ? [new URL(redisUrl).port] : [])], { timeout: 60_000 });
  const status = async (from: string, password: string) => {
    const http = world!.url.replace("ws:", "http:");
    const login = "Basic " + Buffer.from(`ops:${password}`).toString("base64");
    return (await fetch(`${http}/api/mutes`, { headers: { authorization: login, "x-forwarded-for": from } })).status;
  };
  /** 21 addresses, each within its own 5 wrong logins, past the server's 100 a minute: new addresses are shut out. */
  const guessTogether = async () => {
    for (let i = 0; i <= ADMIN_WRONG_PER_MINUTE; i++) await status(`203.0.113.${Math.floor(i / ADMIN_TRIES)}`, `guess${i}`);
  };
  const kept = async (address: string) => (await presence.hget(ADMIN_ADDRESSES_KEY, address)) !== null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kobot-redis-admins-"));
    redisUrl = `redis://127.0.0.1:${await freePort()}`;
    await redis("start");
    presence = new RedisPresence(redisUrl);
  });

  afterEach(async () => {
    await redis("start").catch(() => {}); // so that the world stops without waiting out Redis
    await stopWorld();
    await presence.del(ADMIN_ADDRESSES_KEY);
    logged.length = 0;
  });

  after(async () => {
    presence.shutdown();
    await redis("stop").catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets in, after a restart, an admin whose address the server before kept, while guesses hold logins shut; not one past a day", async () => {
    await startWorld();
    assert.equal(await status("198.51.100.7", "correct-horse"), 200);
    await waitFor("the address written", () => kept("198.51.100.7"));
    await presence.hset(ADMIN_ADDRESSES_KEY, "198.51.100.8", String(Date.now() - ADMIN_ADDRESS_KEPT_MS - 60_000));
    await stopWorld();

    await startWorld();
    await guessTogether();
    assert.equal(await status("192.0.2.50", "correct-horse"), 429, "a new address waits, the right login too");
    assert.equal(await status("198.51.100.7", "correct-horse"), 200, "the admin's address from before the restart");
    assert.equal(await status("198.51.100.8", "correct-horse"), 429, "an address last used more than a day ago waits");
  });

  it("keeps at most ADMIN_ADDRESSES_KEPT: those past a day go first, then the oldest", async () => {
    const now = Date.now();
    const hour = 3_600_000;
    const store = adminAddressesIn(() => presence, () => now);
    // 990 within the day, 10 past it (the oldest of all are within the day: age alone decides which go first).
    const fields = Array.from({ length: ADMIN_ADDRESSES_KEPT }, (_, i) =>
      i < 10 ? [`10.1.0.${i}`, String(now - ADMIN_ADDRESS_KEPT_MS - hour)] : [`10.2.${i >> 8}.${i & 255}`, String(now - hour + i)],
    );
    for (const [address, at] of fields) await presence.hset(ADMIN_ADDRESSES_KEY, address!, at!);
    await store.remember("192.0.2.1");
    assert.equal(await presence.hlen(ADMIN_ADDRESSES_KEY), ADMIN_ADDRESSES_KEPT - 9, "the 10 past a day gone, nothing else");
    assert.equal(await kept("10.1.0.0"), false);

    for (let i = 0; i < 9; i++) await store.remember(`192.0.2.${10 + i}`);
    assert.equal(await presence.hlen(ADMIN_ADDRESSES_KEY), ADMIN_ADDRESSES_KEPT);
    await store.remember("192.0.2.100");
    assert.equal(await presence.hlen(ADMIN_ADDRESSES_KEY), ADMIN_ADDRESSES_KEPT, "the oldest within the day goes");
    assert.equal(await kept(fields[10]![0]!), false, "the oldest");
    assert.equal(await kept(fields[11]![0]!), true);
    assert.equal(await kept("192.0.2.100"), true);
  });

  it("lets an admin in while Redis is away, says the address was not kept, and keeps it at the next login once Redis is back", async () => {
    await startWorld();
    await redis("stop");
    const passed = await status("198.51.100.9", "correct-horse");
    assert.ok(passed !== 401 && passed !== 429, `the login taken (the route itself may fail without Redis): ${passed}`);
    await waitFor("the failed write logged", () => logged.includes("an admin's address not kept: after a restart, logins shut by guesses may shut it out"), 10_000);

    await guessTogether();
    assert.equal(await status("192.0.2.60", "correct-horse"), 429, "an address Redis cannot vouch for waits");
    assert.ok(logged.includes("admins' addresses not read: the login is refused while logins are shut"), logged.join("; "));

    await redis("start");
    assert.equal(await status("198.51.100.9", "correct-horse"), 200, "the admin's address is known to this server");
    await waitFor("written once Redis is back", () => kept("198.51.100.9"), 10_000);
    await stopWorld();

    await startWorld();
    await guessTogether();
    assert.equal(await status("198.51.100.9", "correct-horse"), 200, "let in after a restart too");
  });
});
