import assert from "node:assert/strict";

import { NpcTurns } from "../rooms/npc/npc-turns.js";

/** Turns of one question at a time whose brain holds each question until the test calls its `finish`. */
function heldByTheBrain() {
  const finish: Array<() => void> = [];
  const asked: string[] = [];
  const turns = new NpcTurns<string>(10, 1, (item) => {
    asked.push(item);
    return new Promise<void>((resolve) => finish.push(resolve));
  });
  return { turns, asked, finish };
}

describe("an NPC's turns (rooms/npc/npc-turns.ts)", () => {
  it("drops every waiting question when the NPC leaves, of every group and player; those with the brain finish", async () => {
    const { turns, asked, finish } = heldByTheBrain();
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

  it("lets the queue know each answer came: once the NPC fell idle, a player who asks again goes before one who asks after them", async () => {
    const { turns, asked: served, finish } = heldByTheBrain();
    const answerNext = async () => {
      finish.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    };
    turns.enqueue({ player: "a", group: "a" }, "a1");
    await answerNext(); // answered: nothing waits nor is with the brain
    turns.enqueue({ player: "x", group: "x" }, "x1"); // with the brain at once
    turns.enqueue({ player: "a", group: "a" }, "a2");
    turns.enqueue({ player: "b", group: "b" }, "b1");
    for (let i = 0; i < 3; i++) await answerNext();
    await turns.idle();
    assert.deepEqual(served, ["a1", "x1", "a2", "b1"], "a2 and b1 are of one round: the one asked first goes first");
  });

  /**
   * Players b, c and d ask again as soon as each answer comes, keeping the brain (2 at a time) busy; the question
   * `waiter` asked behind them must still come. It did not: a player answered and asking again joined the current
   * round anew, and a question of the next round waited for as long as they kept asking.
   */
  const servedUnderLoad = async (ask: (enqueue: (player: string, group?: string) => void) => void, othersFirst = false) => {
    const served: string[] = [];
    const inFlight: Array<{ item: string; finish: () => void }> = [];
    const turns = new NpcTurns<string>(100, 2, (item) => new Promise<void>((resolve) => {
      served.push(item);
      inFlight.push({ item, finish: resolve });
    }));
    const asked: Record<string, number> = {};
    const enqueue = (player: string, group = `player ${player}`) => {
      asked[player] = (asked[player] ?? 0) + 1;
      turns.enqueue({ player, group }, `${player}${asked[player]}`);
    };
    if (!othersFirst) ask(enqueue);
    for (const player of ["b", "c", "d"]) enqueue(player);
    if (othersFirst) ask(enqueue);
    for (let answers = 0; answers < 60 && inFlight.length > 0; answers++) {
      const { item, finish } = inFlight.shift()!;
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      if (["b", "c", "d"].includes(item[0]!)) enqueue(item[0]!);
    }
    return served;
  };

  it("serves a player's second question while others ask again as soon as answered: they go a round after their last", async () => {
    const served = await servedUnderLoad((enqueue) => {
      enqueue("a");
      enqueue("a");
    });
    assert.deepEqual(served.slice(0, 5), ["a1", "b1", "c1", "d1", "a2"]);
  });

  it("serves the second player behind one address while players elsewhere ask again as soon as answered", async () => {
    const served = await servedUnderLoad((enqueue) => {
      enqueue("x", "address 1.2.3.4");
      enqueue("y", "address 1.2.3.4"); // its first question, its address's second
    }, true);
    assert.deepEqual(served.slice(0, 5), ["b1", "c1", "d1", "x1", "y1"]);
  });
});
