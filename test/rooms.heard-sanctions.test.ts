import assert from "node:assert/strict";

import { HeardSanctions, sanctionRead } from "../rooms/moderation/heard-sanctions.js";

describe("the sanctions a room heard of (rooms/moderation/heard-sanctions.ts)", () => {
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
    heard.set("mute", "late", Date.now() - 1, sanctionRead());
    assert.equal(heard.msLeft("mute", "late"), 0, "ended");
    heard.set("mute", "joined", Date.now() + 30_000, sanctionRead());
    assert.ok(heard.msLeft("mute", "joined") > 29_000);
  });

  it("keeps a change heard after the join read the presence: a mute lifted, or made longer, while the seat waited", () => {
    const heard = new HeardSanctions(() => assert.fail("nobody was banned"));
    const readAt = sanctionRead(); // the join reads the mute
    heard.heard({ sanction: "mute", account: "forgiven", until: 0 });
    heard.heard({ sanction: "mute", account: "worse", until: Date.now() + 3_600_000 });
    heard.set("mute", "forgiven", Date.now() + 60_000, readAt);
    heard.set("mute", "worse", Date.now() + 60_000, readAt);
    assert.equal(heard.msLeft("mute", "forgiven"), 0, "lifted stays lifted");
    assert.ok(heard.msLeft("mute", "worse") > 3_500_000, "the longer mute stands");
    heard.set("mute", "forgiven", Date.now() + 60_000, sanctionRead());
    assert.ok(heard.msLeft("mute", "forgiven") > 59_000, "a read after the change is taken");
  });

  it("keeps a mute lifted while the join read the presence, though the wall clock stepped back meanwhile (NTP)", () => {
    const heard = new HeardSanctions(() => assert.fail("nobody was banned"));
    const realNow = Date.now;
    const read = sanctionRead();
    Date.now = () => realNow() - 30_000;
    try {
      heard.heard({ sanction: "mute", account: "forgiven", until: 0 });
    } finally {
      Date.now = realNow;
    }
    heard.set("mute", "forgiven", Date.now() + 3_600_000, read);
    assert.equal(heard.msLeft("mute", "forgiven"), 0, "lifted stays lifted");
  });

  it("orders a read made on another process (Redis matchmaking) by the wall clock, the one the two share", () => {
    const heard = new HeardSanctions(() => assert.fail("nobody was banned"));
    heard.heard({ sanction: "mute", account: "forgiven", until: 0 });
    const elsewhere = { process: "another", at: performance.now() + 3_600_000, wallAt: Date.now() - 1000 }; // its own performance.now()
    heard.set("mute", "forgiven", Date.now() + 60_000, elsewhere);
    assert.equal(heard.msLeft("mute", "forgiven"), 0, "read before the lift by the wall clock");
    heard.set("mute", "forgiven", Date.now() + 60_000, { ...elsewhere, at: 0, wallAt: Date.now() + 1000 });
    assert.ok(heard.msLeft("mute", "forgiven") > 59_000, "read after it");
  });

  it("counts a join that skipped onAuth (no read) as read before any change heard", () => {
    const heard = new HeardSanctions(() => assert.fail("nobody was banned"));
    heard.heard({ sanction: "mute", account: "forgiven", until: 0 });
    heard.set("mute", "forgiven", Date.now() + 60_000, undefined);
    assert.equal(heard.msLeft("mute", "forgiven"), 0);
    heard.set("mute", "fresh", Date.now() + 60_000, undefined);
    assert.ok(heard.msLeft("mute", "fresh") > 59_000, "nothing heard: the read stands");
  });
});
