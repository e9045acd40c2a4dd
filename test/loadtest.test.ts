import assert from "node:assert/strict";

import { runLoadTest } from "../loadtest/bots.js";
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
    assert.equal(report.joined, 6);
    assert.equal(report.joinMs.length, 6);
    assert.deepEqual(report.errors, {});
    assert.ok(report.moveSeenMs.length > 6 * 10, `${report.moveSeenMs.length} moves seen`);
    assert.ok(report.patchIntervalMs.every((ms) => ms > 0));
    assert.ok(report.answerMs.length >= 3, `${report.answerMs.length} answers`);
    assert.equal(report.unanswered, 0);
  });
});
