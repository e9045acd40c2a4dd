import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, watch, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";

import { FileHeldError, GUARD_STALE_MS, holdFile, takeOver } from "../server/stores/file-lock.js";

const lockText = (pid: number, host = hostname()) => JSON.stringify({ pid, host });
/** The pid of a process that has exited. */
const gonePid = () => Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim());
const inNewDir = (name: string) => join(mkdtempSync(join(tmpdir(), "file-lock-")), name);

describe("taking over a stale lock (server/stores/file-lock.ts)", () => {
  let live: ChildProcess;
  before(() => {
    live = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  });
  after(() => live.kill());

  it("never moves or deletes a lock another process took after this one judged the old one stale", async () => {
    const lock = inNewDir("data.lock");
    const taken = lockText(live.pid!);
    writeFileSync(lock, taken);
    // Each time the lock's name is taken away or put back (a rename, an unlink, a link): a moment without a lock.
    const events: string[] = [];
    const watcher = watch(join(lock, ".."), (event, name) => name === "data.lock" && events.push(event));
    try {
      await takeOver(lock, lockText(gonePid())); // judged stale from what the lock said before
      await new Promise((resolve) => setTimeout(resolve, 100)); // events come on the next turns
    } finally {
      watcher.close();
    }
    assert.deepEqual(events, [], "the live lock stayed in place throughout");
    assert.equal(readFileSync(lock, "utf8"), taken);
    assert.deepEqual(readdirSync(join(lock, "..")), ["data.lock"], "no guard or copy left beside it");
  });

  it("deletes the lock judged stale, and leaves no guard", async () => {
    const lock = inNewDir("data.lock");
    const stale = lockText(gonePid());
    writeFileSync(lock, stale);
    await takeOver(lock, stale);
    assert.deepEqual(readdirSync(join(lock, "..")), []);
  });

  it("leaves the lock to a live process taking it over: the file is held by one process only", async () => {
    const file = inNewDir("data");
    writeFileSync(`${file}.lock`, lockText(gonePid()));
    writeFileSync(`${file}.lock.takeover`, lockText(live.pid!));
    await assert.rejects(holdFile(file), (error: Error) => error instanceof FileHeldError);
    assert.ok(existsSync(`${file}.lock`), "the stale lock stays for the process taking it over");
    assert.ok(existsSync(`${file}.lock.takeover`), "so does that process's guard");
  });

  it("takes over through a guard left for seconds, though its pid names a live process (a crash mid-takeover, the pid reused)", async () => {
    const file = inNewDir("data");
    writeFileSync(`${file}.lock`, lockText(gonePid()));
    writeFileSync(`${file}.lock.takeover`, lockText(live.pid!));
    const long = new Date(Date.now() - GUARD_STALE_MS - 1_000);
    utimesSync(`${file}.lock.takeover`, long, long);
    const release = await holdFile(file);
    assert.equal(readFileSync(`${file}.lock`, "utf8"), lockText(process.pid));
    assert.ok(!existsSync(`${file}.lock.takeover`), "the left guard is gone");
    await release();
  });

  it("takes over through the guard of a process that died taking over", async () => {
    const file = inNewDir("data");
    writeFileSync(`${file}.lock`, lockText(gonePid()));
    writeFileSync(`${file}.lock.takeover`, lockText(gonePid()));
    const release = await holdFile(file);
    assert.equal(readFileSync(`${file}.lock`, "utf8"), lockText(process.pid));
    assert.ok(!existsSync(`${file}.lock.takeover`));
    await release();
    assert.deepEqual(readdirSync(join(file, "..")), []);
  });
});
