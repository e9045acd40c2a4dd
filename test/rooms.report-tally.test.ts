import assert from "node:assert/strict";

import { ReportTally } from "../rooms/moderation/report-tally.js";

describe("ReportTally (rooms/moderation/report-tally.ts): enough players' reports in a while", () => {
  it("counts distinct reporters within the window, once enough, then starts over", () => {
    const tally = new ReportTally(3, 60_000);
    assert.equal(tally.add("troll", ["a"], 0), false);
    assert.equal(tally.add("troll", ["a"], 1_000), false, "one reporter again counts once");
    assert.equal(tally.add("other", ["b"], 2_000), false, "each reported player apart");
    assert.equal(tally.add("troll", ["b"], 3_000), false);
    assert.equal(tally.add("troll", ["c"], 4_000), true, "the third reporter");
    assert.equal(tally.add("troll", ["d"], 5_000), false, "started over");
  });

  it("lets reports older than the window go", () => {
    const tally = new ReportTally(2, 60_000);
    tally.add("troll", ["a"], 0);
    assert.equal(tally.add("troll", ["b"], 61_000), false, "a's report ended");
    assert.equal(tally.add("troll", ["a"], 62_000), true);
  });

  it("counts a reporter whose report left the window no more, toward the mute", () => {
    const tally = new ReportTally(3, 60_000);
    assert.equal(tally.add("troll", ["a"], 0), false);
    assert.equal(tally.add("troll", ["b"], 50_000), false);
    assert.equal(tally.add("troll", ["c"], 61_000), false, "a's report (61 s ago) ended: 2 reporters, not 3");
  });

  it("keeps no tally past its window, of players never reported again (an account's outlives its session)", () => {
    const tally = new ReportTally(3, 60_000);
    for (let i = 0; i < 2000; i++) tally.add(`account ${i}`, ["a"], i * 100);
    assert.ok(tally.size <= 601, `${tally.size} tallies kept, of 2000 reported once over 200 s`);
    tally.add("troll", ["b"], 1_000_000);
    assert.equal(tally.size, 1);
  });

  it("counts a reporter of several names (an account, an address) once, if any of their names counted already", () => {
    const tally = new ReportTally(2, 60_000);
    assert.equal(tally.add("victim", ["account alt-2", "address 203.0.113.22"], 0), false);
    assert.equal(tally.add("victim", ["account alt-3", "address 203.0.113.22"], 1_000), false, "a second account from the same address");
    assert.equal(tally.add("victim", ["account alt-3", "address 203.0.113.23"], 2_000), false, "that account from another address");
    assert.equal(tally.add("victim", ["address 203.0.113.24"], 3_000), true, "someone else");
  });
});
