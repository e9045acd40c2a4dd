import assert from "node:assert/strict";

import { LocalPresence } from "@colyseus/core";

import { fileReport, listReports, type PlayerReport } from "../rooms/player-reports.js";

describe("players' reports' store (rooms/player-reports.ts)", () => {
  const report = (reporter: string, reported: string, at: number): Omit<PlayerReport, "id" | "times"> => ({
    at, roomId: "room", reporter: { player: reporter, name: reporter }, reported: { player: reported, name: reported }, lines: [],
  });

  it("keeps the newest past its cap, dropping the oldest tenth at once", async () => {
    const presence = new LocalPresence();
    for (let i = 0; i < 20; i++) await fileReport(presence, report(`r${i}`, "target", 1000 + i), 20);
    assert.equal((await listReports(presence, { limit: 100 })).length, 20);
    await fileReport(presence, report("r20", "target", 1020), 20);
    const left = await listReports(presence, { limit: 100 });
    assert.deepEqual(left.map((r) => r.reporter.player), Array.from({ length: 18 }, (_, i) => `r${20 - i}`), "the 18 newest, newest first");
    presence.shutdown();
  });

  it("counts a report again of the same player by the same reporter in one entry, and tells accounts from sessions", async () => {
    const presence = new LocalPresence();
    await fileReport(presence, report("p1", "p2", 1));
    const again = await fileReport(presence, report("p1", "p2", 2));
    assert.equal(again.times, 2);
    // The same session id signed in is another reporter: an account's reports count by the account.
    await fileReport(presence, { ...report("p1", "p2", 3), reporter: { player: "p1", name: "p1", account: "acc" } });
    assert.deepEqual((await listReports(presence, { limit: 10 })).map((r) => r.times), [1, 2]);
    presence.shutdown();
  });
});
