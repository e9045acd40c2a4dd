import assert from "node:assert/strict";

import { BrainTurns } from "../npc/worker/brain-turns.js";

/** A task that records when it starts and ends, and ends when told. */
function task(name: string, events: string[]) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const run = async () => {
    events.push(`${name} starts`);
    await ended;
    events.push(`${name} ends`);
    return name;
  };
  return { run, end };
}

const turnsPass = () => new Promise((resolve) => setImmediate(resolve));

describe("BrainTurns (a suspect question runs with nothing else on the brain)", () => {
  it("runs batches side by side, starts a question alone only after they end, and holds back batches that come meanwhile", async () => {
    const turns = new BrainTurns();
    const events: string[] = [];
    const [a, b, suspect, c] = ["a", "b", "suspect", "c"].map((name) => task(name, events));
    const done = [turns.together(a!.run), turns.together(b!.run)];
    await turnsPass();
    done.push(turns.alone(suspect!.run));
    done.push(turns.together(c!.run));
    await turnsPass();
    assert.deepEqual(events, ["a starts", "b starts"], "batches run side by side; the suspect and the later batch wait");
    a!.end();
    await turnsPass();
    assert.ok(!events.includes("suspect starts"), "the suspect waits for every batch running");
    b!.end();
    await turnsPass();
    assert.deepEqual(events.slice(-1), ["suspect starts"]);
    assert.ok(!events.includes("c starts"), "a batch that came while the suspect waited runs after it");
    suspect!.end();
    await turnsPass();
    assert.deepEqual(events.slice(-2), ["suspect ends", "c starts"]);
    c!.end();
    assert.deepEqual(await Promise.all(done), ["a", "b", "suspect", "c"]);
  });

  it("runs two questions alone one after the other, and goes on after one that fails", async () => {
    const turns = new BrainTurns();
    const events: string[] = [];
    const failing = turns.alone(async () => {
      events.push("first");
      throw new Error("died");
    });
    const second = turns.alone(async () => (events.push("second"), "second"));
    await assert.rejects(failing, /died/);
    assert.equal(await second, "second");
    assert.equal(await turns.together(async () => "after"), "after");
    assert.deepEqual(events, ["first", "second"]);
  });
});
