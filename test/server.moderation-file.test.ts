import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { matchMaker } from "@colyseus/core";
import { SignJWT } from "jose";

import { createLogger } from "../common/log.js";
import { impose, lift, LONGEST_SANCTION_MS, sanctionedUntil, sanctionsInForce } from "../rooms/moderation/account-sanctions.js";
import { fileReport, listReports } from "../rooms/moderation/player-reports.js";
import { ConfigError } from "../server/config.js";
import { LOCK_WATCH_MS, otherHostWatch } from "../server/stores/file-lock.js";
import { keepPresence } from "../server/stores/kept-presence.js";
import { MODERATION_PART } from "../server/stores/moderation-file.js";
import { joinWorld, quiet, sleep, startTestWorld, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

const report = (reporter: string, reported: string) => ({
  at: Date.now(),
  roomId: "room-1",
  reporter: { player: `s-${reporter}`, account: reporter, name: reporter },
  reported: { player: `s-${reported}`, account: reported, name: reported },
  reason: "욕설",
  lines: [{ id: "line-1", text: "나쁜 말", ts: Date.now() }],
});

/** Moderation kept in a new DATA_DIR's moderation.json, or in the DATA_DIR of `file`. */
const fileIn = () => join(mkdtempSync(join(tmpdir(), "moderation-")), "moderation.json");
const keepModeration = (file: string, log = quiet, saveEveryMs?: number) => keepPresence(dirname(file), [MODERATION_PART], log, saveEveryMs);

describe("the embedded default's moderation file (server/stores/moderation-file.ts)", () => {

  it("gives a restarted process the mutes and bans in force, with the time they had left, and the open reports", async () => {
    const file = fileIn();
    const kept = await keepModeration(file, quiet);
    const before = kept.presence;
    const { until: muteUntil } = await impose(before, "mute", "loud", 30 * 60_000, "욕설");
    await impose(before, "ban", "rowdy", 24 * 60 * 60_000);
    const filed = await fileReport(before, report("calm", "loud"));
    await kept.stop();
    const listed = await sanctionsInForce(before, "mute");
    // The first process's keys would expire on their timers, which hold the test run open.
    await lift(before, "mute", "loud");
    await lift(before, "ban", "rowdy");

    const keptAgain = await keepModeration(file, quiet);
    const after = keptAgain.presence;
    assert.equal(await sanctionedUntil(after, "mute", "loud"), muteUntil, "muted until the same moment");
    assert.deepEqual(await sanctionsInForce(after, "mute"), listed, "listed as before: since, until, reason");
    assert.ok((await sanctionedUntil(after, "ban", "rowdy"))! > Date.now() + 23 * 60 * 60_000);
    assert.deepEqual(await listReports(after, { limit: 10 }), [filed]);
    await lift(after, "mute", "loud");
    await lift(after, "ban", "rowdy");
    await keptAgain.stop();
  });

  it("says a file it cannot write once a minute, not at every try, and always at shutdown", async () => {
    const file = fileIn();
    const said: string[] = [];
    const log = createLogger({}, "warn", (line) => said.push(JSON.parse(line).msg));
    const kept = await keepModeration(file, log, 20);
    mkdirSync(`${file}.tmp`); // where it writes before the rename, taken: every write fails (as on a full disk)
    await impose(kept.presence, "mute", "loud", 60_000);
    await sleep(300); // 15 tries
    assert.deepEqual(said, ["moderation.json not written"]);
    await kept.stop();
    assert.deepEqual(said, ["moderation.json not written", "moderation.json not written before shutdown: its latest changes are lost"]);
    await lift(kept.presence, "mute", "loud");
  });

  it("writes a change within its interval (and only then), and what was lifted is gone", async () => {
    const file = fileIn();
    const kept = await keepModeration(file, quiet, 50);
    const { presence } = kept;
    await sleep(200);
    assert.ok(!existsSync(file), "nothing to keep, nothing written");
    await impose(presence, "mute", "loud", 60_000);
    const written = () => JSON.parse(readFileSync(file, "utf8")) as { mute: { account: string }[] };
    await waitFor("the mute in the file", () => { try { return written().mute.some((m) => m.account === "loud"); } catch { return false; } });
    await lift(presence, "mute", "loud");
    await waitFor("the lifted mute gone from the file", () => written().mute.length === 0);
    await kept.stop();
  });

  it("sets again a ban kept longer than a week (a file edited by hand, a clock stepped back) for a week, not lifted at once", async () => {
    const file = fileIn();
    const until = Date.now() + 30 * 24 * 3600_000; // past the 24.8 days an in-process timer holds: it fired at once
    writeFileSync(file, JSON.stringify({ v: 1, mute: [], ban: [{ account: "long", since: Date.now(), until }], reports: {} }));
    const kept = await keepModeration(file, quiet);
    await sleep(50);
    const banned = await sanctionedUntil(kept.presence, "ban", "long");
    assert.ok(banned !== undefined && Math.abs(banned - (Date.now() + LONGEST_SANCTION_MS)) < 5000, `banned until ${banned}`);
    assert.deepEqual((await sanctionsInForce(kept.presence, "ban")).map((ban) => ban.until), [banned], "listed as it stands");
    await lift(kept.presence, "ban", "long");
    await kept.stop();
  });

  it("does not set again a sanction that ended while the server was down", async () => {
    const file = fileIn();
    const since = Date.now() - 60_000;
    writeFileSync(file, JSON.stringify({ v: 1, mute: [{ account: "past", since, until: Date.now() - 1 }], ban: [], reports: {} }));
    const kept = await keepModeration(file, quiet);
    const { presence } = kept;
    assert.equal(await sanctionedUntil(presence, "mute", "past"), undefined);
    assert.deepEqual(await sanctionsInForce(presence, "mute"), []);
    await kept.stop();
  });

  it("sets an unreadable file aside whole, never writing over it, and starts without it", async () => {
    const file = fileIn();
    writeFileSync(file, '{"v": 1, "mute": [{"account": "half-writ');
    const kept = await keepModeration(file, quiet, 50);
    const { presence } = kept;
    await impose(presence, "mute", "new", 60_000);
    await kept.stop();
    const aside = readdirSync(join(file, "..")).filter((name) => name.startsWith("moderation.json.unreadable-"));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(join(file, "..", aside[0]!), "utf8"), '{"v": 1, "mute": [{"account": "half-writ');
    assert.deepEqual((JSON.parse(readFileSync(file, "utf8")) as { mute: { account: string }[] }).mute.map((m) => m.account), ["new"]);
    await lift(presence, "mute", "new");
  });

  it("keeps a file whose report or ban is of another shape (a hand edit, another version's) aside as it was, and reads back the rest: bans and all", async () => {
    const file = fileIn();
    const until = Date.now() + 3600_000;
    const text = JSON.stringify({
      v: 1,
      mute: [{ account: "loud", since: Date.now(), until }, { who: "other shape" }],
      ban: [{ account: "cheater", since: Date.now(), until, reason: "핵" }],
      reports: {
        "account a → account b": "{not json",
        "account c → account d": { target: "not a string" },
        // The index's fields only: the console and an erasure of its reporter read the rest.
        "account e → account f": JSON.stringify({ id: "r-old", at: Date.now(), reported: { account: "f" } }),
      },
    });
    writeFileSync(file, text);
    const said: Array<{ level: string; msg: string; unreadable?: number }> = [];
    const kept = await keepModeration(file, createLogger({}, "info", (line) => said.push(JSON.parse(line))));
    assert.equal(await sanctionedUntil(kept.presence, "ban", "cheater"), until, "the ban kept (the whole file was set aside, every ban lifted)");
    assert.equal(await sanctionedUntil(kept.presence, "mute", "loud"), until);
    assert.deepEqual(await listReports(kept.presence, { limit: 10 }), []);
    assert.ok(said.some((line) => line.level === "warn" && line.unreadable === 4 && /some entries unreadable/.test(line.msg)), JSON.stringify(said));
    await kept.stop(); // nothing changed since the start: written anew all the same, without what could not be read
    await Promise.all([lift(kept.presence, "ban", "cheater"), lift(kept.presence, "mute", "loud")]); // their expiry timers would hold mocha's exit
    const aside = readdirSync(join(file, "..")).filter((name) => name.startsWith("moderation.json.unreadable-"));
    assert.equal(readFileSync(join(file, "..", aside[0]!), "utf8"), text, "the file as it was, nothing lost");
    const rewritten = JSON.parse(readFileSync(file, "utf8")) as { mute: unknown[]; ban: unknown[]; reports: object };
    assert.deepEqual([rewritten.mute.length, rewritten.ban.length, Object.keys(rewritten.reports).length], [1, 1, 0]);
    // The next start copies nothing aside again (it did at every start, the file left as it was).
    const again = await keepModeration(file);
    assert.equal(await sanctionedUntil(again.presence, "ban", "cheater"), until);
    await Promise.all([lift(again.presence, "ban", "cheater"), lift(again.presence, "mute", "loud")]);
    await again.stop();
    assert.equal(readdirSync(join(file, "..")).filter((name) => name.startsWith("moderation.json.unreadable-")).length, 1);
  });

  it("writes nothing for a sanction that changed nothing (a shorter mute beside a longer one)", async () => {
    const file = fileIn();
    const kept = await keepModeration(file, quiet, 50);
    await impose(kept.presence, "mute", "loud", 60 * 60_000);
    await waitFor("the mute in the file", () => existsSync(file));
    await sleep(100);
    kept.presence.changed.clear();
    assert.equal((await impose(kept.presence, "mute", "loud", 60_000)).longerInForce, true);
    assert.deepEqual([...kept.presence.changed], [], "the file (megabytes with its reports) was written again for it");
    await lift(kept.presence, "mute", "loud");
    await kept.stop();
  });
});

describe("one process's DATA_DIR (server/stores/file-lock.ts)", () => {
  const lockIn = (file: string) => join(dirname(file), "presence.lock");
  const lockOf = (file: string, pid: number, host = hostname()) => writeFileSync(lockIn(file), JSON.stringify({ pid, host }));

  it("is not kept by a second server while the first runs: it does not start, and says why and what to do", async () => {
    const file = fileIn();
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      lockOf(file, other.pid!);
      await assert.rejects(keepModeration(file, quiet), (error: Error) => {
        assert.ok(error instanceof ConfigError, String(error));
        for (const words of [`process ${other.pid}`, "DATA_DIR", "REDIS_URL", `delete ${lockIn(file)}`]) assert.ok(error.message.includes(words), error.message);
        return true;
      });
      lockOf(file, 4242, "another-host");
      // Another host's holder, alive: it touches its lock (every LOCK_TOUCH_MS in a server), so the watch sees it.
      const touching = setInterval(() => utimesSync(lockIn(file), new Date(), new Date()), 100);
      Object.assign(otherHostWatch, { windowMs: 2_000, pollMs: 50 });
      try {
        await assert.rejects(keepModeration(file, quiet), /process 4242 on another-host/);
      } finally {
        clearInterval(touching);
        Object.assign(otherHostWatch, { windowMs: LOCK_WATCH_MS, pollMs: 500 });
      }
      // An older server, which held moderation.json's lock alone.
      rmSync(lockIn(file));
      const oldLock = `${file}.lock`;
      writeFileSync(oldLock, JSON.stringify({ pid: other.pid, host: hostname() }));
      await assert.rejects(keepModeration(file, quiet), (error: Error) => error instanceof ConfigError && error.message.includes(`delete ${oldLock}`));
      assert.ok(!existsSync(lockIn(file)), "the lock it took first is let go");
    } finally {
      other.kill();
    }
  });

  it("says which setting to change where the file cannot be kept", async () => {
    const notAFolder = fileIn(); // a file where DATA_DIR should be a folder
    writeFileSync(notAFolder, "");
    await assert.rejects(keepModeration(join(notAFolder, "moderation.json"), quiet), (error: Error) =>
      error instanceof ConfigError && error.message.includes(notAFolder) && /set DATA_DIR to a folder this server can write, or to off/.test(error.message));
  });

  it("says to free space on a full DATA_DIR (not to turn it off, which drops every ban), and leaves no draft of its lock", async function () {
    const dir = mkdtempSync(join(tmpdir(), "kobot-full-data-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    } catch {
      return this.skip(); // not root, or no mount here
    }
    try {
      try {
        writeFileSync(join(dir, "filler"), Buffer.alloc(1 << 20));
      } catch {
        // full now
      }
      await assert.rejects(keepModeration(join(dir, "moderation.json"), quiet), (error: Error) =>
        error instanceof ConfigError && /ENOSPC/.test(error.message) && /free space on it/.test(error.message) && !/or to off/.test(error.message));
      assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith("presence.lock")), [], "no presence.lock.<pid>.<uuid> left");
    } finally {
      execFileSync("umount", [dir]);
    }
  });

  it("takes over the lock of a server that is gone, and lets the file go as it stops", async () => {
    const file = fileIn();
    const gone = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    lockOf(file, Number(gone.stdout.trim()));
    const kept = await keepModeration(file, quiet);
    assert.deepEqual(JSON.parse(readFileSync(lockIn(file), "utf8")), { pid: process.pid, host: hostname() });
    assert.ok(existsSync(`${file}.lock`), "the lock older servers look for is held too");
    await kept.stop();
    assert.ok(!existsSync(lockIn(file)));
    assert.ok(!existsSync(`${file}.lock`));
    // Another host's (a container made again has another name), untouched while watched: its holder is gone.
    lockOf(file, 4242, "container-before");
    otherHostWatch.windowMs = 200; // LOCK_WATCH_MS (21 s) in a server
    try {
      await (await keepModeration(file, quiet)).stop();
    } finally {
      otherHostWatch.windowMs = LOCK_WATCH_MS;
    }
    // Half-written by a process that died writing it: nobody holds it.
    writeFileSync(lockIn(file), '{"pid": 12');
    await (await keepModeration(file, quiet)).stop();
  });
});

describe("a restarted embedded server keeps its moderators' work (DATA_DIR)", function () {
  this.timeout(30_000);
  const SECRET = "a secret the game's login and this server share";
  const admin = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64"), "content-type": "application/json" };
  const env = { AUTH_SECRET: SECRET, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", DATA_DIR: mkdtempSync(join(tmpdir(), "kobot-data-")) };
  const token = (account: string) => new SignJWT({ sub: account, name: account }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));
  const joinAs = async (world: TestWorld, account: string, roomId?: string): Promise<TestPlayer> =>
    joinWorld(world.url, {}, roomId, { authorization: `Bearer ${await token(account)}` });
  const api = (world: TestWorld, path: string, init: RequestInit = {}) => fetch(world.url.replace("ws://", "http://") + path, { headers: admin, ...init });

  it("still mutes, bans and lists the reports after a restart", async () => {
    let world = await startTestWorld(env);
    const calm = await joinAs(world, "calm");
    const loud = await joinAs(world, "loud", calm.room.roomId);
    const filed = new Promise((resolve) => calm.room.onMessage("reported", resolve));
    calm.room.send("report", { player: loud.room.sessionId, reason: "욕설" });
    await filed;
    assert.equal((await api(world, "/api/mutes", { method: "POST", body: JSON.stringify({ account: "loud", minutes: 30, reason: "욕설" }) })).status, 200);
    assert.equal((await api(world, "/api/bans", { method: "POST", body: JSON.stringify({ account: "rowdy", minutes: 60 }) })).status, 200);
    const mutes = await (await api(world, "/api/mutes")).json();
    await world.stop();
    // Written as it stopped. Its presence's keys would expire on their timers, which hold the test run open.
    await lift(matchMaker.presence, "mute", "loud");
    await lift(matchMaker.presence, "ban", "rowdy");

    world = await startTestWorld(env);
    try {
      assert.deepEqual(await (await api(world, "/api/mutes")).json(), mutes, "the same mute: since, until, reason");
      const { reports } = (await (await api(world, "/api/reports")).json()) as { reports: { reported: { account?: string }; reason?: string }[] };
      assert.deepEqual(reports.map((r) => [r.reported.account, r.reason]), [["loud", "욕설"]]);
      await assert.rejects(joinAs(world, "rowdy"), (error: { code?: number }) => error.code === 403);
      const again = await joinAs(world, "loud");
      again.room.send("chat", { text: "풀렸나?" });
      await waitFor("the mute still in force", () => again.errors.some((error) => error.code === "muted"));
      await again.room.leave();
    } finally {
      await api(world, "/api/mutes/loud", { method: "DELETE" });
      await api(world, "/api/bans/rowdy", { method: "DELETE" });
      await world.stop();
    }
  });
});
