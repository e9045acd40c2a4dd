import assert from "node:assert/strict";

import type { LoadTestReport } from "../loadtest/bots.js";
import { runLoadTest } from "../loadtest/load-test.js";
import { startTestWorld, type TestWorld } from "./helpers/world.js";

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
