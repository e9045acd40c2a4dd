import assert from "node:assert/strict";

import { LocalPresence } from "@colyseus/core";

import { impose, lift, sanctionsInForce } from "../rooms/account-sanctions.js";
import { sleep } from "./helpers/world.js";

describe("account sanctions' records (rooms/account-sanctions.ts)", () => {
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
});
