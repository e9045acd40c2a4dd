import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { matchMaker } from "@colyseus/core";

import { fileReloads, roomFailures } from "../common/metrics.js";
import { saveWorld } from "./helpers/save-world.js";
import { sleep, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

const failures = async (method: string) => (await roomFailures.get()).values.find((v) => v.labels.method === method)?.value ?? 0;

describe("a room's own failures stay the room's (WorldRoom.onUncaughtException)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let file: string;
  const SMITH = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 2 }, talkRadius: 10, greetings: ["{name}, 어서 오게."] };

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-failures-")), "world.json");
    // The same idle line twice: once said, no other was left to say, and the next idle line threw in its timer.
    saveWorld(file, { npcs: [{ ...SMITH, idleLines: ["음…", "음…"], idleEverySeconds: 0.2 }] });
    world = await startTestWorld({ WORLD_FILE: file });
  });
  after(() => world.stop());

  it("says an idle line written twice again, as its only line", async () => {
    const a = await world.join("민수");
    await waitFor("two idle lines", () => stateOf(a).chat.filter((line) => line.text === "음…").length >= 2, 5000);
    await a.room.leave();
  });

  it("logs and counts a timer's failure, and the room and the process go on", async () => {
    const a = await world.join("지호");
    const before = await failures("setTimeout");
    matchMaker.getLocalRoomById(a.room.roomId)!.clock.setTimeout(() => {
      throw new Error("a bug in a timer");
    }, 0);
    await waitFor("the failure counted", async () => (await failures("setTimeout")) === before + 1);
    a.room.send("chat", { text: "아직 있어요?" });
    await waitFor("the room still takes lines", () => stateOf(a).chat.some((line) => line.text === "아직 있어요?"));
    await a.room.leave();
  });

  it("greets no one, and fails nothing, when an edit takes the greetings away while players wait for one", async () => {
    const a = await world.join("첫째");
    await waitFor("the first greeting", () => stateOf(a).chat.some((line) => line.text === "첫째, 어서 오게."));
    const b = await world.joinBeside(a, "둘째"); // within the gap between greetings: waits to be greeted
    const before = await failures("setTimeout");
    const taken = async () => (await fileReloads.get()).values.find((v) => v.labels.file === "world" && v.labels.outcome === "taken")?.value ?? 0;
    const takenBefore = await taken();
    saveWorld(file, { npcs: [{ ...SMITH, greetings: [], idleLines: [] }] });
    await waitFor("the edit taken", async () => (await taken()) === takenBefore + 1);
    await sleep(2500); // past the gap: the waiting greeting's turn
    assert.ok(!stateOf(b).chat.some((line) => line.kind === "npc" && line.text.includes("둘째")), "no greeting");
    assert.equal(await failures("setTimeout"), before);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });
});
