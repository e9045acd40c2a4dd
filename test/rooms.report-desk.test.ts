import assert from "node:assert/strict";

import { LocalPresence } from "@colyseus/core";

import { createLogger } from "../common/log.js";
import { ReportDesk } from "../rooms/moderation/report-desk.js";

describe("a room's report desk (rooms/moderation/report-desk.ts)", () => {
  const settings = { reporters: 1, withinMinutes: 10, muteMinutes: 10 };
  const reporter = { player: "r1", name: "신고자" };
  const reported = { player: "s1", name: "시끄러운" };

  it("mutes a player without an account here once enough players reported them", async () => {
    const desk = new ReportDesk(new LocalPresence(), settings, () => {}, createLogger({}, "silent"), () => true);
    await desk.file("room", reporter, reported, "욕설");
    assert.ok(desk.sessionMutedMs("s1") > 9 * 60_000);
  });

  it("files the report of a player who left while it was stored, but keeps no tally or mute of them", async () => {
    let here = true;
    const desk = new ReportDesk(new LocalPresence(), settings, () => {}, createLogger({}, "silent"), () => here);
    const filed = desk.file("room", reporter, reported, "욕설");
    here = false; // the player leaves while the store writes: the room forgets them
    desk.forget("s1");
    const report = await filed;
    assert.equal(report.reported.player, "s1");
    assert.equal(desk.sessionMutedMs("s1"), 0, "no mute kept for a session that is gone");
  });

  it("keeps the later mute of two sessions leaving under one address and name, whichever leaves first", async () => {
    const desk = new ReportDesk(new LocalPresence(), settings, () => {}, createLogger({}, "silent"), () => true);
    const realNow = Date.now;
    const start = realNow();
    let now = start;
    Date.now = () => now;
    try {
      await desk.file("room", reporter, { player: "s1", name: "시끄러운" }, "욕설"); // muted until start + 10 min
      now = start + 60_000;
      await desk.file("room", reporter, { player: "s2", name: "시끄러운" }, "욕설"); // until start + 11 min
      const departure = "10.0.0.7|시끄러운"; // both tabs of one player: one address, one name
      desk.remember("s2", departure); // the longer mute leaves first…
      desk.forget("s2");
      desk.remember("s1", departure); // …the shorter second, and must not shorten it
      desk.forget("s1");
      desk.joined("s3", departure);
      assert.equal(desk.sessionMutedMs("s3"), 10 * 60_000, "muted until the later of the two");
    } finally {
      Date.now = realNow;
    }
  });
});
