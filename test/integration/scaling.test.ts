import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@colyseus/sdk";

import { signToken } from "../../server/player-accounts.js";
import { freePort, type Service, serviceLog, startService, uniqueTopics } from "../../tools/processes.js";
import { answersTo, joinWorld, type TestPlayer, waitFor } from "../helpers/world.js";

/**
 * Two server processes sharing Redis presence and matchmaking, two NPC workers in one consumer
 * group, a real broker: the deployed shape for more players than one process holds.
 */
const run = promisify(execFile);

describe("Scaling: two servers on Redis, two NPC workers on Kafka", function () {
  const topics = uniqueTopics("scale");
  const services: Service[] = [];
  const players: TestPlayer[] = [];
  const servers: Array<{ ws: string; http: string }> = [];
  const workerMetrics: string[] = [];

  const metric = async (url: string, name: string) => {
    const text = await (await fetch(url)).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, "gm"))].reduce((sum, m) => sum + Number(m[1]), 0);
  };

  before(async () => {
    const env = {
      KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS!,
      REDIS_URL: process.env.TEST_REDIS_URL!,
      KAFKA_QUESTION_TOPIC: topics.question,
      KAFKA_ANSWER_TOPIC: topics.answer,
      KAFKA_WORKER_GROUP: `workers-${topics.question}`,
      CHAT_LOG_TOPIC: `chat.log.${topics.question}`,
    };
    for (const name of ["scale-worker-1", "scale-worker-2"]) {
      const port = await freePort();
      workerMetrics.push(`http://127.0.0.1:${port}/metrics`);
      services.push(await startService(name, "npc/worker/worker-main.ts", { ...env, METRICS_PORT: String(port) }, "npc worker started"));
    }
    for (const name of ["scale-server-a", "scale-server-b"]) {
      const port = await freePort();
      const address = `127.0.0.1:${port}`;
      servers.push({ ws: `ws://${address}`, http: `http://${address}` });
      services.push(await startService(name, "server/main.ts", { ...env, PORT: String(port), SERVER_ID: name, PUBLIC_ADDRESS: address }, "world server listening"));
    }
  });

  const health = async (server: { http: string }) => {
    const response = await fetch(`${server.http}/health`);
    return { code: response.status, ...((await response.json()) as { status: string; redis: string | null }) };
  };

  after(async () => {
    await Promise.allSettled(players.map((p) => p.room.connection.isOpen && p.room.leave()));
    await Promise.allSettled(services.map((s) => s.stop()));
  });

  it("spreads rooms over both processes, puts players in the right room through either, and answers every question once", async () => {
    // Four rooms, all created through server A.
    const owners: TestPlayer[] = [];
    for (let i = 0; i < 4; i++) {
      const room = await new Client(servers[0]!.ws).create("world", { name: `방장${i}` });
      await waitFor("the first state", () => room.state?.players !== undefined);
      const player: TestPlayer = { room: room as never, errors: [] };
      owners.push(player);
      players.push(player);
      // Each process publishes its room count to Redis at most once a second; new rooms go to the emptiest.
      await new Promise((resolve) => setTimeout(resolve, 1300));
    }
    const roomsA = await metric(`${servers[0]!.http}/metrics`, "kobot_rooms");
    const roomsB = await metric(`${servers[1]!.http}/metrics`, "kobot_rooms");
    assert.equal(roomsA + roomsB, 4);
    assert.ok(roomsA > 0 && roomsB > 0, `rooms per process: A ${roomsA}, B ${roomsB}`);

    // A guest for every room joins through server B; each lands beside that room's owner.
    const guests: TestPlayer[] = [];
    for (const owner of owners) {
      const guest = await joinWorld(servers[1]!.ws, { name: "손님" }, owner.room.roomId);
      players.push(guest);
      guests.push(guest);
      assert.equal(guest.room.roomId, owner.room.roomId);
      await waitFor("the owner in the guest's state", () => guest.room.state.players.get(owner.room.sessionId) !== undefined);
    }

    // Two questions per room, from owner and guest: one answer each, seen in the room.
    for (const [i, owner] of owners.entries()) {
      owner.room.send("chat", { text: `@kobot 배고파 ${i}` });
      guests[i]!.room.send("chat", { text: `@kobot 잠이 안 와 ${i}` });
    }
    for (const player of [...owners, ...guests]) {
      const [answer] = await waitFor("the answer", () => (answersTo(player).length ? answersTo(player) : undefined), 15_000);
      assert.doesNotMatch(answer!.text, /생각이 잘 안 나네요|대답하기가 어려워요/);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // room for a doubled answer to show up
    for (const player of [...owners, ...guests]) assert.equal(answersTo(player).length, 1);
    const answered = (await Promise.all(workerMetrics.map((url) => metric(url, "kobot_npc_worker_answers_total")))).reduce((a, b) => a + b, 0);
    assert.equal(answered, 8, "each of the 8 questions answered by exactly one worker");
  });

  it("says degraded on /health while Redis is down (joins fail then), and ok once it is back", async () => {
    const up = await health(servers[0]!);
    assert.deepEqual([up.code, up.status, up.redis], [200, "ok", "up"]);
    const dir = process.env.TEST_REDIS_DIR!;
    const port = new URL(process.env.TEST_REDIS_URL!).port;
    const logFrom = statSync(serviceLog("scale-server-b")).size;
    await run("bash", ["scripts/redis-local.sh", "stop", dir]);
    try {
      const down = await health(servers[1]!);
      assert.deepEqual([down.code, down.status, down.redis], [503, "degraded", "down"]);
    } finally {
      await run("bash", ["scripts/redis-local.sh", "start", dir, port]);
    }
    const deadline = performance.now() + 10_000;
    while ((await health(servers[1]!)).redis !== "up") {
      assert.ok(performance.now() < deadline, "/health still says Redis is down 10 s after it is back");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Its reconnection errors are JSON log lines, a few, not ioredis's plain-text stack traces on every try.
    const logged = readFileSync(serviceLog("scale-server-b"), "utf8").slice(logFrom).split("\n").filter(Boolean);
    const plain = logged.filter((line) => !line.startsWith("{"));
    assert.deepEqual(plain, [], "every line the server logged while Redis was down is JSON");
    const redisErrors = logged.filter((line) => /redis connection error|RedisPresence/.test(line));
    assert.ok(redisErrors.length > 0 && redisErrors.length <= 6, `Redis errors logged once per connection: ${redisErrors.length}`);
    // Redis came back empty: the rooms made before are listed again, so a player can join one through either server
    // (`join` never creates a room). Before, every new player got a new room.
    const rooms = new Set(players.map((player) => player.room.roomId));
    const joinedBy = performance.now() + 15_000;
    for (;;) {
      const joined = await new Client(servers[1]!.ws).join("world", { name: "복귀" }).catch(() => undefined);
      if (joined) {
        assert.ok(rooms.has(joined.roomId), `joined ${joined.roomId}, not one of the rooms made before`);
        await joined.leave();
        break;
      }
      assert.ok(performance.now() < joinedBy, "no room to join 15 s after Redis came back");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  it("takes more joins through either process than the cap on joins waiting per address, into a room the other holds", async () => {
    // Every player here comes from 127.0.0.1, which may have 20 joins waiting (JOINS_WAITING_PER_ADDRESS). A seat taken
    // in a room on the other process was released only there: through the process without the room, join 21 in 15 s
    // was refused (429), every earlier player seated.
    const owner = await joinWorld(servers[0]!.ws, { name: "좌석주인" });
    const seated: TestPlayer[] = [owner];
    try {
      for (const [k, server] of servers.entries()) {
        for (let i = 0; i < 22; i++) seated.push(await joinWorld(server.ws, { name: `손님${k}-${i}` }, owner.room.roomId));
      }
      // The room may hold players of the tests before (joined, not created): every guest is looked for by session.
      await waitFor("every guest seated, as the owner sees the room", () => seated.every((player) => owner.room.state.players.has(player.room.sessionId)));
    } finally {
      await Promise.allSettled(seated.map((player) => player.room.leave()));
    }
  });
});

describe("Moderation across processes: two servers on Redis (AUTH_SECRET)", function () {
  const secret = "the scaling test's login secret, 32 characters or more";
  const admin = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64"), "content-type": "application/json" };
  const services: Service[] = [];
  const players: TestPlayer[] = [];
  const servers: Array<{ ws: string; http: string }> = [];
  // Named in words of their own: an account id with a time in base 36 in it once spelled a word moderation refuses.
  let joined = 0;
  /** Each account a name of its own: two accounts named alike in one room are name_taken. */
  const joinAs = async (server: { ws: string }, account: string) =>
    joinWorld(server.ws, {}, undefined, { authorization: `Bearer ${await signToken(secret, { account, name: `플레이어${++joined}`, hours: 1 })}` });
  /** Each server's DATA_DIR: its own archive files, as servers on Redis without Kafka keep them. */
  const dataDirs: string[] = [];
  /** The archive lines of `dir` that `text` is in. */
  const archived = (dir: string, text: string) => {
    const days = join(dir, "chat-log");
    if (!existsSync(days)) return [];
    return readdirSync(days).flatMap((day) => readdirSync(join(days, day)).flatMap((file) => readFileSync(join(days, day, file), "utf8").split("\n"))).filter((line) => line.includes(text));
  };

  before(async () => {
    for (const name of ["mute-server-a", "mute-server-b"]) {
      const port = await freePort();
      const address = `127.0.0.1:${port}`;
      servers.push({ ws: `ws://${address}`, http: `http://${address}` });
      dataDirs.push(mkdtempSync(join(tmpdir(), `${name}-data-`)));
      const env = { REDIS_URL: process.env.TEST_REDIS_URL!, PORT: String(port), SERVER_ID: name, PUBLIC_ADDRESS: address, WORLD_FILE: "off", AUTH_SECRET: secret, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", DATA_DIR: dataDirs.at(-1)! };
      services.push(await startService(name, "server/main.ts", env, "world server listening"));
    }
  });

  after(async () => {
    await Promise.allSettled(players.map((p) => p.room.connection.isOpen && p.room.leave()));
    await Promise.allSettled(services.map((s) => s.stop()));
  });

  it("mutes an account through one server in a room the other holds, and at its next join on either", async () => {
    const account = `noisy-${Date.now().toString(36)}`;
    const noisy = await joinAs(servers[0]!, account);
    players.push(noisy);
    // Matchmaking on Redis puts a new room on either process: the mute goes through the one that does not hold it.
    const socket = (noisy.room.connection as unknown as { transport: { ws: { url: string } } }).transport.ws.url;
    const holder = servers.find((server) => socket.startsWith(server.ws));
    assert.ok(holder, socket);
    const other = servers.find((server) => server !== holder)!;
    const muted = await fetch(`${other.http}/api/mutes`, { method: "POST", headers: admin, body: JSON.stringify({ account, minutes: 10 }) });
    assert.equal(muted.status, 200, await muted.text());
    for (let tries = 0; tries < 30 && !noisy.errors.some((e) => e.code === "muted"); tries++) {
      noisy.room.send("chat", { text: "들리나요" });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(noisy.errors.some((e) => e.code === "muted"), "muted through the other process's presence");
    const again = await joinAs(holder, account);
    players.push(again);
    again.room.send("chat", { text: "다시 왔어요" });
    await waitFor("muted when joining again", () => again.errors.some((e) => e.code === "muted"));
    // Listed by the process that did not set it: the record is in Redis too.
    const { mutes } = (await (await fetch(`${holder.http}/api/mutes`, { headers: admin })).json()) as { mutes: { account: string }[] };
    assert.ok(mutes.some((mute) => mute.account === account), JSON.stringify(mutes));
  });

  it("lists a player's report through either server", async () => {
    const [troll, victim] = [`troll-${Date.now().toString(36)}`, `victim-${Date.now().toString(36)}`];
    const rude = await joinAs(servers[0]!, troll);
    players.push(rude);
    const hurt = await joinWorld(servers[0]!.ws, {}, rude.room.roomId, { authorization: `Bearer ${await signToken(secret, { account: victim, hours: 1 })}` });
    players.push(hurt);
    rude.room.send("chat", { text: "시비 거는 말" });
    await waitFor("the line", () => hurt.room.state.chat.some((line) => line.text === "시비 거는 말"));
    let acknowledged = false;
    hurt.room.onMessage("reported", () => (acknowledged = true));
    hurt.room.send("report", { player: rude.room.sessionId, reason: "욕설" });
    await waitFor("the report filed", () => acknowledged);
    for (const server of servers) {
      const { reports } = (await (await fetch(`${server.http}/api/reports?account=${troll}`, { headers: admin })).json()) as { reports: { reporter: { account: string }; lines: { text: string }[] }[] };
      assert.deepEqual(reports.map((r) => [r.reporter.account, r.lines.map((line) => line.text)]), [[victim, ["시비 거는 말"]]], server.http);
    }
  });

  it("erases a player's lines from the archive files of the server that holds their room, asked of the other", async () => {
    const account = `erased-${Date.now().toString(36)}`;
    const player = await joinAs(servers[0]!, account);
    players.push(player);
    const text = `지워질 말 ${account}`;
    player.room.send("chat", { text });
    // Written to the holder's own DATA_DIR within a second or so.
    const holder = await waitFor("the line archived", () => {
      const found = dataDirs.findIndex((dir) => archived(dir, text).length > 0);
      return found >= 0 ? found : undefined;
    }, 10_000);
    const asked = servers[1 - holder]!;
    const response = await fetch(`${asked.http}/api/erasures`, { method: "POST", headers: admin, body: JSON.stringify({ account }) });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(((await response.json()) as { archivedLines: number }).archivedLines, 0, "none in the asked server's own files");
    await waitFor("the holder's files erased too", () => archived(dataDirs[holder]!, text).length === 0 || undefined, 10_000);
  });
});
