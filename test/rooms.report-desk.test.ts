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
});
