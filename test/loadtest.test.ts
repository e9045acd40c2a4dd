import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { matchMaker } from "@colyseus/core";

import { answerTime } from "../loadtest/answer-time.js";
import type { LoadTestReport } from "../loadtest/bots.js";
import { runLoadTest } from "../loadtest/load-test.js";
import { WORLD_ROOM } from "../rooms/world-protocol.js";
import { freePort, startService } from "../tools/processes.js";
import { sleep, startTestWorld, type TestWorld } from "./helpers/world.js";

describe("Load-test bots", () => {
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld();
    await world.startWorker();
  });
  after(() => world.stop());

  it("join evenly, walk, ask the NPC, and report what players would feel", async () => {
    const report = await runLoadTest({
      url: world.url, bots: 6, rooms: 2, durationS: 2.5, askRate: 2, chatRate: 1, questions: ["배고파", "잠이 안 와"],
    });
    assertReport(report);
  });

  it("time the answer to a question asked again, not the old one still in the room's history", async () => {
    const player = await world.join("다시묻기");
    const first = answerTime(player.room, "@kobot 배고파");
    player.room.send("chat", { text: "@kobot 배고파" });
    assert.ok(await first);
    const again = answerTime(player.room, "@kobot 배고파", 300);
    const answers = () => player.room.state.chat.filter((line) => line.replyTo !== undefined && line.replyTo !== "").length;
    const before = answers();
    assert.equal(await again, undefined, "not answered by the first answer: nothing was asked again");
    const third = answerTime(player.room, "@kobot 배고파");
    player.room.send("chat", { text: "@kobot 배고파" });
    assert.ok(await third);
    assert.equal(answers(), before + 1);
  });

  it("spread over two processes, merge what both saw", async () => {
    const report = await runLoadTest({
      url: world.url, bots: 6, rooms: 2, durationS: 2.5, askRate: 2, chatRate: 1, questions: ["배고파", "잠이 안 와"], processes: 2,
    });
    assertReport(report);
  });
});

describe("Load-test bots on a server that takes only signed-in players", () => {
  const secret = "the load test's login secret, 32 characters or more";
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld({ AUTH_SECRET: secret });
    await world.startWorker();
    process.env.AUTH_SECRET = secret; // what the bots sign their tokens with, as the load test's CLI reads it
  });
  after(async () => {
    delete process.env.AUTH_SECRET;
    await world.stop();
  });

  it("sign in, each as an account of its own", async () => {
    const report = await runLoadTest({ url: world.url, bots: 6, rooms: 2, durationS: 2.5, askRate: 2, chatRate: 1, questions: ["배고파"] });
    assertReport(report);
  });
});

describe("Load-test bots when players are turned away or put out", () => {
  let world: TestWorld;
  before(async () => {
    // One question a player at a time, none more for a minute: every later question is rate_limited at once.
    world = await startTestWorld({ QUESTION_BURST: "1", QUESTIONS_PER_SECOND: "0.01" });
    await world.startWorker();
  });
  after(() => world.stop());

  it("count a question turned away (rate_limited) as refused, by its code, at once (it waited 15 s as unanswered)", async () => {
    const report = await runLoadTest({ url: world.url, bots: 2, rooms: 1, durationS: 2, askRate: 5, chatRate: 0, questions: ["배고파"] });
    assert.ok(report.refusedBy.rate_limited! >= 3, JSON.stringify(report));
    assert.equal(report.refused, report.refusedBy.rate_limited);
    // A question whose answer timeout was waited out is counted unanswered (answerTime's undefined), not timed here.
    assert.equal(report.unanswered, 0, "no answer timeout waited out");
    assert.deepEqual(report.errors, {}, "not counted again as errors");
  });

  it("end, and report them, when bots were put out of their room (leaving a closed room waited for good)", async () => {
    const kicking = setTimeout(async () => {
      for (const listing of await matchMaker.query({ name: WORLD_ROOM })) matchMaker.getLocalRoomById(listing.roomId)?.clients[0]?.leave(4410);
    }, 1000);
    const report = await runLoadTest({ url: world.url, bots: 2, rooms: 1, durationS: 2, askRate: 0, chatRate: 0, questions: ["배고파"] });
    clearTimeout(kicking);
    assert.deepEqual(report.errors, { left_4410: 1 });
  });

  it("say why no bot joined", async () => {
    const report = await runLoadTest({ url: "ws://127.0.0.1:1", bots: 2, rooms: 1, durationS: 0.1, askRate: 0, chatRate: 0, questions: ["배고파"] });
    assert.equal(report.joined, 0);
    assert.deepEqual(report.errors, { "join_failed: fetch failed": 1, "join_failed: its room was not made (the bot to make it did not join)": 1 });
  });
});

function assertReport(report: LoadTestReport): void {
  assert.equal(report.joined, 6);
  assert.equal(report.joinMs.length, 6);
  assert.deepEqual(report.errors, {});
  assert.ok(report.moveSeenMs.length > 6 * 10, `${report.moveSeenMs.length} moves seen`);
  assert.ok(report.patchIntervalMs.every((ms) => ms > 0));
  // Bots walk at random: an ask tick with no bot within an NPC's talk radius asks nothing (counted), as a player would.
  assert.ok(report.answerMs.length >= 1, `${report.answerMs.length} answers`);
  assert.ok(report.answerMs.length + report.noAskerNear >= 3, `${report.answerMs.length} answers, ${report.noAskerNear} ticks with nobody near`);
  assert.equal(report.unanswered, 0);
  // Bots and server share this machine's clock: a patch arrives after the server stamped it.
  assert.ok(report.patchDelayMs.length > 6 * 20, `${report.patchDelayMs.length} patches timed`);
  assert.ok(report.patchDelayMs.every((ms) => ms > -1 && ms < 5_000), `patch delays ${Math.min(...report.patchDelayMs)}…${Math.max(...report.patchDelayMs)}`);
  assert.ok(report.server && report.server.cpuPercent > 0, "the server's CPU read from /metrics");
  assert.ok(report.botLoopDelayP99Ms > 0);
}

describe("Load-test bots through a network outage", function () {
  this.timeout(60_000);
  // Node 22's WebSocket fires no close when a connection fails: the SDK tried once and stayed disconnected.
  it("take their place back once the network is back (the SDK on ws, not Node's WebSocket)", async () => {
    const world = await startTestWorld();
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "test/fixtures/sdk-outage.ts", new URL(world.url).port, String(await freePort())], { encoding: "utf8" });
      assert.equal(stdout.trim().split("\n").at(-1), "back");
    } finally {
      await world.stop();
    }
  });
});

/** The processes under `pid` (children, theirs…), with their command lines, as ps lists them. */
async function processesUnder(pid: number): Promise<Array<{ pid: number; args: string }>> {
  const { stdout } = await promisify(execFile)("ps", ["-e", "-o", "pid=,ppid=,args="]);
  const rows = stdout.trim().split("\n").map((line) => {
    const [, child, parent, args] = line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)!;
    return { pid: Number(child), ppid: Number(parent), args: args! };
  });
  const under = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) if (under.has(row.ppid) && !under.has(row.pid)) grew = under.add(row.pid).size > 0;
  }
  return rows.filter((row) => row.pid !== pid && under.has(row.pid));
}

/** Whether `pid` runs: not gone, nor a zombie its parent has yet to reap (esbuild's, under tsx). Linux's /proc. */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]![0] !== "Z";
  } catch {
    return false;
  }
};

describe("npm run loadtest stopped by a signal", function () {
  this.timeout(90_000);
  // No handler: SIGTERM ended it at once (143), its `finally` unrun, and the server it started ran on under PID 1.
  it("stops the server and the bot processes it started, then exits 143 (SIGTERM)", async () => {
    const args = ["loadtest/main.ts", "--bots", "2", "--rooms", "2", "--processes", "2", "--duration", "60", "--ask-rate", "0", "--chat-rate", "0"];
    // No model, no world file: a light server, as the signal is what is tried.
    const child = spawn("node_modules/.bin/tsx", args, { env: { ...process.env, MODEL_DIR: "/nowhere", WORLD_FILE: "off" }, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    let started: Array<{ pid: number; args: string }> = [];
    try {
      const deadline = performance.now() + 60_000;
      for (;;) {
        started = await processesUnder(child.pid!);
        const server = started.some((row) => row.args.includes("server/main.ts"));
        if (server && started.filter((row) => row.args.includes("bot-process.ts")).length === 2) break;
        assert.ok(performance.now() < deadline && child.exitCode === null, `no server and two bot processes:\n${output}`);
        await sleep(300);
      }
      // The bots joined: a room each, on the port the load test gave its server (in the server's environment).
      const serverPid = started.find((row) => row.args.includes("server/main.ts"))!.pid;
      const port = readFileSync(`/proc/${serverPid}/environ`, "utf8").split("\0").find((entry) => entry.startsWith("PORT="))!.slice(5);
      for (;;) {
        const health = await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.json(), () => undefined);
        if (health?.rooms >= 2) break;
        assert.ok(performance.now() < deadline && child.exitCode === null, `the bots' rooms never opened:\n${output}`);
        await sleep(200);
      }
      started = await processesUnder(child.pid!);
      child.kill("SIGTERM");
      const code = await Promise.race([exited, sleep(20_000).then(() => "still running 20 s after SIGTERM")]);
      assert.equal(code, 143, output);
      const until = performance.now() + 20_000;
      while (started.some((row) => alive(row.pid)) && performance.now() < until) await sleep(200);
      assert.deepEqual(started.filter((row) => alive(row.pid)).map((row) => row.args), [], "all it started stopped");
    } finally {
      // What the run left, by id: the load test, the server and bot processes it started.
      for (const { pid } of [{ pid: child.pid! }, ...started]) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });
});

describe("npm run loadtest -- --url, the server gone mid-run", function () {
  this.timeout(120_000);
  // The SDK tried to rejoin every dropped room, 15 times up to 5 s apart, printing each try: the load test ended ~1
  // minute after its report, ~60 "[Colyseus reconnection]" lines in it.
  it("ends soon after its report, which counts the bots dropped, and no bot tries to rejoin", async () => {
    const port = await freePort();
    const env = { PORT: String(port), HOST: "127.0.0.1", DATA_DIR: "off", WORLD_FILE: "off", MODEL_DIR: "/nowhere" };
    // Its SIGKILL (below) drops every connection, as a crash would.
    const server = await startService("loadtest-gone-server", "server/main.ts", env, "world server listening");
    const args = ["loadtest/main.ts", "--url", `ws://127.0.0.1:${port}`, "--bots", "2", "--rooms", "1", "--processes", "1", "--duration", "10", "--ask-rate", "0", "--chat-rate", "0"];
    const child = spawn("node_modules/.bin/tsx", args, { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    try {
      const deadline = performance.now() + 30_000;
      for (;;) {
        const health = await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.json(), () => undefined);
        if (health?.rooms >= 1) break;
        assert.ok(performance.now() < deadline && child.exitCode === null, `the bots' room never opened:\n${stdout}${stderr}`);
        await sleep(200);
      }
      await sleep(6000); // past the SDK's 5 s (a room up shorter is not rejoined anyway), within the run's 10 s on a busy box
      server.process.kill("SIGKILL");
      while (!stdout.includes("bots joined")) {
        assert.ok(child.exitCode === null, `ended with no report:\n${stdout}${stderr}`);
        await sleep(200);
      }
      const reported = performance.now();
      const code = await Promise.race([exited, sleep(20_000).then(() => "still running 20 s after its report")]);
      assert.equal(code, 0, `${stdout}${stderr}`);
      assert.ok(performance.now() - reported < 20_000);
      assert.doesNotMatch(stdout, /Colyseus reconnection/);
      assert.match(stdout, /2\/2 bots joined 1 rooms; 10 s; 2 dropped mid-run/);
      assert.match(stdout, /"dropped_1006":2/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await server.stop();
    }
  });
});
