import assert from "node:assert/strict";

import { type Clock } from "@colyseus/core";
import { MapSchema } from "@colyseus/schema";

import { NpcWalk } from "../rooms/npc/npc-walk.js";
import { NpcWalkers } from "../rooms/npc/npc-walkers.js";
import { type NpcSettings } from "../rooms/world-settings.js";
import { Npc } from "../rooms/world-state.js";

const at = (walk: NpcWalk) => [Math.round(walk.x * 1000) / 1000, Math.round(walk.z * 1000) / 1000];

describe("an NPC walking its route (rooms/npc/npc-walk.ts)", () => {
  it("walks at its speed to each point, stands there its pause, and comes back to where it started, over and over", () => {
    const walk = new NpcWalk({ x: 0, z: 0 }, { points: [{ x: 4, z: 0 }, { x: 4, z: 3 }], speed: 2, pauseSeconds: 1 });
    walk.advance(1000);
    assert.deepEqual(at(walk), [2, 0], "halfway after a second");
    walk.advance(1000);
    assert.deepEqual(at(walk), [4, 0], "there");
    walk.advance(1000);
    assert.deepEqual(at(walk), [4, 0], "standing its pause");
    walk.advance(500);
    assert.deepEqual(at(walk), [4, 1]);
    walk.advance(1000 + 1000); // to (4, 3) and its pause
    walk.advance(2500); // 5 units back towards the start, diagonally
    assert.deepEqual(at(walk), [0, 0]);
    walk.advance(1000 + 1000); // its pause at the start, then on again
    assert.deepEqual(at(walk), [2, 0]);
  });

  it("ends in the same place whether the time comes in one step or in many small ones", () => {
    const route = { points: [{ x: 3, z: 4 }, { x: -2, z: 1 }], speed: 1.5, pauseSeconds: 0.7 };
    const once = new NpcWalk({ x: 1, z: 1 }, route);
    const ticks = new NpcWalk({ x: 1, z: 1 }, route);
    once.advance(12_345);
    for (let ms = 0; ms < 12_345; ms += 15) ticks.advance(Math.min(15, 12_345 - ms));
    assert.deepEqual(at(ticks), at(once));
  });

  it("goes on from where it is at an edit's speed and pause, and sets out again when its start or points change", () => {
    const walkers = new NpcWalkers(new MapSchema<Npc>(), {} as Clock, () => false, () => {});
    const npc = { id: "hans", x: 0, z: 0, route: { points: [{ x: 10, z: 0 }], speed: 1, pauseSeconds: 1 } } as NpcSettings;
    const walk = walkers.placeOf(npc) as NpcWalk;
    walk.advance(3000);
    assert.deepEqual(at(walk), [3, 0]);
    const faster = walkers.placeOf({ ...npc, route: { ...npc.route!, speed: 2 } });
    assert.deepEqual([faster === walk, at(walk)], [true, [3, 0]], "tuned: where it was (it went back to its start)");
    walk.advance(1000);
    assert.deepEqual(at(walk), [5, 0], "at the new speed");
    const moved = walkers.placeOf({ ...npc, route: { ...npc.route!, points: [{ x: 0, z: 10 }] } });
    assert.deepEqual(at(moved as NpcWalk), [0, 0], "another route: set out again from its start");
  });

  it("stands still, not looping for ever, on a route of one place without a pause", () => {
    const walk = new NpcWalk({ x: 1, z: 1 }, { points: [{ x: 1, z: 1 }], speed: 1, pauseSeconds: 0 });
    walk.advance(1000);
    assert.deepEqual(at(walk), [1, 1]);
  });
});

describe("an NPC busy with a question (rooms/npc/npc-walkers.ts)", () => {
  it("stands still while thinking or speaking; idle, it walks", () => {
    const npcs = new MapSchema<Npc>();
    const shown = new Npc().assign({ name: "한스", x: 0, z: 0, status: "thinking" });
    npcs.set("hans", shown);
    let tick: () => void = () => {};
    const clock = { setInterval: (step: () => void) => ((tick = step), { clear() {} }) } as unknown as Clock;
    const walkers = new NpcWalkers(npcs, clock, () => false, () => {});
    walkers.placeOf({ id: "hans", x: 0, z: 0, route: { points: [{ x: 10, z: 0 }], speed: 1, pauseSeconds: 0 } } as NpcSettings);
    walkers.keepTime();
    tick();
    assert.equal(shown.x, 0, "thinking");
    shown.status = "speaking";
    tick();
    assert.equal(shown.x, 0, "speaking");
    shown.status = "idle";
    tick();
    assert.ok(shown.x > 0, "idle");
  });
});
