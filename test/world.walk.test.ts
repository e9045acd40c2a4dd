import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { NpcVisits } from "../rooms/npc/npc-visits.js";
import { startTestWorld, sleep, stateOf, type TestPlayer, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

// A walker pacing the south of the village between x −10 and 10, briskly (the route's time is not what is tried), and
// a guard standing far from it and the spawn; chat is heard within 6 m.
const WORLD = {
  hearing: { mode: "proximity", radius: 6 },
  npcs: [
    {
      id: "walker", name: "산책꾼", position: { x: -10, y: 0, z: -20 }, talkRadius: 3,
      greetings: ["{name}, 좋은 날이야."], greetAgainSeconds: 0, idleLines: ["걷기 좋은 날씨야."], idleEverySeconds: 1,
      route: { points: [{ x: 10, z: -20 }], speed: 12, pauseSeconds: 0.2 },
    },
    { id: "guard", name: "파수꾼", position: { x: 30, y: 0, z: 30 }, talkRadius: 3, greetings: ["{name}, 멈춰라."] },
  ],
};

const walkerOf = (player: TestPlayer) => stateOf(player).npcs.walker!;

describe("NPCs walking a route from the world file, facing where they walk and whom they speak to (rooms/npc/npc-walk.ts)", function () {
  this.timeout(30_000);
  let world: TestWorld;

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-walk-")), "world.json");
    writeFileSync(file, JSON.stringify(WORLD));
    world = await startTestWorld({ WORLD_FILE: file }, { world: { maxSpeed: 40 } }); // players walk 5 times as fast too
  });
  after(() => world.stop());

  it("walks to each point of its route and back, in every player's state", async () => {
    const a = await world.join("민수");
    await waitFor("the walker on its way east", () => walkerOf(a).x > -6);
    assert.equal(walkerOf(a).rotY, 90, "facing east, where it walks");
    await waitFor("at the route's end", () => walkerOf(a).x === 10, 8000);
    await waitFor("on its way back west", () => walkerOf(a).x < 8, 2000);
    assert.equal(walkerOf(a).rotY, 270, "facing west");
    assert.equal(walkerOf(a).z, -20);
    await a.room.leave();
  });

  it("checks only the NPC that walked against the players, not the one standing, as it walks", async () => {
    const a = await world.join("가만");
    const start = walkerOf(a).x;
    await waitFor("the walker on its way", () => walkerOf(a).x !== start);
    // Nobody moves but the walker: each walk tick checks who it came near, and no other NPC.
    const checked = new Map<string, number>();
    const arrive = NpcVisits.prototype.arrive;
    NpcVisits.prototype.arrive = function (this: NpcVisits, ...args: Parameters<NpcVisits["arrive"]>) {
      for (const npc of args[2]) checked.set(npc.id, (checked.get(npc.id) ?? 0) + 1);
      return arrive.apply(this, args);
    };
    try {
      await sleep(1000);
    } finally {
      NpcVisits.prototype.arrive = arrive;
    }
    assert.ok((checked.get("walker") ?? 0) >= 5, `the walker checked at its ticks: ${checked.get("walker")}`);
    assert.equal(checked.get("guard"), undefined, "the guard stood: not checked again");
    await a.room.leave();
  });

  it("stops for a player on its way, greets them, is heard where it stands, and walks on when they go", async () => {
    const a = await world.join("지영");
    const b = await world.joinBeside(a, "철수");
    await walkTo(a, 0, -19); // on the walker's way, 20 m from where the file puts it at most
    await waitFor("the greeting as it comes by", () => stateOf(a).chat.some((l) => l.text === "지영, 좋은 날이야."), 10_000);
    const stopped = walkerOf(a).x;
    assert.ok(Math.hypot(stopped, 1) <= 3, `within its talk radius of the player: ${stopped}`);

    // Heard near where it stands: its idle line (once it has been idle 1 s, done speaking its greeting) reaches the
    // player beside it, 10 m or more from its position in the file.
    await waitFor("its idle line beside the player", () => stateOf(a).chat.some((l) => l.from === "walker" && l.text === "걷기 좋은 날씨야."));
    assert.equal(walkerOf(a).x, stopped, "it stood while the player was near, speaking or not");
    a.room.send("chat", { text: "@산책꾼" }); // its name alone: a call reply, turned to the player
    await waitFor("the call reply", () => stateOf(a).chat.some((l) => l.from === "walker" && l.replyTo !== ""));
    const aAt = stateOf(a).players[a.room.sessionId]!;
    const towardA = ((Math.atan2(aAt.x - stopped, aAt.z + 20) * 180) / Math.PI + 360) % 360;
    await waitFor(`facing the player (${towardA}°)`, () => Math.abs(walkerOf(a).rotY - towardA) < 0.01);
    b.room.send("chat", { text: "@산책꾼 어디 가?" }); // from the spawn point
    const far = await waitFor("too_far from where it stands", () => b.errors.find((e) => e.code === "too_far"));
    const bAt = stateOf(b).players[b.room.sessionId]!;
    assert.equal(far.distance, Math.round(Math.hypot(bAt.x - stopped, bAt.z + 20) * 10) / 10);

    await walkTo(a, 0, 0);
    await waitFor("walking on", () => walkerOf(a).x !== stopped, 3000);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });
});
