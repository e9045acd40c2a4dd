import assert from "node:assert/strict";

import { HeardSanctions } from "../rooms/heard-sanctions.js";

describe("the sanctions a room heard of (rooms/heard-sanctions.ts)", () => {
  it("puts a banned account's players out as the ban is heard, not a muted one's, and counts down each", () => {
    const putOut: string[] = [];
    const heard = new HeardSanctions((account) => putOut.push(account));
    heard.heard({ sanction: "mute", account: "loud", until: Date.now() + 60_000 });
    heard.heard({ sanction: "ban", account: "rowdy", until: Date.now() + 120_000 });
    assert.deepEqual(putOut, ["rowdy"]);
    assert.ok(heard.msLeft("mute", "loud") > 59_000 && heard.msLeft("mute", "loud") <= 60_000);
    assert.ok(heard.msLeft("ban", "rowdy") > 119_000);
    assert.equal(heard.msLeft("ban", "loud"), 0, "a mute is not a ban");
    assert.equal(heard.msLeft("mute", "nobody"), 0);
  });

  it("forgets a lifted sanction (until 0) and one that ended, and takes one read at the join", () => {
    const heard = new HeardSanctions(() => assert.fail("nobody was banned"));
    heard.heard({ sanction: "mute", account: "loud", until: Date.now() + 60_000 });
    heard.heard({ sanction: "mute", account: "loud", until: 0 });
    assert.equal(heard.msLeft("mute", "loud"), 0);
    heard.set("mute", "late", Date.now() - 1);
    assert.equal(heard.msLeft("mute", "late"), 0, "ended");
    heard.set("mute", "joined", Date.now() + 30_000);
    assert.ok(heard.msLeft("mute", "joined") > 29_000);
  });
});
