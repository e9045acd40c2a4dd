import assert from "node:assert/strict";

import { NpcTurns } from "../rooms/npc-turns.js";

describe("an NPC's turns (rooms/npc-turns.ts)", () => {
  it("drops every waiting question when the NPC leaves, of every group and player; those with the brain finish", async () => {
    const finish: Array<() => void> = [];
    const asked: string[] = [];
    const turns = new NpcTurns<string>(10, 1, (item) => {
      asked.push(item);
      return new Promise<void>((resolve) => finish.push(resolve));
    });
    turns.enqueue({ player: "a", group: "g1" }, "a1"); // with the brain at once
    turns.enqueue({ player: "a", group: "g1" }, "a2");
    turns.enqueue({ player: "b", group: "g1" }, "b1");
    turns.enqueue({ player: "c", group: "g2" }, "c1");
    assert.deepEqual(turns.dropAll().sort(), ["a2", "b1", "c1"]);
    assert.deepEqual(turns.dropAll(), []);
    finish[0]!();
    await turns.idle();
    assert.deepEqual(asked, ["a1"], "nothing dropped reaches the brain after");
  });
});
