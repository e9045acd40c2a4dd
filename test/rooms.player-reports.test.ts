import assert from "node:assert/strict";

import { LocalPresence } from "@colyseus/core";

import type { HashPages } from "../rooms/hash-pages.js";
import { closeReport, fileReport, listReports, type PlayerReport } from "../rooms/moderation/player-reports.js";
import { keptHashPages } from "../server/stores/kept-hash-pages.js";
import { KeptPresence } from "../server/stores/kept-presence.js";

/** Counts the event loop's turns until stopped: none while a call runs through without giving the loop back. */
function countTurns(): () => number {
  let turns = 0;
  let counting = true;
  const tick = () => {
    if (!counting) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return () => ((counting = false), turns);
}

describe("players' reports' store (rooms/moderation/player-reports.ts)", () => {
  const report = (reporter: string, reported: string, at: number): Omit<PlayerReport, "id" | "times"> => ({
    at, roomId: "room", reporter: { player: reporter, name: reporter }, reported: { player: reported, name: reported }, lines: [],
  });

  it("keeps the newest past its cap, dropping the oldest tenth at once", async () => {
    const presence = new LocalPresence();
    for (let i = 0; i < 20; i++) await fileReport(presence, report(`r${i}`, "target", 1000 + i), { kept: 20 });
    assert.equal((await listReports(presence, { limit: 100 })).length, 20);
    await fileReport(presence, report("r20", "target", 1020), { kept: 20 });
    const left = await listReports(presence, { limit: 100 });
    assert.deepEqual(left.map((r) => r.reporter.player), Array.from({ length: 18 }, (_, i) => `r${20 - i}`), "the 18 newest, newest first");
    presence.shutdown();
  });

  it("past its cap drops first the reports of the reporters who filed most, oldest first, then the oldest of all", async () => {
    const presence = new LocalPresence();
    // Honest players' reports, then one address's guests (each a new session) reporting a player each.
    for (let i = 0; i < 5; i++) await fileReport(presence, report(`honest${i}`, "troll", 900 + i), { kept: 20 });
    for (let i = 0; i < 15; i++) await fileReport(presence, report(`guest${i}`, `p${i}`, 1000 + i), { kept: 20, by: "address 203.0.113.99" });
    await fileReport(presence, report("guest15", "p15", 1015), { kept: 20, by: "address 203.0.113.99" });
    const left = await listReports(presence, { limit: 100 });
    assert.equal(left.length, 18);
    assert.deepEqual(left.filter((r) => r.reporter.player.startsWith("honest")).length, 5, "every honest report kept");
    assert.deepEqual(left.filter((r) => r.reporter.player.startsWith("guest")).map((r) => r.at), Array.from({ length: 13 }, (_, i) => 1015 - i), "the flood's 13 newest");
    // Levelled: reporters of 10, 10 and 1, 21 past a cap of 20, 3 go, one at a time from whoever has most (of equals,
    // the one whose oldest is older): b's oldest, a's, b's.
    const level = new LocalPresence();
    for (let i = 0; i < 10; i++) await fileReport(level, report(`b${i}`, `p${i}`, 50 + i), { kept: 20, by: "address b" });
    await fileReport(level, report("c", "p0", 1), { kept: 20 });
    for (let i = 0; i < 10; i++) await fileReport(level, report(`a${i}`, `p${i}`, 100 + i), { kept: 20, by: "address a" });
    const levelled = await listReports(level, { limit: 100 });
    const of = (prefix: string) => levelled.filter((r) => r.reporter.player.startsWith(prefix)).map((r) => r.at).sort();
    assert.deepEqual(of("a"), Array.from({ length: 9 }, (_, i) => 101 + i));
    assert.deepEqual(of("b"), Array.from({ length: 8 }, (_, i) => 52 + i));
    assert.deepEqual(of("c"), [1]);
    presence.shutdown();
    level.shutdown();
  });

  it("drops the oldest reading the index a page at a time, never whole, the event loop free between pages; a field a scan repeats is dropped once", async () => {
    const presence = new KeptPresence(["kobot:"]);
    const pages = keptHashPages(presence, 16);
    // Filed out of time order, so that the oldest are on every page.
    const at = (i: number) => 1000 + (i * 37) % 100;
    for (let i = 0; i < 100; i++) await fileReport(presence, report(`r${i}`, "target", at(i)), { kept: 100, hashes: pages });
    const hgetall = presence.hgetall.bind(presence);
    const wholeReads: string[] = [];
    presence.hgetall = (key) => (wholeReads.push(key), hgetall(key));
    const turns = countTurns();
    await fileReport(presence, report("r100", "target", 1100), { kept: 100, hashes: pages });
    assert.ok(turns() > 1, "the event loop turned between the pages");
    assert.deepEqual(wholeReads, [], "the index read by pages, not whole");
    presence.hgetall = hgetall;
    const left = await listReports(presence, { limit: 1000 });
    assert.deepEqual(left.map((r) => r.at), Array.from({ length: 90 }, (_, i) => 1100 - i), "the 90 newest");

    // Redis's HSCAN may return a field again on a later page: still 11 go (101 → 90), not fewer.
    const repeating: HashPages = {
      async *pages(key) {
        const all = [...presence.hashEntries(key)];
        yield all.slice(0, 60);
        yield all.slice(30);
      },
      deleteAtOrBefore: pages.deleteAtOrBefore,
    };
    for (let i = 0; i < 11; i++) await fileReport(presence, report(`s${i}`, "target", 2000 + i), { kept: 100, hashes: repeating });
    assert.deepEqual((await listReports(presence, { limit: 1000 })).map((r) => r.at), [
      ...Array.from({ length: 11 }, (_, i) => 2010 - i),
      ...Array.from({ length: 79 }, (_, i) => 1100 - i),
    ]);
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

  it("lists and closes by a small index: only the reports returned are read, never every report's JSON", async () => {
    const presence = new LocalPresence();
    for (let i = 0; i < 300; i++) await fileReport(presence, { ...report(`r${i}`, `p${i % 7}`, 1000 + i), reported: { player: `p${i % 7}`, name: "x", account: `acc${i % 7}` } });
    const reads: string[] = [];
    const hgetall = presence.hgetall.bind(presence);
    const hget = presence.hget.bind(presence);
    presence.hgetall = (key) => (reads.push(`hgetall ${key}`), hgetall(key));
    presence.hget = (key, field) => (reads.push(`hget ${key}`), hget(key, field));

    const newest = await listReports(presence, { limit: 10 });
    assert.deepEqual(newest.map((r) => r.at), Array.from({ length: 10 }, (_, i) => 1299 - i), "the 10 newest, newest first");
    const ofAcc3 = await listReports(presence, { account: "acc3", limit: 100 });
    assert.equal(ofAcc3.length, 43);
    assert.ok(ofAcc3.every((r) => r.reported.account === "acc3"));
    assert.equal(await closeReport(presence, newest[0]!.id), true);
    assert.equal(await closeReport(presence, newest[0]!.id), false, "closed already");
    assert.ok(!reads.includes("hgetall kobot:reports"), `no read of every report: ${[...new Set(reads)].join(", ")}`);
    assert.equal(reads.filter((read) => read === "hget kobot:reports").length, 10 + 43, "one read a report listed");
    assert.equal((await listReports(presence, { limit: 1000 })).length, 299);
    presence.shutdown();
  });

  it("indexes reports stored before the index (a Redis of an older version) at the first listing, and skips an entry whose report was never written", async () => {
    const presence = new LocalPresence();
    const old: PlayerReport = { ...report("r1", "p1", 5), id: "old-id", times: 1 };
    await presence.hset("kobot:reports", "player r1 > player p1", JSON.stringify(old));
    await fileReport(presence, report("r2", "p1", 6));
    assert.deepEqual((await listReports(presence, { limit: 10 })).map((r) => r.reporter.player), ["r2", "r1"]);
    assert.equal(await closeReport(presence, "old-id"), true);
    // A process stopped between writing a report's index entry and the report: the entry leads nowhere.
    await presence.hset("kobot:reports:index", "player r3 > player p1", JSON.stringify([7, "lost", null]));
    assert.deepEqual((await listReports(presence, { limit: 10 })).map((r) => r.reporter.player), ["r2"]);
    presence.shutdown();
  });

  it("lists and closes reading the index a page at a time, the event loop free between pages, as whole; a field a scan repeats is listed once", async () => {
    const presence = new KeptPresence(["kobot:"]);
    for (let i = 0; i < 300; i++) await fileReport(presence, { ...report(`r${i}`, `p${i % 7}`, 1000 + (i * 37) % 300), reported: { player: `p${i % 7}`, name: "x", account: `acc${i % 7}` } });
    const whole = await listReports(presence, { limit: 50 });
    const pages = keptHashPages(presence, 16);
    const turns = countTurns();
    const paged = await listReports(presence, { limit: 50 }, pages);
    assert.ok(turns() > 1, "the event loop turned between the pages");
    assert.deepEqual(paged.map((r) => r.id), whole.map((r) => r.id), "the same 50 newest, in the same order");
    assert.deepEqual(paged.map((r) => r.at), Array.from({ length: 50 }, (_, i) => 1299 - i));
    assert.deepEqual((await listReports(presence, { account: "acc3", limit: 100 }, pages)).map((r) => r.id), (await listReports(presence, { account: "acc3", limit: 100 })).map((r) => r.id));
    // Redis's HSCAN may return a field again on a later page (while the hash grows).
    const repeating: HashPages = {
      async *pages(key) {
        const all = [...(presence.hashEntries(key))];
        yield all.slice(0, 200);
        yield all.slice(100);
      },
      deleteAtOrBefore: pages.deleteAtOrBefore,
    };
    assert.deepEqual((await listReports(presence, { limit: 300 }, repeating)).map((r) => r.id), (await listReports(presence, { limit: 300 })).map((r) => r.id));
    const last = (await listReports(presence, { limit: 1000 })).find((r) => r.reporter.player === "r299")!; // filed last: on the last page
    const hgetall = presence.hgetall.bind(presence);
    const wholeReads: string[] = [];
    presence.hgetall = (key) => (wholeReads.push(key), hgetall(key));
    assert.equal(await closeReport(presence, last.id, pages), true, "found on a later page");
    assert.deepEqual(wholeReads, [], "the index read by pages, not whole");
    presence.hgetall = hgetall;
    assert.equal(await closeReport(presence, last.id, pages), false, "closed already");
    assert.equal((await listReports(presence, { limit: 1000 }, pages)).length, 299);
    presence.shutdown();
  });
});
