import assert from "node:assert/strict";

import { prefillGroups } from "../npc/engine/grouped-prefill.js";

/** What a split costs under the model prefillGroups minimises: per group, one call + rows × longest. */
function cost(groups: number[][], lengths: number[], callCost: number): number {
  return groups.reduce((sum, group) => sum + callCost + group.length * Math.max(...group.map((row) => lengths[row]!)), 0);
}

describe("prefillGroups (prompts of similar length prefilled together)", () => {
  it("keeps a batch of similar prompts in one call", () => {
    assert.deepEqual(prefillGroups([30, 31, 29, 30]), [[2, 0, 3, 1]]);
  });

  it("splits short prompts from long ones when the padding would cost more than a call", () => {
    const lengths = [54, 6, 8, 52, 7, 50, 6, 53];
    const groups = prefillGroups(lengths, 50);
    assert.deepEqual(groups.map((group) => group.map((row) => lengths[row])), [[6, 6, 7, 8], [50, 52, 53, 54]]);
    assert.ok(cost(groups, lengths, 50) < cost([lengths.map((_, row) => row)], lengths, 50));
  });

  it("finds the cheapest split: every row once, no split of the sorted rows cheaper", () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 50; trial++) {
      const lengths = Array.from({ length: 1 + Math.floor(random() * 9) }, () => 1 + Math.floor(random() * 60));
      const groups = prefillGroups(lengths, 20);
      assert.deepEqual(groups.flat().sort((a, b) => a - b), lengths.map((_, row) => row));
      // Brute force: every way to cut the rows sorted by length into consecutive groups.
      const order = lengths.map((_, row) => row).sort((a, b) => lengths[a]! - lengths[b]!);
      let cheapest = Infinity;
      for (let cuts = 0; cuts < 2 ** (order.length - 1); cuts++) {
        const split: number[][] = [[order[0]!]];
        for (let i = 1; i < order.length; i++) {
          if (cuts & (1 << (i - 1))) split.push([]);
          split.at(-1)!.push(order[i]!);
        }
        cheapest = Math.min(cheapest, cost(split, lengths, 20));
      }
      assert.equal(cost(groups, lengths, 20), cheapest, `lengths ${lengths}`);
    }
  });
});
