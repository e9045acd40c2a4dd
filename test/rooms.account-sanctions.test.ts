import assert from "node:assert/strict";

import { LocalPresence } from "@colyseus/core";

import { impose, lift, sanctionedUntil, sanctionsInForce } from "../rooms/moderation/account-sanctions.js";
import { sleep } from "./helpers/world.js";

describe("account sanctions' records (rooms/moderation/account-sanctions.ts)", () => {
  it("drops a record whose sanction ended as the list is read, and keeps the one in force", async () => {
    const presence = new LocalPresence();
    await impose(presence, "mute", "brief", 30);
    await impose(presence, "mute", "long", 60_000, "욕설");
    await sleep(60);
    assert.deepEqual((await sanctionsInForce(presence, "mute")).map((record) => record.account), ["long"]);
    assert.deepEqual(Object.keys(await presence.hgetall("kobot:mutes")), ["long"], "the ended record is gone from the presence, not only from the list");
    await Promise.all(["brief", "long"].map((account) => lift(presence, "mute", account))); // their expiry timers would hold mocha's exit
    presence.shutdown();
  });

  it("never shortens a sanction in force: a shorter one keeps the longer, reason and all; a longer one replaces it", async () => {
    const presence = new LocalPresence();
    const week = await impose(presence, "mute", "loud", 7 * 24 * 3600_000, "일주일: 반복 욕설");
    assert.deepEqual(await impose(presence, "mute", "loud", 30 * 60_000, "신고: 욕설"), { until: week.until, longerInForce: true });
    assert.equal(await sanctionedUntil(presence, "mute", "loud"), week.until);
    assert.deepEqual((await sanctionsInForce(presence, "mute")).map((record) => record.reason), ["일주일: 반복 욕설"]);
    const twoWeeks = await impose(presence, "mute", "loud", 14 * 24 * 3600_000, "더 길게");
    assert.equal(twoWeeks.longerInForce, false);
    assert.equal(await sanctionedUntil(presence, "mute", "loud"), twoWeeks.until);
    await lift(presence, "mute", "loud");
    presence.shutdown();
  });

  it("never shortens one set at the same moment: a moderator's week and the reports' 10 minutes at once keep the week", async () => {
    const presence = new LocalPresence();
    const [week, reports] = await Promise.all([
      impose(presence, "mute", "loud", 7 * 24 * 3600_000, "일주일"),
      impose(presence, "mute", "loud", 10 * 60_000, "2명이 신고"),
    ]);
    assert.equal(reports.longerInForce, true, "the 10 minutes found the week in force");
    assert.equal(await sanctionedUntil(presence, "mute", "loud"), week.until);
    assert.deepEqual((await sanctionsInForce(presence, "mute")).map((record) => record.reason), ["일주일"]);
    await lift(presence, "mute", "loud");
    presence.shutdown();
  });

  it("lists the sanctions in force, those ending first first", async () => {
    const presence = new LocalPresence();
    await impose(presence, "mute", "late", 2 * 3600_000);
    await impose(presence, "mute", "soon", 3600_000);
    assert.deepEqual((await sanctionsInForce(presence, "mute")).map((record) => record.account), ["soon", "late"]);
    await Promise.all(["late", "soon"].map((account) => lift(presence, "mute", account)));
    presence.shutdown();
  });

  it("breaks a hold left by a caller that died between its incr and its expire", async function () {
    // The wait is the hold's own timer (HOLD_S, 5 s): no shorter way to see a stale hold broken.
    this.timeout(15_000);
    const presence = new LocalPresence();
    await presence.incr("kobot-hold:kobot:mute:stuck"); // never expires
    await impose(presence, "mute", "stuck", 60_000);
    assert.ok(await sanctionedUntil(presence, "mute", "stuck"));
    await lift(presence, "mute", "stuck");
    presence.shutdown();
  });

  it("waits for a live holder whatever the wall clock does: a forward step (NTP) does not break its hold", async () => {
    const presence = new LocalPresence();
    await presence.incr("kobot-hold:kobot:mute:held"); // another call sets this account's mute now
    const realNow = Date.now;
    let reads = 0;
    Date.now = () => realNow() + (++reads > 1 ? 10_000 : 0); // 10 s ahead once impose has begun to wait
    try {
      let imposed = false;
      const imposing = impose(presence, "mute", "held", 60_000).then(() => (imposed = true));
      await sleep(200);
      assert.equal(imposed, false, "the holder's week-long mute may be between its read and its write");
      await presence.del("kobot-hold:kobot:mute:held"); // the holder lets go
      await imposing;
      await lift(presence, "mute", "held");
    } finally {
      Date.now = realNow;
    }
    presence.shutdown();
  });
});
