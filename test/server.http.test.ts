import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { request } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { Client } from "@colyseus/sdk";

import { createLogger } from "../common/log.js";
import { TOO_MANY_CONNECTIONS_CLOSE } from "../rooms/world-protocol.js";
import { REQUEST_TIMEOUT_MS, TIMEOUTS_CHECKED_EVERY_MS } from "../server/http/http-guard.js";
import { freePort, serviceLog, startService } from "../tools/processes.js";
import { answersTo, joinOnceFree, joinWorld, outsideAddress, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

describe("Server HTTP routes", () => {
  let open: TestWorld;
  let http: string;
  const auth = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64") };

  before(async () => {
    open = await startTestWorld({ ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" });
    await open.startWorker();
    http = open.url.replace("ws:", "http:");
  });
  after(() => open.stop());

  it("serves Prometheus metrics: rooms, clients, chat lines, NPC answers and latency, event loop lag", async () => {
    const a = await open.join("측정");
    a.room.send("chat", { text: "@kobot 배고파" });
    await waitFor("the answer", () => answersTo(a)[0]);
    const response = await fetch(`${http}/metrics`);
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /text\/plain/);
    assert.match(text, /^kobot_rooms 1$/m);
    assert.match(text, /^kobot_clients 1$/m);
    assert.match(text, /^kobot_chat_lines_total\{kind="player"\} [1-9]/m);
    assert.match(text, /^kobot_npc_questions_total\{npc="kobot"\} [1-9]/m);
    assert.match(text, /^kobot_npc_answers_total\{npc="kobot",outcome="answer"\} [1-9]/m);
    assert.match(text, /^kobot_npc_answer_latency_seconds_count\{npc="kobot"\} [1-9]/m);
    assert.match(text, /^kobot_model_tokens_per_second\{model="kobot-gpt2[^"]*"\} \d/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds \d/m);
    await a.room.leave();
  });

  it("puts the Colyseus monitor and the moderators' console behind the admin credentials", async () => {
    // With the login, the file (or 404 where `npm run build:web` has not run, as in `npm test` on a fresh clone).
    for (const path of ["/moderation", "/moderation.html", "/moderation.js", "/moderation.css"]) {
      assert.equal((await fetch(`${http}${path}`)).status, 401, path);
      assert.notEqual((await fetch(`${http}${path}`, { headers: auth })).status, 401, path);
    }
    for (const path of ["/%6Doderation.js", "/moderation%2Ejs", "/Moderation.css", "/moderation.js.map"]) {
      assert.equal((await fetch(`${http}${path}`)).status, 401, `${path}: the static files decode it`);
    }
    // Sent as they are (fetch would resolve the dots): the static files resolve them, and doubled slashes.
    for (const path of ["//moderation.js", "/./moderation.js", "/x/../moderation.js", "/%2Fmoderation.js", "//moderation.js.map", "//moderation.html"]) {
      assert.equal(await rawStatus(path), 401, `${path}: the static files resolve it`);
    }
    assert.notEqual((await fetch(`${http}/app.js`)).status, 401, "the players' client is for everyone");
    assert.equal((await fetch(`${http}/monitor/`)).status, 401);
    const page = await fetch(`${http}/monitor/`, { headers: auth });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  });

  /** A GET of `path` exactly as written. */
  const rawStatus = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const { port } = new URL(http);
      request({ port, path, host: "127.0.0.1" }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      })
        .on("error", reject)
        .end();
    });

  /** A raw POST, so the test sets the length (or none) itself. */
  const post = (path: string, headers: Record<string, string | number>, body: Buffer) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${http}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });

  it("refuses a matchmaking body over 16 KiB (413) or without a length (411), and still seats players", async () => {
    const huge = Buffer.from(JSON.stringify({ name: "가".repeat(400_000) }));
    const refused = await post("/matchmake/joinOrCreate/world", { "content-length": huge.length }, huge);
    assert.equal(refused.status, 413);
    assert.match(JSON.parse(refused.body).error, /at most 16384 bytes/);
    const chunked = await post("/matchmake/joinOrCreate/world", { "transfer-encoding": "chunked" }, Buffer.from('{"name":"청크"}'));
    assert.equal(chunked.status, 411);
    const small = Buffer.from('{"name":"보통"}');
    assert.equal((await post("/matchmake/joinOrCreate/world", { "content-length": small.length }, small)).status, 200);
    const player = await open.join("정상");
    await player.room.leave();
  });

  // 50,000 written at once on one socket, the answers unread, held every room 5 s: Node reads and answers all it has.
  it("answers at most 100 requests on one connection, however many it sends at once (503 for the rest, no handler run)", async () => {
    const { port } = open.server;
    const socket = netConnect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    let answers = "";
    socket.on("data", (chunk: Buffer) => (answers += chunk.toString("latin1")));
    socket.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".repeat(300));
    // Every request answered, 200 or 503 (Node keeps the connection open), or at most 10 s.
    await waitFor("an answer to each request", () => (answers.match(/HTTP\/1\.1 \d{3}/g)?.length ?? 0) >= 300, 10_000).catch(() => {});
    socket.destroy();
    // Answers follow one another on a line: a body is not ended by a line break.
    assert.equal(answers.match(/HTTP\/1\.1 200/g)?.length, 100);
    assert.ok(!/HTTP\/1\.1 200/.test(answers.split(/HTTP\/1\.1 503/).slice(1).join("")), "none answered after the first 503");
  });

  it("answers a body the parser refuses with JSON saying why, not an HTML page with the server's stack", async () => {
    const cases: Array<[Record<string, string | number>, Buffer, number]> = [
      [{ "content-encoding": "gzip" }, Buffer.from("not gzip at all"), 400],
      [{ "content-type": "application/json; charset=klingon" }, Buffer.from('{"account":"p1"}'), 415],
      [{ "content-encoding": "gzip" }, gzipSync(Buffer.from(JSON.stringify({ account: "가".repeat(3000) }))), 413],
    ];
    for (const [headers, body, status] of cases) {
      const refused = await post("/api/erasures", { ...auth, "content-length": body.length, ...headers }, body);
      assert.equal(refused.status, status, JSON.stringify(headers));
      const { error } = JSON.parse(refused.body) as { error: string };
      assert.ok(error.length > 0 && !/<html|at \//i.test(refused.body), refused.body);
      if (status === 413) assert.equal(error, "the body is over 4096 bytes", "the limit said, not body-parser's 'request entity too large'");
    }
  });

  it("refuses admin requests another site's page sends with the admin's login (CSRF): a form's text/plain POST, a cross-site link", async () => {
    // A form on another site, enctype text/plain, whose one field makes the body JSON (a duplicate key wins).
    const forged = Buffer.from('{"account":"=","account":"csrf-victim","minutes":60}');
    const muted = async () => ((await (await fetch(`${http}/api/mutes`, { headers: auth })).json()) as { mutes: Array<{ account: string }> }).mutes.map((m) => m.account);
    const sources: Array<Record<string, string>> = [{ "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: "https://evil.example" }, { origin: "null" }];
    for (const from of sources) {
      const refused = await post("/api/mutes", { ...auth, "content-type": "text/plain", "content-length": forged.length, ...from }, forged);
      assert.equal(refused.status, 403, JSON.stringify(from));
      assert.match(JSON.parse(refused.body).error, /another (site|origin)/);
    }
    assert.ok(!(await muted()).includes("csrf-victim"), "nothing was muted");
    const monitorCall = await fetch(`${http}/monitor/api`, { headers: { ...auth, "sec-fetch-site": "cross-site" } });
    assert.equal(monitorCall.status, 403, "a link from another site into the monitor's API");
    // Over plain HTTP (not localhost) browsers send no Sec-Fetch-Site, and a link or <img> no Origin: the monitor's
    // room call (dispose) from another site's page came with the admin's login and nothing else.
    const call = `${http}/monitor/api/room/call?roomId=nowhere&method=disconnect&args=%5B%5D`;
    for (const from of [{}, { referer: "http://evil.example/" }, { referer: `http://${new URL(http).hostname}:1/` }] as Array<Record<string, string>>) {
      const linked = await fetch(call, { headers: { ...auth, ...from } });
      assert.equal(linked.status, 403, JSON.stringify(from));
      assert.match(((await linked.json()) as { error: string }).error, /Referer of this server's/);
    }
    for (const from of [{ referer: `${http}/monitor/` }, { "sec-fetch-site": "same-origin" }] as Array<Record<string, string>>) {
      assert.notEqual((await fetch(call, { headers: { ...auth, ...from } })).status, 403, `the monitor's own page: ${JSON.stringify(from)}`);
    }
    const otherPort = Buffer.from('{"account":"other-port","minutes":1}'); // another service on this host, another origin
    assert.equal((await post("/api/mutes", { ...auth, "content-type": "text/plain", "content-length": otherPort.length, origin: `http://${new URL(http).hostname}:1` }, otherPort)).status, 403);

    // The console's own page (same origin), a typed address, curl: let in.
    const host = new URL(http).host;
    const own = Buffer.from('{"account":"own-page","minutes":1}');
    assert.equal((await post("/api/mutes", { ...auth, "content-length": own.length, "sec-fetch-site": "same-origin", origin: `http://${host}` }, own)).status, 200);
    const viaProxy = Buffer.from('{"account":"via-proxy","minutes":1}'); // old browser, no Sec-Fetch-Site; a proxy passed Host without its port
    assert.equal((await post("/api/mutes", { ...auth, "content-length": viaProxy.length, origin: `http://${host}`, host: new URL(http).hostname }, viaProxy)).status, 200);
    const curl = Buffer.from('{"account":"by-curl","minutes":1}');
    assert.equal((await post("/api/mutes", { ...auth, "content-length": curl.length }, curl)).status, 200);
    assert.equal((await fetch(`${http}/monitor/api`, { headers: { ...auth, "sec-fetch-site": "none" } })).status, 200);
    assert.deepEqual((await muted()).filter((account) => ["own-page", "via-proxy", "by-curl"].includes(account)).sort(), ["by-curl", "own-page", "via-proxy"]);
    for (const account of ["own-page", "via-proxy", "by-curl"]) await fetch(`${http}/api/mutes/${account}`, { method: "DELETE", headers: auth });
  });

  it("lets the monitor dispose a room and put a client out, and refuses its other room calls: no seat for any account, no rewritten state", async () => {
    const player = await open.join("구경꾼");
    const { roomId } = player.room;
    const call = (method: string, args: unknown[], query = "") =>
      fetch(`${http}/monitor/api/room/call?roomId=${roomId}&method=${encodeURIComponent(method)}&args=${encodeURIComponent(JSON.stringify(args))}${query}`, {
        headers: { ...auth, "sec-fetch-site": "same-origin" },
      });
    // A seat with a ticket the caller wrote skipped onAuth: the admin's login joined as any player, a banned one too.
    const ticket = { account: { id: "victim-account", name: "피해자" }, name: "피해자" };
    const seat = await call("_reserveSeat", ["impostor01", { name: "피해자" }, ticket]);
    assert.equal(seat.status, 403);
    assert.match(((await seat.json()) as { error: string }).error, /"_reserveSeat"/);
    const refused: Array<[string, unknown[], string?]> = [
      ["_editStateProperty", [["players", player.room.sessionId, "name"], "가짜"]],
      ["_deleteStateProperty", [["chat", 0]]],
      ["broadcast", ["private_line", { text: "가짜" }]],
      ["_sendMessageToClient", [player.room.sessionId, "error", { code: "banned" }]],
      ["disconnect", [], "&method=_reserveSeat"], // a second name the monitor would read as well
      ["disconnect", [], "&%6Dethod=_reserveSeat"], // the same name encoded
    ];
    for (const [method, args, query] of refused) assert.equal((await call(method, args, query)).status, 403, `${method}${query ?? ""}`);
    await sleep(100); // a patch that would have carried an edit
    assert.equal(stateOf(player).players[player.room.sessionId]?.name, "구경꾼", "the state was not edited");
    // Put a client out, then dispose the room: what the monitor's page does, still allowed.
    const other = await open.joinBeside(player, "나갈사람");
    const out = new Promise<number>((resolve) => other.room.onLeave(resolve));
    assert.equal((await call("_forceClientDisconnect", [other.room.sessionId])).status, 200);
    await out;
    const closed = new Promise<number>((resolve) => player.room.onLeave(resolve));
    assert.equal((await call("disconnect", [])).status, 200);
    assert.equal(await closed, 4000, "the room was disposed");
  });

  it("tells browsers no other site may frame its pages nor a file be read as another type, and names no framework", async () => {
    const pages: Array<[string, Record<string, string>]> = [["/", {}], ["/health", {}], ["/monitor/", {}], ["/monitor/", auth], ["/moderation", auth], ["/api/nowhere", auth]];
    for (const [path, headers] of pages) {
      const response = await fetch(`${http}${path}`, { headers });
      const said = (name: string) => response.headers.get(name);
      assert.equal(said("x-frame-options"), "DENY", path);
      assert.equal(said("content-security-policy"), "frame-ancestors 'none'", path);
      assert.equal(said("x-content-type-options"), "nosniff", path);
      assert.equal(said("x-powered-by"), null, path);
      await response.body?.cancel();
    }
    // Express's own 404 page puts a stricter policy of its own (default-src 'none') in place of ours: framing stays refused.
    const missing = await fetch(`${http}/nowhere.js`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-frame-options"), "DENY");
    assert.equal(missing.headers.get("x-content-type-options"), "nosniff");
    await missing.body?.cancel();
  });

  it("gives CORS to matchmaking only, for any origin and without credentials: other origins cannot read admin routes", async () => {
    const origin = { origin: "https://other.example" };
    const preflight = await fetch(`${http}/matchmake/joinOrCreate/world`, { method: "OPTIONS", headers: origin });
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.equal(preflight.headers.get("access-control-allow-credentials"), null);
    for (const path of ["/monitor/api", "/api/chat/search?q=x", "/health", "/metrics"]) {
      for (const method of ["OPTIONS", "GET"]) {
        const response = await fetch(`${http}${path}`, { method, headers: { ...origin, ...auth } });
        assert.equal(response.headers.get("access-control-allow-origin"), null, `${method} ${path}`);
        assert.equal(response.headers.get("access-control-allow-credentials"), null, `${method} ${path}`);
      }
    }
  });
});

// A world of its own: its request timeout is the test's, and Node's first look for requests past it the world's.
describe("Server HTTP request timeout", () => {
  // Node looked for requests past their time every 30 s, first 30 s after the server listened: a slow sender held its
  // socket 10–40 s. Here the request timeout is 0.5 s (REQUEST_TIMEOUT_MS's 10 s otherwise), looked for every
  // TIMEOUTS_CHECKED_EVERY_MS all the same.
  it("closes a connection whose request has not arrived whole with a 408 at the server's own check, before Node's first (30 s after listening)", async function () {
    this.timeout(20_000);
    const requestTimeoutMs = 500;
    const nodeFirstCheckMs = 30_000;
    assert.ok(requestTimeoutMs < REQUEST_TIMEOUT_MS && TIMEOUTS_CHECKED_EVERY_MS < nodeFirstCheckMs / 10);
    const beforeListening = performance.now();
    const world = await startTestWorld({}, { requestTimeoutMs });
    try {
      const socket = netConnect(world.server.port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      let answer = "";
      socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1"))); // its 408 read, so the close comes through
      socket.write("GET /health/live HTTP/1.1\r\nHost: x\r\n"); // the headers never end
      // Not a bound on how soon (a busy box moves that): with Node's default no close can come before its first check,
      // 30 s after listening; halfway there leaves the server's own checks many seconds to spare.
      let halfway: NodeJS.Timeout | undefined;
      const byHalfway = await new Promise<boolean>((resolve) => {
        socket.once("close", () => resolve(true));
        halfway = setTimeout(() => resolve(false), beforeListening + nodeFirstCheckMs / 2 - performance.now());
      });
      clearTimeout(halfway);
      socket.destroy();
      assert.equal(byHalfway, true, "still open halfway to Node's first check: its requests are looked for only every 30 s");
      assert.match(answer, /^HTTP\/1\.1 408 /, "closed by the request timeout");
    } finally {
      await world.stop();
    }
  });
});

// A pipelined request's answer waits in Node's queue without a socket; one closed meanwhile never closed it, so the
// static files' stream of each stayed open for good (64 sockets of 100 each: ~6,200 descriptors and 1 GB a round).
describe("Server HTTP static files", () => {
  let world: TestWorld;
  let port: number;
  const file = "web-client/dist/app.js";

  before(async () => {
    execFileSync("node_modules/.bin/tsx", ["web-client/build.ts"], { stdio: "ignore" });
    world = await startTestWorld();
    port = world.server.port;
  });
  after(() => world.stop());

  /** This process's descriptors open on the file (the server runs in it). */
  const openOnFile = () => {
    const path = resolvePath(file);
    let count = 0;
    for (const fd of readdirSync("/proc/self/fd")) {
      try {
        if (readlinkSync(`/proc/self/fd/${fd}`) === path) count++;
      } catch {} // closed since listed
    }
    return count;
  };

  it("closes every file of the answers waiting on a socket closed unread: one open per socket while it is open", async () => {
    const sockets = await Promise.all([1, 2, 3, 4].map(async () => {
      const socket = netConnect(port, "127.0.0.1");
      await new Promise((done) => socket.once("connect", done));
      socket.pause(); // never read: the first answer fills the socket, the others wait behind it
      socket.write("GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n".repeat(50));
      return socket;
    }));
    // A second for the server to read what it will of the requests (before the fix, opening a file for each).
    await waitFor("the first answers' files open", () => openOnFile() > 0);
    await sleep(1000);
    const whileOpen = openOnFile();
    for (const socket of sockets) socket.destroy();
    await waitFor(`the files closed (${openOnFile()} of ${whileOpen} still open)`, () => openOnFile() === 0, 5000);
    assert.ok(whileOpen <= sockets.length, `${whileOpen} open for ${sockets.length} sockets: waiting answers read their files ahead`);
  });

  it("still answers pipelined requests in order, whole, and a kept-alive connection's one after another", async () => {
    const socket = netConnect(port, "127.0.0.1");
    await new Promise((done) => socket.once("connect", done));
    let bytes = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => (bytes = Buffer.concat([bytes, chunk])));
    const sizeOf = (path: string) => statSync(`web-client/dist${path}`).size;
    const ask = (paths: string[]) => socket.write(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`).join(""));
    /** The whole answers read so far, each as "<status> <body's bytes>", read by their lengths (a body may hold anything). */
    const answers = () => {
      const read: string[] = [];
      for (let at = 0; ; ) {
        const headEnd = bytes.indexOf("\r\n\r\n", at);
        if (headEnd < 0) return read;
        const head = bytes.subarray(at, headEnd).toString("latin1");
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (bytes.length < headEnd + 4 + length) return read;
        read.push(`${/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]} ${length}`);
        at = headEnd + 4 + length;
      }
    };
    ask(["/app.js", "/style.css", "/app.js"]);
    await waitFor("the three answers", () => answers().length === 3);
    assert.deepEqual(answers(), [`200 ${sizeOf("/app.js")}`, `200 ${sizeOf("/style.css")}`, `200 ${sizeOf("/app.js")}`]);
    // Then one at a time on the same connection, each after the last was read.
    for (const path of ["/style.css", "/index.html"]) {
      bytes = Buffer.alloc(0);
      ask([path]);
      await waitFor(`${path}'s answer`, () => answers().length === 1);
      assert.deepEqual(answers(), [`200 ${sizeOf(path)}`]);
    }
    socket.destroy();
  });

  it("serves no source map (they hold the source of common/ and rooms/), and the bundles name none", async () => {
    assert.ok(statSync(`${file}.map`).size > 0, "built beside the bundle");
    for (const path of ["/app.js.map", "/app.js%2Emap", "/x/../app.js.map"]) {
      assert.equal((await fetch(`http://127.0.0.1:${port}${path}`)).status, 404, path);
    }
    assert.doesNotMatch(await (await fetch(`http://127.0.0.1:${port}/app.js`)).text(), /sourceMappingURL/);
  });
});

describe("Server HTTP without a built web client", () => {
  it("says so in its log as it starts, and answers the page with 503 and how to build it", async () => {
    const warned: Array<{ msg: string; dir?: string }> = [];
    const dir = mkdtempSync(join(tmpdir(), "web-client-unbuilt-"));
    const world = await startTestWorld({}, { webClientDir: dir, log: createLogger({}, "warn", (line) => warned.push(JSON.parse(line))) });
    try {
      const page = await fetch(`http://127.0.0.1:${world.server.port}/`);
      assert.equal(page.status, 503);
      assert.match(await page.text(), /npm run build:web/);
      const said = warned.filter((line) => line.msg.startsWith("the web client is not built"));
      assert.deepEqual(said.map((line) => line.dir), [dir], JSON.stringify(warned));
    } finally {
      await world.stop();
    }
  });
});

// Its own server, after the one above stopped: Colyseus keeps one matchmaker per process.
describe("Server room cap", () => {
  let capped: TestWorld;
  before(async () => {
    capped = await startTestWorld({ MAX_ROOMS: "2" });
  });
  after(() => capped.stop());

  it("creates at most MAX_ROOMS rooms (HTTP 503 after), and still seats players in rooms with space", async () => {
    const client = new Client(capped.url);
    const rooms = [await client.create("world", { name: "방장1" }), await client.create("world", { name: "방장2" })];
    await assert.rejects(client.create("world", { name: "방장3" }), (error: { code?: number; message: string }) =>
      error.code === 503 && /MAX_ROOMS 2/.test(error.message));
    const player = await capped.join("손님");
    assert.ok(rooms.some((room) => room.roomId === player.room.roomId), "joined a room that has space");
    await player.room.leave();
    for (const room of rooms) await room.leave();
  });
});

// Its own server, after the one above stopped: Colyseus keeps one matchmaker per process.
describe("Server with many rooms", () => {
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld({});
  });
  after(() => world.stop());

  it("warns of no listener leak past 10 rooms: every room listens on the presence's few channels, and stops when it closes", async () => {
    const warnings: string[] = [];
    const heard = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", heard);
    try {
      const client = new Client(world.url);
      const rooms = [];
      for (let i = 0; i < 12; i++) rooms.push(await client.create("world", { name: `방장${i}` }));
      for (const room of rooms) await room.leave();
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      assert.deepEqual(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning")), []);
    } finally {
      process.off("warning", heard);
    }
  });
});

// Its own server, after the one above stopped: Colyseus keeps one matchmaker per process.
describe("Server open connections per address", () => {
  let world: TestWorld;
  const outside = outsideAddress();
  before(async () => {
    world = await startTestWorld({ HOST: "0.0.0.0", CONNECTIONS_PER_ADDRESS: "3" });
  });
  after(() => world.stop());

  it("closes sockets past CONNECTIONS_PER_ADDRESS from one address as they come; loopback is not capped", async function () {
    if (!outside) this.skip(); // no network interface but loopback
    const { port } = world.server;
    const connect = (host: string) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = netConnect(port, host, () => resolve(socket));
        socket.once("error", reject);
      });
    const closedWithin = (socket: Socket, ms: number) =>
      new Promise<boolean>((resolve) => {
        if (socket.destroyed) return resolve(true);
        socket.once("close", () => resolve(true));
        setTimeout(() => resolve(false), ms);
      });
    const held = await Promise.all([1, 2, 3].map(() => connect(outside!)));
    const fourth = await connect(outside!);
    const local = await Promise.all([1, 2, 3, 4, 5].map(() => connect("127.0.0.1")));
    assert.equal(await closedWithin(fourth, 2000), true, "the fourth from that address is closed");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.ok(Number(/^kobot_connections_refused_total (\d+)$/m.exec(metrics)?.[1]) >= 1, "counted for operators");
    assert.deepEqual(await Promise.all([...held, ...local].map((socket) => closedWithin(socket, 500))), new Array(8).fill(false), "the first three and loopback's stay");
    for (const socket of [...held, ...local]) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Freed, the address joins as a player does: matchmaking's socket and the room's.
    const player = await joinWorld(`ws://${outside}:${port}`, { name: "바깥" });
    assert.equal(player.room.connection.isOpen, true);
    await player.room.leave();
  });
});

// Its own server, after the one above stopped: Colyseus keeps one matchmaker per process.
describe("Server open connections per forwarded address (TRUST_PROXY=1)", () => {
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld({ TRUST_PROXY: "1", CONNECTIONS_PER_ADDRESS: "2" });
  });
  after(() => world.stop());

  it("lets one address behind the proxy hold that many players' sockets, whatever it forged before the proxy's entry; a private one, any", async () => {
    const players: TestPlayer[] = [];
    const forwarded = (forged: string, address = "203.0.113.9") => ({ "x-forwarded-for": `${forged}, ${address}` });
    const first = await joinWorld(world.url, { name: "하나" }, undefined, forwarded("10.0.0.1"));
    const second = await joinWorld(world.url, { name: "둘" }, first.room.roomId, forwarded("10.0.0.2"));
    await assert.rejects(joinWorld(world.url, { name: "셋" }, first.room.roomId, forwarded("10.0.0.3")), (error: { code?: number; message?: string }) => {
      assert.equal(error.code, TOO_MANY_CONNECTIONS_CLOSE, "a third socket from that address, closed with a code the client words");
      assert.match(error.message!, /too many connections from your address \(CONNECTIONS_PER_ADDRESS 2\)/);
      return true;
    });
    const other = await joinWorld(world.url, { name: "이웃" }, first.room.roomId, forwarded("10.0.0.3", "203.0.113.10"));
    const local = await joinWorld(world.url, { name: "앞" }, first.room.roomId); // the proxy's own: loopback, not capped
    // A private network's address (a LAN behind the proxy) carries many people: not capped either.
    for (const name of ["사내1", "사내2", "사내3"]) players.push(await joinWorld(world.url, { name }, first.room.roomId, forwarded("1.2.3.4", "10.20.30.40")));
    await second.room.leave();
    const third = await joinOnceFree(world.url, { name: "셋" }, first.room.roomId, forwarded("10.0.0.3"));
    assert.ok(third, "a place freed by a player who left is taken");
    await third.room.leave();
    await Promise.all([first, other, local, ...players].map((p) => p.room.leave()));
  });
});

// Its own server, after the one above stopped: Colyseus keeps one matchmaker per process.
describe("Server HTTP routes without admin credentials, with a metrics token", () => {
  let closed: TestWorld;
  const token = "scrape-me-0123456789";
  const warned: { msg: string; address?: string }[] = [];
  before(async () => {
    // Behind a proxy (each request's address its X-Forwarded-For), so that guesses come from addresses of their own.
    closed = await startTestWorld({ METRICS_TOKEN: token, TRUST_PROXY: "1" }, { log: createLogger({}, "warn", (line) => warned.push(JSON.parse(line))) });
  });
  after(() => closed.stop());

  it("keeps admin routes off, saying how to turn them on", async () => {
    const url = closed.url.replace("ws:", "http:");
    const auth = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64") };
    for (const path of ["/monitor/", "/api/chat/search?q=x"]) {
      const response = await fetch(url + path, { headers: auth });
      assert.equal(response.status, 403, path);
      assert.match((await response.json()).error, /set ADMIN_USER and ADMIN_PASSWORD/);
    }
  });

  it("serves /metrics only with the bearer token, and says so to a scrape without it", async () => {
    const metrics = closed.url.replace("ws:", "http:") + "/metrics";
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Basic ${token}`]) {
      const response = await fetch(metrics, authorization ? { headers: { authorization } } : {});
      assert.equal(response.status, 401, String(authorization));
      assert.equal(response.headers.get("www-authenticate"), "Bearer");
      assert.match(await response.text(), /bearer token \(METRICS_TOKEN\)/);
    }
    const response = await fetch(metrics, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^kobot_rooms \d+$/m);
  });

  it("counts wrong bearers per address: 5, then 429 for a minute, logged once; the right token always passes and clears the count", async () => {
    const metrics = closed.url.replace("ws:", "http:") + "/metrics";
    const scrape = (bearer: string, address: string) => fetch(metrics, { headers: { authorization: `Bearer ${bearer}`, "x-forwarded-for": address } });
    for (let i = 0; i < 5; i++) assert.equal((await scrape(`guess-${i}-0123456789`, "203.0.113.9")).status, 401, `guess ${i}`);
    const waiting = await scrape("guess-5-0123456789", "203.0.113.9");
    assert.equal(waiting.status, 429, "the guessing address waits");
    assert.ok(Number(waiting.headers.get("retry-after")) > 0, "and is told for how long");
    assert.match(await waiting.text(), /too many wrong metrics tokens/);
    for (let i = 6; i < 30; i++) assert.equal((await scrape(`guess-${i}-0123456789`, "203.0.113.9")).status, 429, `a flood, guess ${i}`);
    assert.equal((await scrape("guess-0123456789", "198.51.100.4")).status, 401, "another address is answered as before");
    assert.equal((await scrape(token, "198.51.100.4")).status, 200, "and scrapes with the token");
    // A scraper behind the guesser's address (a NAT) is not shut out by a stranger's guesses.
    assert.equal((await scrape(token, "203.0.113.9")).status, 200, "the right token passes from the guessing address too");
    assert.equal((await scrape("stale-0123456789", "203.0.113.9")).status, 401, "and clears its count: the next wrong one is a first");
    const lines = warned.filter((entry) => entry.address === "203.0.113.9");
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.match(lines[0]!.msg, /METRICS_TOKEN/);
    assert.deepEqual(warned.filter((entry) => entry.address === "198.51.100.4"), [], "one wrong bearer is no line");
  });
});

describe("Server start on a port in use", () => {
  it("exits with an error, instead of a process that never serves and never exits", async () => {
    const first = await startTestWorld();
    try {
      const env = { PORT: new URL(first.url).port, HOST: "127.0.0.1", DATA_DIR: "off", WORLD_FILE: "off", MODEL_DIR: "/nowhere" };
      await assert.rejects(startService("port-in-use", "server/main.ts", env, "world server listening"), /exited with 1 before it was ready/);
      const log = readFileSync(serviceLog("port-in-use"), "utf8");
      const said = log.slice(log.lastIndexOf("server failed to start:")); // the log keeps earlier runs'
      assert.match(said, /^server failed to start: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+: set PORT \(and HOST\)/);
      assert.doesNotMatch(said, /^\s+at /m, "no stack: the port is the operator's to change");
      assert.equal((await fetch(first.url.replace("ws:", "http:") + "/health/live")).status, 200, "the first server serves on");
    } finally {
      await first.stop();
    }
  });
});

describe("Server start with COLYSEUS_SEAT_RESERVATION_TIME of spaces alone", () => {
  it("holds seats 15 s, as the config reads it: Colyseus read it as 0 s and every join failed while /health said ok", async () => {
    const port = await freePort();
    const env = { PORT: String(port), HOST: "127.0.0.1", DATA_DIR: "off", WORLD_FILE: "off", MODEL_DIR: "/nowhere", COLYSEUS_SEAT_RESERVATION_TIME: " " };
    const server = await startService("seat-time-spaces", "server/main.ts", env, "world server listening");
    try {
      const player = await joinWorld(`ws://127.0.0.1:${port}`, { name: "공백" });
      assert.ok(player.room.sessionId);
      await player.room.leave();
    } finally {
      await server.stop();
    }
  });
});

describe("Server started on an older Node", () => {
  it("says it needs Node 22 and how to run it, at once (it failed later, in its NPC worker thread, naming no version)", async function () {
    const { execFile } = await import("node:child_process");
    const older = "/usr/bin/node"; // this machine kind's own Node 20
    const version = await new Promise<string>((resolve) => execFile(older, ["--version"], (error, stdout) => resolve(error ? "" : stdout.trim())));
    if (!/^v(1\d|2[01])\./.test(version)) return this.skip(); // no older Node here to run it with
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(older, ["node_modules/.bin/tsx", "server/main.ts"], { timeout: 30_000, env: { ...process.env, PORT: "0", DATA_DIR: "off" } }, (error, _stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stderr }),
      ),
    );
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`Node 22 or newer is needed; this is Node ${version.replaceAll(".", "\\.")}\\. .*node_modules/\\.bin/node --import tsx <entry>`));
  });
});
